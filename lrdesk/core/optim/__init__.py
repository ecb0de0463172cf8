"""Optimizers with torch.optim's update rules, learning-rate schedules with
torch.optim.lr_scheduler's, and the catalog the controls read.

Public names (imported from their module on first use, so start-up stays lazy):

- ``optimizers``: ``OPTIMIZERS``, ``InvalidOptimizer``, ``make_batch_optimizer``, ``resolve_hypers``
- ``schedules``: ``SCHEDULES``, ``SCHEDULE_TITLES``, ``ScheduleSpec``, ``InvalidSchedule``
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {
    "OPTIMIZERS": "optimizers", "InvalidOptimizer": "optimizers", "make_batch_optimizer":
    "optimizers", "resolve_hypers": "optimizers", "SCHEDULES": "schedules", "SCHEDULE_TITLES":
    "schedules", "ScheduleSpec": "schedules", "InvalidSchedule": "schedules"
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
