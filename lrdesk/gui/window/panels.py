"""Extra panels that other parts of LR Desk add to the main window.

Each installer is a callable ``installer(window)`` that adds its docks and menu entries; the
window calls them, in order, at the end of its construction. The sweep and the map get only the
window's ``ExperimentLink`` and ``DockSite``; the lessons, the step table, the stability colours
and the export menu still use the window's public API (``spec``, ``add_panel``, ``menu``,
signals).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QWidget

from lrdesk.gui.canvas import stability_overlay
from lrdesk.gui.export import menu as export_menu
from lrdesk.gui.lessons import panel as lesson_panel
from lrdesk.gui.models import lesson_link as model_lessons
from lrdesk.gui.models.tool import install_model_later, install_rate_finder_later
from lrdesk.gui.sweeps.common import MAP_TOOL, SWEEP_TOOL, install_later


def install_steps_later(window) -> QDockWidget:
    """The Steps dock: across the bottom, where an optimizer's many columns fit, and apart from
    the lessons, so a lesson and its table show together. Hidden until asked for (View >
    Panels), and its table is built when the dock is first seen."""
    placeholder = QWidget()
    dock = window.add_panel(placeholder, "Steps", Qt.DockWidgetArea.BottomDockWidgetArea)
    dock.hide()

    def build(visible: bool) -> None:
        if visible and dock.widget() is placeholder:
            from lrdesk.gui.lessons import step_table  # only now: a new window opens on the lessons

            step_table.install(window).set_on_screen(True)
            # once the table is in the dock's layout: a new dock opens at its minimum height
            QTimer.singleShot(0, lambda: step_table.give_room(window, dock))

    dock.visibilityChanged.connect(build)
    return dock


def install_schedule_later(window) -> QDockWidget:
    """The Schedule dock (hidden, View > Panels); its picture is built when first shown."""
    placeholder = QWidget()
    dock = window.add_panel(placeholder, "Schedule", Qt.DockWidgetArea.BottomDockWidgetArea)
    dock.hide()

    def build(visible: bool) -> None:
        if visible and dock.widget() is placeholder:
            from lrdesk.gui.schedule import view as schedule_view  # only when first asked for

            schedule_view.install(window.link, window.dock_site, dock)

    dock.visibilityChanged.connect(build)
    return dock


def install_sweep_later(window):
    """The sweep's dock and menu action; the view itself is built when first shown."""
    return install_later(window.link, window.dock_site, SWEEP_TOOL)


def install_map_later(window):
    """The regime map's dock and menu action; the view itself is built when first shown."""
    return install_later(window.link, window.dock_site, MAP_TOOL)


PANEL_INSTALLERS: tuple[Callable[[object], object], ...] = (
    lesson_panel.install,
    install_steps_later,
    install_schedule_later,
    install_sweep_later,  # both start hidden: their views wait until opened
    install_map_later,
    install_model_later,
    install_rate_finder_later,
    model_lessons.install,  # after the lessons and the model tool it links
    stability_overlay.install,
    export_menu.install,
)


#: width of the right-hand dock column (lessons, steps) in a new window, in pixels at zoom 1
RIGHT_COLUMN_WIDTH = 380


def install_panels(window) -> None:
    """Run every installer of ``PANEL_INSTALLERS`` on ``window`` and size the right column."""
    installed = [installer(window) for installer in PANEL_INSTALLERS]
    # A new window shows the lessons in the right-hand column.
    for panel in installed:
        if isinstance(panel, lesson_panel.LessonPanel):
            dock = panel.parentWidget()
            dock.raise_()
            window.resizeDocks([dock], [RIGHT_COLUMN_WIDTH], Qt.Orientation.Horizontal)
