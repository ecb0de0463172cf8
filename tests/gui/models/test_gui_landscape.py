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
from lrdesk.gui.shared.formatting import format_number
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
    # the diverged run is drawn until it flies off the bowl, its last point on the border
    px, py = plot.path_data(2)
    assert 2 <= len(px) < len(snap.paths[2])
    np.testing.assert_allclose(np.column_stack([px, py])[:-1], snap.paths[2][:len(px) - 1])
    assert px[-1] in (plot.xs[0], plot.xs[-1]) or py[-1] in (plot.ys[0], plot.ys[-1])
    # dashed through the optimum: the steepest direction first, then the flattest
    values, vectors = np.linalg.eigh(linear_hessian(snap.X_train))
    ax, ay = plot.axes.getData()
    for segment, vector in ((0, vectors[:, 1]), (1, vectors[:, 0])):
        d = np.array([ax[2 * segment + 1] - ax[2 * segment], ay[2 * segment + 1] - ay[2 * segment]])
        assert abs(d @ vector) / np.linalg.norm(d) == pytest.approx(1.0, abs=1e-12)
        middle = (ax[2 * segment] + d[0] / 2, ay[2 * segment] + d[1] / 2)
        assert middle == pytest.approx(tuple(best), rel=1e-9)
    low, high = values
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


CIRCLE = ModelExperiment(DataSpec("circle"), ModelSpec("mlp", (8,), "tanh"),
                         (ModelRunSpec(0.3), ModelRunSpec(3.0)), steps=None, epochs=60)


@pytest.mark.parametrize("directions", ["random", "pca", "hessian"])
def test_a_slice_is_the_loss_at_its_points_and_holds_the_projected_paths(qtbot, view,
                                                                          directions):
    snap = train(qtbot, view, CIRCLE)
    panel = view.landscape
    assert panel.slice_button.isVisibleTo(view) and panel.plot.values.size == 0
    panel.directions.setCurrentIndex(panel.directions.findData(directions))
    panel.resolution = 21
    with qtbot.waitSignal(panel.lane.returned, timeout=120_000):
        assert panel.compute_slice()
    result = panel.slice
    assert result.complete and result.plane.kind == directions
    assert panel.progress.value() == panel.progress.maximum()
    plane, net = result.plane, snap.network
    np.testing.assert_array_equal(plane.center, snap.paths[0][-1])  # through run 1's end
    for i, j in ((0, 0), (10, 10), (20, 3), (7, 19)):
        theta = plane.center + result.alphas[i] * plane.d1 + result.betas[j] * plane.d2
        direct = net.loss(theta[None, :], snap.X_train, snap.y_train)[0]
        assert result.losses[i, j] == pytest.approx(direct, rel=1e-10)
        assert panel.plot.values[i, j] == result.losses[i, j]
    # the centre run's path ends at the centre: (0, 0) on the plane, inside the grid
    assert result.paths[0][-1] == pytest.approx([0.0, 0.0], abs=1e-9)
    for k in range(2):
        assert len(result.paths[k]) == len(snap.paths[k])
        a, b = result.paths[k].T
        assert result.alphas[0] <= a.min() and a.max() <= result.alphas[-1]
        assert result.betas[0] <= b.min() and b.max() <= result.betas[-1]
    if directions == "random":  # at least ±1 filter size: the basin, as Li et al. draw it
        assert result.alphas[0] <= -1 <= 1 <= result.alphas[-1]
        assert result.betas[0] <= -1 <= 1 <= result.betas[-1]
    if directions == "hessian":  # the sharpest curvature and its stable rate, in words
        assert f"2/λ1 = {format_number(2 / plane.curvatures[0], 3)}" in panel.info.text()
    if directions == "pca":  # the plane of the path's own principal directions holds it
        rebuilt = plane.center + result.paths[0] @ np.vstack([plane.d1, plane.d2])
        share = 1 - np.sum((rebuilt - snap.paths[0]) ** 2) / np.sum(
            (snap.paths[0] - plane.center) ** 2)
        assert share == pytest.approx(sum(plane.explained), rel=1e-6)
        assert "% of the path's movement" in panel.info.text()


