"""Running a whole experiment spec: runs grouped by optimizer into batches, advanced in chunks.

``Simulation`` is what both the command line and the GUI's worker drive: ``advance(n)`` takes up
to ``n`` steps of every live run and returns a ``Chunk`` of fresh arrays (recorded rows and the
verdicts reached), so a caller can draw the run while it is being computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lrdesk.core.engine.batch import RUNNING, VERDICTS, Batch
from lrdesk.core.engine.reasons import criterion_name
from lrdesk.core.experiment.history import RunHistory, RunRows
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.core.surfaces import LossFunction
from lrdesk.core.theory.hessian import Theory, local_theory

#: up to this many runs, each gets its own batch (see ``Simulation._grouping``)
SOLO_RUNS = 16


@dataclass(frozen=True)
class RunEvent:
    """How run ``run`` ended: its verdict, reached at ``step``, and the losses around it.

    The one record of a run's end: chunks carry it as it happens, a ``RunResult`` holds it, and
    lessons quote it (``verdict_step``).
    """

    run: int
    verdict: str
    step: int
    oscillated: bool
    start_loss: float
    final_loss: float
    final_grad_norm: float
    #: which test decided the verdict (``lrdesk.core.engine.reasons.CRITERIA``)
    criterion: str = ""

    @property
    def verdict_step(self) -> int:
        """The step of the verdict (``step``, by the name lesson texts use)."""
        return self.step


@dataclass
class Chunk:
    rows: list[RunRows]
    events: list[RunEvent]
    step: int  # steps completed by the slowest live run
    total_steps: int
    done: bool


def _end_field(name: str) -> property:
    return property(lambda result: getattr(result.end, name), doc=f"``end.{name}``")


@dataclass
class RunResult:
    """Run ``index`` of an experiment, ended: its spec, how it ended, its rows (if kept)."""

    index: int
    spec: RunSpec
    end: RunEvent
    history: RunHistory | None = None

    verdict = _end_field("verdict")
    verdict_step = _end_field("step")
    oscillated = _end_field("oscillated")
    start_loss = _end_field("start_loss")
    final_loss = _end_field("final_loss")
    final_grad_norm = _end_field("final_grad_norm")
    criterion = _end_field("criterion")


@dataclass
class ExperimentResult:
    spec: ExperimentSpec
    function: LossFunction
    theory: Theory
    runs: list[RunResult] = field(default_factory=list)


class Simulation:
    """All runs of one spec, advanced together chunk by chunk."""

    def __init__(self, spec: ExperimentSpec, keep_history: bool = True) -> None:
        self.spec = spec
        self.function = spec.validate()
        self.theory = local_theory(self.function, spec.start)
        self._groups: list[tuple[list[int], Batch]] = []
        for members in self._grouping():
            runs = [spec.runs[i] for i in members]
            batch = Batch(
                self.function,
                runs[0].optimizer,
                [r.hyper_dict() for r in runs],
                [r.learning_rate for r in runs],
                [spec.start_of(r) for r in runs],
                spec.schedule_of(runs[0]),  # a batch's runs share one (see _grouping)
                spec.steps,
                spec.tolerance,
            )
            self._groups.append((members, batch))
        self.histories = [RunHistory() for _ in spec.runs] if keep_history else None
        self.events: dict[int, RunEvent] = {}

    def _grouping(self) -> list[list[int]]:
        """Run indices batched together: one batch per optimizer and schedule, or one per run
        when few.

        A run alone is stepped on plain floats, several times faster than NumPy on a handful
        of points, and with the very same numbers; past ``SOLO_RUNS`` runs one array batch wins.
        """
        spec = self.spec
        if len(spec.runs) <= SOLO_RUNS and self.function.scalar_value_and_gradient() is not None:
            return [[i] for i in range(len(spec.runs))]
        by_kind: dict[tuple, list[int]] = {}
        for i, run in enumerate(spec.runs):
            by_kind.setdefault((run.optimizer, spec.schedule_of(run)), []).append(i)
        return list(by_kind.values())

    @property
    def done(self) -> bool:
        return all(batch.done for _, batch in self._groups)

    @property
    def step(self) -> int:
        """Steps completed by the slowest run still going (the budget once all have ended)."""
        going = [min(b.t, b.steps) for _, b in self._groups if not b.done]
        return min(going, default=self.spec.steps)

    def advance(self, max_steps: int) -> Chunk:
        rows: list[RunRows] = []
        events: list[RunEvent] = []
        for members, batch in self._groups:
            block = batch.advance(max_steps)
            if block is None:
                continue
            event_steps = {(run, step) for run, _, step in block.events}
            for local, run_index in enumerate(members):
                last = block.last_row[local]
                if last < 0:
                    continue
                sl = slice(0, last + 1)
                steps = block.steps[sl]
                pinned = np.zeros(len(steps), dtype=bool)
                if (local, int(steps[-1])) in event_steps:
                    pinned[-1] = True
                r = RunRows(
                    run_index,
                    steps.copy(),
                    block.positions[sl, local].copy(),
                    block.losses[sl, local].copy(),
                    block.gradients[sl, local].copy(),
                    block.learning_rates[sl, local].copy(),
                    block.updates[sl, local].copy(),
                    {k: v[sl, local].copy() for k, v in block.state.items()},
                    pinned,
                )
                if self.histories is not None:
                    r = self.histories[run_index].append(r)
                rows.append(r)
            for local, verdict, step in block.events:
                ev = RunEvent(
                    members[local],
                    VERDICTS[verdict],
                    step,
                    bool(batch.oscillated[local]),
                    float(batch.start_loss[local]),
                    float(batch.final_loss[local]),
                    float(batch.final_grad_norm[local]),
                    criterion_name(int(batch.criterion[local])),
                )
                self.events[ev.run] = ev
                events.append(ev)
        return Chunk(rows, events, self.step, self.spec.steps, self.done)

    def run_to_end(self, chunk_steps: int = 4096, progress=None) -> ExperimentResult:
        while not self.done:
            chunk = self.advance(chunk_steps)
            if progress is not None:
                progress(chunk.step, chunk.total_steps)
        return self.result()

    def result(self) -> ExperimentResult:
        out = ExperimentResult(self.spec, self.function, self.theory)
        for members, batch in self._groups:
            for local, i in enumerate(members):
                if batch.verdict[local] == RUNNING:
                    continue
                out.runs.append(
                    RunResult(
                        i,
                        self.spec.runs[i],
                        RunEvent(
                            i,
                            VERDICTS[batch.verdict[local]],
                            int(batch.verdict_step[local]),
                            bool(batch.oscillated[local]),
                            float(batch.start_loss[local]),
                            float(batch.final_loss[local]),
                            float(batch.final_grad_norm[local]),
                            criterion_name(int(batch.criterion[local])),
                        ),
                        self.histories[i] if self.histories is not None else None,
                    )
                )
        out.runs.sort(key=lambda r: r.index)
        return out


def run_experiment(spec: ExperimentSpec) -> ExperimentResult:
    """Run every run of ``spec`` to its verdict."""
    return Simulation(spec).run_to_end()
