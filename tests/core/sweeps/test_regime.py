"""Regime maps: every cell a full run in one batch, theory boundaries, choices (core, no Qt)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from lrdesk.core.engine.batch import DIVERGED, RUNNING, VERDICTS
from lrdesk.core.experiment.simulation import run_experiment
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.core.functions import make_function
from lrdesk.core.sweeps.regime import (
    MapAxis,
    MapError,
    ValleyFamily,
    axis_values,
    default_range,
    map_key,
    regime_map,
)


def axis(name, count, low, high):
    return MapAxis(name, axis_values(name, count, low, high))


def single_run(spec: ExperimentSpec, choice):
    """Run the configuration a map cell stands for, alone, the way the window would."""
    if choice.function is not None:
        spec = replace(spec, function=choice.function, function_params=choice.function_params,
                       start=choice.start)
    return run_experiment(spec.with_runs([choice.run])).runs[0]


def assert_cells_match_single_runs(spec, result, cells):
    for iy, ix in cells:
        run = single_run(spec, result.choice(iy, ix))
        assert result.verdict_name(iy, ix) == run.verdict, (iy, ix)
        assert result.verdict_step[iy, ix] == run.verdict_step
        assert bool(result.oscillated[iy, ix]) == run.oscillated
        np.testing.assert_allclose(result.final_loss[iy, ix], run.final_loss, rtol=1e-12)


def test_momentum_map_agrees_with_theory_on_a_quadratic():
    """Heavy-ball momentum on a quadratic is stable while α < 2(1 + μ)/λmax."""
    spec = ExperimentSpec(function="bowl", start=(4.0, 3.0),
                          runs=(RunSpec(0.1, "momentum"),), steps=3000)
    x = axis("lr", 60, 0.01, 4.0)
    y = axis("momentum", 25, 0.0, 0.9)
    result = regime_map(spec, x, y)
    assert result.done and result.verdict.shape == (25, 60)
    assert result.boundary_exact
    lam = 2.0  # bowl a = 1: Hessian 2·I
    limit = 2 * (1 + y.values[:, None]) / lam
    rates = x.values[None, :]
    diverged = result.verdict == DIVERGED
    assert np.all(diverged[(rates > 1.05 * limit) & np.ones_like(diverged)])
    assert not np.any(diverged[(rates < 0.95 * limit) & np.ones_like(diverged)])
    # the drawn boundary is that same line
    np.testing.assert_allclose(result.boundary_x, 2 * (1 + result.boundary_y) / lam)


def test_condition_map_agrees_with_theory_and_with_single_runs():
    spec = ExperimentSpec(function="ill_conditioned", function_params=(("curvature", 0.5),),
                          start=(-4.0, 3.0), runs=(RunSpec(0.1),), steps=2000)
    x = axis("lr", 40, 1e-3, 4.0)
    y = axis("condition", 15, 1.0, 500.0)
    result = regime_map(spec, x, y)
    limit = 2.0 / (y.values[:, None] * 0.5)
    rates = np.broadcast_to(x.values[None, :], result.verdict.shape)
    limits = np.broadcast_to(limit, result.verdict.shape)
    diverged = result.verdict == DIVERGED
    assert np.all(diverged[rates > 1.05 * limits])
    assert not np.any(diverged[rates < 0.95 * limits])
    np.testing.assert_allclose(result.boundary_x, 2.0 / (result.boundary_y * 0.5))
    assert_cells_match_single_runs(spec, result, [(0, 0), (3, 20), (7, 31), (14, 39), (10, 25)])
    choice = result.choice(3, 20)
    assert choice.function == "ill_conditioned"
    assert dict(choice.function_params)["condition"] == pytest.approx(y.values[3])
    assert dict(choice.function_params)["curvature"] == 0.5


def test_the_valley_family_is_the_valley_run_by_run():
    conditions = np.array([1.0, 7.5, 300.0])
    family = ValleyFamily(conditions, curvature=2.0, angle=30.0)
    P = np.asfortranarray(np.array([[1.0, -2.0], [0.5, 3.0], [-4.0, 0.25]]))
    values, grads, hessians = family.value(P), family.gradient(P), family.hessian(P)
    for k, kappa in enumerate(conditions):
        one = make_function("ill_conditioned",
                            {"condition": kappa, "curvature": 2.0, "angle": 30.0})
        point = np.asfortranarray(P[k : k + 1])
        np.testing.assert_allclose(values[k], one.value(point)[0], rtol=1e-12)
        np.testing.assert_allclose(grads[k], one.gradient(point)[0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(hessians[k], one.hessian(point)[0], rtol=1e-12, atol=1e-12)
    assert family.min_value() == 0.0


def test_momentum_map_cells_are_single_runs_and_nesterov_keeps_its_kind():
    spec = ExperimentSpec(function="rosenbrock", start=(-1.5, 2.0),
                          runs=(RunSpec(1e-3, "nesterov"),), steps=500)
    result = regime_map(spec, axis("lr", 12, 1e-5, 5e-3), axis("momentum", 6, 0.0, 0.95))
    assert result.optimizer == "nesterov" and not result.boundary_exact
    assert_cells_match_single_runs(spec, result, [(0, 0), (2, 7), (5, 11), (4, 9), (1, 10)])
    assert result.choice(2, 7).run.optimizer == "nesterov"
    assert dict(result.choice(2, 7).run.hypers)["momentum"] == pytest.approx(0.38)


def test_plain_gradient_descent_becomes_heavy_ball_on_a_momentum_map():
    spec = ExperimentSpec()  # quadratic, sgd
    result = regime_map(spec, axis("lr", 5, 0.01, 1.0), axis("momentum", 3, 0.0, 0.5))
    assert result.optimizer == "momentum"
    run = result.choice(1, 1).run
    assert run.optimizer == "momentum" and run.hyper_dict() == {"momentum": 0.25, "dampening": 0.0}


def test_start_map_uses_each_starts_nearest_minimum_and_matches_single_runs():
    spec = ExperimentSpec(function="double_well", start=(1.8,), runs=(RunSpec(0.05),), steps=400)
    f = spec.validate()
    y = axis("start", 9, -2.0, 2.0)
    result = regime_map(spec, axis("lr", 20, 1e-3, 1.0), y)
    assert not result.boundary_exact
    minima = f.minima()
    curv = 12 * minima[:, 0] ** 2 - 4  # L'' of the double well at each minimum
    nearest = np.argmin(np.abs(result.boundary_y[:, None] - minima[None, :, 0]), axis=1)
    np.testing.assert_allclose(result.boundary_x, 2.0 / curv[nearest])
    assert_cells_match_single_runs(spec, result, [(0, 0), (4, 10), (8, 19), (2, 15), (6, 12)])
    choice = result.choice(2, 15)
    assert choice.start == (y.values[2],) and choice.run.start == (y.values[2],)


def test_start_map_on_a_two_dimensional_surface_moves_the_first_coordinate():
    spec = ExperimentSpec(function="himmelblau", start=(0.5, -0.5), runs=(RunSpec(0.01),),
                          steps=300)
    result = regime_map(spec, axis("lr", 6, 1e-3, 0.03), axis("start", 5, -4.0, 4.0))
    choice = result.choice(4, 2)
    assert choice.start == (4.0, -0.5)
    assert_cells_match_single_runs(spec, result, [(4, 2), (0, 5), (2, 0)])


def test_swapping_the_axes_transposes_the_map():
    spec = ExperimentSpec(function="bowl", start=(4.0, 3.0), runs=(RunSpec(0.1, "momentum"),),
                          steps=300)
    lr, mom = axis("lr", 7, 0.05, 3.0), axis("momentum", 4, 0.0, 0.9)
    a = regime_map(spec, lr, mom)
    b = regime_map(spec, mom, lr)
    np.testing.assert_array_equal(a.verdict, b.verdict.T)
    np.testing.assert_array_equal(a.verdict_step, b.verdict_step.T)
    np.testing.assert_allclose(a.boundary_x, b.boundary_y)
    assert a.choice(2, 5) == b.choice(5, 2)


def test_partial_maps_arrive_and_cancel_stops():
    spec = ExperimentSpec(function="bowl", start=(4.0, 3.0), runs=(RunSpec(0.1),), steps=600)
    x, y = axis("lr", 10, 1e-3, 1.0), axis("momentum", 5, 0.0, 0.9)
    parts = []
    done = regime_map(spec, x, y, chunk_steps=100, progress=parts.append)
    assert len(parts) >= 6 and parts[-1] is done and done.done
    assert np.any(parts[0].verdict == RUNNING)
    before = parts[0].verdict.copy()
    np.testing.assert_array_equal(parts[0].verdict, before)
    count = []
    stopped = regime_map(spec, x, y, chunk_steps=100, progress=count.append,
                         cancel=lambda: len(count) >= 2)
    assert stopped.cancelled and not stopped.done and stopped.steps_done == 200


def test_steps_to_converge_map():
    spec = ExperimentSpec(function="bowl", start=(4.0, 3.0), runs=(RunSpec(0.1),), steps=500)
    result = regime_map(spec, axis("lr", 8, 0.01, 1.2), axis("momentum", 3, 0.0, 0.5))
    speed = result.steps_to_converge
    converged = result.verdict == VERDICTS.index("converged")
    assert np.all(np.isfinite(speed[converged])) and np.all(np.isnan(speed[~converged]))


@pytest.mark.parametrize(
    ("name", "count", "low", "high", "message"),
    [
        ("lr", 10, 0.0, 1.0, "above zero"),
        ("lr", 0, 0.1, 1.0, "from 1 to 2,000"),
        ("momentum", 10, 0.0, 1.5, "between 0 and 0.9999"),
        ("condition", 10, 0.5, 10.0, "between 1 and"),
        ("start", 10, 2.0, -2.0, "smaller to a larger"),
        ("speed", 10, 0.0, 1.0, "unknown axis"),
    ],
)
def test_bad_axes_are_refused_in_plain_words(name, count, low, high, message):
    with pytest.raises(MapError, match=message):
        axis_values(name, count, low, high)


def test_a_map_needs_the_learning_rate_on_one_axis():
    spec = ExperimentSpec()
    with pytest.raises(MapError, match="learning rate on one axis"):
        regime_map(spec, axis("momentum", 3, 0.0, 0.5), axis("momentum", 3, 0.0, 0.5))
    with pytest.raises(MapError, match="learning rate on one axis"):
        regime_map(spec, axis("lr", 3, 0.1, 0.5), axis("lr", 3, 0.1, 0.5))


def test_default_ranges_are_usable():
    spec = ExperimentSpec(function="rosenbrock", start=(-1.5, 2.0), runs=(RunSpec(1e-3),))
    for name in ("lr", "momentum", "condition", "start"):
        low, high = default_range(name, spec)
        assert len(axis_values(name, 5, low, high)) == 5


def test_the_map_key_survives_loading_a_cell_and_changes_with_the_settings():
    spec = ExperimentSpec(runs=(RunSpec(0.1),), steps=200)  # quadratic, 1-D, plain descent
    x = axis("lr", 4, 0.01, 1.0)
    momentum = regime_map(spec, x, axis("momentum", 3, 0.0, 0.9))
    key = map_key(spec, 0, "momentum")
    loaded = spec.with_runs([*spec.runs, momentum.choice(1, 2).run])
    assert map_key(loaded, 1, "momentum") == key
    condition = regime_map(spec, x, axis("condition", 3, 1.0, 100.0))
    choice = condition.choice(2, 1)
    valley = replace(spec, function=choice.function, function_params=choice.function_params,
                     start=choice.start, runs=(*spec.runs, choice.run))
    assert map_key(valley, 1, "condition") == map_key(spec, 0, "condition")
    start_map = regime_map(spec, x, axis("start", 3, -2.0, 2.0))
    moved = spec.with_runs([*spec.runs, start_map.choice(0, 3).run])
    assert map_key(moved, 1, "start") == map_key(spec, 0, "start")
    # what the map depends on changes the key
    assert map_key(replace(spec, steps=300), 0, "momentum") != key
    assert map_key(replace(spec, function="bumpy"), 0, "momentum") != key
    assert map_key(spec.with_runs([RunSpec(0.1, "adam")]), 0, "condition") != map_key(
        spec, 0, "condition")
