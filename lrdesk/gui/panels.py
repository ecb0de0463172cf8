"""Extra panels that other parts of LR Desk add to the main window.

Each installer is a callable ``installer(window)`` that adds its docks and menu entries through
the window's public API (``add_panel``, ``menu``, signals); the window calls them, in order,
at the end of its construction.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt

from lrdesk.gui import export, lesson_panel, map_view, stability_overlay, step_table, sweep_view

PANEL_INSTALLERS: tuple[Callable[[object], object], ...] = (
    lesson_panel.install,
    step_table.install,
    sweep_view.install,
    map_view.install,
    stability_overlay.install,
    export.install,
)


#: width of the right-hand dock column (lessons, steps) in a new window, in pixels at zoom 1
RIGHT_COLUMN_WIDTH = 380


def install_panels(window) -> None:
    installed = [installer(window) for installer in PANEL_INSTALLERS]
    # The lessons share the right-hand column with the step table; a new window shows the lessons.
    for panel in installed:
        if isinstance(panel, lesson_panel.LessonPanel):
            dock = panel.parentWidget()
            dock.raise_()
            window.resizeDocks([dock], [RIGHT_COLUMN_WIDTH], Qt.Orientation.Horizontal)
