"""Model experiments through the real window's File menu: Open, Open Recent, drag and drop, Save,
and Save / Discard / Cancel before unsaved changes are lost."""

from __future__ import annotations

import json
import os

import pytest
from helpers import close_windows
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec, dumps
from lrdesk.core.models.spec import (
    DataSpec,
    ModelExperiment,
    ModelRunSpec,
    ModelSpec,
    dumps_model,
    loads_model,
)
from lrdesk.gui.models.model_view import ModelView
from lrdesk.gui.settings import Settings
from lrdesk.gui.window.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
Button = QMessageBox.StandardButton

#: settings the tool's controls do not show (points, noise, momentum, a fixed step count)
LINE = ModelExperiment(
    DataSpec("line", points=60, noise=0.2, seed=3), ModelSpec("linear"),
    tuple(ModelRunSpec(rate, "momentum", hypers=(("momentum", 0.5),)) for rate in (0.1, 0.4)),
    steps=40, epochs=None, sharpness_every=0)
GAUSS = ModelExperiment(DataSpec("gauss", points=80), ModelSpec("mlp", (4,)),
                        (ModelRunSpec(0.2),), steps=None, epochs=10, sharpness_every=0)


@pytest.fixture
def answers(monkeypatch):
    """The Save / Discard / Cancel box answers from this list (and records what it asked)."""
    state = {"answers": [], "asked": []}

    def fake_exec(box):
        state["asked"].append(box.text())
        return state["answers"].pop(0) if state["answers"] else Button.Discard

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return state


@pytest.fixture
def window(qtbot):
    made = MainWindow(settings=Settings())  # closed below, after its questions are settled
    made.resize(1024, 768)
    made.show()
    qtbot.waitExposed(made)
    yield made
    view = tool_view(made)
    if view is not None:
        view.document.forget_path()  # nothing left to ask about
    close_windows([made])


@pytest.fixture
def files(tmp_path):
    line, gauss = tmp_path / "line.lrdesk.json", tmp_path / "gauss.json"
    line.write_text(dumps_model(LINE))
    gauss.write_text(dumps_model(GAUSS))
    return line, gauss


def tool_view(window) -> ModelView | None:
    view = window.dock_site.find_dock("dock_model_training").widget()
    return view if isinstance(view, ModelView) else None


def trained(qtbot, view: ModelView):
    qtbot.waitUntil(lambda: not view.is_training() and view.snapshot() is not None
                    and view.snapshot().done, timeout=120_000)
    return view.snapshot()


def drop(window, path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    window.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))


def test_file_open_shows_a_model_file_in_the_tool_with_every_setting(qtbot, window, files):
    line, _ = files
    surface = window.spec()
    assert tool_view(window) is None  # built only when wanted
    assert window.file_actions.open_path(str(line))
    view = tool_view(window)
    assert view is not None and view.parentWidget().isVisible()
    # the settings the controls do not show are kept: the tool trains the file's experiment
    assert view.experiment() == LINE
    snap = trained(qtbot, view)
    assert snap.total == 40 and snap.learning_rates == [0.1, 0.4]
    assert len(snap.X_train) + len(snap.X_test) == 60
    assert window.spec() == surface and window.file_actions.path == ""  # surfaces untouched
    assert not view.document.is_modified()
    assert view.document.path == str(line)
    assert Settings().recent_files()[0] == str(line)
    assert view.parentWidget().windowTitle() == "Model training — line.lrdesk.json"
    # a changed control makes it a changed experiment
    view.rates.setText("0.2")
    assert view.document.is_modified()


def test_open_recent_and_drag_and_drop_open_model_files(qtbot, window, files, tmp_path):
    line, gauss = files
    surface_file = tmp_path / "bowl.lrdesk.json"
    surface_file.write_text(dumps(ExperimentSpec(runs=(RunSpec(0.3),))))
    drop(window, gauss)
    view = tool_view(window)
    assert view.experiment() == GAUSS
    trained(qtbot, view)
    assert window.file_actions.open_path(str(surface_file))
    assert window.spec().runs == (RunSpec(0.3),)
    assert view.experiment() == GAUSS  # a surface file leaves the model tool alone
    menu = window.file_actions.recent_menu
    menu.aboutToShow.emit()
    assert [a.text() for a in menu.actions()] == ["bowl.lrdesk.json", "gauss.json"]
    line_path = str(line)
    Settings().add_recent_file(line_path)
    menu.aboutToShow.emit()
    next(a for a in menu.actions() if a.text() == "line.lrdesk.json").trigger()
    assert view.experiment() == LINE
    trained(qtbot, view)


