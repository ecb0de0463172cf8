"""Tests that fail when one of a few small, easy-to-miss rules is changed.

Each expectation is worked out here by hand (a closed form, or the documented rule written out
step by step), never with the code's own formula.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import show_widget

from lrdesk.core.engine.batch import VERDICTS, Batch
from lrdesk.core.experiment.simulation import Simulation, run_experiment
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.core.functions import make_function
from lrdesk.core.optim.schedules import ScheduleSpec
from lrdesk.core.sweeps.range_test import range_test
from lrdesk.gui.lessons.step_table import StepTable
from lrdesk.gui.live.playback import Recording

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def _only_run(spec: ExperimentSpec):
    return run_experiment(spec).runs[0]


# --- the divergence threshold ---------------------------------------------------------------
def test_divergence_is_declared_once_the_loss_is_a_thousand_times_the_start_gap():
    """L = w² from w = 5 at α = 1.5: w ← −2·w, so L_t = 25·4^t. The bound is 1,000 times the
    starting gap (25, the minimum being 0): first passed at t = 5 (25·4⁵ = 25,600 > 25,000)."""
    expected = next(t for t in range(1, 50) if 25 * 4**t > 1000 * 25)
    run = _only_run(ExperimentSpec(start=(5.0,), runs=(RunSpec(1.5),), steps=50))
    assert run.verdict == "diverged"
    assert run.verdict_step == expected == 5


def test_a_loss_exactly_at_the_bound_is_still_bearable_and_one_beyond_it_is_not():
    """L = a·w² with a = 125/128, from w = 1: L₀ = a < 1, so the bound is 1,000 (1,000 times
    the larger of the gap and 1). The rate α = 33/(2a) = 16.896 makes the step −2a·α·w = −33
    (in doubles too): w₁ = −32 and L₁ = a·1024 = 1000 exactly, on the bound, which is bearable;
    at the next rate up the step is a hair longer and L₁ > 1000 diverges at step 1."""
    a = 125 / 128
    rate = 33 / (2 * a)
    assert (2 * a) * rate == 33.0 and a * (32.0 * 32.0) == 1000.0
    beyond = math.nextafter(rate, math.inf)
    assert 1.0 - (2 * a) * beyond < -32.0

    def verdicts(alpha):
        spec = ExperimentSpec(function="quadratic", function_params=(("a", a),), start=(1.0,),
                              runs=(RunSpec(alpha), RunSpec(alpha)), steps=5)
        return [(run.verdict, run.verdict_step) for run in run_experiment(spec).runs]

    assert verdicts(rate) == [("diverged", 2)] * 2  # w₂ = 1024: far beyond
    assert verdicts(beyond) == [("diverged", 1)] * 2
    # a budget of one step ends on the bound: judged by the climb at the end, not blown up
    spec = ExperimentSpec(function="quadratic", function_params=(("a", a),), start=(1.0,),
                          runs=(RunSpec(rate), RunSpec(rate)), steps=1)
    assert [(run.verdict, run.verdict_step, run.criterion)
            for run in run_experiment(spec).runs] == [("diverged", 1, "climbing")] * 2


def test_a_gradient_exactly_at_the_tolerance_counts_as_flat():
    """L = w² from w = 1 at α = 1/4: w ← w/2, so w = 1, 1/2, 1/4 and the gradient 2w = 2, 1,
    1/2 (all exact). With the tolerance 1/2 the run is flat at step 2 (|∇L| = 1/2 and the step
    that led there, 1/4, is small): converged there, not one step later."""
    def verdicts(tolerance, runs):
        spec = ExperimentSpec(start=(1.0,), runs=(RunSpec(0.25),) * runs, steps=10,
                              tolerance=tolerance)
        return [(run.verdict, run.verdict_step) for run in run_experiment(spec).runs]

    for runs in (1, 2):  # a single run and a batch
        assert verdicts(0.5, runs) == [("converged", 2)] * runs
        assert verdicts(math.nextafter(0.5, 0.0), runs) == [("converged", 3)] * runs


def test_a_loss_exactly_nine_orders_below_its_start_has_arrived():
    """L = w² at α = (1 − 10^-4.5)/2: one step multiplies w by 10^-4.5, the loss by about 1e-9.
    Among starts near 1, some land (in doubles, by the rule w₁ = w₀ − α·2w₀) exactly on
    L₁ = 1e-9·L₀: that run has arrived (converged at its last step); one landing just above is
    still improving when its one-step budget ends (slow). No tolerance: only the gap decides."""
    rate = (1 - 10**-4.5) / 2
    starts = 1.0 + np.arange(200_000) * 2.0**-30
    after = (starts + (2.0 * starts) * -rate) ** 2
    boundary = 1e-9 * starts**2
    on = float(starts[np.nonzero(after == boundary)[0][0]])
    above = float(starts[np.nonzero(after > boundary)[0][0]])

    def verdicts(start, runs):
        spec = ExperimentSpec(start=(start,), runs=(RunSpec(rate),) * runs, steps=1, tolerance=0.0)
        return [(run.verdict, run.verdict_step) for run in run_experiment(spec).runs]

    for runs in (1, 2):
        assert verdicts(on, runs) == [("converged", 1)] * runs
        assert verdicts(above, runs) == [("slow", 1)] * runs


def test_a_step_both_flat_and_beyond_the_bound_is_a_blow_up():
    """L = 2000·(1 − exp(−w²)), a plateau at 2000: from w₀ = 0.02 (L₀ = 0.8, so the bound is
    1,000) at α = 0.0375 one step lands at w₁ ≈ −2.98 on the plateau, beyond the bound and with
    a gradient (≈ 1.7) and a step (≈ 3) both within the tolerance 10: out of bounds and flat on
    the same step, the blow-up is the verdict (the climb is what matters), not 'stalled'."""
    w0, rate = 0.02, 0.0375
    gradient0 = 4000 * w0 * math.exp(-w0 * w0)
    w1 = w0 - rate * gradient0
    assert 2000 * (1 - math.exp(-w0 * w0)) < 1 and 2000 * (1 - math.exp(-w1 * w1)) > 1000
    assert gradient0 > 10 >= max(abs(4000 * w1 * math.exp(-w1 * w1)), rate * gradient0)
    spec = ExperimentSpec(function="custom", expression="2000*(1 - exp(-w^2))", start=(w0,),
                          runs=(RunSpec(rate), RunSpec(rate)), steps=5, tolerance=10.0)
    assert [(run.verdict, run.verdict_step, run.criterion)
            for run in run_experiment(spec).runs] == [("diverged", 1, "blow-up")] * 2


# --- "still improving": slow against oscillating -----------------------------------------------
def test_a_loss_that_stays_exactly_level_is_oscillating_not_slow():
    """α = 1 on L = w²: w ← −w, the loss is 25 at every step: bounded, never improving."""
    run = _only_run(ExperimentSpec(start=(5.0,), runs=(RunSpec(1.0),), steps=200))
    assert run.verdict == "oscillating"


def test_a_loss_still_falling_at_the_end_is_slow():
    """α = 1e-4 on L = w²: L_t = 25·(1 − 2e-4)^(2t), still falling after 200 steps."""
    run = _only_run(ExperimentSpec(start=(5.0,), runs=(RunSpec(1e-4),), steps=200))
    assert 25 * (1 - 2e-4) ** 400 < 25
    assert run.verdict == "slow"


def test_a_gain_below_rounding_is_not_improving():
    """α = 1e-15 on L = w²: over 200 steps the loss falls by 1 − (1 − 2e-15)^400 ≈ 8e-13 of
    itself, less than one part in 10¹² (what doubles can be trusted with): not 'still improving'."""
    gain = 1 - (1 - 2e-15) ** 400
    assert 0 < gain < 1e-12
    run = _only_run(ExperimentSpec(start=(5.0,), runs=(RunSpec(1e-15),), steps=200))
    assert run.verdict == "oscillating"


def test_a_gain_of_exactly_the_margin_is_not_improving():
    """'Still improving' needs the best loss of the final stretch below the best before it by
    more than 1e-12 of it. L = w² from w = 1.5 over 10 steps (the stretch: steps 5-10) at rates
    near 1e-12/24, which shrink the loss by about that much: among them one (found by the rule
    w ← w − α·2w in doubles) gains exactly the margin: oscillating, not slow; a rate gaining a
    little more is slow."""
    rates = 1e-12 / 24 * (1 + np.arange(-300_000, 300_000) * 1e-6)
    w = np.full_like(rates, 1.5)
    losses = []
    for _ in range(11):
        losses.append(w * w)
        w = w + (2.0 * w) * -rates
    losses = np.array(losses)
    before, stretch, final = losses[:5].min(axis=0), losses[5:].min(axis=0), losses[10]
    margin = 1e-12 * np.maximum(1.0, before)
    exactly = np.nonzero((stretch == before - margin) & (final < before))[0]
    more = np.nonzero((stretch < before - margin) & (final < before))[0]

    def verdicts(rate):
        spec = ExperimentSpec(start=(1.5,), runs=(RunSpec(rate), RunSpec(rate)), steps=10,
                              tolerance=0.0)
        return [run.verdict for run in run_experiment(spec).runs]

    assert verdicts(float(rates[exactly[0]])) == ["oscillating"] * 2
    assert verdicts(float(rates[more[0]])) == ["slow"] * 2


def test_a_loss_that_dipped_in_the_final_stretch_but_ended_higher_is_not_slow():
    """Heavy ball (μ = 0.9, α = 0.03) on L = w², 40 steps, written out by hand: the loss swings;
    in the final stretch (the last 10 steps) it dips below its best before, but the final loss
    is above that best: it is no longer improving, so not 'slow'."""
    mu, lr, steps = 0.9, 0.03, 40
    w, b, losses = 5.0, 0.0, [25.0]
    for t in range(1, steps + 1):
        b = 2 * w if t == 1 else mu * b + 2 * w
        w -= lr * b
        losses.append(w * w)
    window = steps - max(5, steps // 4)
    best_before, best_in_window, final = min(losses[:window]), min(losses[window:]), losses[-1]
    assert best_in_window < best_before < final < losses[0]
    spec = ExperimentSpec(start=(5.0,), steps=steps, tolerance=0.0,
                          runs=(RunSpec(lr, "momentum", (("momentum", mu),)),))
    assert _only_run(spec).verdict == "oscillating"


# --- the convergence check on a block's first row -------------------------------------------------
def _momentum_path(lr, mu, start, steps):
    """torch's heavy ball on L = w²: b = g (t = 1), b = μ·b + g; w ← w − α·b."""
    w, b, rows = start, 0.0, []
    for t in range(1, steps + 1):
        g = 2 * w
        b = g if t == 1 else mu * b + g
        step = -lr * b
        w += step
        rows.append((w, 2 * w, step))  # the point after step t, its gradient, the step to it
    return rows


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1000])
def test_convergence_needs_a_small_step_also_on_a_blocks_first_row(chunk):
    """Momentum flies through the minimum of w² with a large step while the gradient is small
    there; convergence needs the step that led there to be small too, on every row, including
    the first row of a block (advancing one step at a time makes every row a first row)."""
    lr, mu, tol, steps = 0.05, 0.9, 0.3, 400
    rows = _momentum_path(lr, mu, 5.0, steps)
    expected = next(t for t, (_, g, step) in enumerate(rows, start=1) if abs(g) <= tol and abs(step) <= tol)
    fly_through = [t for t, (_, g, step) in enumerate(rows, start=1) if abs(g) <= tol < abs(step)]
    assert fly_through and fly_through[0] < expected  # the case this test is about
    batch = Batch(make_function("quadratic"), "momentum", [{"momentum": mu}], [lr], [(5.0,)],
                  ScheduleSpec(), steps, tol)
    while not batch.done:
        batch.advance(chunk)
    assert VERDICTS[batch.verdict[0]] == "converged"
    assert int(batch.verdict_step[0]) == expected


