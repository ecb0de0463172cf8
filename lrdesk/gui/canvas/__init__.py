"""The loss-surface canvas: the curve or heat map, contours, the runs' paths and the stability
colours.

Public names (imported from their module on first use, so start-up stays lazy):

- ``view``: ``LossCanvas``
- ``stability_overlay``: ``StabilityOverlay``
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {
    "LossCanvas": "view", "StabilityOverlay": "stability_overlay"
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
