"""Finding a learning rate for a model: a full sweep, fastai's range test, a rate × batch-size map.

- ``rate_sweep``: every rate trained in full (the experiment's first run, at each rate), batched;
- ``range_test``: fastai's ``lr_find`` (Smith, 2017): one run whose rate grows geometrically from
  ``lr_min`` to ``lr_max`` over ``steps`` steps, ``lr_t = lr_min·(lr_max/lr_min)^(t/(steps−1))``,
  each step on the next minibatch. As fastai's recorder does, step t's rate is paired with the
  loss of step t's batch (computed before that step's update), smoothed by a debiased moving
  average (β = 0.98); the test stops once the smoothed loss exceeds 4 times its best, or is not
  finite. Suggestions, on the curve without its first tenth and last five points (as ``lr_find``
  trims it): ``valley`` (fastai's longest-descent rule), ``steep`` (the steepest fall of loss
  against log rate), ``minimum`` (the rate of the lowest smoothed loss, divided by 10);
- ``rate_batch_map``: a grid of learning rate × batch size, each cell a full run; by epochs so that
  every cell sees the data the same number of times.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from lrdesk.core.models.spec import MAX_MODEL_RUNS, ModelExperiment
from lrdesk.core.models.training import Trainer
from lrdesk.core.optim.schedules import ScheduleSpec

Array = np.ndarray


@dataclass(frozen=True)
class SweepResult:
    learning_rates: Array
    batch_sizes: list[int | None]
    verdicts: list[str]
    verdict_steps: Array
    final_train_loss: Array
    best_train_loss: Array
    test_loss: Array  # at the last evaluation (NaN without test rows)
    test_accuracy: Array


def _trained(spec: ModelExperiment, runs, cancelled=None, progress=None
             ) -> list[tuple[Trainer, int]]:
    """Train ``runs`` in batches of at most MAX_MODEL_RUNS; (trainer, index) per run.

    ``progress(fraction)`` (0 to 1) after each chunk of steps, if given."""
    out = []
    batches = max(1, -(-len(runs) // MAX_MODEL_RUNS))
    for number, first in enumerate(range(0, len(runs), MAX_MODEL_RUNS)):
        if cancelled is not None and cancelled():
            break
        trainer = Trainer(spec.with_runs(runs[first:first + MAX_MODEL_RUNS]))
        report = None if progress is None else (
            lambda done, total, n=number: progress((n + done / total) / batches))
        trainer.run_to_end(progress=report, cancelled=cancelled)
        out += [(trainer, k) for k in range(trainer.K)]
    return out


def _collect(pairs, rates, sizes) -> SweepResult:
    verdicts, steps, final, best, test, acc = [], [], [], [], [], []
    for trainer, k in pairs:
        verdicts.append(trainer.verdict_names()[k])
        stop = int(trainer.verdict_step[k])
        steps.append(stop)
        losses = trainer.train_loss[: stop + 1, k]
        final.append(losses[-1] if len(losses) else np.nan)
        finite = losses[np.isfinite(losses)]
        best.append(finite.min() if len(finite) else np.nan)
        last = trainer.evaluations[k][-1] if trainer.evaluations[k] else None
        test.append(np.nan if last is None or last[3] is None else last[3])
        acc.append(np.nan if last is None or last[4] is None else last[4])
    return SweepResult(np.asarray(rates, float), list(sizes), verdicts, np.array(steps),
                       np.array(final), np.array(best), np.array(test), np.array(acc))


def rate_sweep(spec: ModelExperiment, learning_rates, cancelled=None,
               progress=None) -> SweepResult:
    """Each rate trained in full with the settings of the experiment's first run."""
    base = spec.runs[0]
    rates = [float(r) for r in learning_rates]
    runs = [replace(base, learning_rate=r) for r in rates]
    return _collect(_trained(spec, runs, cancelled, progress), rates,
                    [base.batch_size] * len(rates))


