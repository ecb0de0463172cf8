"""The engine's verdicts, on cases whose answer theory (or plain arithmetic) gives in advance."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrdesk.core.engine.batch import (
    CONVERGED,
    DIVERGED,
    DIVERGENCE_FACTOR,
    OSCILLATING,
    RUNNING,
    SLOW,
    STALLED,
    VERDICTS,
    Batch,
)
from lrdesk.core.functions import make_function
from lrdesk.core.optim.schedules import ScheduleSpec
from lrdesk.core.surfaces import LossFunction
from lrdesk.core.theory.hessian import local_theory


def _batch(key, rates, start, steps=100, tol=1e-6, optimizer="sgd", hypers=None, params=None):
    function = make_function(key, params or {})
    rates = list(rates)
    return Batch(function, optimizer, [dict(hypers or {}) for _ in rates], rates,
                 [start] * len(rates), ScheduleSpec(), steps, tol)


def _finish(batch: Batch, chunk: int = 1000, record: bool = False) -> Batch:
    while not batch.done:
        batch.advance(chunk, record=record)
    return batch


def _parabola_path(a: float, lr: float, w0: float, steps: int) -> list[float]:
    """Gradient descent on a·w² by hand: w ← w − lr·2a·w."""
    path = [w0]
    for _ in range(steps):
        path.append(path[-1] + (path[-1] * (2.0 * a)) * -lr)
    return path


# --- the parabola: stability theory is exact --------------------------------------------------
def test_parabola_verdicts_follow_the_stability_limit():
    a = 1.0
    limit = local_theory(make_function("quadratic"), (5.0,)).lr_max_stable
    assert limit == 2.0 / (2.0 * a)
    rates = [1e-4, 0.3 * limit, 0.999 * limit, limit, 1.001 * limit, 1.2 * limit]
    batch = _finish(_batch("quadratic", rates, (5.0,), steps=100))
    assert [VERDICTS[v] for v in batch.verdict] == [
        "slow", "converged", "slow", "oscillating", "diverged", "diverged",
    ]
    # exactly at 2/λmax the iterate flips between +5 and −5 for ever
    assert batch.final_loss[3] == batch.start_loss[3]
    assert batch.oscillated.tolist() == [False, False, True, True, True, True]


@settings(max_examples=60, deadline=None)
@given(
    curvature=st.floats(1e-3, 1e3),
    ratio=st.one_of(st.floats(0.05, 0.45), st.floats(0.55, 0.95), st.floats(1.05, 3.0)),
    start=st.floats(-100.0, 100.0).filter(lambda w: abs(w) > 1e-3),
)
def test_any_parabola_diverges_exactly_above_two_over_lambda(curvature, ratio, start):
    limit = 2.0 / (2.0 * curvature)
    batch = _finish(_batch("quadratic", [ratio * limit], (start,), steps=2000,
                           params={"a": curvature}))
    verdict = VERDICTS[batch.verdict[0]]
    assert verdict == "diverged" if ratio > 1 else verdict in ("converged", "slow")
    if batch.verdict_step[0] >= 3:  # past 1/λ every step overshoots the bottom
        assert batch.oscillated[0] == (ratio > 0.5)


def test_converged_step_is_the_first_where_gradient_and_step_are_both_small():
    a, lr, w0, tol = 1.0, 0.3, 5.0, 1e-6
    path = _parabola_path(a, lr, w0, 200)
    expected = next(
        n for n in range(1, 200)
        if abs(2 * a * path[n]) <= tol and abs(path[n] - path[n - 1]) <= tol
    )
    batch = _finish(_batch("quadratic", [lr], (w0,), steps=200, tol=tol))
    assert VERDICTS[batch.verdict[0]] == "converged"
    assert batch.verdict_step[0] == expected
    assert batch.final_loss[0] == a * path[expected] ** 2
    assert batch.final_grad_norm[0] == abs(2 * a * path[expected])


def test_diverged_step_is_the_first_loss_past_the_bound():
    a, lr, w0 = 1.0, 1.3, 5.0
    growth = abs(1 - 2 * a * lr)  # |w| grows by this factor per step
    bound = DIVERGENCE_FACTOR * a * w0**2  # the minimum value is 0
    expected = math.floor(math.log(bound / (a * w0**2)) / (2 * math.log(growth))) + 1
    path = _parabola_path(a, lr, w0, expected)
    assert a * path[expected - 1] ** 2 <= bound < a * path[expected] ** 2
    batch = _finish(_batch("quadratic", [lr], (w0,), steps=1000))
    assert (VERDICTS[batch.verdict[0]], batch.verdict_step[0]) == ("diverged", expected)
    assert batch.final_loss[0] == a * path[expected] ** 2


def test_non_finite_loss_is_diverged_at_the_first_non_finite_step():
    # Rosenbrock's x³ term overflows within a few steps at an absurd rate
    batch = _batch("rosenbrock", [1e5], (-1.5, 2.0), steps=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NaN and overflow must never leak a warning
        block = batch.advance(51)
    losses = block.losses[:, 0]
    bound = DIVERGENCE_FACTOR * batch.start_loss[0]
    first_bad = next(r for r, v in enumerate(losses) if not (math.isfinite(v) and v <= bound))
    assert VERDICTS[batch.verdict[0]] == "diverged"
    assert batch.verdict_step[0] == first_bad == block.last_row[0]


def test_slightly_unstable_rate_climbing_at_the_budget_is_diverged_not_oscillating():
    batch = _finish(_batch("quadratic", [1.0005], (5.0,), steps=60))
    assert batch.final_loss[0] < DIVERGENCE_FACTOR * batch.start_loss[0]  # never past the bound
    assert (VERDICTS[batch.verdict[0]], batch.verdict_step[0]) == ("diverged", 60)


def test_tiny_rate_is_slow_and_never_oscillates():
    batch = _finish(_batch("rosenbrock", [1e-7], (-1.5, 2.0), steps=500))
    assert VERDICTS[batch.verdict[0]] == "slow"
    assert not batch.oscillated[0]


def test_ill_conditioned_valley_diverges_above_its_steepest_limit():
    params = {"condition": 50.0, "curvature": 0.5, "angle": 30.0}
    theory = local_theory(make_function("ill_conditioned", params), (-4.0, 3.0))
    assert theory.exact
    rates = [0.95 * theory.lr_max_stable, 1.05 * theory.lr_max_stable]
    batch = _finish(_batch("ill_conditioned", rates, (-4.0, 3.0), steps=5000, params=params))
    assert VERDICTS[batch.verdict[0]] in ("converged", "slow")
    assert VERDICTS[batch.verdict[1]] == "diverged"


# --- saddles, minima, momentum --------------------------------------------------------------
def test_saddle_started_on_the_ridge_stalls_and_off_it_converges():
    batch = _finish(_batch("saddle", [0.1], (2.0, 0.0), steps=2000))
    assert VERDICTS[batch.verdict[0]] == "stalled"
    # x shrinks by 0.8 a step and y stays 0: the first step where |g| = 2|x| and |Δ| = 0.2|x| fit
    x = [2.0 * 0.8**n for n in range(200)]
    expected = next(n for n in range(1, 200) if 2 * x[n] <= 1e-6 and 0.2 * x[n - 1] <= 1e-6)
    assert abs(batch.verdict_step[0] - expected) <= 1
    off = _finish(_batch("saddle", [0.1], (2.0, 0.01), steps=2000))
    assert VERDICTS[off.verdict[0]] == "converged"


def test_start_at_the_minimum_converges_at_step_zero():
    batch = _finish(_batch("himmelblau", [0.01], (3.0, 2.0)))
    assert (VERDICTS[batch.verdict[0]], batch.verdict_step[0]) == ("converged", 0)


def test_momentum_flying_through_the_minimum_is_not_called_converged():
    tol = 0.5
    batch = Batch(make_function("quadratic"), "momentum", [{"momentum": 0.9}], [0.1], [(5.0,)],
                  ScheduleSpec(), 500, tol)
    block = batch.advance(501)
    gradient = np.abs(block.gradients[:, 0, 0])
    incoming = np.abs(np.concatenate([[0.0], block.updates[:-1, 0, 0]]))
    first_flat = int(np.argmax(gradient <= tol))
    assert incoming[first_flat] > tol, "the case must pass the minimum fast"
    stop = batch.verdict_step[0]
    assert VERDICTS[batch.verdict[0]] == "converged"
    assert stop > first_flat
    assert gradient[stop] <= tol and incoming[stop] <= tol
    assert stop == next(r for r in range(len(gradient)) if gradient[r] <= tol and incoming[r] <= tol)


def test_heavy_ball_momentum_limit_from_theory():
    beta = 0.5
    limit = local_theory(make_function("quadratic"), (5.0,)).momentum_limit(beta)
    batch = _finish(Batch(make_function("quadratic"), "momentum", [{"momentum": beta}] * 2,
                          [0.9 * limit, 1.1 * limit], [(5.0,)] * 2, ScheduleSpec(), 3000, 1e-6))
    assert [VERDICTS[v] for v in batch.verdict] == ["converged", "diverged"]


def test_adam_converges_on_a_bowl_with_gradient_and_step_small():
    batch = Batch(make_function("bowl"), "adam", [{}], [0.05], [(4.0, 3.0)], ScheduleSpec(),
                  20000, 1e-6)
    _finish(batch, record=True)
    assert VERDICTS[batch.verdict[0]] == "converged"
    assert batch.final_grad_norm[0] <= 1e-6


# --- a batch: runs are independent; chunking and recording change nothing ----------------------
def _many_runs(chunk: int, record: bool, order=None):
    rates = np.geomspace(1e-5, 1e-2, 40)  # the upper third diverges early: runs get dropped
    order = np.arange(len(rates)) if order is None else order
    batch = Batch(make_function("rosenbrock"), "momentum", [{"momentum": 0.8}] * 40,
                  rates[order], [(-1.5, 2.0)] * 40, ScheduleSpec(), 600, 1e-6)
    _finish(batch, chunk=chunk, record=record)
    back = np.argsort(order)
    return {name: getattr(batch, name)[back] for name in
            ("verdict", "verdict_step", "final_loss", "final_grad_norm", "oscillated")}


def test_results_do_not_depend_on_chunks_recording_or_neighbours():
    reference = _many_runs(chunk=601, record=False)
    assert set(reference["verdict"].tolist()) >= {SLOW, DIVERGED}
    assert np.sum(reference["verdict_step"] < 100) >= 5  # enough to drop finished runs
    shuffled = np.random.default_rng(0).permutation(40)
    for other in (_many_runs(1, True), _many_runs(7, False), _many_runs(250, True, shuffled)):
        for name, values in reference.items():
            assert np.array_equal(values, other[name], equal_nan=True), name
    # each run alone (the single-run float path) gives the very same numbers
    rates = np.geomspace(1e-5, 1e-2, 40)
    for i in (0, 17, 39):
        solo = _finish(Batch(make_function("rosenbrock"), "momentum", [{"momentum": 0.8}],
                             [rates[i]], [(-1.5, 2.0)], ScheduleSpec(), 600, 1e-6))
        assert solo.verdict_step[0] == reference["verdict_step"][i]
        assert solo.final_loss[0] == reference["final_loss"][i]


def test_a_finished_run_stays_frozen_while_the_others_go_on():
    batch = _batch("quadratic", [1.5, 0.001], (5.0,), steps=400)
    first = batch.advance(50)
    assert VERDICTS[batch.verdict[0]] == "diverged"
    frozen = (batch.verdict_step[0], batch.final_loss[0], batch.oscillated[0])
    assert first.last_row[0] == batch.verdict_step[0] and first.last_row[1] == 49
    second = batch.advance(50)
    assert second.last_row.tolist() == [-1, 49]
    _finish(batch)
    assert (batch.verdict_step[0], batch.final_loss[0], batch.oscillated[0]) == frozen
    assert np.all(np.isnan(second.losses[:, 0]))


def test_blocks_record_points_before_each_step():
    batch = _batch("quadratic", [0.1, 0.2], (5.0,), steps=10)
    block = batch.advance(11)
    w = block.positions[:, :, 0]
    assert np.array_equal(w[1:], w[:-1] + block.updates[:-1, :, 0])
    assert np.array_equal(block.losses, w**2)
    assert np.array_equal(block.learning_rates[:-1], np.broadcast_to([0.1, 0.2], (10, 2)))
    assert np.all(np.isnan(block.learning_rates[-1]))  # the final point takes no step
    assert block.steps.tolist() == list(range(11))
    assert batch.advance(5) is None


def test_summary_block_without_recording_holds_the_latest_losses():
    batch = _batch("quadratic", [0.1, 1.5], (5.0,), steps=100)
    block = batch.advance(30, record=False)
    assert block.losses.shape == (1, 2)
    assert block.losses[0, 0] == batch.latest_loss[0] == pytest.approx(25.0 * 0.64**29, rel=1e-12)
    assert block.losses[0, 1] == batch.final_loss[1]


def test_state_is_recorded_for_optimizers_with_memory():
    batch = Batch(make_function("bowl"), "adam", [{}], [0.1], [(4.0, 3.0)], ScheduleSpec(), 5, 0.0)
    block = batch.advance(6)
    assert set(block.state) == {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    # m after the first step is (1 − β₁)·g
    np.testing.assert_allclose(block.state["exp_avg"][0, 0], 0.1 * block.gradients[0, 0])


# --- surfaces whose constants differ per run (as the regime maps build them) -------------------
class _Parabolas(LossFunction):
    """L = aₖ·w² with one curvature per run; no ``for_runs``, so the engine must keep slots."""

    key = "parabolas"
    dim = 1

    def __init__(self, curvatures) -> None:
        super().__init__()
        self.a = np.asarray(curvatures, dtype=float)

    def value(self, P):
        return self.a * P[:, 0] ** 2

    def gradient(self, P):
        return np.asfortranarray((2.0 * self.a)[:, None] * P)

    def hessian(self, P):
        return (2.0 * self.a)[:, None, None] * np.ones((len(P), 1, 1))

    def minima(self):
        return np.zeros((1, 1))


class _SelectableParabolas(_Parabolas):
    def for_runs(self, index):
        return _SelectableParabolas(self.a[index])


@pytest.mark.parametrize("cls", [_Parabolas, _SelectableParabolas])
def test_per_run_constants_keep_each_run_on_its_own_surface(cls):
    curvatures = np.array([0.5, 4.0, 1.0, 8.0, 2.0, 0.25])
    lr = 0.3  # stable below 2/(2a) = 1/a: a ≤ 3.33 converge, a = 4 and 8 diverge
    batch = _finish(Batch(cls(curvatures), "sgd", [{}] * 6, [lr] * 6, [(5.0,)] * 6,
                          ScheduleSpec(), 500, 1e-6), chunk=10)
    expected = [CONVERGED if lr < 1.0 / a else DIVERGED for a in curvatures]
    assert batch.verdict.tolist() == expected
    for k, a in enumerate(curvatures):
        alone = _finish(_batch("quadratic", [lr], (5.0,), steps=500, params={"a": a}))
        assert batch.verdict_step[k] == alone.verdict_step[0]


def test_inputs_are_checked():
    f = make_function("quadratic")
    with pytest.raises(ValueError, match="one start, learning rate"):
        Batch(f, "sgd", [{}], [0.1, 0.2], [(1.0,)], ScheduleSpec(), 10, 1e-6)
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="finite number greater than zero"):
            Batch(f, "sgd", [{}], [bad], [(1.0,)], ScheduleSpec(), 10, 1e-6)
    batch = Batch(f, "sgd", [{}], [0.1], [(1.0,)], ScheduleSpec(), 10, 1e-6)
    with pytest.raises(ValueError, match="at least one step"):
        batch.advance(0)
    assert batch.verdict.tolist() == [RUNNING]


def test_oscillating_is_reported_for_a_bounded_bouncing_run():
    # a 2-cycle: rate exactly 2/λ on a bowl of curvature 2a = 4
    batch = _finish(_batch("bowl", [0.5], (1.0, -2.0), steps=80, params={"a": 2.0}))
    assert batch.verdict[0] == OSCILLATING and batch.oscillated[0]
    assert STALLED not in batch.verdict


def test_last_run_left_switches_to_the_float_path_with_the_same_numbers():
    batch = _batch("rosenbrock", [3e-3, 4e-3, 2e-4], (-1.5, 2.0), steps=3000)
    _finish(batch, chunk=10)
    assert batch.verdict[:2].tolist() == [DIVERGED, DIVERGED]
    assert batch._live.scalar_vg is not None  # dropped to the one run still going
    solo = _finish(_batch("rosenbrock", [2e-4], (-1.5, 2.0), steps=3000), chunk=3001)
    assert batch.final_loss[2] == solo.final_loss[0]
    assert batch.verdict_step[2] == solo.verdict_step[0]


def test_runs_still_going_report_their_loss_and_reversals_between_chunks():
    batch = _batch("quadratic", [0.9], (5.0,), steps=1000, tol=0.0)  # flips sign every step
    batch.advance(10, record=False)
    assert batch.verdict[0] == RUNNING
    assert batch.latest_loss[0] == pytest.approx(25.0 * 0.64**9, rel=1e-12)
    assert batch.oscillated[0] and batch.reversals[0] == 9  # 10 steps taken, each but the first reverses


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_blowing_up_leaks_no_warning_with_any_optimizer(optimizer):
    rates = [1e6, 1e3, 1e-4]  # two absurd rates and a sane one, in one batch and alone
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        together = _finish(Batch(make_function("rosenbrock"), optimizer, [{}] * 3, rates,
                                 [(-1.5, 2.0)] * 3, ScheduleSpec(), 300, 1e-6), chunk=64,
                           record=True)
        alone = _finish(Batch(make_function("rosenbrock"), optimizer, [{}], [1e6], [(-1.5, 2.0)],
                              ScheduleSpec(), 300, 1e-6), record=True)
    assert together.verdict[0] == alone.verdict[0] == DIVERGED
    assert together.verdict_step[0] == alone.verdict_step[0]
    assert together.verdict[2] != DIVERGED


@pytest.mark.parametrize(
    ("key", "optimizer", "hypers", "rate", "start"),
    [
        ("bowl", "adagrad", {"eps": 0.0}, 0.1, (3.0, 0.0)),  # 0/0 in the y coordinate
        ("rastrigin", "sgd", {}, 1e6, (2.3, -1.7)),  # cos of an overflowed coordinate
        ("bumpy", "adam", {"eps": 0.0}, 1e6, (4.5,)),
    ],
)
def test_float_corner_cases_alone_match_the_batch(key, optimizer, hypers, rate, start):
    def run(copies):
        batch = Batch(make_function(key), optimizer, [hypers] * copies, [rate] * copies,
                      [start] * copies, ScheduleSpec(), 200, 1e-6)
        return _finish(batch, chunk=201, record=True)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        alone, batched = run(1), run(2)
    assert alone.verdict[0] == batched.verdict[0] == DIVERGED
    assert alone.verdict_step[0] == batched.verdict_step[0]
