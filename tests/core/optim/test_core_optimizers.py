"""Optimizers and schedules against torch.optim (a stored reference), and their own rules."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lrdesk.core.engine.batch import Batch
from lrdesk.core.functions import make_function
from lrdesk.core.optim.optimizers import (
    OPTIMIZERS,
    InvalidOptimizer,
    make_batch_optimizer,
    resolve_hypers,
)
from lrdesk.core.optim.schedules import SCHEDULES, InvalidSchedule, ScheduleSpec

REFERENCE = json.loads(
    (Path(__file__).parent / "data" / "torch_reference.json").read_text(encoding="utf-8")
)
CASES = REFERENCE["cases"]


def _case_id(case: dict) -> str:
    hypers = ",".join(f"{k}={v:g}" for k, v in case["hypers"].items())
    s = case["schedule"]
    sched = s["kind"] + (f"+warmup{s['warmup_steps']}" if s["warmup_steps"] else "")
    return f"{case['function']}-{case['optimizer']}[{hypers}]-{sched}"


def _schedule(case: dict) -> ScheduleSpec:
    s = case["schedule"]
    return ScheduleSpec(s["kind"], tuple(s["params"].items()), s["warmup_steps"], s["warmup_start"])


def _trajectory(case: dict, copies: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Our positions and rates for the case, run alone or as one of several identical runs."""
    function = make_function(case["function"])
    steps = REFERENCE["steps"]
    batch = Batch(
        function, case["optimizer"], [case["hypers"]] * copies,
        [case["learning_rate"]] * copies, [case["start"]] * copies, _schedule(case), steps, 0.0,
    )
    block = batch.advance(steps + 1)
    assert block.last_row[0] == steps, "the reference runs must not stop early"
    return block.positions[:, 0, :], block.learning_rates[:-1, 0]


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_trajectory_matches_torch(case):
    positions, rates = _trajectory(case)
    reference = np.array(case["positions"])
    assert positions.shape == reference.shape
    np.testing.assert_allclose(positions, reference, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(rates, case["learning_rates"], rtol=1e-12, atol=1e-15)


def test_reference_covers_every_optimizer_and_schedule():
    assert {c["optimizer"] for c in CASES} == set(OPTIMIZERS)
    assert {c["schedule"]["kind"] for c in CASES} == set(SCHEDULES)
    assert any(c["schedule"]["warmup_steps"] for c in CASES)
    flags = {(c["optimizer"], k) for c in CASES for k, v in c["hypers"].items() if v}
    assert {("adam", "amsgrad"), ("rmsprop", "centered"), ("rmsprop", "momentum"),
            ("momentum", "dampening"), ("adagrad", "lr_decay")} <= flags


@pytest.mark.parametrize("case", CASES[::3], ids=[_case_id(c) for c in CASES[::3]])
def test_one_run_alone_equals_the_same_run_in_a_batch(case):
    """Alone, a run is stepped on floats; in a batch, with arrays: the numbers are identical."""
    alone, _ = _trajectory(case, copies=1)
    batched, _ = _trajectory(case, copies=3)
    assert np.array_equal(alone, batched)


def test_runs_with_different_settings_in_one_batch_match_their_solo_runs():
    function = make_function("himmelblau")
    settings = [
        ("adam", {"beta1": 0.8, "amsgrad": 1.0}), ("adam", {"beta2": 0.99}), ("adam", {}),
        ("rmsprop", {"centered": 1.0}), ("rmsprop", {"momentum": 0.5}), ("rmsprop", {}),
        ("momentum", {"dampening": 0.5}), ("momentum", {"momentum": 0.5}),
        ("adagrad", {"lr_decay": 0.1}), ("adagrad", {}),
    ]
    for kind in {k for k, _ in settings}:
        hypers = [h for k, h in settings if k == kind]
        rates = [0.01 * (i + 1) for i in range(len(hypers))]
        starts = [(0.5 + 0.1 * i, -0.5) for i in range(len(hypers))]
        together = Batch(function, kind, hypers, rates, starts, ScheduleSpec(), 40, 0.0)
        block = together.advance(41)
        for i, h in enumerate(hypers):
            solo = Batch(function, kind, [h], [rates[i]], [starts[i]], ScheduleSpec(), 40, 0.0)
            assert np.array_equal(solo.advance(41).positions[:, 0], block.positions[:, i])


def test_update_rules_by_hand_for_one_step():
    g = np.asfortranarray([[2.0, -4.0]])
    lr = -np.array([[0.5]])
    out = np.empty((1, 2), order="F")
    assert make_batch_optimizer("sgd", [{}], 2).delta(g, lr, 1, out).tolist() == [[-1.0, 2.0]]
    adam = make_batch_optimizer("adam", [{"eps": 0.0}], 2)
    # the first Adam step is lr·sign(g): m̂ = g, v̂ = g²
    np.testing.assert_allclose(adam.delta(g, lr, 1, out), [[-0.5, 0.5]], rtol=1e-15)
    momentum = make_batch_optimizer("momentum", [{"momentum": 0.5}], 2)
    momentum.delta(g, lr, 1, out)
    # buffer after two steps of the same gradient: g + 0.5·g
    np.testing.assert_allclose(momentum.delta(g, lr, 2, out), [[-1.5, 3.0]])


def test_hyperparameters_are_checked_in_words():
    assert resolve_hypers("adam") == {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "amsgrad": 0.0}
    with pytest.raises(InvalidOptimizer, match="unknown optimizer 'adamw'"):
        resolve_hypers("adamw")
    with pytest.raises(InvalidOptimizer, match="no setting 'beta1'"):
        resolve_hypers("momentum", {"beta1": 0.9})
    for bad in (1.5, -0.1, float("nan"), float("inf"), True, "0.9"):
        with pytest.raises(InvalidOptimizer, match="'momentum' must be between"):
            resolve_hypers("momentum", {"momentum": bad})


def test_schedule_factors_follow_the_closed_forms():
    t = np.arange(12)
    step = ScheduleSpec("step", (("step_size", 5.0), ("gamma", 0.5)))
    assert step.factors(0, 12).tolist() == (0.5 ** (t // 5)).tolist()
    cosine = ScheduleSpec("cosine", (("t_max", 10.0), ("min_factor", 0.2)))
    assert cosine.factor(0) == 1.0
    assert cosine.factor(10) == pytest.approx(0.2)
    assert cosine.factor(20) == pytest.approx(1.0)  # torch's cosine keeps going, period 2·T_max
    warm = ScheduleSpec("constant", (), warmup_steps=4, warmup_start=0.2)
    np.testing.assert_allclose(warm.factors(0, 6), [0.2, 0.4, 0.6, 0.8, 1.0, 1.0])
    assert np.array_equal(warm.factors(3, 3), warm.factors(0, 6)[3:])


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"kind": "linear"}, "unknown schedule 'linear'"),
        ({"kind": "step", "params": (("gamma", 11.0),)}, "'gamma' must be between"),
        ({"kind": "step", "params": (("step_size", 2.5),)}, "whole number"),
        ({"kind": "cosine", "params": (("t_max", float("nan")),)}, "'t_max' must be between"),
        ({"kind": "exponential", "params": (("decay", 0.1),)}, "no parameter 'decay'"),
        ({"warmup_steps": -1}, "warm-up steps"),
        ({"warmup_steps": 2.5}, "warm-up steps"),
        ({"warmup_start": 1.5}, "warm-up start"),
    ],
)
def test_bad_schedules_are_refused_in_words(kwargs, words):
    with pytest.raises(InvalidSchedule, match=words):
        ScheduleSpec(**kwargs)
