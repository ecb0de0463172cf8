"""The guided lessons panel and the step table that shows each step's arithmetic.

Public names (imported from their module on first use, so start-up stays lazy):

- ``panel``: ``LessonPanel``
- ``step_table``: ``StepTable``
- ``step_columns``: ``axis_names``, ``history_arrays``, ``steps_taken``
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {
    "LessonPanel": "panel", "StepTable": "step_table", "axis_names": "step_columns",
    "history_arrays": "step_columns", "steps_taken": "step_columns"
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
