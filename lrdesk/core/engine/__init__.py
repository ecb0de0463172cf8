"""The batched runner: many runs advanced in one vectorised step, each judged the step its
verdict becomes certain (converged, diverged, oscillating, too slow).

Public names (imported from their module on first use, so start-up stays lazy):

- ``batch``: ``Batch``, ``VERDICTS``, ``CONVERGED``, ``RUNNING``
- ``scalar``: ``run_scalar``
- ``records``: ``Block``, ``StepData``
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {
    "Batch": "batch", "VERDICTS": "batch", "CONVERGED": "batch", "RUNNING": "batch",
    "run_scalar": "scalar", "Block": "records", "StepData": "records"
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
