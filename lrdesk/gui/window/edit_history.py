"""Undo and redo in the window: Ctrl+Z and Ctrl+Shift+Z walk through the experiments shown.

``EditHistory`` gets only what it needs: the two actions, the spec on screen, a way to apply
edits still pending and to show a spec, and whether the rate slider is being dragged (a whole drag is one change to undo). The
history itself is the Qt-free ``UndoHistory``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction

from lrdesk.core.experiment.spec import ExperimentSpec, SpecError
from lrdesk.core.experiment.undo import UndoHistory


class EditHistory(QObject):
    """Records each experiment that gives way to a new one, and shows them again on undo/redo."""

    message = Signal(str)  # a spec from the history could not be shown (not expected)

    def __init__(self, undo: QAction, redo: QAction, current: Callable[[], ExperimentSpec],
                 settle: Callable[[], None], show: Callable[[ExperimentSpec], None],
                 dragging: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history: UndoHistory[ExperimentSpec] = UndoHistory()
        self._undo, self._redo = undo, redo
        self._current, self._settle, self._show = current, settle, show
        self._dragging = dragging
        self._stepping = False  # an undo or redo is being shown: not a new edit
        self._drag_recorded = False  # the drag of the rate slider under way is in the history
        undo.triggered.connect(self.undo)
        redo.triggered.connect(self.redo)
        self._show_actions()

    def replaced(self, old: ExperimentSpec) -> None:
        """``old`` gave way to a new experiment on screen."""
        dragging = self._dragging()
        if not self._stepping and not (dragging and self._drag_recorded):
            self.history.record(old)
        self._drag_recorded = dragging
        self._show_actions()

    def undo(self) -> None:
        self._step(self.history.undo)

    def redo(self) -> None:
        self._step(self.history.redo)

    def _step(self, step: Callable[[ExperimentSpec], ExperimentSpec | None]) -> None:
        self._settle()  # an edit still waiting for its pause is a change too: undo goes past it
        current = self._current()
        spec = step(current)
        if spec is None:
            return
        # undo takes back edits of the experiment, not the choice of how it is looked at
        spec = replace(spec, view=current.view)
        self._stepping = True
        try:
            self._show(spec)
        except SpecError as exc:  # shown before, so not expected; never lost without a word
            self.message.emit(exc.in_words())
        finally:
            self._stepping = False
            self._show_actions()

    def _show_actions(self) -> None:
        self._undo.setEnabled(self.history.can_undo())
        self._redo.setEnabled(self.history.can_redo())