def _line_file_with(change) -> str:
    data = json.loads(dumps_model(LINE))
    change(data)
    return json.dumps(data)


@pytest.mark.parametrize("text, reason", [
    (_line_file_with(lambda d: d["data"].update(dataset="nope")),
     "Data, dataset: unknown dataset 'nope'"),
    (_line_file_with(lambda d: d["runs"][0].update(learning_rate=-1)),
     "Run 1, learning rate: must be a finite number greater than zero"),
    (_line_file_with(lambda d: d.update(version=9)), "newer LR Desk"),
    ('{"format": "lrdesk-experiment", "version": 2, "kind": "model"', "Not valid JSON"),
])
def test_a_bad_model_file_gets_one_clear_message_and_loses_nothing(qtbot, window, files,
                                                                  tmp_path, text, reason):
    line, _ = files
    assert window.file_actions.open_path(str(line))
    view = tool_view(window)
    trained(qtbot, view)
    bad = tmp_path / "bad.json"
    bad.write_text(text)
    assert not window.file_actions.open_path(str(bad))
    box = window.file_actions.message_box
    assert box.text() == "“bad.json” cannot be opened."
    assert reason in box.informativeText()
    assert "Traceback" not in box.informativeText()
    box.close()
    assert view.experiment() == LINE and view.document.path == str(line)
    assert not view.is_training()
    assert str(bad) not in Settings().recent_files()


def test_unsaved_model_changes_are_asked_about_before_another_file(qtbot, window, files,
                                                                  answers):
    line, gauss = files
    window.file_actions.open_path(str(line))
    view = tool_view(window)
    trained(qtbot, view)
    view.rates.setText("0.05")
    answers["answers"] = [Button.Cancel]
    assert not window.file_actions.open_path(str(gauss))
    assert answers["asked"] == ["“line.lrdesk.json” has changes that are not saved."]
    assert view.rates.text() == "0.05" and view.document.path == str(line)
    answers["answers"] = [Button.Save]
    assert window.file_actions.open_path(str(gauss))
    trained(qtbot, view)
    assert view.experiment() == GAUSS
    resaved = loads_model(line.read_text())
    assert [r.learning_rate for r in resaved.runs] == [0.05]
    # the tool's own Open asks the same question
    view.rates.setText("0.9")
    answers["answers"] = [Button.Discard]
    assert view.open_path(line)
    assert len(answers["asked"]) == 3 and "gauss.json" in answers["asked"][2]
    trained(qtbot, view)
    assert json.loads(gauss.read_text()) == json.loads(dumps_model(GAUSS))


def test_closing_the_window_asks_about_the_model_experiment(qtbot, window, files, answers):
    line, _ = files
    window.file_actions.open_path(str(line))
    view = tool_view(window)
    trained(qtbot, view)
    view.epochs.setValue(7)
    answers["answers"] = [Button.Cancel]
    window.close()
    assert window.isVisible() and answers["asked"] == [
        "“line.lrdesk.json” has changes that are not saved."]
    answers["answers"] = [Button.Discard]
    window.close()
    assert not window.isVisible()
    assert loads_model(line.read_text()) == LINE


def test_save_is_atomic_and_a_failed_save_changes_nothing(qtbot, window, files, tmp_path):
    line, _ = files
    window.file_actions.open_path(str(line))
    view = tool_view(window)
    trained(qtbot, view)
    view.rates.setText("0.25, 0.5")
    assert view.document.save()
    assert [r.learning_rate for r in loads_model(line.read_text()).runs] == [0.25, 0.5]
    assert not view.document.is_modified()
    assert sorted(os.listdir(tmp_path)) == ["gauss.json", "line.lrdesk.json"]  # no temp left
    # a file that cannot be written: a message box, the old file as it was, still modified
    before = line.read_text()
    view.rates.setText("0.3")
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    assert not view.save_to(blocked)  # a folder, not a file
    assert "could not be saved" in view.document.message_box.text()
    assert "Nothing was changed on disk" in view.document.message_box.informativeText()
    view.document.message_box.close()
    assert line.read_text() == before and view.document.path == str(line)
    assert view.document.is_modified()
    # a control holding nonsense is not saved either
    view.rates.setText("fast")
    assert not view.save_to(tmp_path / "new.json")
    assert not (tmp_path / "new.json").exists()
    assert "not a number" in view.banner.text()
