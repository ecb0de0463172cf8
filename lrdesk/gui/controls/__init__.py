"""The experiment controls: surface and start, the selected run with its learning-rate control,
the formula editor.

Public names (imported from their module on first use, so start-up stays lazy):

- ``experiment``: ``ExperimentControls``
- ``run``: ``RunControls``
- ``lr_control``: ``LearningRateControl``
- ``expression_editor``: ``ExpressionEditor``
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {
    "ExperimentControls": "experiment", "RunControls": "run", "LearningRateControl":
    "lr_control", "ExpressionEditor": "expression_editor"
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
