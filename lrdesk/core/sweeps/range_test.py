"""The classic learning-rate range test, and how its suggestion compares with a full sweep.

The range test (Smith, 2017, "Cyclical Learning Rates for Training Neural Networks", §3.3;
fastai's ``lr_find``) is the cheap heuristic used when a full sweep is too expensive: one run
whose rate grows every step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lrdesk.core.engine.batch import Batch
from lrdesk.core.optim.schedules import ScheduleSpec
from lrdesk.core.surfaces import LossFunction

Array = np.ndarray

RANGE_TEST_NOTE = (
    "The range test is a rule of thumb, not a measurement. It tries each rate for a single "
    "step, starting from wherever the smaller rates before it left the point, so its curve mixes "
    "what a rate does with the path so far, and its suggestion moves when you change the number "
    "of steps or the range. It was made for training large networks, where running every rate "
    "in full costs too much. Here every rate can be run in full: the sweep shows what each rate "
    "really does over the whole budget."
)


@dataclass(frozen=True)
class RangeTestResult:
    """One run whose rate grows every step: ``losses[i]`` is the loss after the step at rate i."""

    learning_rates: Array
    losses: Array
    smoothed: Array
    stop_index: int | None  # the step at which the loss blew up (None: it never did)
    suggestion: float | None  # rate at the steepest fall of the smoothed loss
    note: str = RANGE_TEST_NOTE

    @property
    def stop_reason(self) -> str:
        if self.stop_index is None:
            return "reached the largest rate without the loss blowing up"
        return f"stopped at rate {self.learning_rates[self.stop_index]:.3g}: the loss blew up"


def range_test(
    function: LossFunction,
    start,
    optimizer: str,
    hypers: dict[str, float],
    lr_min: float,
    lr_max: float,
    steps: int = 100,
    smoothing: float = 0.98,
    blowup: float = 4.0,
) -> RangeTestResult:
    """Smith's range test as fastai's ``lr_find`` runs it.

    The rate grows geometrically from ``lr_min`` to ``lr_max`` over ``steps`` steps (an
    exponential schedule on one run). The loss is smoothed with an exponential moving average
    (factor ``smoothing``, bias-corrected); the test stops once the smoothed loss exceeds
    ``blowup`` times its best value, or the loss is no longer finite. The suggestion is the rate
    where the smoothed loss falls fastest against log(rate).
    """
    rates, losses = _growing_rate_run(function, start, optimizer, hypers, lr_min, lr_max, steps)
    smoothed = _debiased_average(losses, smoothing)
    stop = _blowup_index(losses, smoothed, blowup)
    end = len(losses) if stop is None else stop + 1
    suggestion = _steepest_fall(rates[: end - (stop is not None)], smoothed[: end - (stop is not None)])
    return RangeTestResult(rates[:end], losses[:end], smoothed[:end], stop, suggestion)


def _growing_rate_run(function, start, optimizer, hypers, lr_min, lr_max, steps):
    if not (0 < lr_min < lr_max and math.isfinite(lr_max)):
        raise ValueError("the range test needs 0 < smallest rate < largest rate")
    if steps < 2:
        raise ValueError("the range test needs at least 2 steps")
    gamma = (lr_max / lr_min) ** (1.0 / (steps - 1))
    if gamma > 10.0:
        raise ValueError("too few steps for this range: the rate may grow at most 10x per step")
    schedule = ScheduleSpec("exponential", (("gamma", gamma),))
    batch = Batch(function, optimizer, [hypers], [lr_min], [tuple(start)], schedule, steps, 0.0)
    rates, losses = [], []
    while not batch.done:
        block = batch.advance(256)
        last = int(block.last_row[0])
        rates.append(block.learning_rates[: last + 1, 0])
        losses.append(block.losses[: last + 1, 0])
    rate_of_step = np.concatenate(rates)
    loss_at_row = np.concatenate(losses)
    # pair the rate of step t with the loss after it (row t + 1)
    n = len(loss_at_row) - 1
    return rate_of_step[:n], loss_at_row[1:]


def _debiased_average(values: Array, beta: float) -> Array:
    out = np.empty_like(values)
    avg = 0.0
    for i, v in enumerate(values):
        avg = beta * avg + (1.0 - beta) * v
        out[i] = avg / (1.0 - beta ** (i + 1))
    return out


def _blowup_index(losses: Array, smoothed: Array, factor: float) -> int | None:
    with np.errstate(invalid="ignore"):
        best = np.minimum.accumulate(np.where(np.isfinite(smoothed), smoothed, np.inf))
        bad = ~np.isfinite(losses) | ~np.isfinite(smoothed) | (smoothed > factor * best)
    hits = np.nonzero(bad)[0]
    return int(hits[0]) if len(hits) else None


def _steepest_fall(rates: Array, smoothed: Array) -> float | None:
    if len(rates) < 3:
        return None
    slope = np.gradient(smoothed, np.log(rates))
    i = int(np.argmin(slope))
    return float(rates[i]) if slope[i] < 0 else None
