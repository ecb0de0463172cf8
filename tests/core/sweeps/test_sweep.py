"""Learning-rate sweeps, verdict bands, the range test and the stability classes (core, no Qt)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from lrdesk.core.engine.batch import CONVERGED, DIVERGED, RUNNING, VERDICTS, Batch
from lrdesk.core.experiment.simulation import run_experiment
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.core.functions import make_function
from lrdesk.core.optim.schedules import ScheduleSpec
from lrdesk.core.sweeps.sweep import (
    RANGE_TEST_NOTE,
    SweepSetup,
    compare_range_test,
    log_spaced_rates,
    range_test,
    sweep_learning_rates,
    verdict_bands,
)
from lrdesk.core.theory.hessian import local_theory
from lrdesk.core.theory.stability import (
    ABOVE_TWO,
    BELOW_ONE,
    ONE_TO_TWO,
    stability_classes,
    stability_limit,
    sweep_theory,
)


def sweep_of(spec: ExperimentSpec, rates, **kw):
    s = SweepSetup.from_spec(spec)
    return sweep_learning_rates(
        s.function, s.start, s.optimizer, s.hypers, rates, s.steps, s.tolerance, s.schedule, **kw
    )


@pytest.mark.parametrize(
    ("function", "start", "optimizer", "hypers", "rates", "steps"),
    [
        ("quadratic", (5.0,), "sgd", (), (0.01, 0.3, 0.5, 0.99, 1.01, 1.3), 300),
        ("rosenbrock", (-1.5, 2.0), "sgd", (), (1e-5, 1e-3, 1.9e-3, 2.2e-3, 5e-3), 1000),
        ("bowl", (4.0, 3.0), "momentum", (("momentum", 0.8),), (0.01, 0.2, 0.85, 0.95), 400),
        ("himmelblau", (0.5, -0.5), "adam", (), (0.001, 0.05, 0.5, 3.0), 500),
        ("double_well", (1.8,), "nesterov", (("momentum", 0.5),), (0.001, 0.05, 0.3), 200),
    ],
)
def test_a_sweep_reproduces_single_runs_exactly(function, start, optimizer, hypers, rates, steps):
    runs = tuple(RunSpec(r, optimizer, hypers) for r in rates)
    spec = ExperimentSpec(function=function, start=start, runs=runs, steps=steps)
    single = run_experiment(spec).runs
    # the rates sit among many others in the batch: neighbours must not change anything
    padded = np.sort(np.concatenate([rates, log_spaced_rates(1e-6, 2.0, 37)]))
    swept = sweep_of(spec, padded)
    assert swept.done
    for run in single:
        i = int(np.nonzero(padded == run.spec.learning_rate)[0][0])
        assert VERDICTS[swept.verdict[i]] == run.verdict
        assert swept.verdict_step[i] == run.verdict_step
        assert bool(swept.oscillated[i]) == run.oscillated
        np.testing.assert_allclose(swept.final_loss[i], run.final_loss, rtol=1e-12, atol=0)


def test_on_a_quadratic_the_diverged_band_starts_exactly_at_the_stable_limit():
    spec = ExperimentSpec(function="quadratic", function_params=(("a", 2.5),), start=(3.0,),
                          runs=(RunSpec(0.1),), steps=3000)
    limit = local_theory(spec.validate(), spec.start).lr_max_stable
    assert limit == pytest.approx(2.0 / 5.0)
    rates = log_spaced_rates(limit / 1000, limit * 10, 601)
    result = sweep_of(spec, rates)
    diverged = result.verdict == DIVERGED
    # clear of the limit by 1% either side (right at it the iterates neither grow nor shrink)
    assert np.all(diverged[rates > 1.01 * limit])
    assert not np.any(diverged[rates < limit])
    bands = result.bands()
    assert bands[-1].name == "diverged"
    assert bands[-1].low_edge == pytest.approx(limit, rel=0.02)
    # the fastest rate is the optimal one: one step lands on the minimum
    fastest = result.fastest()
    assert rates[fastest] == pytest.approx(limit / 2, rel=0.02)


def test_the_stable_limit_holds_in_two_dimensions():
    spec = ExperimentSpec(function="ill_conditioned", function_params=(("condition", 50.0),),
                          start=(-4.0, 3.0), runs=(RunSpec(0.1),), steps=5000)
    theory = local_theory(spec.validate(), spec.start)
    limit = theory.lr_max_stable
    assert limit == pytest.approx(2.0 / 50.0)
    rates = log_spaced_rates(limit / 100, limit * 5, 300)
    result = sweep_of(spec, rates)
    diverged = result.verdict == DIVERGED
    assert np.all(diverged[rates > 1.02 * limit]) and not np.any(diverged[rates < limit])
    converged = rates[result.verdict == CONVERGED]
    assert converged.min() < theory.lr_optimal < converged.max()


def test_bands_cover_every_rate_once_with_edges_between_neighbours():
    rates = log_spaced_rates(1e-3, 1.0, 10)
    codes = np.array([1, 1, 0, 0, 0, 2, RUNNING, 3, 3, 3])
    bands = verdict_bands(rates, codes)
    assert [(b.name, b.first, b.last) for b in bands] == [
        ("slow", 0, 1), ("converged", 2, 4), ("oscillating", 5, 5), ("running", 6, 6),
        ("diverged", 7, 9),
    ]
    for left, right in itertools.pairwise(bands):
        assert left.high_edge == right.low_edge
        assert rates[left.last] < left.high_edge < rates[right.first]
        assert left.high_edge == pytest.approx(math.sqrt(rates[left.last] * rates[right.first]))
    assert bands[0].low_edge < rates[0] and bands[-1].high_edge > rates[-1]
    single = verdict_bands(np.array([0.1]), np.array([0]))
    assert single[0].low_edge < 0.1 < single[0].high_edge


def test_progress_arrives_several_times_with_fresh_partial_results():
    spec = ExperimentSpec(function="rosenbrock", start=(-1.5, 2.0), runs=(RunSpec(1e-3),),
                          steps=400)
    parts = []
    final = sweep_of(spec, log_spaced_rates(1e-5, 1e-2, 50), chunk_steps=50, progress=parts.append)
    assert len(parts) >= 8
    first = parts[0]
    frozen = first.final_loss.copy(), first.verdict.copy()
    assert np.any(first.verdict == RUNNING) and not first.done
    assert first.steps_done == 50 and parts[1].steps_done == 100
    # later blocks never write into an earlier partial result
    np.testing.assert_array_equal(first.final_loss, frozen[0])
    np.testing.assert_array_equal(first.verdict, frozen[1])
    assert parts[-1] is final and final.done
    # a running run's loss is its current loss, so the picture fills in as it goes
    running = first.verdict == RUNNING
    assert np.all(np.isfinite(first.final_loss[running]))
    assert not np.array_equal(first.final_loss[running], parts[1].final_loss[running])


def test_cancel_stops_between_blocks_and_returns_what_is_done():
    spec = ExperimentSpec(function="rosenbrock", start=(-1.5, 2.0), runs=(RunSpec(1e-3),),
                          steps=1000)
    parts = []
    result = sweep_of(spec, log_spaced_rates(1e-5, 1e-3, 20), chunk_steps=20,
                      progress=parts.append, cancel=lambda: len(parts) >= 3)
    assert result.cancelled and not result.done
    assert result.steps_done == 60 < result.total_steps
    assert len(parts) == 3


def test_steps_to_converge_is_nan_unless_converged():
    spec = ExperimentSpec(steps=200)
    result = sweep_of(spec, np.array([1e-4, 0.1, 0.5, 1.5]))
    assert [str(v) for v in result.verdict_names] == ["slow", "converged", "converged", "diverged"]
    steps = result.steps_to_converge
    assert np.isnan(steps[0]) and np.isnan(steps[3])
    assert steps[2] < steps[1]
    assert result.counts()["converged"] == 2


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf])
def test_bad_rates_are_refused(bad):
    f = make_function("quadratic")
    with pytest.raises(ValueError, match="greater than zero"):
        sweep_learning_rates(f, (1.0,), "sgd", {}, [0.1, bad], 10, 1e-6)
    with pytest.raises(ValueError):
        log_spaced_rates(bad, 1.0, 5)


def test_log_spaced_rates_refuses_reversed_ranges_and_bad_counts():
    with pytest.raises(ValueError, match="smallest"):
        log_spaced_rates(1.0, 0.1, 5)
    with pytest.raises(ValueError, match="number of rates"):
        log_spaced_rates(0.1, 1.0, 0)
    assert log_spaced_rates(0.1, 0.1, 1).tolist() == [0.1]


# ------------------------------------------------------------------------------------------
# theory lines
# ------------------------------------------------------------------------------------------
def test_theory_lines_name_the_limit_and_the_fastest_rate():
    f = make_function("ill_conditioned", {"condition": 10.0})
    theory = sweep_theory(f, (-4.0, 3.0), "sgd", {})
    labels = [line.label for line in theory.lines]
    assert labels == ["stable limit 2/λmax", "fastest rate 2/(λmin+λmax)"]
    assert theory.lines[0].learning_rate == pytest.approx(0.2)
    assert theory.lines[1].learning_rate == pytest.approx(2 / 11)
    assert "exact" in theory.note
    momentum = sweep_theory(f, (-4.0, 3.0), "momentum", {"momentum": 0.5, "dampening": 0.0})
    assert [ln.learning_rate for ln in momentum.lines] == pytest.approx([0.3])
    adam = sweep_theory(f, (-4.0, 3.0), "adam", {})
    assert adam.lines == () and "rescales" in adam.note
    scheduled = sweep_theory(f, (-4.0, 3.0), "sgd", {}, ScheduleSpec("exponential"))
    assert "constant rate" in scheduled.note


@pytest.mark.parametrize(
    ("optimizer", "hypers"),
    [
        ("sgd", {}),
        ("momentum", {"momentum": 0.9, "dampening": 0.0}),
        ("momentum", {"momentum": 0.5, "dampening": 0.3}),
        ("nesterov", {"momentum": 0.9}),
        ("nesterov", {"momentum": 0.3}),
    ],
)
def test_stability_limits_match_what_runs_do(optimizer, hypers):
    """Just below the closed-form limit a long run converges; just above it diverges."""
    f = make_function("quadratic", {"a": 1.5})
    limit = stability_limit(optimizer, hypers, 3.0)
    rates = [0.97 * limit, 1.03 * limit]
    batch = Batch(f, optimizer, [hypers] * 2, rates, [(1.0,)] * 2, ScheduleSpec(), 20000, 1e-9)
    while not batch.done:
        batch.advance(4096, record=False)
    assert [VERDICTS[v] for v in batch.verdict] == ["converged", "diverged"]


def test_no_limit_where_theory_has_none():
    assert stability_limit("adam", {}, 2.0) is None
    assert stability_limit("sgd", {}, 0.0) is None
    assert stability_limit("sgd", {}, None) is None
    assert stability_limit("momentum", {"momentum": 0.5, "dampening": 1.0}, 2.0) is None


# ------------------------------------------------------------------------------------------
# stability classes
# ------------------------------------------------------------------------------------------
def test_stability_classes_on_a_quadratic_follow_alpha_lambda():
    f = make_function("quadratic", {"a": 2.0})  # λ = 4
    positions = np.array([[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]])
    rates = np.array([0.1, 0.2499, 0.25, 0.4, 0.5, np.nan])  # α·λ: .4, ~1, 1, 1.6, 2, –
    classes = stability_classes(f, positions, rates)
    assert classes.tolist() == [BELOW_ONE, BELOW_ONE, ONE_TO_TWO, ONE_TO_TWO, ABOVE_TWO, BELOW_ONE]
    assert classes.dtype == np.int8


def test_stability_classes_use_the_largest_eigenvalue_at_each_point():
    f = make_function("rosenbrock")
    rng = np.random.default_rng(4)
    P = rng.uniform([-2.0, -1.0], [2.0, 3.0], size=(200, 2))
    rates = rng.uniform(1e-4, 5e-3, size=200)
    H = f.hessian(np.asfortranarray(P))
    lam = np.array([np.linalg.eigvalsh(h)[-1] for h in H])
    expected = np.where(rates * lam >= 2, 2, np.where(rates * lam >= 1, 1, 0))
    np.testing.assert_array_equal(stability_classes(f, P, rates), expected)


def test_negative_curvature_and_runaway_points_get_sensible_classes():
    f = make_function("saddle")  # Hessian diag(2, 3y² − 1)
    P = np.array([[0.0, 0.0], [np.inf, 0.0], [np.nan, np.nan], [1e200, 1e200]])
    rates = np.array([0.1, 0.1, 0.1, np.nan])
    # at the saddle λmax = 2 (α·λ = 0.2); points that ran off to infinity are "too big"
    assert stability_classes(f, P, rates).tolist() == [0, 2, 2, 0]
    double_well = make_function("double_well")
    # at w = 0 the curvature is −4: no step is too big for a hilltop
    assert stability_classes(double_well, np.array([[0.0]]), np.array([10.0])).tolist() == [0]


# ------------------------------------------------------------------------------------------
# range test
# ------------------------------------------------------------------------------------------
def test_range_test_grows_the_rate_and_records_the_loss_after_each_step():
    a, w0 = 1.0, 5.0
    f = make_function("quadratic", {"a": a})
    test = range_test(f, (w0,), "sgd", {}, 1e-4, 10.0, steps=100)
    ratio = test.learning_rates[1:] / test.learning_rates[:-1]
    np.testing.assert_allclose(ratio, (1e5) ** (1 / 99), rtol=1e-12)
    assert test.learning_rates[0] == pytest.approx(1e-4)
    # by hand: w ← w·(1 − 2a·α), the loss after the step is a·w²
    w, losses = w0, []
    for rate in test.learning_rates:
        w = w * (1 - 2 * a * rate)
        losses.append(a * w * w)
    np.testing.assert_allclose(test.losses, losses, rtol=1e-10)
    # it stops once the smoothed loss is 4x its best, past the stable limit 2/λ = 1
    assert test.stop_index is not None
    i = test.stop_index
    assert test.smoothed[i] > 4 * test.smoothed[:i].min() or not math.isfinite(test.losses[i])
    assert np.all(test.smoothed[:i] <= 4 * np.minimum.accumulate(test.smoothed[:i]))
    assert test.learning_rates[i] > 1.0
    assert 1e-4 <= test.suggestion < 1.0
    assert "rule of thumb" in test.note and test.note == RANGE_TEST_NOTE


def test_range_test_without_a_blowup_runs_to_the_largest_rate():
    f = make_function("quadratic")
    test = range_test(f, (5.0,), "sgd", {}, 1e-5, 1e-2, steps=50)
    assert test.stop_index is None and len(test.losses) == 50
    assert test.learning_rates[-1] == pytest.approx(1e-2)
    assert "without" in test.stop_reason


def test_range_test_refuses_impossible_ranges():
    f = make_function("quadratic")
    with pytest.raises(ValueError, match="smallest rate"):
        range_test(f, (5.0,), "sgd", {}, 1.0, 0.1)
    with pytest.raises(ValueError, match="too few steps"):
        range_test(f, (5.0,), "sgd", {}, 1e-9, 1e9, steps=5)


def test_the_comparison_sets_the_suggestion_beside_the_full_sweep():
    spec = ExperimentSpec(steps=200)
    setup = SweepSetup.from_spec(spec)
    rates = log_spaced_rates(1e-4, 10.0, 200)
    sweep = sweep_of(spec, rates)
    test = range_test(setup.function, setup.start, "sgd", {}, 1e-4, 10.0)
    text = compare_range_test(test, sweep, setup.theory())
    assert f"{test.suggestion:.3g}" in text
    fastest = sweep.fastest()
    assert f"{rates[fastest]:.3g} converged fastest" in text
