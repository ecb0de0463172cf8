"""The model experiment in the .lrdesk.json format: round trip, checks, old files still open."""

from __future__ import annotations

import json

import pytest

from lrdesk.core.experiment.spec import ExperimentSpec, SpecError, dumps, loads
from lrdesk.core.models.presets import PRESETS
from lrdesk.core.models.spec import (
    DataSpec,
    ModelExperiment,
    ModelRunSpec,
    ModelSpec,
    dumps_model,
    is_model_file,
    loads_model,
)
from lrdesk.core.optim.schedules import ScheduleSpec


def _spec():
    return ModelExperiment(
        data=DataSpec("xor", points=300, noise=0.1, train_fraction=0.7, seed=4,
                      standardize=False, features=("x1*x2",)),
        model=ModelSpec("mlp", (16, 8), "relu", "playground", "mse"),
        runs=(ModelRunSpec(0.1), ModelRunSpec(0.01, "adamw", (("beta1", 0.8),), 0.05, 32, 3)),
        schedule=ScheduleSpec("step", (("gamma", 0.5), ("step_size", 10.0)), 5, 0.2),
        steps=None, epochs=12, tolerance=1e-8, eval_every=3, sharpness_every=10,
        path_points=50)


@pytest.mark.parametrize("spec", [_spec(), *PRESETS.values()])
def test_model_experiments_round_trip(spec):
    text = dumps_model(spec)
    data = json.loads(text)
    assert data["kind"] == "model" and data["version"] == 2
    assert is_model_file(data)
    assert loads_model(text) == spec


def test_surface_files_still_open_and_refuse_to_be_read_as_models():
    surface = ExperimentSpec()
    text = dumps(surface)
    assert json.loads(text)["version"] == 1 and "kind" not in json.loads(text)
    assert loads(text) == surface
    with pytest.raises(SpecError, match="surface experiment"):
        loads_model(text)
    with pytest.raises(SpecError, match="model experiment"):
        loads(dumps_model(_spec()))


@pytest.mark.parametrize("edit,message", [
    (lambda d: d["runs"][0].update(learning_rate=-1), "runs\\[1\\].learning_rate"),
    (lambda d: d["runs"][0]["optimizer"].update(name="lion"), "unknown optimizer"),
    (lambda d: d["runs"][0].update(weight_decay=5e3), "weight decay"),
    (lambda d: d["runs"][0].update(batch_size=0), "batch_size"),
    (lambda d: d["data"].update(dataset="moons"), "unknown dataset"),
    (lambda d: d["model"].update(hidden=[100]), "model.hidden"),
    (lambda d: d.update(steps=10), "either a number of steps or"),
    (lambda d: d.update(version=3), "newer LR Desk"),
    (lambda d: d.update(runs=[]), "at least one run"),
])
def test_bad_model_files_name_the_field(edit, message):
    data = json.loads(dumps_model(_spec()))
    edit(data)
    with pytest.raises(SpecError, match=message):
        loads_model(json.dumps(data))