# --- the range test's suggestion ----------------------------------------------------------------
def test_the_range_test_suggests_the_rate_of_the_steepest_fall():
    """Worked out independently: the smoothed loss (bias-corrected moving average) against
    log(rate); the suggestion is the rate where its slope (central differences) is lowest."""
    function = make_function("quadratic")
    result = range_test(function, (5.0,), "sgd", {}, 1e-4, 1.5, 60)
    rates, losses = np.asarray(result.learning_rates), np.asarray(result.losses)
    avg, smooth = 0.0, []
    for i, value in enumerate(losses):
        avg = 0.98 * avg + 0.02 * value
        smooth.append(avg / (1 - 0.98 ** (i + 1)))
    smooth = np.array(smooth)
    # the step where the loss blew up (if it did) is not a candidate
    usable = len(rates) if result.stop_index is None else result.stop_index
    x, y = np.log(rates[:usable]), smooth[:usable]
    slope = [(y[1] - y[0]) / (x[1] - x[0])]
    slope += [(y[i + 1] - y[i - 1]) / (x[i + 1] - x[i - 1]) for i in range(1, usable - 1)]
    slope += [(y[-1] - y[-2]) / (x[-1] - x[-2])]
    best = int(np.argmin(slope))
    assert usable >= 3 and slope[best] < 0
    assert result.suggestion == pytest.approx(rates[best], rel=1e-12)
    assert 1e-4 < result.suggestion < 1.0  # below the stable limit 2/λ = 1 of w²


