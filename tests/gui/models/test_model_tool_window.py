"""The Model training tool opens as a window of its own: docked under the canvas it needed more
height than a 1024x768 screen has, and squeezed the loss surface to a strip."""

from __future__ import annotations

import pytest
from helpers import close_windows

from lrdesk.gui.models.model_view import ModelView
from lrdesk.gui.window.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


def test_model_training_opens_in_its_own_window_within_the_screen(qtbot):
    window = MainWindow(settings=None)
    qtbot.addWidget(window)
    window.resize(1024, 768)
    window.show()
    qtbot.waitExposed(window)
    canvas_height = window.canvas.height()
    action = next(a for a in window.menu("Tools").actions() if a.text() == "Model training")
    action.trigger()
    dock = window.dock_site.find_dock("dock_model_training")
    assert isinstance(dock.widget(), ModelView)
    qtbot.waitUntil(dock.isVisible)
    assert dock.isFloating()
    screen = window.screen().availableGeometry()
    assert screen.contains(dock.frameGeometry().topLeft())
    assert dock.width() <= max(screen.width(), dock.minimumSizeHint().width())
    # the main window keeps its size and its canvas
    assert (window.width(), window.height()) == (1024, 768)
    assert window.canvas.height() >= canvas_height - 2
    # put back by the user, it stays docked the next time it is opened
    dock.setFloating(False)
    dock.hide()
    action.trigger()
    qtbot.waitUntil(dock.isVisible)
    assert not dock.isFloating()
    close_windows([window])


def test_the_model_window_closes_with_the_main_window(qtbot):
    window = MainWindow(settings=None)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    next(a for a in window.menu("Tools").actions() if a.text() == "Model training").trigger()
    dock = window.dock_site.find_dock("dock_model_training")
    qtbot.waitUntil(dock.isVisible)
    assert dock.isFloating()
    close_windows([window])
    assert not dock.isVisible()
