"""Choosing between the 2-D heat map and the 3-D surface, in the canvas's place.

``ViewSwitch`` holds both views in a stack, with the toggle at the end of the line under the view
shown (no row of its own: the canvas keeps its height); ``CanvasTee`` hands the
playhead's paths to both, so switching shows the same runs at the same step at once. When
OpenGL is not available the 2-D view stays and the toggle's row says why.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from lrdesk.gui.surface3d.view import Surface3DView


class CanvasTee:
    """The data calls of the 2-D canvas, sent to it and to the 3-D view."""

    def __init__(self, canvas, view3d: Surface3DView) -> None:
        self.canvas, self.view3d = canvas, view3d

    def set_run_path(self, run, positions, losses, steps) -> None:
        self.canvas.set_run_path(run, positions, losses, steps)
        self.view3d.set_run_path(run, positions, losses, steps)

    def set_run_status(self, run, verdict, event_step) -> None:
        self.canvas.set_run_status(run, verdict, event_step)
        self.view3d.set_run_status(run, verdict, event_step)

    def __getattr__(self, name: str):
        return getattr(self.canvas, name)


class ViewSwitch(QWidget):
    """The canvas or the 3-D view, with a "2-D / 3-D" toggle; emits the view the user chose."""

    view_chosen = Signal(str)  # "2d" or "3d", chosen by the user
    view_set = Signal(str)  # "2d" or "3d", chosen or from an experiment file

    def __init__(self, canvas: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = canvas
        self.view3d = Surface3DView()
        self.stack = QStackedWidget()
        self.flat_button = QRadioButton("2-D heat map")
        self.mesh_button = QRadioButton("3-D surface")
        self.flat_button.setToolTip("The loss as colours seen from above, with contour lines.")
        self.mesh_button.setToolTip("The loss as a landscape to turn around with the mouse.")
        self.flat_button.setChecked(True)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.toggle = QWidget()  # the two choices, moved under whichever view is shown
        row = QHBoxLayout(self.toggle)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.flat_button)
        row.addWidget(self.mesh_button)
        self.note.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.stack, 1)
        self.stack.addWidget(canvas)
        self.stack.addWidget(self.view3d)
        canvas.footer.addWidget(self.toggle)
        self._view = "2d"
        self.mesh_button.toggled.connect(self._on_toggled)

    def view(self) -> str:
        return self._view

    def shows_3d(self) -> bool:
        return self.stack.currentWidget() is self.view3d

    def set_view(self, view: str) -> None:
        """Show "2d" or "3d"; without OpenGL the 2-D view stays and the note says why."""
        self._view = "3d" if view == "3d" else "2d"
        self.mesh_button.blockSignals(True)
        self.mesh_button.setChecked(self._view == "3d")
        self.flat_button.setChecked(self._view == "2d")
        self.mesh_button.blockSignals(False)
        reason = self.view3d.unavailable_reason() if self._view == "3d" else ""
        self.note.setText(reason)
        self.note.setVisible(bool(reason))
        shown = self.view3d if self._view == "3d" and not reason else self.canvas
        shown.footer.addWidget(self.toggle)  # moves it from the other view's line
        self.stack.setCurrentWidget(shown)
        self.view_set.emit(self._view)

    def choose(self, view: str) -> None:
        """As if the user chose ``view``: shown, and announced (the experiment remembers it)."""
        self.set_view(view)
        self.view_chosen.emit(self._view)

    def _on_toggled(self, on: bool) -> None:
        self.choose("3d" if on else "2d")


def install_view_switch(splitter, canvas: QWidget) -> ViewSwitch:
    """Put a ViewSwitch where ``canvas`` sits in ``splitter``, with the canvas inside it."""
    index, sizes = splitter.indexOf(canvas), splitter.sizes()
    stretch = canvas.sizePolicy()  # QSplitter keeps its stretch factors in the size policy
    switch = ViewSwitch(canvas)  # takes the canvas out of the splitter into its stack
    policy = switch.sizePolicy()
    policy.setHorizontalStretch(stretch.horizontalStretch())
    policy.setVerticalStretch(stretch.verticalStretch())
    switch.setSizePolicy(policy)
    splitter.insertWidget(max(index, 0), switch)
    if sum(sizes) > 0:
        splitter.setSizes(sizes)
    return switch


def follow_spec(switch: ViewSwitch, old, spec, function, colors: list[str]) -> None:
    """Give the 3-D view a new surface when the function changes, and the runs' colours."""
    surface = (spec.function, spec.function_params, spec.expression)
    if old is None or surface != (old.function, old.function_params, old.expression):
        switch.view3d.set_function(function, spec.start)
    switch.view3d.set_runs(colors)
    if old is None or old.view != spec.view:
        switch.set_view(spec.view)


def add_view_action(menu, switch: ViewSwitch):
    """A checkable "3-D surface" entry in ``menu`` that follows and drives the toggle."""
    action = menu.addAction("3-D surface")
    action.setCheckable(True)
    action.setToolTip("Show the loss surface as a 3-D landscape instead of the heat map")
    action.toggled.connect(lambda on: switch.choose("3d" if on else "2d"))
    switch.view_set.connect(lambda view: _set_checked(action, view == "3d"))
    return action


def _set_checked(action, on: bool) -> None:
    action.blockSignals(True)
    action.setChecked(on)
    action.blockSignals(False)
