"""The schedule picture: the rates it draws are the rates the runs take, step-decay cuts are
marked, and a run given its own schedule there runs with it."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import close_windows, show_widget, show_window
from PySide6.QtWidgets import QDockWidget

from lrdesk.core.experiment.simulation import Simulation
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.core.optim.schedules import ScheduleSpec
from lrdesk.gui.schedule.view import ScheduleView, cut_steps, rates_over_steps
from lrdesk.gui.shared.palette import run_color

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

STEP = ScheduleSpec("step", (("gamma", 0.5), ("step_size", 25.0)))
COSINE = ScheduleSpec("cosine", (("min_factor", 0.0), ("t_max", 100.0)))
SPEC = ExperimentSpec(function="bowl", start=(4.0, 3.0), steps=100,
                      runs=(RunSpec(0.05), RunSpec(0.05, schedule=COSINE),
                            RunSpec(0.05, schedule=STEP)))


def test_cuts_are_where_step_decay_multiplies_by_gamma():
    assert cut_steps(STEP, 100) == [25, 50, 75]
    assert cut_steps(COSINE, 100) == []
    warm = ScheduleSpec("step", (("gamma", 0.5), ("step_size", 30.0)), warmup_steps=10)
    assert cut_steps(warm, 100) == [10, 40, 70]
    factors = STEP.factors(0, 100)
    for cut in cut_steps(STEP, 100):
        assert factors[cut] == pytest.approx(0.5 * factors[cut - 1])


def test_the_drawn_rates_are_the_rates_the_runs_take():
    simulation = Simulation(SPEC)
    simulation.run_to_end()
    for index, history in enumerate(simulation.histories):
        _steps, rates = rates_over_steps(SPEC, index)
        taken = np.isfinite(history.learning_rates)
        rows = history.steps[taken].astype(int)
        np.testing.assert_allclose(rates[rows], history.learning_rates[taken], rtol=1e-12)


def test_the_view_draws_one_curve_per_run_and_marks_the_cuts(qtbot):
    view = show_widget(qtbot, ScheduleView(), (900, 400))
    view.set_spec(SPEC)
    assert len(view.curves) == 3
    for index, curve in enumerate(view.curves):
        _x, y = curve.getData()
        np.testing.assert_allclose(y, rates_over_steps(SPEC, index)[1])
        assert curve.opts["pen"].color().name().lower() == run_color(index).lower()
    assert sorted(line.value() for line in view.cut_lines) == [25, 50, 75]
    assert "cosine" in view.legend.text().lower() and "step decay" in view.legend.text().lower()


def test_a_run_given_its_own_schedule_runs_with_it(qtbot):
    window = show_window(qtbot, ExperimentSpec(steps=60, runs=(RunSpec(0.1), RunSpec(0.1))))
    try:
        dock = window.findChild(QDockWidget, "dock_schedule")
        dock.toggleViewAction().trigger()
        qtbot.waitUntil(lambda: isinstance(dock.widget(), ScheduleView))
        view = dock.widget()
        view.run_box.setCurrentIndex(1)
        cosine = view.schedule_box.findText("Cosine annealing")
        view.schedule_box.setCurrentIndex(cosine)
        view.schedule_box.activated.emit(cosine)
        qtbot.waitUntil(lambda: window.spec().runs[1].schedule is not None)
        spec = window.spec()
        assert spec.runs[0].schedule is None and spec.runs[1].schedule.kind == "cosine"
        assert spec.runs[1].schedule.param("t_max") == 60  # over the whole run
        qtbot.waitUntil(lambda: window.recording().all_ended, timeout=20_000)
        constant, cosine_run = window.histories()
        taken = np.isfinite(cosine_run.learning_rates)
        expected = 0.1 * spec.runs[1].schedule.factors(0, 60)[cosine_run.steps[taken].astype(int)]
        np.testing.assert_allclose(cosine_run.learning_rates[taken], expected, rtol=1e-12)
        assert np.nanmax(np.abs(constant.learning_rates - 0.1)) == 0
        assert len(view.curves) == 2
    finally:
        close_windows([window])
