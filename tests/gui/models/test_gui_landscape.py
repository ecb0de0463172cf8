"""The loss-surface panel of the Model training tool, driven in the real window: the exact bowl
with the runs' paths, the rates beside the rates field, slices off the GUI thread, Cancel."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import close_windows

from lrdesk.core.models.spec import DataSpec, ModelExperiment, ModelRunSpec, ModelSpec
from lrdesk.core.models.theory import linear_hessian
from lrdesk.core.models.training import Trainer
from lrdesk.gui.models.model_view import ModelView
from lrdesk.gui.window.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def view(qtbot):
    window = MainWindow(settings=None)
    qtbot.addWidget(window)
    window.resize(1300, 900)
    window.show()
    qtbot.waitExposed(window)
    action = next(a for a in window.menu("Tools").actions() if a.text() == "Model training")
    action.trigger()
    made = window.dock_site.find_dock("dock_model_training").widget()
    assert isinstance(made, ModelView)
    yield made
    close_windows([window])


def train(qtbot, view: ModelView, spec: ModelExperiment):
    view.set_experiment(spec)
    assert view.start(), view.banner.text()
    qtbot.waitUntil(lambda: not view.is_training(), timeout=120_000)
    return view.snapshot()


LINE = ModelExperiment(DataSpec("line"), ModelSpec("linear", ()),
                       (ModelRunSpec(0.1), ModelRunSpec(0.5), ModelRunSpec(0.9)),
                       steps=None, epochs=40)


def test_the_line_bowl_is_the_closed_form_and_the_paths_are_the_trainers(qtbot, view):
    snap = train(qtbot, view, LINE)
    panel = view.landscape
    plot = panel.plot
    assert "exact (w, b) bowl" in panel.title.text()
    x, y = snap.X_train[:, 0], snap.y_train
    for i, j in ((0, 0), (60, 17), (120, 120), (33, 99)):
        w, b = plot.xs[i], plot.ys[j]
        assert plot.values[i, j] == pytest.approx(np.mean((w * x + b - y) ** 2), rel=1e-12)
    ref = Trainer(view.experiment()).run_to_end()
    for k in range(3):
        expected = np.array([p for _, p in ref.path[k]])
        np.testing.assert_allclose(snap.paths[k], expected, rtol=1e-12)
        if snap.verdicts[k] != "diverged":  # the drawn curve is the path itself
            px, py = plot.path_data(k)
            np.testing.assert_allclose(np.column_stack([px, py]), expected, rtol=1e-12)
    # the optimum is drawn where least squares puts it, and the converged run ends there
    star = plot.optimum.getData()
    Xt = np.column_stack([x, np.ones_like(x)])
    best = np.linalg.lstsq(Xt, y, rcond=None)[0]
    assert (star[0][0], star[1][0]) == pytest.approx(tuple(best), rel=1e-9)
    assert snap.verdicts[2] == "diverged" and snap.verdicts[0] != "diverged"
    low, high = np.linalg.eigvalsh(linear_hessian(snap.X_train))
    assert f"{2 / high:.3g}" in panel.info.text() and f"{2 / (low + high):.3g}" in panel.info.text()


def test_the_limit_and_fastest_rate_stand_by_the_rates_and_add_a_run(qtbot, view):
    view.set_experiment(LINE)
    marks = view.rate_marks
    from lrdesk.core.models.data_setup import make_data

    low, high = np.linalg.eigvalsh(linear_hessian(make_data(LINE.data).X_train))
    assert marks.limit == pytest.approx(2 / high, rel=1e-12)
    assert marks.fastest == pytest.approx(2 / (low + high), rel=1e-12)
    assert marks.limit_button.isVisibleTo(view) and marks.fastest_button.isVisibleTo(view)
    assert marks.fastest_button.text() == f"Fastest: {2 / (low + high):.3g}"
    marks.fastest_button.click()
    assert view.rates.text() == f"0.1, 0.5, 0.9, {2 / (low + high):.3g}"
    marks.fastest_button.click()  # once is enough
    assert view.rates.text().count(f"{2 / (low + high):.3g}") == 1
    # a network's curvature changes as it trains: no exact rate, no marks
    view.model_kind.setCurrentText("mlp")
    assert not marks.limit_button.isVisibleTo(view)
    view.dataset.setCurrentIndex(view.dataset.findData("housing"))
    view.model_kind.setCurrentText("linear")
    assert marks.limit is not None and marks.limit < 1e-5  # raw house sizes: a tiny stable rate
