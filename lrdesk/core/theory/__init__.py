"""What curvature says about learning rates: the local theory at the start, the stable limit
2/lambda_max and the fastest rate, the stability of each step, and the lines drawn on sweeps.

Public names (imported from their module on first use, so start-up stays lazy):

- ``hessian``: ``Theory``, ``local_theory``, ``lr_range``
- ``stability``: ``SweepTheory``, ``stability_classes``, ``stability_limit``, ``sweep_theory``, ``largest_curvature``
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {
    "Theory": "hessian", "local_theory": "hessian", "lr_range": "hessian", "SweepTheory":
    "stability", "stability_classes": "stability", "stability_limit": "stability",
    "sweep_theory": "stability", "largest_curvature": "stability"
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
