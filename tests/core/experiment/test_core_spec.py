"""The experiment file: round trips, and every malformed field refused by name."""

from __future__ import annotations

import copy
import json

import pytest

from lrdesk.core.experiment.spec import (
    MAX_FILE_BYTES,
    VERSION,
    ExperimentSpec,
    RunSpec,
    SpecError,
    check_learning_rate,
    dumps,
    loads,
    to_dict,
)
from lrdesk.core.optim.schedules import ScheduleSpec

SPECS = [
    ExperimentSpec(),
    ExperimentSpec(
        function="rosenbrock",
        function_params=(("a", 1.5), ("b", 30.0)),
        start=(-1.5, 2.0),
        runs=(
            RunSpec(1e-4),
            RunSpec(3e-4, "adam", (("amsgrad", 1.0), ("beta1", 0.8))),
            RunSpec(2e-4, "momentum", (("momentum", 0.7),), start=(0.5, -0.25)),
        ),
        schedule=ScheduleSpec("cosine", (("min_factor", 0.1), ("t_max", 400.0)), 25, 0.3),
        steps=12345,
        tolerance=0.0,
    ),
    ExperimentSpec(function="custom", expression="x^2 + 10*y^2", start=(3.0, -2.0),
                   runs=(RunSpec(0.01),)),
]


@pytest.mark.parametrize("spec", SPECS, ids=["default", "rich", "typed"])
def test_round_trip_is_exact(spec):
    spec.validate()
    text = dumps(spec)
    assert loads(text) == spec
    assert loads(text.encode("utf-8")) == spec
    assert dumps(loads(text)) == text


def _valid() -> dict:
    return copy.deepcopy(to_dict(SPECS[1]))


def _set(doc: dict, path: str, value) -> dict:
    *parents, last = path.split(".")
    target = doc
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if isinstance(target, list):
        target[int(last)] = value
    elif value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return doc


_DELETE = object()

MALFORMED = [
    ("format", "spreadsheet", "format"),
    ("version", VERSION + 1, "newer"),
    ("version", 0, "version"),
    ("version", "1", "version"),
    ("version", True, "version"),
    ("function.name", "nope", "function"),
    ("function.name", 7, "function.name"),
    ("function.params.b", -1.0, "function"),
    ("function.params.b", "100", "function.params.b"),
    ("function.params.c", 1.0, "function"),
    ("start", [1.0], "start"),
    ("start", [1.0, 2.0, 3.0], "start"),
    ("start", ["1", 2.0], "start"),
    ("start", [1e300, 0.0], "start"),
    ("start", "1,2", "start"),
    ("runs", [], "runs"),
    ("runs", {"0": 1}, "runs"),
    ("runs", [{"learning_rate": 0.1}] * 65, "runs"),
    ("runs.1.learning_rate", 0.0, "runs[2].learning_rate"),
    ("runs.1.learning_rate", -0.1, "runs[2].learning_rate"),
    ("runs.1.learning_rate", 1e9, "runs[2].learning_rate"),
    ("runs.1.learning_rate", "0.1", "runs[2].learning_rate"),
    ("runs.1.learning_rate", None, "runs[2].learning_rate"),
    ("runs.1.learning_rate", 10**400, "runs[2].learning_rate"),
    ("runs.1.learning_rate", _DELETE, "runs[2].learning_rate"),
    ("runs.1.optimizer.name", "adamw", "runs[2].optimizer"),
    ("runs.1.optimizer.params.beta1", 1.5, "runs[2].optimizer"),
    ("runs.1.optimizer.params.momentum", 0.5, "runs[2].optimizer"),
    ("runs.1.optimizer", "adam", "runs[2].optimizer"),
    ("runs.2.start", [0.5], "runs[3].start"),
    ("schedule.name", "linear", "schedule.name"),
    ("schedule.params.t_max", 0.5, "schedule"),
    ("schedule.params.t_max", 12.5, "schedule"),
    ("schedule.warmup_steps", -3, "schedule"),
    ("schedule.warmup_steps", 2.5, "schedule.warmup_steps"),
    ("schedule.warmup_start", 2.0, "schedule"),
    ("steps", 0, "steps"),
    ("steps", 10**9, "steps"),
    ("steps", 100.0, "steps"),
    ("steps", "100", "steps"),
    ("steps", _DELETE, "steps"),
    ("tolerance", -1.0, "tolerance"),
    ("tolerance", [], "tolerance"),
]


@pytest.mark.parametrize(("path", "value", "field"), MALFORMED,
                         ids=[f"{p}={str(v)[:12]}" for p, v, _ in MALFORMED])
def test_each_malformed_field_is_named(path, value, field):
    text = json.dumps(_set(_valid(), path, value))
    with pytest.raises(SpecError) as caught:
        loads(text)
    message = str(caught.value)
    assert field in message
    assert "\n" not in message and len(message) < 300


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"version": NaN}', "NaN"),
        ('{"steps": Infinity}', "Infinity"),
        ('{"tolerance": -Infinity}', "Infinity"),
        ('{"tolerance": 1e999}', "too large"),
        ("[" * 100_000 + "]" * 100_000, "file"),
        ('{"format": ', "not valid JSON"),
        ("", "not valid JSON"),
        ("[1, 2, 3]", "expected an object"),
        ('"lrdesk"', "expected an object"),
        ("1" * 5000, "not valid JSON"),
    ],
)
def test_hostile_json_is_refused(text, words):
    with pytest.raises(SpecError, match=words):
        loads(text)


def test_oversized_and_binary_files_are_refused():
    with pytest.raises(SpecError, match="larger than"):
        loads(" " * (MAX_FILE_BYTES + 1))
    with pytest.raises(SpecError, match="not UTF-8"):
        loads(b"\xff\xfe\x00garbage")


def test_a_typed_expression_is_parsed_never_run(tmp_path):
    marker = tmp_path / "touched"
    doc = _valid()
    doc["function"] = {"name": "custom", "params": {},
                       "expression": f"__import__('os').system('touch {marker}')"}
    doc["start"] = [1.0, 1.0]
    with pytest.raises(SpecError, match="function"):
        loads(json.dumps(doc))
    assert not marker.exists()


def test_learning_rates_are_checked_in_words():
    assert check_learning_rate(3) == 3.0
    for bad, words in [(0, "greater than zero"), (-2.0, "greater than zero"),
                       (float("nan"), "NaN"), (float("inf"), "finite"), (1e7, "too large"),
                       (True, "must be a number"), ("0.1", "must be a number")]:
        with pytest.raises(SpecError, match=words):
            check_learning_rate(bad, "rate")


def test_spec_is_frozen_and_makes_its_function():
    spec = SPECS[1]
    with pytest.raises(AttributeError):
        spec.steps = 5  # type: ignore[misc]
    function = spec.validate()
    assert function.params == {"a": 1.5, "b": 30.0}
    assert spec.start_of(spec.runs[2]) == (0.5, -0.25)
    assert spec.start_of(spec.runs[0]) == spec.start
