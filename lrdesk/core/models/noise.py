"""Minibatch noise: where a run's loss settles, and how far above the best loss that is.

A minibatch gradient is the full gradient plus noise whose size grows as the batch shrinks. With
a constant rate the parameters never come to rest: near the optimum every step still moves them
by about η times that noise, so the loss on the whole training set hovers at a **noise floor**
above its minimum (higher for a larger rate or a smaller batch). A decaying rate shrinks those
steps and lets the loss settle (Robbins and Monro's conditions: Σ η_t = ∞, Σ η_t² < ∞).

The floor here is measured, not modelled: the mean of the whole-training-set loss over the last
``SETTLED_FRACTION`` of a run's evaluations (one per epoch by default), where a run that still
falls has mostly finished falling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: the share of a run's evaluations, counted from its end, over which the floor is averaged
SETTLED_FRACTION = 0.5


@dataclass(frozen=True)
class NoiseFloor:
    """One run's settled loss: the floor, its spread and its last value, on the training set."""

    floor: float  # mean training loss over the settled stretch
    spread: float  # standard deviation over the same stretch
    final: float  # the last evaluation's training loss
    from_step: int  # the first step of the settled stretch
    evaluations: int  # how many evaluations were averaged


def noise_floor(evaluations, fraction: float = SETTLED_FRACTION) -> NoiseFloor | None:
    """The floor of a run from its evaluations (rows of step, train loss, ...); None if empty."""
    rows = [(int(e[0]), float(e[1])) for e in evaluations if e[1] is not None]
    if not rows:
        return None
    count = max(1, math.ceil(fraction * len(rows)))
    settled = np.array([loss for _, loss in rows[-count:]])
    return NoiseFloor(float(settled.mean()), float(settled.std()), rows[-1][1],
                      rows[-count][0], count)


def epochs_of(steps, per_epoch: int) -> np.ndarray:
    """Step numbers as epochs, so that runs with different batch sizes share one axis."""
    return np.asarray(steps, dtype=float) / max(1, per_epoch)
