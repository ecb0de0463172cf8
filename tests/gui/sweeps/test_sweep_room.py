"""The sweep and the map open with room to read them, and leave the canvas room too."""

from __future__ import annotations

import pytest
from helpers import close_windows, show_window
from PySide6.QtWidgets import QDockWidget

from lrdesk.gui.sweeps.common import MAP_TOOL, SWEEP_TOOL

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.mark.parametrize("size", [(1024, 768), (1920, 1080)])
@pytest.mark.parametrize("tool", [SWEEP_TOOL, MAP_TOOL], ids=["sweep", "map"])
def test_an_opened_tool_is_no_thin_strip(qtbot, size, tool):
    window = show_window(qtbot, size=size)
    try:
        dock = window.findChild(QDockWidget, tool.dock_name)
        dock.property("tool_action").trigger()
        qtbot.waitUntil(lambda: dock.isVisible() and dock.widget().plot_widget.isVisible())
        qtbot.wait(50)  # let the docks take their new heights
        plot = dock.widget().plot_widget
        height = window.height()
        # before, the sweep's plot opened 180 px tall in a 1080 px window
        assert plot.height() >= 0.25 * height, (plot.height(), height)
        assert plot.width() >= 0.6 * window.width()
        assert window.canvas.height() >= 0.2 * height, (window.canvas.height(), height)
    finally:
        close_windows([window])
