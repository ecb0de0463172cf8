"""How big a step is for the local curvature: α·λmax classes per path segment, and rate limits.

On a quadratic with Hessian eigenvalues λᵢ, plain gradient descent multiplies each eigen-component
by (1 − α·λᵢ) per step (Nocedal & Wright, *Numerical Optimization*, §3.3). So along a path the
product α·λmax of the Hessian at each point says what the step does there:

- class 0, α·λmax < 1: the step stays on the near side of the valley floor (monotone approach);
- class 1, 1 ≤ α·λmax < 2: it overshoots but still shrinks (zig-zag towards the floor);
- class 2, α·λmax ≥ 2: it overshoots by more than it started with: locally too big.

Where the curvature is zero or negative (a ridge, a saddle's downhill direction) no step size is
"too big" for that direction, so those points are class 0.

``stability_limit`` gives the largest stable base rate for the optimizers whose limit on a
quadratic is known in closed form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrdesk.core.surfaces import LossFunction
from lrdesk.core.theory.hessian import local_theory

Array = np.ndarray

BELOW_ONE, ONE_TO_TWO, ABOVE_TWO = 0, 1, 2


def largest_curvature(function: LossFunction, positions: Array) -> Array:
    """λmax of the Hessian at each point (n,); NaN where the Hessian is not finite."""
    P = np.asfortranarray(np.asarray(positions, dtype=float).reshape(-1, function.dim))
    out = np.full(P.shape[0], np.nan)
    finite_points = np.all(np.isfinite(P), axis=1)
    if not finite_points.any():
        return out
    with np.errstate(all="ignore"):
        H = function.hessian(np.asfortranarray(P[finite_points]))
    good = np.all(np.isfinite(H.reshape(H.shape[0], -1)), axis=1)
    lam = np.full(H.shape[0], np.nan)
    if good.any():
        Hs = H[good]
        lam[good] = np.linalg.eigvalsh(0.5 * (Hs + np.swapaxes(Hs, 1, 2)))[:, -1]
    out[finite_points] = lam
    return out


def stability_classes(function: LossFunction, positions: Array, learning_rates: Array) -> Array:
    """Class 0, 1 or 2 (see the module notes) of each segment, as an int8 array (n,).

    ``positions[s]`` is where segment s starts and ``learning_rates[s]`` the rate of the step
    taken there (a run's recorded rows). A row with no step (NaN rate, the final point) is class
    0. A point whose curvature cannot be computed (the path ran off to infinity) while a step was
    taken is class 2: only a step far too big gets there.
    """
    rates = np.asarray(learning_rates, dtype=float).reshape(-1)
    lam = largest_curvature(function, positions)
    with np.errstate(all="ignore"):
        product = rates * np.maximum(lam, 0.0)
    classes = np.zeros(rates.shape[0], dtype=np.int8)
    classes[product >= 1.0] = ONE_TO_TWO
    classes[product >= 2.0] = ABOVE_TWO
    stepped = np.isfinite(rates) & (rates > 0)
    classes[stepped & np.isnan(lam)] = ABOVE_TWO
    return classes


def stability_limit(optimizer: str, hypers: dict[str, float], lambda_max: float | None) -> float | None:
    """Largest stable constant base rate on a quadratic whose largest curvature is λmax.

    - gradient descent: α < 2/λmax;
    - heavy-ball momentum μ with dampening τ (torch's SGD): α < 2(1 + μ)/((1 − τ)·λmax)
      (Polyak, 1964; the dampening scales the gradient that enters the buffer);
    - Nesterov momentum μ (torch's SGD, nesterov=True): α < 2(1 + μ)/((1 + 2μ)·λmax), from the
      characteristic polynomial z² − (1 + μ − h(1 + μ))z + μ(1 − h) of the update, h = α·λ.

    Adaptive methods rescale the step by the gradient's history, so no such limit holds: None.
    """
    if lambda_max is None or not np.isfinite(lambda_max) or lambda_max <= 0:
        return None
    if optimizer == "sgd":
        return 2.0 / lambda_max
    if optimizer == "momentum":
        mu, damp = hypers.get("momentum", 0.9), hypers.get("dampening", 0.0)
        if mu == 0.0:  # torch skips the buffer (and so the dampening): plain gradient descent
            return 2.0 / lambda_max
        return 2.0 * (1.0 + mu) / ((1.0 - damp) * lambda_max) if damp < 1.0 else None
    if optimizer == "nesterov":
        mu = hypers.get("momentum", 0.9)
        return 2.0 * (1.0 + mu) / ((1.0 + 2.0 * mu) * lambda_max)
    return None


def limit_formula(optimizer: str, hypers: dict[str, float] | None = None) -> str | None:
    """The stability limit written out, for labels."""
    hypers = hypers or {}
    if optimizer == "momentum" and hypers.get("momentum", 0.9) == 0.0:
        return "2/λmax"  # no buffer without momentum
    if optimizer == "momentum" and hypers.get("dampening", 0.0) > 0.0:
        return "2(1+μ)/((1−τ)λmax)"
    return {
        "sgd": "2/λmax",
        "momentum": "2(1+μ)/λmax",
        "nesterov": "2(1+μ)/((1+2μ)λmax)",
    }.get(optimizer)


@dataclass(frozen=True)
class TheoryLine:
    """A learning rate that theory singles out, with a plain label."""

    label: str
    learning_rate: float


@dataclass(frozen=True)
class SweepTheory:
    lines: tuple[TheoryLine, ...]
    note: str


def sweep_theory(
    function: LossFunction, start, optimizer: str, hypers: dict[str, float], schedule=None
) -> SweepTheory:
    """The stability limit (and, for plain gradient descent, the fastest rate) where known."""
    theory = local_theory(function, start)
    limit = stability_limit(optimizer, hypers, theory.lambda_max)
    lines = []
    if limit is not None:
        lines.append(TheoryLine(f"stable limit {limit_formula(optimizer, hypers)}", limit))
    if optimizer == "sgd" and theory.lr_optimal is not None:
        lines.append(TheoryLine("fastest rate 2/(λmin+λmax)", theory.lr_optimal))
    if not lines:
        note = (
            "No theory line: this optimizer rescales its steps as it goes."
            if theory.lambda_max
            else f"No theory line: {theory.note}."
        )
    else:
        note = f"Theory is {theory.note}."
        if schedule is not None and (schedule.kind != "constant" or schedule.warmup_steps):
            note += " The lines are for a constant rate; the schedule changes it."
    return SweepTheory(tuple(lines), note)
