"""Learning-rate sweeps (every rate as a full run, in one batch) and the classic range test.

A sweep answers "which learning rate should I use?" by running each candidate rate from the same
start for the whole step budget, all of them together in one ``Batch``. The range test, the cheap
heuristic used when a full sweep is too expensive, is in ``range_test``; ``compare_range_test``
sets its suggestion beside a full sweep.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from lrdesk.core.engine.batch import CONVERGED, RUNNING, VERDICTS, Batch
from lrdesk.core.experiment.spec import ExperimentSpec
from lrdesk.core.limits import learning_rate_problem, learning_rates_problem
from lrdesk.core.optim.schedules import ScheduleSpec
from lrdesk.core.surfaces import LossFunction
from lrdesk.core.sweeps.range_test import (
    RANGE_TEST_NOTE,
    RangeTestResult,
    range_test,
)
from lrdesk.core.theory.stability import SweepTheory, sweep_theory

__all__ = [
    "BLOCK_RUN_STEPS",
    "MAX_RATES",
    "RANGE_TEST_NOTE",
    "BatchJob",
    "RangeTestResult",
    "Sweep",
    "SweepResult",
    "SweepSetup",
    "VerdictBand",
    "block_steps",
    "chunks",
    "compare_range_test",
    "current_losses",
    "drive",
    "iterate_sweep",
    "log_spaced_rates",
    "range_test",
    "sweep_learning_rates",
    "verdict_bands",
]

Array = np.ndarray

#: run-steps between two partial results: the caller hears back every few milliseconds, and the
#: partial result's fixed cost (a fresh copy of every run's outcome) stays a small share of the
#: work (measured in bench_sweep.py); the engine sizes its own cache-sized blocks inside
BLOCK_RUN_STEPS = 1_000_000
MAX_RATES = 1_000_000


def block_steps(runs: int, budget: int = BLOCK_RUN_STEPS) -> int:
    """Steps per block for ``runs`` runs at once."""
    return int(min(4096, max(1, budget // max(1, runs))))


def chunks(job: BatchJob, chunk_steps: int | None = None) -> Iterator:
    """Advance ``job`` to its end, yielding a fresh partial result after every chunk of steps.

    Without ``chunk_steps`` a chunk holds about ``BLOCK_RUN_STEPS`` run-steps of the runs still
    going, so chunks lengthen as runs end and partial results keep coming at a steady pace.
    """
    while not job.done:
        yield job.advance(chunk_steps or block_steps(job.batch.running))


def log_spaced_rates(low: float, high: float, count: int) -> Array:
    """``count`` rates from ``low`` to ``high``, evenly spaced on a log scale."""
    problem = learning_rate_problem(low) or learning_rate_problem(high)
    if problem is not None:
        raise ValueError(f"every learning rate {problem}")
    if count < 1 or count > MAX_RATES:
        raise ValueError(f"the number of rates must be from 1 to {MAX_RATES:,}")
    if count > 1 and not low < high:
        raise ValueError("the smallest rate must be below the largest")
    return np.geomspace(low, high, count) if count > 1 else np.array([low])


@dataclass(frozen=True)
class VerdictBand:
    """Consecutive rates (indices ``first``..``last``) that share one verdict code."""

    verdict: int  # a code into VERDICTS, or RUNNING (-1)
    first: int
    last: int
    low_edge: float  # geometric midpoint to the previous rate (or half a spacing out)
    high_edge: float

    @property
    def name(self) -> str:
        return VERDICTS[self.verdict] if self.verdict >= 0 else "running"


def verdict_bands(learning_rates: Array, verdicts: Array) -> list[VerdictBand]:
    """Contiguous ranges of (sorted) rates with the same verdict, with edges on a log scale."""
    rates = np.asarray(learning_rates, dtype=float)
    codes = np.asarray(verdicts)
    if len(rates) == 0:
        return []
    logs = np.log(rates)
    if len(rates) > 1:
        mids = 0.5 * (logs[1:] + logs[:-1])
        edges = np.concatenate(([2 * logs[0] - mids[0]], mids, [2 * logs[-1] - mids[-1]]))
    else:
        edges = np.array([logs[0] - 0.5, logs[0] + 0.5])
    edges = np.exp(edges)
    cuts = np.nonzero(codes[1:] != codes[:-1])[0] + 1
    starts = np.concatenate(([0], cuts))
    stops = np.concatenate((cuts, [len(codes)])) - 1
    return [
        VerdictBand(int(codes[a]), int(a), int(b), float(edges[a]), float(edges[b + 1]))
        for a, b in zip(starts, stops, strict=True)
    ]


@dataclass(frozen=True)
class SweepResult:
    """Every rate's outcome so far; arrays are fresh copies, never written again.

    While a run is still going its ``verdict`` is RUNNING (-1), ``verdict_step`` is −1 and
    ``final_loss`` is its current loss, so a partial result can be drawn as it fills in.
    """

    learning_rates: Array
    final_loss: Array
    verdict: Array
    verdict_step: Array
    oscillated: Array
    steps_done: int
    total_steps: int
    cancelled: bool = False

    @property
    def done(self) -> bool:
        return not self.cancelled and bool(np.all(self.verdict != RUNNING))

    @property
    def verdict_names(self) -> Array:
        names = np.array([*VERDICTS, "running"])
        return names[self.verdict]  # RUNNING (-1) picks the last name

    @property
    def steps_to_converge(self) -> Array:
        """The step at which each run converged; NaN for runs that did not."""
        return np.where(self.verdict == CONVERGED, self.verdict_step, np.nan).astype(float)

    def bands(self) -> list[VerdictBand]:
        return verdict_bands(self.learning_rates, self.verdict)

    def fastest(self) -> int | None:
        """Index of the converged rate that needed the fewest steps (the largest on ties)."""
        steps = self.steps_to_converge
        if not np.isfinite(steps).any():
            return None
        best = np.nanmin(steps)
        return int(np.nonzero(steps == best)[0][-1])

    def counts(self) -> dict[str, int]:
        names = self.verdict_names
        return {name: int(np.sum(names == name)) for name in (*VERDICTS, "running")}


class BatchJob:
    """A batch of full runs advanced block by block, keeping every run's loss of the moment.

    Subclasses say what a result is (``result()``), built from ``batch`` and ``losses_now()``.
    """

    def _begin(self, batch: Batch) -> None:
        self.batch = batch
        self._current_loss = batch.start_loss.copy()

    @property
    def done(self) -> bool:
        return self.batch.done

    def advance(self, steps: int):
        """Take up to ``steps`` more steps of every run; returns the fresh partial result."""
        self._current_loss = current_losses(self.batch, self.batch.advance(steps, record=False),
                                            self._current_loss)
        return self.result()

    def losses_now(self) -> Array:
        """Every run's final loss once it has ended, else its loss at the latest step."""
        running = self.batch.verdict == RUNNING
        return np.where(running, self._current_loss, self.batch.final_loss)


