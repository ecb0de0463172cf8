"""Momentum 0 with dampening: torch skips the buffer (plain SGD), and so does the stable limit."""

from __future__ import annotations

import numpy as np
import pytest

from lrdesk.core.engine.batch import Batch
from lrdesk.core.experiment.simulation import run_experiment
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.core.functions import make_function
from lrdesk.core.optim.schedules import ScheduleSpec
from lrdesk.core.theory.stability import limit_formula, stability_limit


def torch_sgd_path(gradient, start, lr, momentum, dampening, steps):
    """torch.optim.SGD's documented update, step by step on Python floats:
    if momentum != 0: b = g (t = 1) or b = μ·b + (1 − τ)·g, and g = b; then p = p − γ·g."""
    p, b, path = np.array(start, float), None, []
    for t in range(1, steps + 1):
        g = gradient(p)
        if momentum != 0:
            b = g.copy() if t == 1 else momentum * b + (1 - dampening) * g
            g = b
        p = p - lr * g
        path.append(p.copy())
    return np.array(path)


@pytest.mark.parametrize(("momentum", "dampening"), [(0.0, 0.5), (0.0, 0.9), (0.7, 0.3), (0.0, 0.0)])
@pytest.mark.parametrize("copies", [1, 3])
def test_momentum_follows_torch_also_without_momentum(momentum, dampening, copies):
    function = make_function("rosenbrock")
    start, lr, steps = (-1.2, 1.0), 2e-4, 40

    def gradient(p):
        return function.gradient(np.asfortranarray(p[None, :]))[0]

    reference = torch_sgd_path(gradient, start, lr, momentum, dampening, steps)
    hypers = {"momentum": momentum, "dampening": dampening}
    batch = Batch(function, "momentum", [hypers] * copies, [lr] * copies, [start] * copies,
                  ScheduleSpec(), steps, 0.0)
    block = batch.advance(steps + 1)
    for run in range(copies):
        np.testing.assert_allclose(block.positions[1:, run, :], reference, rtol=1e-12, atol=1e-14)


def test_a_batch_mixing_momentum_and_none_treats_each_run_by_its_own_rule():
    function = make_function("rosenbrock")
    start, lr, steps = (-1.2, 1.0), 2e-4, 30
    settings = [{"momentum": 0.0, "dampening": 0.6}, {"momentum": 0.8, "dampening": 0.6}]
    batch = Batch(function, "momentum", settings, [lr, lr], [start, start], ScheduleSpec(), steps, 0.0)
    block = batch.advance(steps + 1)

    def gradient(p):
        return function.gradient(np.asfortranarray(p[None, :]))[0]

    for run, hypers in enumerate(settings):
        reference = torch_sgd_path(gradient, start, lr, hypers["momentum"], hypers["dampening"], steps)
        np.testing.assert_allclose(block.positions[1:, run, :], reference, rtol=1e-12, atol=1e-14)


def _verdict(lr: float, momentum: float, dampening: float) -> str:
    spec = ExperimentSpec(function="quadratic", start=(5.0,), steps=3000,  # L = w², λ = 2
                          runs=(RunSpec(lr, "momentum", (("dampening", dampening), ("momentum", momentum))),))
    return run_experiment(spec).runs[0].verdict


@pytest.mark.parametrize(("momentum", "dampening"), [(0.0, 0.5), (0.5, 0.5), (0.3, 0.0)])
def test_the_stable_limit_is_where_runs_start_to_diverge(momentum, dampening):
    limit = stability_limit("momentum", {"momentum": momentum, "dampening": dampening}, 2.0)
    assert _verdict(0.97 * limit, momentum, dampening) != "diverged"
    assert _verdict(1.03 * limit, momentum, dampening) == "diverged"


def test_without_momentum_the_limit_is_plain_gradient_descents():
    # on L = w² plain gradient descent diverges past α = 1; a dampened limit would say 2/(1 − τ)
    assert stability_limit("momentum", {"momentum": 0.0, "dampening": 0.5}, 2.0) == pytest.approx(1.0)
    assert _verdict(1.5, 0.0, 0.5) == "diverged"
    assert limit_formula("momentum", {"momentum": 0.0, "dampening": 0.5}) == "2/λmax"
