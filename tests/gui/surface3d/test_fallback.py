"""Without OpenGL (Qt's offscreen platform) the 3-D view says so and the heat map stays."""

from __future__ import annotations

import json

from helpers import window_fixture

from lrdesk.core.experiment.spec import ExperimentSpec, dumps

SPEC = ExperimentSpec(function="bowl", start=(3.0, -2.0))
window = window_fixture(SPEC)


def test_choosing_3d_without_gl_keeps_the_heat_map_and_says_why(window, qtbot):
    switch = window.surface_view
    window.view_3d_action.trigger()
    assert switch.view() == "3d"
    assert switch.stack.currentWidget() is window.canvas
    assert "OpenGL" in switch.note.text() and switch.note.isVisibleTo(window)
    assert window.spec().view == "3d"  # the file remembers the choice
    assert json.loads(dumps(window.spec()))["view"] == "3d"
    assert window.view_3d_action.isChecked() and switch.mesh_button.isChecked()
    window.play()
    qtbot.waitUntil(lambda: window.recording().all_ended, timeout=20000)
    assert window.canvas.grab().toImage().width() > 0  # the 2-D view keeps drawing
    switch.flat_button.click()
    assert window.spec().view == "2d" and not window.view_3d_action.isChecked()
    assert not switch.note.isVisibleTo(window)


def test_a_file_in_3d_opens_in_3d(window):
    window.set_spec(ExperimentSpec(function="saddle", start=(1.0, 0.5), view="3d"))
    assert window.surface_view.view() == "3d"
    assert window.view_3d_action.isChecked() and window.surface_view.mesh_button.isChecked()
    window.set_spec(ExperimentSpec(function="bowl", start=(1.0, 0.5)))  # an older file: 2-D
    assert window.surface_view.view() == "2d" and not window.view_3d_action.isChecked()
