"""Hostile experiment files: every failure is the one clear SpecError, in words a person reads."""

from __future__ import annotations

import codecs
import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrdesk.core.experiment.spec import (
    ExperimentSpec,
    RunSpec,
    SpecError,
    dumps,
    from_dict,
    in_words,
    loads,
    to_dict,
)
from lrdesk.core.optim.schedules import ScheduleSpec

RICH = ExperimentSpec(
    function="rosenbrock", function_params=(("a", 1.5),), start=(-1.5, 2.0),
    runs=(RunSpec(1e-4), RunSpec(3e-4, "adam", (("beta1", 0.8),)), RunSpec(2e-4, "momentum")),
    schedule=ScheduleSpec("cosine", (("t_max", 400.0),), 25, 0.3), steps=500,
)
TYPED = ExperimentSpec(function="custom", expression="x^2 + 10*y^2", start=(3.0, -2.0),
                       runs=(RunSpec(0.01),))


def _doc(spec: ExperimentSpec = RICH) -> dict:
    return copy.deepcopy(to_dict(spec))


def _refused(doc) -> SpecError:
    with pytest.raises(SpecError) as caught:
        from_dict(doc)
    message = str(caught.value)
    assert message and "\n" not in message and len(message) < 300
    return caught.value


@pytest.mark.parametrize("name", ["self", "expression", "compiled", "params", "kwargs"])
def test_function_parameters_named_like_constructor_arguments_are_refused(name):
    for spec in (RICH, TYPED):
        doc = _doc(spec)
        doc["function"]["params"] = {name: 1.0}
        error = _refused(doc)
        assert "has no parameter" in str(error) and name in str(error)


@pytest.mark.parametrize("field", ["warmup_steps", "warmup_start"])
def test_a_400_digit_number_in_the_schedule_is_refused(field):
    doc = _doc()
    doc["schedule"][field] = 10**400
    error = _refused(doc)
    assert "schedule" in str(error)
    text = json.dumps(doc)
    with pytest.raises(SpecError):
        loads(text)


def test_400_digit_numbers_anywhere_are_refused():
    for path in (("steps",), ("tolerance",), ("version",), ("start",)):
        doc = _doc()
        doc[path[0]] = 10**400 if path[0] != "start" else [10**400, 1]
        _refused(doc)
    doc = _doc()
    doc["runs"][0]["optimizer"] = {"name": "adam", "params": {"beta1": -(10**400)}}
    _refused(doc)


def test_a_file_with_a_utf8_byte_order_mark_is_read():
    text = dumps(RICH)
    assert loads(codecs.BOM_UTF8 + text.encode("utf-8")) == RICH
    assert loads("\ufeff" + text) == RICH


@pytest.mark.parametrize("value", [1.0, None])
def test_a_line_break_in_a_parameter_name_stays_one_printable_line(value):
    doc = json.loads(dumps(RICH))
    doc["schedule"] = {"name": "constant", "params": {"\n\x1b[2J": value}}
    with pytest.raises(SpecError) as caught:
        loads(json.dumps(doc))
    message = str(caught.value)
    assert message.isprintable() and "\\n" in message
    assert caught.value.in_words().isprintable()


def test_messages_in_words_name_the_run_and_the_setting():
    assert in_words("runs[2].learning_rate: 5e+06 is absurdly large") == (
        "Run 2, learning rate: 5e+06 is absurdly large"
    )
    assert in_words("schedule.warmup_steps: must be a whole number") == (
        "Schedule, warm-up steps: must be a whole number"
    )
    assert in_words("file: not valid JSON (x)") == "Not valid JSON (x)"
    assert in_words("function.params.b: expected a number") == "Function, b: expected a number"
    doc = _doc()
    doc["runs"][1]["learning_rate"] = 1e9
    words = _refused(doc).in_words()
    assert words.startswith("Run 2, learning rate: ") and "[" not in words and "_" not in words


# --- fuzzing: random JSON, and a valid file with one part replaced by random JSON ------------
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**420), max_value=10**420)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=25,
)
_KEYS = ["format", "version", "function", "start", "runs", "schedule", "steps", "tolerance",
         "name", "params", "expression", "learning_rate", "optimizer", "warmup_steps",
         "warmup_start", "self", "compiled", "a", "b", "beta1", "momentum", "t_max"]


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from _paths(value, (*prefix, index))


def _replaced(doc, path, value):
    if not path:
        return value
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def _must_load_or_refuse(doc) -> None:
    try:
        spec = from_dict(doc)
    except SpecError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 300
        assert exc.in_words()
    else:
        assert isinstance(spec, ExperimentSpec)
        assert loads(dumps(spec)) == spec


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_JSON)
def test_random_json_is_refused_with_a_spec_error(doc):
    _must_load_or_refuse(doc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([RICH, TYPED]), st.data())
def test_a_valid_file_with_one_part_replaced_loads_or_is_refused(spec, data):
    doc = _doc(spec)
    path = data.draw(st.sampled_from(list(_paths(doc))))
    value = data.draw(_JSON | st.sampled_from(_KEYS) | st.dictionaries(st.sampled_from(_KEYS), _JSON, max_size=3))
    _must_load_or_refuse(_replaced(doc, path, value))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([RICH, TYPED]), st.data())
def test_a_valid_file_with_an_added_key_loads_or_is_refused(spec, data):
    doc = _doc(spec)
    objects = [p for p in _paths(doc) if isinstance(_at(doc, p), dict)]
    path = data.draw(st.sampled_from(objects))
    _at(doc, path)[data.draw(st.sampled_from(_KEYS))] = data.draw(_JSON)
    _must_load_or_refuse(doc)


def _at(doc, path):
    for key in path:
        doc = doc[key]
    return doc