class Sweep(BatchJob):
    """One batch of full runs, one per learning rate, advanced block by block."""

    def __init__(
        self,
        function: LossFunction,
        start,
        optimizer: str,
        hypers: dict[str, float],
        learning_rates,
        steps: int,
        tolerance: float,
        schedule: ScheduleSpec | None = None,
    ) -> None:
        rates = np.asarray(learning_rates, dtype=float).reshape(-1)
        if len(rates) == 0 or len(rates) > MAX_RATES:
            raise ValueError(f"the number of rates must be from 1 to {MAX_RATES:,}")
        problem = learning_rates_problem(rates)
        if problem is not None:
            raise ValueError(f"every learning rate {problem}")
        self.learning_rates = rates
        K = len(rates)
        self._begin(Batch(
            function, optimizer, [hypers] * K, rates, [tuple(start)] * K,
            schedule or ScheduleSpec(), steps, tolerance,
        ))

    def result(self, cancelled: bool = False) -> SweepResult:
        b = self.batch
        return SweepResult(
            learning_rates=self.learning_rates.copy(),
            final_loss=self.losses_now(),
            verdict=b.verdict.copy(),
            verdict_step=b.verdict_step.copy(),
            oscillated=np.array(b.oscillated, dtype=bool),
            steps_done=min(b.t, b.steps),
            total_steps=b.steps,
            cancelled=cancelled,
        )


def current_losses(batch: Batch, block, previous: Array) -> Array:
    """Every run's loss now (its final loss once it has ended), as a fresh array."""
    latest = getattr(batch, "latest_loss", None)
    if latest is not None:
        return np.array(latest, dtype=float)
    if block is not None and block.losses.shape[-1] == len(previous):
        return np.array(block.losses[-1], dtype=float)
    return previous


