"""Recorded paths with bounded memory, and whole experiments run chunk by chunk."""

from __future__ import annotations

import numpy as np
import pytest

from lrdesk.core.experiment.history import RunHistory, RunRows
from lrdesk.core.experiment.simulation import Simulation, run_experiment
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.core.optim.schedules import ScheduleSpec


def _rows(first: int, count: int, pinned_step: int | None = None) -> RunRows:
    steps = np.arange(first, first + count)
    as_float = steps.astype(float)
    return RunRows(
        run=0,
        steps=steps,
        positions=as_float[:, None] * 2.0,
        losses=as_float,
        gradients=-as_float[:, None],
        learning_rates=np.full(count, 0.1),
        updates=np.ones((count, 1)),
        state={"buffer": as_float[:, None] + 0.5},
        pinned=None if pinned_step is None else steps == pinned_step,
    )


def test_ten_million_steps_keep_a_bounded_history():
    history = RunHistory(keep_first=2000, capacity=8000)
    chunk, total, event = 50_000, 10_000_000, 7_777_777
    for first in range(0, total, chunk):
        history.append(_rows(first, chunk, pinned_step=event))
    assert len(history) <= 2000 + 8000 + 1
    steps = history.steps
    assert np.all(np.diff(steps) > 0)
    assert steps[:2000].tolist() == list(range(2000))  # the start in full
    assert event in steps  # the verdict step is never thinned out
    assert steps[-1] >= total - history.stride
    # every field stays with its step
    assert np.array_equal(history.losses, steps.astype(float))
    assert np.array_equal(history.positions[:, 0], 2.0 * steps)
    assert np.array_equal(history.state["buffer"][:, 0], steps + 0.5)
    thinned = np.diff(steps[2000:])
    assert thinned.max() <= 2 * history.stride


def test_row_at_or_before():
    history = RunHistory(keep_first=10, capacity=20)
    for first in range(0, 1000, 100):
        history.append(_rows(first, 100))
    steps = history.steps
    for target in (0, 9, 10, 11, 555, 999, 5000):
        i = history.row_at_or_before(target)
        assert steps[i] <= target and (i == len(steps) - 1 or steps[i + 1] > target)
    assert history.row_at_or_before(-1) == -1


def test_append_returns_the_rows_it_kept():
    history = RunHistory(keep_first=4, capacity=1000)
    history.stride = 4
    kept = history.append(_rows(0, 12))
    assert kept.steps.tolist() == [0, 1, 2, 3, 4, 8]
    assert np.array_equal(history.steps, kept.steps)


def _spec(**changes) -> ExperimentSpec:
    base = ExperimentSpec(
        function="quadratic", start=(5.0,),
        runs=(RunSpec(0.01), RunSpec(0.3), RunSpec(1.5), RunSpec(0.3, "momentum")),
        steps=200,
    )
    return base if not changes else ExperimentSpec(**{**base.__dict__, **changes})


def test_simulation_reports_every_verdict_once_with_its_row_pinned():
    simulation = Simulation(_spec())
    events = {}
    while not simulation.done:
        chunk = simulation.advance(37)
        for event in chunk.events:
            assert event.run not in events
            events[event.run] = event
        for rows in chunk.rows:
            assert len(rows.steps) == len(rows.losses) == len(rows.positions)
    assert sorted(events) == [0, 1, 2, 3]
    assert [events[i].verdict for i in range(3)] == ["slow", "converged", "diverged"]
    for i, event in events.items():
        history = simulation.histories[i]
        assert history.steps[-1] == event.step
        assert history.losses[-1] == event.final_loss
        assert history.losses[0] == event.start_loss == 25.0


def test_chunk_step_counts_only_runs_still_going():
    simulation = Simulation(_spec(runs=(RunSpec(1.5), RunSpec(0.001, "adam"))))
    chunk = simulation.advance(50)
    assert chunk.events and chunk.events[0].verdict == "diverged"
    assert chunk.step == 50 and not chunk.done


def test_run_experiment_gives_results_in_run_order():
    spec = _spec(runs=(RunSpec(0.3, "adam"), RunSpec(0.3), RunSpec(0.1, "adam", (("beta1", 0.5),),
                                                                    start=(-2.0,))))
    result = run_experiment(spec)
    assert [r.index for r in result.runs] == [0, 1, 2]
    assert result.runs[2].history.positions[0, 0] == -2.0
    assert result.theory.lr_max_stable == 1.0 / result.function.params["a"]


def test_schedules_reach_the_recorded_learning_rates():
    schedule = ScheduleSpec("step", (("step_size", 10.0), ("gamma", 0.5)), warmup_steps=5)
    result = run_experiment(_spec(runs=(RunSpec(0.01),), schedule=schedule, steps=40))
    rates = result.runs[0].history.learning_rates
    assert np.allclose(rates[:-1], 0.01 * schedule.factors(0, 40))


@pytest.mark.slow
def test_a_ten_million_step_run_keeps_its_history_bounded():
    spec = ExperimentSpec(function="quadratic", function_params=(("a", 0.001),), start=(5.0,),
                          runs=(RunSpec(1e-6),), steps=10_000_000)
    result = Simulation(spec).run_to_end(chunk_steps=1 << 16)
    run = result.runs[0]
    assert (run.verdict, run.verdict_step) == ("slow", 10_000_000)
    history = run.history
    assert len(history) <= history.keep_first + history.capacity + 1
    assert history.steps[-1] == 10_000_000
    assert history.steps[: history.keep_first].tolist() == list(range(history.keep_first))


def test_runs_split_into_float_runs_give_the_batched_numbers(monkeypatch):
    import lrdesk.core.experiment.simulation as simulation_module

    spec = _spec(function="rosenbrock", start=(-1.5, 2.0), steps=3000,
                 runs=(RunSpec(1e-4), RunSpec(2e-3), RunSpec(1e-5, "momentum"), RunSpec(5e-4)))
    split = run_experiment(spec)
    assert len(Simulation(spec)._groups) == 4
    monkeypatch.setattr(simulation_module, "SOLO_RUNS", 0)
    assert len(Simulation(spec)._groups) == 2
    batched = run_experiment(spec)
    for a, b in zip(split.runs, batched.runs, strict=True):
        assert (a.verdict, a.verdict_step, a.final_loss) == (b.verdict, b.verdict_step, b.final_loss)
        assert np.array_equal(a.history.positions, b.history.positions)
