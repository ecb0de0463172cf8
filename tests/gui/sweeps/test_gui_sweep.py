"""The sweep view, the regime map view and their worker: real runs, real clicks, clean stops."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import (
    no_qthread_left,  # noqa: F401 - autouse: no test here leaves a QThread running
    view_fixture,
)
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.core.sweeps.regime import MapAxis, axis_values, regime_map
from lrdesk.core.sweeps.sweep import SweepSetup, log_spaced_rates, sweep_learning_rates
from lrdesk.core.theory.hessian import lr_range
from lrdesk.gui.shared.palette import VERDICT_COLORS, current_theme
from lrdesk.gui.sweeps.common import rate_rounded_down
from lrdesk.gui.sweeps.map_view import MapView
from lrdesk.gui.sweeps.plot import cell_colors, thin_peaks
from lrdesk.gui.sweeps.sweep_view import SweepView, rounded_range
from lrdesk.gui.sweeps.worker import SweepRunner

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

BOWL = ExperimentSpec(function="bowl", start=(4.0, 3.0), runs=(RunSpec(0.1, "momentum"),),
                      steps=400)


sweep_view = view_fixture("sweep_view", SweepView, (900, 560))
map_view = view_fixture("map_view", MapView, (900, 600))


def click_point(view, x: float, y: float) -> QPoint:
    """Widget position of the plot point (x, y) in plot units, once the layout has settled."""
    QApplication.processEvents()
    plot = view.plot_widget
    scene = plot.getPlotItem().getViewBox().mapViewToScene(QPointF(x, y))
    return plot.mapFromScene(scene)


def run_sweep(qtbot, view, spec, count, low, high, timeout=30_000):
    view.set_spec(spec)
    view.set_count(count)
    view.set_range(low, high)
    with qtbot.waitSignal(view.sweep_finished, timeout=timeout) as blocker:
        view.run_sweep()
    return blocker.args[0]


# ------------------------------------------------------------------------------------------
# sweep view
# ------------------------------------------------------------------------------------------
def test_a_sweep_runs_to_the_end_and_equals_the_core(qtbot, sweep_view):
    spec = ExperimentSpec(steps=200)
    partials = []
    sweep_view.runner.partial_result.connect(partials.append)
    result = run_sweep(qtbot, sweep_view, spec, 120, 1e-3, 3.0)
    assert result.done and not result.cancelled
    s = SweepSetup.from_spec(spec)
    expected = sweep_learning_rates(s.function, s.start, s.optimizer, s.hypers,
                                    log_spaced_rates(1e-3, 3.0, 120), s.steps, s.tolerance)
    np.testing.assert_array_equal(result.verdict, expected.verdict)
    np.testing.assert_array_equal(result.final_loss, expected.final_loss)
    assert partials and partials[0].steps_done <= result.steps_done
    # what is drawn: one band per verdict run of rates, theory lines at 2/λ = 1 and 0.5
    assert len(sweep_view.plot.bands._bands) == len(result.bands())
    positions = sorted(10 ** line.value() for line in sweep_view.plot.theory_lines)
    assert positions == pytest.approx([0.5, 1.0])
    assert "converged" in sweep_view.readout.text() and "Fastest: 0.5" in sweep_view.readout.text()
    assert sweep_view.fastest_button.isEnabled()
    assert sweep_view.run_bar.progress.value() == 1000


def test_clicking_a_point_emits_its_learning_rate(qtbot, sweep_view):
    result = run_sweep(qtbot, sweep_view, ExperimentSpec(steps=100), 60, 1e-3, 3.0)
    target = 37
    x = math.log10(result.learning_rates[target])
    y = float(np.mean(sweep_view.plot.view_box.viewRange()[1]))
    pos = click_point(sweep_view, x, y)
    qtbot.mouseMove(sweep_view.plot_widget.viewport(), pos)
    expected = f"α = {result.learning_rates[target]:.3g}: {result.verdict_names[target]}"
    qtbot.waitUntil(lambda: sweep_view.readout.text().startswith(expected))
    with qtbot.waitSignal(sweep_view.learning_rate_chosen) as blocker:
        qtbot.mouseClick(sweep_view.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert blocker.args == [result.learning_rates[target]]
    with qtbot.waitSignal(sweep_view.learning_rate_chosen) as blocker:
        sweep_view.fastest_button.click()
    assert blocker.args == [rate_rounded_down(result.learning_rates[result.fastest()])]


def test_steps_mode_plots_steps_to_converge(qtbot, sweep_view):
    result = run_sweep(qtbot, sweep_view, ExperimentSpec(steps=150), 40, 1e-2, 2.0)
    sweep_view.show_box.setCurrentIndex(1)
    y = sweep_view.plot._y
    converged = np.isfinite(result.steps_to_converge)
    np.testing.assert_allclose(y[converged], np.log10(result.steps_to_converge[converged]))
    assert np.all(np.isnan(y[~converged]))
    assert sweep_view.plot.widget.getPlotItem().getAxis("left").labelText == "steps to converge"


def test_cancel_stops_a_long_sweep_and_keeps_what_was_done(qtbot, sweep_view):
    spec = ExperimentSpec(function="rosenbrock", start=(-1.5, 2.0), runs=(RunSpec(1e-3),),
                          steps=5_000_000)
    sweep_view.set_spec(spec)
    sweep_view.set_count(2000)
    sweep_view.set_range(1e-6, 1e-3)
    with qtbot.waitSignal(sweep_view.runner.partial_result, timeout=20_000):
        sweep_view.run_sweep()
    assert sweep_view.runner.is_busy() and sweep_view.run_bar.cancel_button.isEnabled()
    with qtbot.waitSignal(sweep_view.sweep_finished, timeout=20_000) as blocker:
        sweep_view.run_bar.cancel_button.click()
    result = blocker.args[0]
    assert result.cancelled and 0 < result.steps_done < result.total_steps
    assert not sweep_view.runner.is_busy()
    assert "cancelled" in sweep_view.run_bar.progress.format()


def test_a_new_experiment_clears_the_sweep_but_a_new_run_keeps_it(qtbot, sweep_view):
    spec = ExperimentSpec(steps=100)
    run_sweep(qtbot, sweep_view, spec, 30, 1e-3, 3.0)
    sweep_view.set_spec(spec.with_runs([*spec.runs, RunSpec(0.3)]))
    assert sweep_view.result() is not None
    sweep_view.set_spec(ExperimentSpec(function="bowl", start=(1.0, 1.0)))
    assert sweep_view.result() is None and len(sweep_view.plot._x) == 0
    assert sweep_view.plot.theory_lines == []
    low, high = rounded_range(*lr_range(sweep_view._spec.validate()))
    assert (sweep_view.low_box.value(), sweep_view.high_box.value()) == (low, high)


def test_range_test_is_drawn_with_its_note(qtbot, sweep_view):
    run_sweep(qtbot, sweep_view, ExperimentSpec(steps=200), 50, 1e-4, 10.0)
    with qtbot.waitSignal(sweep_view.range_test_finished) as blocker:
        sweep_view.test_button.click()
    test = blocker.args[0]
    x, _y = sweep_view.plot.test_curve.getData()
    np.testing.assert_allclose(x, np.log10(test.learning_rates))
    assert sweep_view.plot.test_line.isVisible()
    assert 10 ** sweep_view.plot.test_line.value() == pytest.approx(test.suggestion)
    assert "rule of thumb" in sweep_view.note.text()
    assert "range test" in sweep_view.legend.text()


def test_bad_ranges_are_explained_and_nothing_starts(qtbot, sweep_view):
    sweep_view.set_spec(ExperimentSpec())
    sweep_view.set_range(1.0, 0.1)
    sweep_view.run_sweep()
    assert "smallest rate must be below" in sweep_view.readout.text()
    assert not sweep_view.runner.is_busy()


def test_thin_peaks_keeps_the_extremes_of_every_bin():
    x = np.linspace(0.0, 1.0, 10_000)
    y = np.sin(40 * x)
    y[5000] = 30.0  # a spike must survive
    y[7000:7100] = np.nan  # and a gap stays a gap
    tx, ty = thin_peaks(x, y, 500)
    assert len(tx) <= 2 * 1000 + 10
    assert np.nanmax(ty) == 30.0 and np.nanmin(ty) == pytest.approx(y[np.isfinite(y)].min())
    assert np.isnan(ty).any()
    few_x, few_y = thin_peaks(x[:100], y[:100], 500)  # already under two points per pixel
    np.testing.assert_array_equal(few_x, x[:100])
    np.testing.assert_array_equal(few_y, y[:100])


def test_rounded_ranges():
    assert rounded_range(1.9968e-7, 0.003994) == (1e-7, 0.004)
    assert rounded_range(1e-4, 2.0) == (1e-4, 2.0)
    assert rounded_range(0.00034, 0.71) == (0.0003, 0.8)


# ------------------------------------------------------------------------------------------
# worker
# ------------------------------------------------------------------------------------------
def test_a_new_job_replaces_the_running_one(qtbot):
    runner = SweepRunner()
    finished = []
    runner.result_ready.connect(finished.append)
    f = SweepSetup.from_spec(BOWL)

    def job(steps):
        def run(progress, cancel):
            return sweep_learning_rates(f.function, f.start, "sgd", {}, [0.1, 0.2], steps, 0.0,
                                        chunk_steps=1000, progress=progress, cancel=cancel)
        return run

    runner.start(job(10_000_000))
    with qtbot.waitSignal(runner.result_ready, timeout=20_000):
        runner.start(job(50))
    assert len(finished) == 1 and finished[0].total_steps == 50 and finished[0].done
    runner.shutdown()
    runner.shutdown()  # twice is harmless


def test_job_errors_are_reported_in_words(qtbot):
    runner = SweepRunner()

    def broken(progress, cancel):
        raise ValueError("the surface is undefined here")

    with qtbot.waitSignal(runner.failed) as blocker:
        runner.start(broken)
    assert blocker.args == ["the surface is undefined here"]
    assert not runner.is_busy()
    runner.shutdown()


# ------------------------------------------------------------------------------------------
# map view
# ------------------------------------------------------------------------------------------
def run_map(qtbot, view, spec, axis, nx, ny, lr, y_range):
    view.set_spec(spec)
    view.set_axis(axis)
    view.set_cells(nx, ny)
    view.set_lr_range(*lr)
    view.set_y_range(*y_range)
    with qtbot.waitSignal(view.map_finished, timeout=30_000) as blocker:
        view.run_map()
    return blocker.args[0]


def test_a_momentum_map_runs_and_equals_the_core(qtbot, map_view):
    result = run_map(qtbot, map_view, BOWL, "momentum", 30, 12, (0.01, 4.0), (0.0, 0.9))
    expected = regime_map(BOWL, MapAxis("lr", axis_values("lr", 30, 0.01, 4.0)),
                          MapAxis("momentum", axis_values("momentum", 12, 0.0, 0.9)))
    np.testing.assert_array_equal(result.verdict, expected.verdict)
    image = map_view.plot.image.image
    assert image.shape == (12, 30, 4)
    np.testing.assert_array_equal(image, cell_colors(expected, False, current_theme()))
    diverged = np.array(rgb_of(VERDICT_COLORS["diverged"]))
    assert np.all(image[expected.verdict == 3][:, :3] == diverged)
    bx, by = map_view.plot.boundary.getData()
    np.testing.assert_allclose(10 ** bx, 2 * (1 + by) / 2.0)  # 2(1 + μ)/λmax, λmax = 2
    assert "stable to its left" in map_view.legend.text()


def rgb_of(name: str) -> list[int]:
    c = QColor(name)
    return [c.red(), c.green(), c.blue()]


def test_hovering_and_clicking_a_cell(qtbot, map_view):
    result = run_map(qtbot, map_view, BOWL, "momentum", 20, 10, (0.01, 4.0), (0.0, 0.9))
    iy, ix = 6, 13
    x = math.log10(result.x.values[ix])
    y = result.y.values[iy]
    pos = click_point(map_view, x, y)
    qtbot.mouseMove(map_view.plot_widget.viewport(), pos)
    qtbot.waitUntil(lambda: "momentum μ = " in map_view.readout.text())
    assert result.verdict_name(iy, ix) in map_view.readout.text()
    with qtbot.waitSignal(map_view.configuration_chosen) as blocker:
        qtbot.mouseClick(map_view.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    choice = blocker.args[0]
    assert choice == result.choice(iy, ix)
    assert choice.run.learning_rate == result.x.values[ix]
    assert dict(choice.run.hypers)["momentum"] == pytest.approx(result.y.values[iy])


def test_condition_map_uses_a_log_axis_and_speed_mode(qtbot, map_view):
    spec = ExperimentSpec(function="ill_conditioned", start=(-4.0, 3.0), runs=(RunSpec(0.1),),
                          steps=300)
    result = run_map(qtbot, map_view, spec, "condition", 25, 8, (1e-3, 2.0), (1.0, 100.0))
    map_view.set_speed_mode(True)
    np.testing.assert_array_equal(map_view.plot.image.image, cell_colors(result, True,
                                                                     current_theme()))
    assert "did not converge" in map_view.legend.text()
    rect = map_view.plot.image.mapRectToParent(map_view.plot.image.boundingRect())
    assert rect.top() == pytest.approx(-1.0 / 7)  # half a cell below log10(1)
    assert rect.bottom() == pytest.approx(2.0 + 1.0 / 7)


def test_map_cancel_and_clearing(qtbot, map_view):
    spec = ExperimentSpec(function="bowl", start=(4.0, 3.0), runs=(RunSpec(0.1),),
                          steps=10_000_000, tolerance=0.0)
    map_view.set_spec(spec)
    map_view.set_cells(200, 100)
    with qtbot.waitSignal(map_view.runner.partial_result, timeout=20_000):
        map_view.run_map()
    with qtbot.waitSignal(map_view.map_finished, timeout=20_000) as blocker:
        map_view.cancel()
    assert blocker.args[0].cancelled
    map_view.set_spec(ExperimentSpec())
    assert map_view.result() is None and map_view.plot.image.image is None


def test_bad_map_settings_are_explained(qtbot, map_view):
    map_view.set_spec(ExperimentSpec())
    map_view.set_axis("momentum")
    map_view.set_y_range(0.0, 1.5)
    map_view.run_map()
    assert "between 0 and 0.9999" in map_view.readout.text()
    assert not map_view.runner.is_busy()
