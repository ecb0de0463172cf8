"""What a panel gets from the window instead of the window: its experiment, and a place to sit.

``ExperimentLink`` reads the experiment on screen and the selected run, tells of changes
(``spec_changed``, ``run_selected``, ``closing``) and carries a panel's wishes back as signals
(``run_wanted``, ``spec_wanted``) that the window connects: the window alone changes its
experiment. ``DockSite`` is where a panel may put itself: a dock, a top-level menu.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDockWidget, QMenu, QWidget

from lrdesk.core.experiment.spec import ExperimentSpec


class ExperimentLink(QObject):
    """The window's experiment as a panel sees it.

    ``spec()`` and ``selected_run()`` read it (from the two callables given); the window emits
    ``spec_changed(ExperimentSpec)``, ``run_selected(int)`` and ``closing()``. A panel emits
    ``run_wanted(RunSpec)`` to add a run, ``spec_wanted(ExperimentSpec, str)`` to show another
    experiment (the text starts the status message if the window cannot use it).
    """

    spec_changed = Signal(object)
    run_selected = Signal(int)
    closing = Signal()
    run_wanted = Signal(object)
    spec_wanted = Signal(object, str)

    def __init__(
        self,
        spec: Callable[[], ExperimentSpec],
        selected_run: Callable[[], int],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._spec = spec
        self._selected_run = selected_run

    def spec(self) -> ExperimentSpec:
        return self._spec()

    def selected_run(self) -> int:
        """The selected run's index (0 when there is none to say)."""
        return max(0, int(self._selected_run()))


@dataclass(frozen=True)
class DockSite:
    """Where a panel may sit: ``add_panel(widget, title, area) -> QDockWidget``,
    ``menu(title) -> QMenu`` (a top-level menu, made if new) and ``find_dock(object_name)``
    (a dock already made, or None)."""

    add_panel: Callable[[QWidget, str, Qt.DockWidgetArea], QDockWidget]
    menu: Callable[[str], QMenu]
    find_dock: Callable[[str], QDockWidget | None]
