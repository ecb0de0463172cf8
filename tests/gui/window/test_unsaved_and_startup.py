"""The real window: Save / Discard / Cancel before unsaved edits are lost; a start-up that
survives any file."""

from __future__ import annotations

import json
import os

import pytest
from helpers import close_windows, show_window
from PySide6.QtWidgets import QMessageBox

from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec, dumps, loads
from lrdesk.gui import app as gui_app

Button = QMessageBox.StandardButton
SAVED = ExperimentSpec(runs=(RunSpec(0.05), RunSpec(0.2)))
OTHER = ExperimentSpec(function="bowl", start=(3.0, -2.0), runs=(RunSpec(0.3),))


@pytest.fixture
def answers(monkeypatch):
    """The message box answers from this list (and records what it asked)."""
    state = {"answers": [], "asked": []}

    def fake_exec(box):
        state["asked"].append(box.text())
        # once the answers run out (pytest-qt closes the windows before fixtures end): Discard
        return state["answers"].pop(0) if state["answers"] else Button.Discard

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return state


@pytest.fixture
def edited(qtbot, tmp_path):
    """A window whose experiment belongs to a file and has been changed since."""
    window = show_window(qtbot)
    path = tmp_path / "lesson.lrdesk.json"
    window.set_spec(SAVED)
    assert window.file_actions.save_to(str(path))
    window.set_spec(ExperimentSpec(runs=(RunSpec(0.07),)))
    assert window.isWindowModified()
    other = tmp_path / "other.lrdesk.json"
    other.write_text(dumps(OTHER))
    yield window, path, other
    window.file_actions.forget_path()  # nothing left to ask about
    close_windows([window])


def test_opening_another_file_cancelled_keeps_the_edits(edited, answers):
    window, path, other = edited
    answers["answers"] = [Button.Cancel]
    assert not window.file_actions.open_path(str(other))
    assert answers["asked"] == ["“lesson.lrdesk.json” has changes that are not saved."]
    assert window.spec().runs == (RunSpec(0.07),) and window.isWindowModified()
    assert loads(path.read_text()) == SAVED


def test_opening_another_file_discarding_the_edits(edited, answers):
    window, path, other = edited
    answers["answers"] = [Button.Discard]
    assert window.file_actions.open_path(str(other))
    assert window.spec() == OTHER and not window.isWindowModified()
    assert loads(path.read_text()) == SAVED  # the edits were not written


def test_opening_another_file_saving_the_edits_first(edited, answers):
    window, path, other = edited
    answers["answers"] = [Button.Save]
    assert window.file_actions.open_path(str(other))
    assert loads(path.read_text()).runs == (RunSpec(0.07),)
    assert window.spec() == OTHER


def test_closing_asks_and_cancel_keeps_the_window_open(edited, answers):
    window, path, _ = edited
    answers["answers"] = [Button.Cancel]
    assert not window.close()
    assert window.isVisible() and not window._closed
    assert len(answers["asked"]) == 1
    answers["answers"] = [Button.Save]
    assert window.close()
    assert loads(path.read_text()).runs == (RunSpec(0.07),)


def test_closing_with_discard_closes_without_saving(edited, answers):
    window, path, _ = edited
    answers["answers"] = [Button.Discard]
    assert window.close()
    assert loads(path.read_text()) == SAVED


def test_nothing_is_asked_without_unsaved_edits(qtbot, answers, tmp_path):
    window = show_window(qtbot)
    path = tmp_path / "x.lrdesk.json"
    window.file_actions.save_to(str(path))
    assert window.file_actions.open_path(str(path))
    close_windows([window])
    assert answers["asked"] == []


def test_a_gentle_function_switches_without_an_internal_message(qtbot):
    window = show_window(qtbot)
    try:
        window.set_spec(ExperimentSpec())
        from lrdesk.core.experiment.edits import switch_function

        spec = switch_function(window.spec(), "custom", "1e-7*w^2")
        window.set_spec(spec)  # before: refused with 'runs[2].learning_rate: ... absurdly large'
        assert window.spec().expression == "1e-7*w^2"
    finally:
        close_windows([window])


def _hostile_files(tmp_path):
    doc = json.loads(dumps(ExperimentSpec()))
    constructor = json.loads(json.dumps(doc))
    constructor["function"]["params"] = {"self": 1.0}
    huge = json.loads(json.dumps(doc))
    huge["schedule"]["warmup_steps"] = 10**400
    files = {
        "self.lrdesk.json": json.dumps(constructor),
        "warmup.lrdesk.json": json.dumps(huge),
        "garbage.lrdesk.json": "{[",
    }
    paths = []
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        paths.append(str(tmp_path / name))
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.lrdesk.json")
        paths.append(str(tmp_path / "pipe.lrdesk.json"))
    paths.append(str(tmp_path))  # a folder
    return paths


def test_start_up_with_any_bad_file_keeps_the_window_and_says_why(qtbot, tmp_path):
    for path in _hostile_files(tmp_path):
        window = show_window(qtbot)
        try:
            before = window.spec()
            gui_app.open_files(window, [path])
            box = window.file_actions.message_box
            assert box is not None and box.isVisible(), path
            assert "cannot be opened" in box.text()
            assert "[" not in box.informativeText() or path.endswith("garbage.lrdesk.json")
            assert window.spec() == before
            box.close()
        finally:
            close_windows([window])


def test_start_up_survives_an_unexpected_exception(qtbot, tmp_path, monkeypatch):
    window = show_window(qtbot)
    try:
        def broken(path):
            raise RuntimeError("something nobody expected")

        monkeypatch.setattr(window.file_actions, "open_path", broken)
        gui_app.open_files(window, [str(tmp_path / "any.lrdesk.json")])
        assert window.isVisible()
        assert window.start_problem_box.isVisible()
        assert "something nobody expected" in window.statusBar().currentMessage()
        window.start_problem_box.close()
    finally:
        close_windows([window])
