"""The real window: File > New back to the first picture, F11 full screen, the shortcut sheet."""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers import close_windows, show_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.gui.window.actions import shortcut_rows

Button = QMessageBox.StandardButton


@pytest.fixture
def window(qtbot):
    window = show_window(qtbot)
    yield window
    window.file_actions.forget_path()  # nothing left to ask about on closing
    close_windows([window])


def test_new_goes_back_to_the_first_picture_and_belongs_to_no_file(window, tmp_path):
    window.set_spec(ExperimentSpec(function="bowl", start=(3.0, -2.0), runs=(RunSpec(0.3),)))
    assert window.file_actions.save_to(str(tmp_path / "bowl.lrdesk.json"))
    window.actions_.new.trigger()
    first = window.spec()
    assert (first.function, first.start) == ("quadratic", (5.0,))
    assert [run.learning_rate for run in first.runs] == [0.01, 0.1, 1.1]
    assert window.file_actions.path == "" and window.windowTitle().startswith("LR Desk")


def test_new_with_unsaved_edits_asks_and_cancel_keeps_them(window, tmp_path, monkeypatch):
    asked = []

    def cancel(box):
        asked.append(box.text())
        return Button.Cancel

    monkeypatch.setattr(QMessageBox, "exec", cancel)
    window.set_spec(ExperimentSpec(runs=(RunSpec(0.05),)))
    assert window.file_actions.save_to(str(tmp_path / "lesson.lrdesk.json"))
    edited = ExperimentSpec(runs=(RunSpec(0.07),))
    window.set_spec(edited)
    assert not window.new_experiment()
    assert len(asked) == 1 and "not saved" in asked[0]
    assert window.spec() == edited and window.file_actions.path.endswith("lesson.lrdesk.json")


def test_f11_fills_the_screen_and_leaves_it(window, qtbot):
    action = window.actions_.full_screen
    assert "F11" in [key.toString() for key in action.shortcuts()]
    action.trigger()
    qtbot.waitUntil(window.isFullScreen)
    assert action.isChecked()
    action.trigger()
    qtbot.waitUntil(lambda: not window.isFullScreen())
    assert not action.isChecked()


def test_the_shortcut_sheet_lists_every_key_the_window_answers_to(window, qtbot):
    rows = dict(shortcut_rows(window))
    for key in ("Space", "Right", "Left", "R", "F11", "Ctrl+Shift+N", "Ctrl+Q", "Ctrl+O", "F1",
                "Ctrl+Shift+S", "Ctrl+Shift+M"):
        assert key in rows, key
    assert all(what for what in rows.values())
    window.actions_.shortcuts.trigger()
    box = window.shortcuts_box
    qtbot.waitUntil(box.isVisible)
    assert "F11" in box.informativeText() and "Space" in box.informativeText()
    box.close()


def test_undo_and_redo_walk_through_the_experiment_edits(window, qtbot):
    first = window.spec()
    assert not window.actions_.undo.isEnabled()
    edited = ExperimentSpec(runs=(RunSpec(0.05), RunSpec(0.5)))
    window.set_spec(edited)
    bowl = ExperimentSpec(function="bowl", start=(3.0, -2.0), runs=(RunSpec(0.3),))
    window.set_spec(bowl)
    qtbot.keyClick(window, "z", modifier=Qt.KeyboardModifier.ControlModifier)
    assert window.spec() == edited
    window.actions_.undo.trigger()
    assert window.spec() == first and not window.actions_.undo.isEnabled()
    window.actions_.redo.trigger()
    assert window.spec() == edited and window.actions_.redo.isEnabled()
    window.set_spec(ExperimentSpec(runs=(RunSpec(0.02),)))  # a new edit: nothing to redo
    assert not window.actions_.redo.isEnabled()
    window.actions_.undo.trigger()
    assert window.spec() == edited


def test_adding_a_run_from_the_window_can_be_undone(window, qtbot):
    first = window.spec()
    window.add_suggested_run()
    qtbot.waitUntil(lambda: len(window.spec().runs) == len(first.runs) + 1)
    window.actions_.undo.trigger()
    assert window.spec() == first


def test_undo_takes_back_the_edit_and_keeps_the_view_chosen_since(window, qtbot):
    bowl = ExperimentSpec(function="bowl", start=(3.0, -2.0), runs=(RunSpec(0.3),))
    window.set_spec(bowl)
    window.set_spec(replace(bowl, runs=(RunSpec(0.3), RunSpec(0.05))))
    window.surface_view.choose("3d")  # offscreen it says why it cannot draw; the choice is kept
    assert window.spec().view == "3d"
    window.actions_.undo.trigger()
    assert window.spec().runs == bowl.runs and window.spec().view == "3d"
    assert window.surface_view.view() == "3d"
