"""The Model training tool in the real window: set up data and a model, train, read the verdicts."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import close_windows
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox

from lrdesk.core.models.spec import DataSpec, ModelExperiment, ModelRunSpec, ModelSpec
from lrdesk.core.models.training import Trainer
from lrdesk.gui.models.model_view import ModelView, SpecError, parse_numbers
from lrdesk.gui.models.training_job import current_params, stability_limit
from lrdesk.gui.window.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


@pytest.fixture
def window(qtbot):
    made = MainWindow(settings=None)
    qtbot.addWidget(made)
    made.resize(1300, 900)
    made.show()
    qtbot.waitExposed(made)
    yield made
    close_windows([made])


def open_tool(window) -> ModelView:
    action = next(a for a in window.menu("Tools").actions() if a.text() == "Model training")
    assert action.shortcut() == QKeySequence("Ctrl+Shift+T")
    action.trigger()
    view = window.dock_site.find_dock("dock_model_training").widget()
    assert isinstance(view, ModelView)
    return view


def train(qtbot, view: ModelView):
    assert view.start(), view.banner.text()
    qtbot.waitUntil(lambda: not view.is_training(), timeout=120_000)
    return view.snapshot()


def test_circle_network_trains_in_the_window_and_draws_its_boundary(qtbot, window):
    view = open_tool(window)
    view.set_experiment(ModelExperiment(
        DataSpec("circle"), ModelSpec("mlp", (8,), "tanh"),
        (ModelRunSpec(0.3), ModelRunSpec(3.0)), steps=None, epochs=120, sharpness_every=20))
    snap = train(qtbot, view)
    assert snap.done and snap.step == 121
    # the same spec trained without the window gives the same losses: the view shows the engine
    ref = Trainer(view.experiment()).run_to_end()
    np.testing.assert_allclose(snap.train_loss, ref.train_loss[:121], equal_nan=True)
    assert snap.surface.shape == (2, 48, 48)
    assert np.nanmin(snap.surface) >= 0.0 and np.nanmax(snap.surface) <= 1.0
    accuracy = [e[4] for e in snap.evaluations[0]]
    assert accuracy[-1] > 0.6
    assert [s for s, _ in snap.sharpness[0]][:2] == [0, 20]
    assert view.acc_curves[0].getData()[0] is not None
    assert view.repaints >= 1
    view.shown_run.setCurrentIndex(1)
    assert view.selected_run == 1


def test_line_divergence_is_grey_and_said_in_words(qtbot, window):
    view = open_tool(window)
    view.dataset.setCurrentIndex(view.dataset.findData("line"))
    view.model_kind.setCurrentText("linear")
    view.rates.setText("0.3, 1.5")
    view.epochs.setValue(200)
    snap = train(qtbot, view)
    assert snap.verdicts[0] == "converged" and snap.verdicts[1] == "diverged"
    assert "Run 2 (rate 1.5) diverged" in view.banner.text()
    assert view.loss_curves[1].opts["pen"].color().name() == "#9a9a9a"
    # the fitted line of the converged run is close to y = 2x - 1
    x, y = view.fit_curves[0].getData()
    slope = (y[-1] - y[0]) / (x[-1] - x[0])
    assert slope == pytest.approx(2.0, abs=0.3)


def test_cancel_stops_training_and_says_where(qtbot, window):
    view = open_tool(window)
    view.dataset.setCurrentIndex(view.dataset.findData("spiral"))
    view.epochs.setValue(20000)
    assert view.start()
    qtbot.waitUntil(lambda: view.snapshot() is not None and view.snapshot().step > 1,
                    timeout=60_000)
    view.cancel_button.click()
    qtbot.waitUntil(lambda: not view.is_training(), timeout=60_000)
    assert not view.snapshot().done
    assert view.banner.text().startswith("Stopped at step")
    assert view.train_button.isEnabled() and not view.cancel_button.isEnabled()


def test_bad_settings_are_refused_in_words(qtbot, window):
    view = open_tool(window)
    view.rates.setText("0.1, fast")
    assert not view.start()
    assert "'fast' is not a number" in view.banner.text()
    view.rates.setText("0.1")
    view.hidden.setText("0")
    assert not view.start()
    with pytest.raises(SpecError):
        parse_numbers("-1", "learning rate")
    view.hidden.setText("8")
    view.dataset.setCurrentIndex(view.dataset.findData("circle"))
    view.model_kind.setCurrentText("linear")
    assert view.start()
    qtbot.waitUntil(lambda: not view.is_training(), timeout=60_000)
    assert "linear regression needs a regression dataset" in view.banner.text()


def test_stability_limit_is_two_over_eta_and_more_with_momentum():
    assert stability_limit("sgd", 0.1, {}) == pytest.approx(20.0)
    assert stability_limit("momentum", 0.1, {}) == pytest.approx((2 + 2 * 0.9) / 0.1)
    assert stability_limit("momentum", 0.1, {"momentum": 0.5}) == pytest.approx(30.0)


def test_current_params_follow_the_live_runs():
    spec = ModelExperiment(DataSpec("line"), ModelSpec("linear", ()),
                           (ModelRunSpec(0.1), ModelRunSpec(0.2)), steps=5)
    trainer = Trainer(spec)
    trainer.advance(3)
    P = current_params(trainer)
    assert P.shape == (2, 2)
    assert not np.allclose(P, np.array(trainer.initial_params))


def test_save_open_and_export_a_model_experiment(qtbot, window, tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: asked.append(box.text())
                        or QMessageBox.StandardButton.Discard)
    view = open_tool(window)
    view.dataset.setCurrentIndex(view.dataset.findData("gauss"))
    view.hidden.setText("4")
    view.rates.setText("0.1, 0.5")
    view.batch.setValue(16)
    view.epochs.setValue(5)
    saved = view.experiment()
    assert view.export_to(tmp_path / "none.csv") is False
    assert view.save_to(tmp_path / "m.json")
    view.rates.setText("0.7")
    view.dataset.setCurrentIndex(view.dataset.findData("xor"))
    assert view.open_path(tmp_path / "m.json")
    assert asked == ["“m.json” has changes that are not saved."]  # and Discard was chosen
    assert view.experiment() == saved
    qtbot.waitUntil(lambda: not view.is_training(), timeout=60_000)
    assert view.export_to(tmp_path / "loss.csv")
    lines = (tmp_path / "loss.csv").read_text().splitlines()
    assert lines[0].startswith("step,loss run 1 (lr 0.1),grad_norm run 1")
    snap = view.snapshot()
    assert len(lines) == 1 + len(snap.steps)
    assert float(lines[2].split(",")[1]) == snap.train_loss[1, 0]
    # a file that is not a model experiment is refused in words and loses nothing
    (tmp_path / "bad.json").write_text("{not json")
    assert not view.open_path(tmp_path / "bad.json")
    assert "is not a model experiment" in view.banner.text()
    assert view.experiment() == saved
    assert not view.open_path(tmp_path / "missing.json")
    assert "Could not open" in view.banner.text()
