"""Each run may have its own schedule ("constant vs cosine" side by side): in the spec, in the
file (added to the format without breaking old files) and in the numbers the runs take."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lrdesk.core.experiment.simulation import Simulation
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec, SpecError, dumps, loads
from lrdesk.core.optim.schedules import ScheduleSpec

COSINE = ScheduleSpec("cosine", (("t_max", 40.0),))
STEP = ScheduleSpec("step", (("gamma", 0.5), ("step_size", 10.0)))  # as files read back: by name
SIDE_BY_SIDE = ExperimentSpec(
    function="quadratic", start=(5.0,), steps=40,
    runs=(RunSpec(0.1), RunSpec(0.1, schedule=COSINE), RunSpec(0.1, schedule=STEP)),
)


def test_a_run_without_its_own_schedule_follows_the_experiments():
    spec = ExperimentSpec(schedule=STEP, runs=(RunSpec(0.1), RunSpec(0.1, schedule=COSINE)))
    assert spec.schedule_of(spec.runs[0]) == STEP
    assert spec.schedule_of(spec.runs[1]) == COSINE


def test_old_files_open_and_files_without_own_schedules_are_unchanged():
    old = ExperimentSpec()
    text = dumps(old)
    assert all("schedule" not in run for run in json.loads(text)["runs"])
    assert loads(text) == old
    assert all(run.schedule is None for run in loads(text).runs)


def test_own_schedules_are_saved_and_read_back():
    text = dumps(SIDE_BY_SIDE)
    runs = json.loads(text)["runs"]
    assert "schedule" not in runs[0]
    assert runs[1]["schedule"]["name"] == "cosine"
    assert loads(text) == SIDE_BY_SIDE


def test_a_bad_own_schedule_is_named_in_words():
    data = json.loads(dumps(SIDE_BY_SIDE))
    data["runs"][2]["schedule"]["name"] = "sawtooth"
    with pytest.raises(SpecError, match=r"runs\[3\]\.schedule\.name: unknown schedule 'sawtooth'"):
        loads(json.dumps(data))
    data["runs"][2]["schedule"] = {"name": "cosine", "params": {"t_max": -4}}
    with pytest.raises(SpecError, match=r"runs\[3\]\.schedule"):
        loads(json.dumps(data))


@pytest.mark.parametrize("many", [False, True])
def test_each_run_takes_its_own_rates(many):
    spec = SIDE_BY_SIDE
    if many:  # past a handful of runs they are batched: one batch per optimizer and schedule
        spec = spec.with_runs(spec.runs * 3)
    simulation = Simulation(spec)
    simulation.run_to_end()
    for run, history in zip(spec.runs, simulation.histories, strict=True):
        taken = np.isfinite(history.learning_rates)
        steps = history.steps[taken].astype(int)
        expected = run.learning_rate * spec.schedule_of(run).factors(0, int(steps.max()) + 1)[steps]
        np.testing.assert_allclose(history.learning_rates[taken], expected, rtol=1e-12)