def iterate_sweep(sweep: Sweep, chunk_steps: int | None = None) -> Iterator[SweepResult]:
    """Yield a fresh partial result after every block, the complete one last."""
    return chunks(sweep, chunk_steps)


def sweep_learning_rates(
    function: LossFunction,
    start,
    optimizer: str,
    hypers: dict[str, float],
    learning_rates,
    steps: int,
    tolerance: float,
    schedule: ScheduleSpec | None = None,
    chunk_steps: int | None = None,
    progress: Callable[[SweepResult], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> SweepResult:
    """Run every learning rate as a full run, in ONE batch.

    ``progress(partial)`` is called after every block with a fresh partial result; ``cancel()``
    is asked before every block, and a cancelled sweep returns what it has (``cancelled=True``).
    """
    sweep = Sweep(function, start, optimizer, hypers, learning_rates, steps, tolerance, schedule)
    return drive(iterate_sweep(sweep, chunk_steps), sweep.result, progress, cancel)


def drive(parts: Iterator, final: Callable, progress=None, cancel=None):
    """Consume a generator of partial results, reporting and honouring cancel between parts."""
    result = None
    while True:
        if cancel is not None and cancel():
            return final(cancelled=True)
        try:
            result = next(parts)
        except StopIteration:
            break
        if progress is not None:
            progress(result)
    return result if result is not None else final()


@dataclass(frozen=True)
class SweepSetup:
    """What a sweep of ``spec``'s run ``run_index`` uses: function, start, optimizer, settings."""

    function: LossFunction
    start: tuple[float, ...]
    optimizer: str
    hypers: dict[str, float] = field(default_factory=dict)
    steps: int = 100
    tolerance: float = 1e-6
    schedule: ScheduleSpec = field(default_factory=ScheduleSpec)

    @classmethod
    def from_spec(cls, spec: ExperimentSpec, run_index: int = 0) -> SweepSetup:
        function = spec.validate()
        run = spec.runs[min(max(run_index, 0), len(spec.runs) - 1)]
        return cls(
            function, spec.start_of(run), run.optimizer, run.hyper_dict(), spec.steps,
            spec.tolerance, spec.schedule_of(run),
        )

    def sweep(self, learning_rates) -> Sweep:
        return Sweep(
            self.function, self.start, self.optimizer, self.hypers, learning_rates,
            self.steps, self.tolerance, self.schedule,
        )

    def theory(self) -> SweepTheory:
        return sweep_theory(self.function, self.start, self.optimizer, self.hypers, self.schedule)


def compare_range_test(test: RangeTestResult, sweep: SweepResult, theory: SweepTheory) -> str:
    """A few plain sentences setting the range test's suggestion beside the full sweep."""
    parts = []
    s = test.suggestion
    if s is None:
        parts.append("The range test found no rate where the loss fell: it makes no suggestion.")
    else:
        parts.append(f"The range test suggests {s:.3g}, where its loss fell fastest.")
        i = int(np.argmin(np.abs(np.log(sweep.learning_rates) - math.log(s))))
        inside = sweep.learning_rates[0] <= s <= sweep.learning_rates[-1]
        if inside and sweep.verdict[i] >= 0:
            parts.append(
                f"Run in full from the start, a rate that close ({sweep.learning_rates[i]:.3g}) "
                f"ended {VERDICTS[sweep.verdict[i]]}."
            )
    best = sweep.fastest()
    if best is not None:
        parts.append(
            f"In the full sweep, {sweep.learning_rates[best]:.3g} converged fastest "
            f"({int(sweep.verdict_step[best])} steps)."
        )
    elif np.isfinite(sweep.final_loss).any():
        j = int(np.nanargmin(np.where(np.isfinite(sweep.final_loss), sweep.final_loss, np.nan)))
        parts.append(
            f"No rate converged within the budget; the lowest final loss was at "
            f"{sweep.learning_rates[j]:.3g}."
        )
    for line in theory.lines[:1]:
        if s is not None and s > line.learning_rate:
            parts.append(f"The suggestion is above the {line.label} ({line.learning_rate:.3g}).")
    return " ".join(parts)
