"""The schedule picture: each run's learning rate over the steps, step-decay cuts marked, and a
schedule of its own for any run ("constant vs cosine" side by side).

Public names (imported from their module on first use, so start-up stays lazy):

- ``view``: ``ScheduleView``, ``cut_steps``, ``install``, ``rates_over_steps``
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {
    "ScheduleView": "view", "cut_steps": "view", "install": "view", "rates_over_steps": "view"
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