def test_cancel_stops_a_slice_and_keeps_the_rows_done(qtbot, view):
    train(qtbot, view, ModelExperiment(DataSpec("spiral"), ModelSpec("mlp", (16, 16), "tanh"),
                                       (ModelRunSpec(0.3),), steps=None, epochs=20))
    panel = view.landscape
    panel.resolution, panel.chunk_points = 401, 401  # one row of the grid at a time
    with qtbot.waitSignal(panel.lane.yielded, timeout=60_000):
        assert panel.compute_slice()
    assert panel.cancel_button.isEnabled() and not panel.slice_button.isEnabled()
    with qtbot.waitSignal(panel.lane.returned, timeout=60_000):
        panel.cancel_button.click()
    result = panel.slice
    assert not result.complete
    done = np.all(np.isfinite(result.losses), axis=0)
    assert 0 < done.sum() < 401
    assert not np.isfinite(result.losses[:, ~done]).any()  # the rest was never computed
    assert panel.info.text().startswith(f"Cancelled: {done.sum()} of 401 rows")
    assert panel.progress.value() == done.sum() and panel.progress.maximum() == 401
    assert panel.progress.format() == "cancelled at %p%"
    assert panel.slice_button.isEnabled() and not panel.cancel_button.isEnabled()
    assert not panel.three_d.isChecked() or panel._surface is None


def test_the_slice_goes_through_the_run_the_data_view_shows(qtbot, view):
    snap = train(qtbot, view, CIRCLE)
    view.shown_run.setCurrentIndex(1)
    panel = view.landscape
    panel.resolution = 11
    with qtbot.waitSignal(panel.lane.returned, timeout=60_000):
        assert panel.compute_slice()
    assert panel.slice.centre_run == 1
    np.testing.assert_array_equal(panel.slice.plane.center, snap.paths[1][-1])
    assert "through run 2" in panel.title.text()


def test_a_new_training_forgets_the_old_slice(qtbot, view):
    train(qtbot, view, CIRCLE)
    panel = view.landscape
    panel.resolution = 11
    with qtbot.waitSignal(panel.lane.returned, timeout=60_000):
        panel.compute_slice()
    assert panel.slice is not None
    train(qtbot, view, CIRCLE)
    assert panel.slice is None and panel.plot.values.size == 0
    view.model_kind.setCurrentText("linear")
    view.dataset.setCurrentIndex(view.dataset.findData("line"))
    train(qtbot, view, LINE)
    assert not panel.slice_button.isVisibleTo(view)
    assert panel.plot.values.shape == (121, 121)


def test_3d_without_opengl_says_so_and_the_flat_view_stays(qtbot, view):
    train(qtbot, view, LINE)
    panel = view.landscape
    panel.three_d.setChecked(True)
    assert panel.stack.currentWidget() is panel.plot
    assert panel.info.text().startswith("The 3-D view needs OpenGL")
    assert not panel.three_d.isChecked() and not panel.three_d.isEnabled()
    assert "needs OpenGL" in panel.three_d.toolTip()
    assert panel.view3d.gl_widget is None


def test_feature_scaling_side_by_side_says_both_condition_numbers(qtbot, view):
    from lrdesk.core.models.datasets import make_dataset

    view.side_tabs.setCurrentWidget(view.scaling)
    qtbot.waitUntil(lambda: view.scaling.sides is not None)
    for text, flag in zip(view.scaling.texts, (False, True), strict=True):
        d = make_dataset("housing", standardize=flag)
        Xt = np.column_stack([d.X_train, np.ones(d.n_train)])
        eig = np.linalg.eigvalsh(2.0 / d.n_train * Xt.T @ Xt)
        assert f"= {format_number(eig[-1] / eig[0], 3)}." in text.text()
        assert f"Stable rate 2/λmax = {format_number(2 / eig[-1], 3)}" in text.text()
    for plot, side in zip(view.scaling.plots, view.scaling.sides, strict=True):
        assert plot.values.shape == (101, 101)
        px, py = plot.path_data(0)
        np.testing.assert_allclose(np.column_stack([px, py]), side.path[:, :2])