def rate_batch_map(spec: ModelExperiment, learning_rates, batch_sizes, cancelled=None,
                   progress=None):
    """Verdicts and losses over learning rate × batch size; arrays shaped (sizes, rates)."""
    base = spec.runs[0]
    rates = [float(r) for r in learning_rates]
    sizes = list(batch_sizes)
    runs = [replace(base, learning_rate=r, batch_size=b) for b in sizes for r in rates]
    result = _collect(_trained(spec, runs, cancelled, progress), rates * len(sizes),
                      [b for b in sizes for _ in rates])
    shape = (len(sizes), len(rates))
    n = len(result.verdicts)
    if n < len(runs):  # cancelled: what was done, the rest left out
        return result
    return SweepResult(np.asarray(rates), sizes, [result.verdicts[i:i + len(rates)]
                                                  for i in range(0, n, len(rates))],
                       result.verdict_steps.reshape(shape), result.final_train_loss.reshape(shape),
                       result.best_train_loss.reshape(shape), result.test_loss.reshape(shape),
                       result.test_accuracy.reshape(shape))


@dataclass(frozen=True)
class RangeTest:
    learning_rates: Array
    losses: Array
    smoothed: Array
    stopped_at: int | None  # the step at which the smoothed loss blew up (None: it never did)
    valley: float | None
    steep: float | None
    minimum: float | None  # the lowest smoothed loss's rate divided by 10


def range_test(spec: ModelExperiment, lr_min: float = 1e-7, lr_max: float = 10.0,
               steps: int = 100, beta: float = 0.98, blowup: float = 4.0,
               cancelled=None, progress=None) -> RangeTest:
    """fastai's ``lr_find`` on the experiment's first run (see the module docstring)."""
    if not (0 < lr_min < lr_max and math.isfinite(lr_max)) or steps < 10:
        raise ValueError("the range test needs 0 < smallest rate < largest rate and 10+ steps")
    gamma = (lr_max / lr_min) ** (1.0 / (steps - 1))
    run = replace(spec.runs[0], learning_rate=lr_min)
    trial = replace(spec, runs=(run,), steps=steps - 1, epochs=None, tolerance=0.0,
                    sharpness_every=0, schedule=ScheduleSpec("exponential", (("gamma", gamma),)))
    trainer = Trainer(trial)
    rates = lr_min * gamma ** np.arange(steps)
    losses, smoothed = [], []
    average, best = 0.0, math.inf
    stopped = None
    while not trainer.done and stopped is None:
        if cancelled is not None and cancelled():
            break
        chunk = trainer.advance(1)
        if progress is not None:
            progress(len(losses) + 1, steps)
        for loss in chunk.train_loss[:, 0]:
            t = len(losses)
            average = beta * average + (1 - beta) * loss
            value = average / (1 - beta ** (t + 1))
            losses.append(float(loss))
            smoothed.append(float(value))
            best = min(best, value)
            if not math.isfinite(value) or value > blowup * best:
                stopped = t
                break
    n = len(losses)
    lrs, sm = rates[:n], np.array(smoothed)
    valley, steep, minimum = _suggestions(lrs, sm)
    return RangeTest(lrs, np.array(losses), sm, stopped, valley, steep, minimum)


def _suggestions(lrs: Array, smoothed: Array):
    """fastai's three suggestions on the trimmed curve (first tenth and last five points off)."""
    count = len(lrs)
    lo, hi = count // 10, count - 5
    if hi - lo < 3:
        return None, None, None
    lrs, losses = lrs[lo:hi], smoothed[lo:hi]
    keep = np.isfinite(losses)
    lrs, losses = lrs[keep], losses[keep]
    if len(lrs) < 3:
        return None, None, None
    minimum = float(lrs[int(np.argmin(losses))] / 10)
    slopes = (losses[1:] - losses[:-1]) / (np.log(lrs[1:]) - np.log(lrs[:-1]))
    steep = float(lrs[int(np.argmin(slopes))])
    return _valley(lrs, losses), steep, minimum


def _valley(lrs: Array, losses: Array) -> float:
    """fastai's ``valley``: about half-way into the longest falling stretch of the curve.

    The longest decreasing subsequence ending at each point (fastai's ``lds``); with the longest
    one spanning ``start..end`` the suggestion is the rate at start + ⌊s⌋ + ⌊s/2⌋, where
    s = (end − start)/3 (fastai's ``int(sections) + int(sections / 2)``).
    """
    n = len(losses)
    lds = [1] * n
    max_start = max_end = 0
    for i in range(1, n):
        for j in range(i):
            if losses[i] < losses[j] and lds[i] < lds[j] + 1:
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    return float(lrs[max_start + int(sections) + int(sections / 2)])
