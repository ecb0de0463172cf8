"""Edits the window makes to an experiment spec, each returning a new frozen spec (no Qt here).

Learning rates worth showing depend on the surface: a rate that crawls on a parabola blows up
on the Rosenbrock valley. So switching the function picks new rates from its stability limit
(2/λmax, see ``lrdesk.core.theory.hessian``): some too small, one suitable, one too large.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.core.functions import CUSTOM, make_function
from lrdesk.core.limits import MAX_LEARNING_RATE
from lrdesk.core.surfaces import LossFunction
from lrdesk.core.theory.hessian import local_theory, lr_range, nearest_minimum
from lrdesk.core.theory.stability import largest_curvature, stability_limit

MAX_RUNS = 8
#: fractions of the stable limit, in the order runs get them: too small, suitable, too large...
RATE_FRACTIONS = (0.02, 0.5, 1.1, 0.1, 0.9, 0.005, 0.25, 1.5)
#: where the theory knows no limit, the suggested range's top stands in for it
FALLBACK_LIMIT_SHARE = 0.5
#: the smallest rate suggested: a steep surface's fractions never round down to zero
MIN_SUGGESTED_RATE = 1e-12


def stable_limit_guess(function: LossFunction, start: tuple[float, ...]) -> float:
    """2/λmax near the start's minimum, or a guess from the function's suggested range."""
    limit = local_theory(function, start).lr_max_stable
    if limit is not None and getattr(function, "key", None) == CUSTOM:
        # a typed curve may be far steeper at the start than at its minimum: no suggested
        # rate should throw the run out at its first step
        steep = largest_curvature(function, np.array([start], dtype=float))[0]
        if np.isfinite(steep) and steep > 0:
            limit = min(limit, 2.0 / steep)
    if limit is not None:
        return limit
    return lr_range(function)[1] * FALLBACK_LIMIT_SHARE


def nice(value: float) -> float:
    """Round a rate to two significant digits, so it reads well on a projector."""
    return float(f"{value:.2g}")


def suggested_rates(function: LossFunction, start: tuple[float, ...], count: int) -> list[float]:
    """Rates at fractions of the stable limit, each held to the cap every spec obeys (a nearly
    flat function, such as 1e-7·w², has a limit far above it)."""
    limit = stable_limit_guess(function, start)
    if not math.isfinite(limit) or limit <= 0:
        limit = 1.0
    fractions = [RATE_FRACTIONS[i % len(RATE_FRACTIONS)] for i in range(count)]
    # scaled down together (not each cut at the cap), so that the runs keep distinct rates
    limit = min(limit, MAX_LEARNING_RATE / max(fractions, default=1.0))
    return [_capped(nice(limit * fraction)) for fraction in fractions]


def _capped(rate: float) -> float:
    return min(max(rate, MIN_SUGGESTED_RATE), MAX_LEARNING_RATE)


#: optimizers whose steps are rescaled by the gradient's history: about α long whatever the slope
ADAPTIVE = frozenset({"adagrad", "rmsprop", "adam"})
#: for them the distance to cover stands in for the limit: α = this share of it is "suitable"
ADAPTIVE_LIMIT_SHARE = 0.1


def optimizer_scale(function: LossFunction, start: tuple[float, ...], run: RunSpec) -> float:
    """How much larger than plain descent's this run's suggested rates are (1 for plain descent).

    Momentum μ (dampening τ) and Nesterov: their limit over 2/λmax, 2(1+μ)/(1−τ) and
    2(1+μ)/(1+2μ) ÷ 2 (``stability_limit``). Adaptive methods: a share of the distance from the
    start to the nearest minimum over 2/λmax, since their steps are about α long.
    """
    theory = local_theory(function, start)
    plain = stable_limit_guess(function, start)
    if run.optimizer in ADAPTIVE:
        point = nearest_minimum(function, start)
        distance = float(np.linalg.norm(np.subtract(point, start))) if point is not None else 1.0
        distance = distance if math.isfinite(distance) and distance > 0 else 1.0
        return ADAPTIVE_LIMIT_SHARE * distance / plain
    limit = stability_limit(run.optimizer, run.hyper_dict(), theory.lambda_max)
    if limit is None or theory.lr_max_stable is None:
        return 1.0
    return limit / theory.lr_max_stable


def switch_function(spec: ExperimentSpec, key: str, expression: str = "") -> ExperimentSpec:
    """The same runs (count and optimizers) on another surface, from its default start.

    Raises whatever ``make_function`` raises for a function that cannot be built.
    """
    function = make_function(key, {}, expression)
    start = tuple(float(v) for v in function.default_start())
    rates = suggested_rates(function, start, len(spec.runs))
    runs = tuple(
        replace(run, learning_rate=_capped(nice(rate * optimizer_scale(function, start, run))),
                start=None)
        for run, rate in zip(spec.runs, rates, strict=True)
    )
    return replace(
        spec, function=key, function_params=(), expression=expression, start=start, runs=runs
    )


def set_start(spec: ExperimentSpec, start: tuple[float, ...]) -> ExperimentSpec:
    """Every run starts from ``start`` (runs with a start of their own follow it too)."""
    runs = tuple(replace(run, start=None) for run in spec.runs)
    return replace(spec, start=tuple(float(v) for v in start), runs=runs)


def replace_run(spec: ExperimentSpec, index: int, run: RunSpec) -> ExperimentSpec:
    runs = list(spec.runs)
    runs[index] = run
    return spec.with_runs(runs)


def add_run(spec: ExperimentSpec, run: RunSpec) -> ExperimentSpec:
    if len(spec.runs) >= MAX_RUNS:
        raise ValueError(f"at most {MAX_RUNS} runs at once")
    return spec.with_runs([*spec.runs, run])


def duplicate_run(spec: ExperimentSpec, index: int) -> ExperimentSpec:
    return add_run(spec, spec.runs[index])


def remove_run(spec: ExperimentSpec, index: int) -> ExperimentSpec:
    if len(spec.runs) <= 1:
        raise ValueError("an experiment needs at least one run")
    return spec.with_runs(run for i, run in enumerate(spec.runs) if i != index)


def next_run(spec: ExperimentSpec, function: LossFunction, template: RunSpec | None) -> RunSpec:
    """A run worth adding: the template's optimizer with the first suggested rate not in use."""
    used = {run.learning_rate for run in spec.runs}
    scale = optimizer_scale(function, spec.start, template) if template is not None else 1.0
    candidates = [_capped(nice(r * scale))
                  for r in suggested_rates(function, spec.start, len(RATE_FRACTIONS))]
    rate = next((r for r in candidates if r not in used), candidates[1])
    if template is None:
        return RunSpec(rate)
    return replace(template, learning_rate=rate, start=None)