def test_scrubbing_a_finished_line_run_moves_the_fit_the_loss_mark_and_the_bowl(qtbot, view):
    snap = train(qtbot, view, LINE)
    scrubber = view.scrubber
    assert scrubber.slider.isEnabled() and scrubber.step() is None
    ref = Trainer(view.experiment()).run_to_end()
    steps = [t for t, _ in ref.path[0]]
    assert scrubber.slider.maximum() == max(t for path in ref.path for t, _ in path)
    scrubber.slider.setValue(10)
    w, b = dict(ref.path[0])[10]
    x, y = view.fit_curves[0].getData()
    np.testing.assert_allclose(y, w * x + b, rtol=1e-12)
    assert view.step_marks.lines[0].isVisible() and view.step_marks.lines[0].value() == 10
    px, py = view.landscape.plot.path_data(0)
    assert len(px) == steps.index(10) + 1 and (px[-1], py[-1]) == pytest.approx((w, b))
    scrubber.end_button.click()
    assert scrubber.step() is None and not view.step_marks.lines[0].isVisible()
    assert len(view.landscape.plot.path_data(0)[0]) == len(snap.paths[0])
    w_end, b_end = snap.paths[0][-1]
    x, y = view.fit_curves[0].getData()
    np.testing.assert_allclose(y, w_end * x + b_end, rtol=1e-12)
    assert view.start()  # a new training: nothing to scrub until it ends
    assert not scrubber.slider.isEnabled()
    qtbot.waitUntil(lambda: not view.is_training(), timeout=60_000)


def test_scrubbing_a_classifier_redraws_its_boundary_at_that_step(qtbot, view):
    from lrdesk.gui.models.training_job import decision_surface

    snap = train(qtbot, view, CIRCLE)
    ref = Trainer(view.experiment()).run_to_end()
    step = ref.path[0][3][0]  # a recorded step early in training
    view.scrubber.slider.setValue(step)
    P = np.array([dict(ref.path[k])[step] for k in range(2)])
    expected = decision_surface(snap.network, P, snap.grid_x, snap.grid_y)
    np.testing.assert_allclose(view.heat.image, expected[0].T, rtol=1e-12)
    view.shown_run.setCurrentIndex(1)  # the other run, at the same step
    np.testing.assert_allclose(view.heat.image, expected[1].T, rtol=1e-12)


def test_replay_plays_the_finished_run_from_the_start_to_the_end(qtbot, view):
    train(qtbot, view, LINE)
    scrubber = view.scrubber
    seen = []
    scrubber.step_chosen.connect(seen.append)
    scrubber.replay_button.click()
    assert scrubber.is_replaying() and seen[0] == 0
    qtbot.waitUntil(lambda: not scrubber.is_replaying(), timeout=30_000)
    assert seen[-1] is None  # at the end: the whole runs again
    steps = [s for s in seen if s is not None]
    assert steps == sorted(steps) and len(steps) > 5
    assert len(view.landscape.plot.path_data(0)[0]) == len(view.snapshot().paths[0])


def test_with_momentum_the_limit_is_two_plus_two_beta_over_lambda_and_holds(qtbot, view):
    from lrdesk.core.models.data_setup import make_data

    view.set_experiment(LINE)
    view.optimizer.setCurrentText("momentum")
    marks = view.rate_marks
    high = np.linalg.eigvalsh(linear_hessian(make_data(LINE.data).X_train))[-1]
    assert marks.limit == pytest.approx((2 + 2 * 0.9) / high, rel=1e-12)
    assert marks.fastest is None and not marks.fastest_button.isVisibleTo(view)
    view.rates.setText(f"{0.97 * marks.limit!r}, {1.03 * marks.limit!r}")
    view.epochs.setValue(400)
    assert view.start()
    qtbot.waitUntil(lambda: not view.is_training(), timeout=60_000)
    below, above = view.snapshot().verdicts
    assert below != "diverged" and above == "diverged"
    view.optimizer.setCurrentText("adam")  # no exact rate for Adam: no marks
    assert marks.limit is None and not marks.limit_button.isVisibleTo(view)


def test_a_slice_through_a_diverged_run_is_drawn_or_refused_in_words(qtbot, view):
    snap = train(qtbot, view, ModelExperiment(
        DataSpec("plane", points=400), ModelSpec("linear", ()),
        (ModelRunSpec(0.1), ModelRunSpec(3.0)), steps=None, epochs=30))
    assert snap.verdicts[1] == "diverged"
    panel = view.landscape
    assert panel.slice_button.isVisibleTo(view)  # three parameters: a slice, not the bowl
    view.shown_run.setCurrentIndex(1)
    panel.resolution = 11
    panel.directions.setCurrentIndex(panel.directions.findData("hessian"))
    with qtbot.waitSignal(panel.lane.returned, timeout=60_000):
        assert panel.compute_slice()
    assert panel.slice.complete and np.isfinite(panel.slice.losses).all()
    # a run whose parameters overflowed: refused in words, nothing started
    snap.paths[1][-1] = np.nan
    assert not panel.compute_slice()
    assert panel.info.text().startswith("Run 2 blew up") and not panel.is_slicing()