# --- stepping forward to the last computed step -----------------------------------------------
def test_stepping_forward_reaches_the_last_computed_step_and_no_further():
    spec = ExperimentSpec(start=(5.0,), runs=(RunSpec(0.01), RunSpec(0.02)), steps=100)
    simulation = Simulation(spec)
    recording = Recording(len(spec.runs))
    recording.add(simulation.advance(10))  # steps 0..9 are computed, 10 is not yet
    last = recording.frontier()
    assert last == 9
    assert recording.next_step(last - 1) == last
    assert recording.next_step(last) is None
    recording.add(simulation.advance(100))  # to the end
    assert recording.next_step(99) == 100 == recording.frontier()


# --- the step table's rate under a schedule ---------------------------------------------------
def test_the_step_table_shows_the_scheduled_rate_of_each_step(qtbot):
    """A step schedule halving the rate every 10 steps: α_s = 0.01 · 0.5^floor(s / 10)."""
    spec = ExperimentSpec(start=(5.0,), runs=(RunSpec(0.01),), steps=45,
                          schedule=ScheduleSpec("step", (("gamma", 0.5), ("step_size", 10.0))))
    simulation = Simulation(spec)
    simulation.run_to_end()
    table = show_widget(qtbot, StepTable(), (900, 400))
    table.set_run(0, spec.runs[0], simulation.histories[0], 1, None)
    keys = [c.key for c in table.model.columns]
    step_col, rate_col = keys.index("step"), keys.index("learning_rate")
    checked = 0
    for row in range(table.model.rowCount()):
        step = int(table.model.value(row, step_col))
        if step >= spec.steps:
            continue
        assert table.model.value(row, rate_col) == pytest.approx(0.01 * 0.5 ** math.floor(step / 10), rel=1e-12)
        checked += 1
    assert checked == spec.steps
