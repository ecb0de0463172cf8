"""The frozen experiment spec and its versioned JSON file format (``.lrdesk.json``).

A spec says everything a run needs; the GUI makes a new one whenever a control changes, and the
worker only ever reads it. Loading validates every field and names the field that is wrong;
nothing in a file is ever executed (a typed expression is parsed, never evaluated).
"""

from __future__ import annotations

import codecs
import json
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

from lrdesk.core.functions import make_function
from lrdesk.core.limits import learning_rate_problem
from lrdesk.core.optim.optimizers import OPTIMIZERS, InvalidOptimizer, resolve_hypers
from lrdesk.core.optim.schedules import SCHEDULES, InvalidSchedule, ScheduleSpec
from lrdesk.core.surfaces import InvalidFunction, LossFunction

FORMAT = "lrdesk-experiment"
VERSION = 1
MAX_RUNS = 64
MAX_STEPS = 100_000_000
MAX_COORD = 1e12
MAX_FILE_BYTES = 1_000_000
MAX_WARMUP_STEPS = 10**9

Params = tuple[tuple[str, float], ...]


class SpecError(ValueError):
    """A spec or file that cannot be used; the message names the field.

    ``str()`` is ``field.path: what is wrong`` (the command line maps the path to the option
    the user typed); ``in_words()`` is the same for a person to read: 'Run 2, learning rate: ...'.
    """

    def __init__(self, message: object = "") -> None:
        # a name or value from a file may hold a line break or other control characters: the
        # message stays one printable line, whatever the file says
        text = str(message)
        if not text.isprintable():
            text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
        super().__init__(text)

    def in_words(self) -> str:
        return in_words(str(self))


VIEWS = ("2d", "3d")

_FIELD_WORDS = {
    "learning_rate": "learning rate", "optimizer": "optimizer", "start": "start point",
    "steps": "number of steps", "tolerance": "tolerance", "schedule": "schedule",
    "warmup_steps": "warm-up steps", "warmup_start": "warm-up start", "function": "function",
    "name": "name", "expression": "formula", "runs": "runs", "version": "version",
    "format": "format", "view": "view", "params": "settings",
}
_RUN = re.compile(r"^runs\[(\d+)\]$")
_PATH = re.compile(r"^[a-z_]+(\[\d+\])?(\.[^.:\s]+)*$")


def in_words(message: str) -> str:
    """'runs[2].learning_rate: 5e+06 is too large' -> 'Run 2, learning rate: 5e+06 is too large'.

    A message without a field path (or about the file as a whole) comes back unchanged but for
    its first letter.
    """
    field, sep, problem = message.partition(": ")
    if not sep or not _PATH.match(field):
        return message[:1].upper() + message[1:]
    if field == "file":
        return problem[:1].upper() + problem[1:]
    parts = []
    for piece in field.split("."):
        run = _RUN.match(piece)
        parts.append(f"run {run.group(1)}" if run else _FIELD_WORDS.get(piece, piece))
    words = ", ".join(p for p in parts if p != "settings" or len(parts) == 1)
    return f"{words[:1].upper()}{words[1:]}: {problem}"


def _params(mapping: dict[str, float] | None) -> Params:
    return tuple(sorted((str(k), float(v)) for k, v in (mapping or {}).items()))


@dataclass(frozen=True)
class RunSpec:
    learning_rate: float
    optimizer: str = "sgd"
    hypers: Params = ()
    start: tuple[float, ...] | None = None  # None: the experiment's start
    #: None: the experiment's schedule; set, this run has its own ("constant vs cosine")
    schedule: ScheduleSpec | None = None

    def hyper_dict(self) -> dict[str, float]:
        return resolve_hypers(self.optimizer, dict(self.hypers))


@dataclass(frozen=True)
class ExperimentSpec:
    function: str = "quadratic"
    function_params: Params = ()
    expression: str = ""
    start: tuple[float, ...] = (5.0,)
    runs: tuple[RunSpec, ...] = field(
        default_factory=lambda: (RunSpec(0.01), RunSpec(0.1), RunSpec(1.1))
    )
    schedule: ScheduleSpec = field(default_factory=ScheduleSpec)
    steps: int = 100
    tolerance: float = 1e-6
    #: how the window shows the surface: "2d" (heat map) or "3d" (a mesh to turn around)
    view: str = "2d"

    def make_function(self) -> LossFunction:
        return make_function(self.function, dict(self.function_params), self.expression)

    def start_of(self, run: RunSpec) -> tuple[float, ...]:
        return run.start if run.start is not None else self.start

    def schedule_of(self, run: RunSpec) -> ScheduleSpec:
        """The run's own schedule, or the experiment's."""
        return run.schedule if run.schedule is not None else self.schedule

    def with_runs(self, runs) -> ExperimentSpec:
        return replace(self, runs=tuple(runs))

    def validate(self) -> LossFunction:
        """Check every field; return the function. Raises SpecError naming the field."""
        return validate(self)


def validate(spec: ExperimentSpec) -> LossFunction:
    try:
        function = spec.make_function()
    except (InvalidFunction, ValueError) as exc:
        raise SpecError(f"function: {exc}") from None
    except (ArithmeticError, TypeError, RecursionError):  # the boundary: never a traceback
        raise SpecError("function: this function cannot be built from these settings") from None
    _check_point("start", spec.start, function.dim)
    if not spec.runs:
        raise SpecError("runs: add at least one run")
    if len(spec.runs) > MAX_RUNS:
        raise SpecError(f"runs: at most {MAX_RUNS} runs at once, not {len(spec.runs)}")
    for i, run in enumerate(spec.runs, start=1):
        check_learning_rate(run.learning_rate, f"runs[{i}].learning_rate")
        try:
            run.hyper_dict()
        except InvalidOptimizer as exc:
            raise SpecError(f"runs[{i}].optimizer: {exc}") from None
        if run.start is not None:
            _check_point(f"runs[{i}].start", run.start, function.dim)
    if not isinstance(spec.steps, int) or isinstance(spec.steps, bool) or not 1 <= spec.steps <= MAX_STEPS:
        raise SpecError(f"steps: must be a whole number from 1 to {MAX_STEPS:,}, not {_brief(spec.steps)}")
    if spec.view not in VIEWS:
        raise SpecError(f"view: must be \"2d\" or \"3d\", not {_brief(spec.view)}")
    tol = spec.tolerance
    if not isinstance(tol, (int, float)) or not math.isfinite(tol) or not 0 <= tol < 1e6:
        raise SpecError(f"tolerance: must be a number from 0 to 1e6, not {_brief(tol)}")
    return function


def check_learning_rate(value: Any, name: str = "learning rate") -> float:
    """``value`` as a float if it is a usable learning rate (``learning_rate_problem``);
    otherwise SpecError naming the field ``name``."""
    problem = learning_rate_problem(value)
    if problem is not None:
        raise SpecError(f"{name}: {problem}")
    return float(value)


def _check_point(name: str, point: Any, dim: int) -> None:
    if not isinstance(point, tuple) or len(point) != dim:
        got = len(point) if isinstance(point, (tuple, list)) else "no"
        raise SpecError(f"{name}: this function needs {dim} coordinate(s), got {got}")
    for v in point:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise SpecError(f"{name}: coordinates must be finite numbers, not {_brief(v)}")
        if abs(v) > MAX_COORD:
            raise SpecError(f"{name}: coordinate {v:g} is too far out (at most 1e12)")


# ------------------------------------------------------------------------------------------
# JSON
# ------------------------------------------------------------------------------------------
def _schedule_dict(s: ScheduleSpec) -> dict[str, Any]:
    return {"name": s.kind, "params": dict(s.params), "warmup_steps": s.warmup_steps,
            "warmup_start": s.warmup_start}


def to_dict(spec: ExperimentSpec) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "function": {
            "name": spec.function,
            "params": dict(spec.function_params),
            **({"expression": spec.expression} if spec.expression else {}),
        },
        "start": list(spec.start),
        "runs": [
            {
                "learning_rate": r.learning_rate,
                "optimizer": {"name": r.optimizer, "params": dict(r.hypers)},
                **({"start": list(r.start)} if r.start is not None else {}),
                **({"schedule": _schedule_dict(r.schedule)} if r.schedule is not None else {}),
            }
            for r in spec.runs
        ],
        "schedule": _schedule_dict(spec.schedule),
        "steps": spec.steps,
        "tolerance": spec.tolerance,
        **({"view": spec.view} if spec.view != "2d" else {}),
    }


def dumps(spec: ExperimentSpec) -> str:
    return json.dumps(to_dict(spec), indent=2, allow_nan=False) + "\n"


def loads(text: str | bytes) -> ExperimentSpec:
    """Parse and validate an experiment file's text."""
    if len(text) > MAX_FILE_BYTES:
        raise SpecError(f"file: larger than {MAX_FILE_BYTES // 1000} kB, not an experiment file")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")  # a byte-order mark, as some editors write, is fine
        except UnicodeDecodeError:
            raise SpecError("file: not a text file (it is not UTF-8)") from None
    if not isinstance(text, str):
        raise SpecError("file: not a text file")
    text = text.removeprefix(codecs.BOM_UTF8.decode("utf-8"))
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except (ValueError, RecursionError) as exc:
        raise SpecError(f"file: not valid JSON ({_short(exc)})") from None
    return from_dict(data)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not allowed")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is too large")
    return value


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if "digits" in text:
        return "a number with far too many digits"
    return text if len(text) <= 120 else text[:117] + "..."


def _as_float(value: Any, name: str) -> float:
    """A JSON number as a float; whole numbers too large for a float are refused, not crashed on."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"{name}: expected a number, not {_brief(value)}")
    try:
        return float(value)
    except OverflowError:
        raise SpecError(f"{name}: the number is too large") from None


def _kind(kind: type) -> str:
    """JSON's names for Python's types, in words."""
    names = {dict: "an object {...}", list: "a list [...]", str: "text", int: "a whole number",
             float: "a number", bool: "true/false", type(None): "null"}
    return names.get(kind, kind.__name__)


def _brief(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**40:
        return f"a number of {len(str(abs(value)))} digits"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def from_dict(data: Any) -> ExperimentSpec:
    """The checked spec of a parsed file; every problem is a SpecError, whatever the content."""
    try:
        return _from_dict(data)
    except SpecError:
        raise
    except RecursionError:
        raise SpecError("file: nested too deeply to be an experiment file") from None
    except Exception as exc:  # the boundary: a file never crashes the reader
        raise SpecError(
            f"file: this file has a value LR Desk cannot use ({_short_type(exc)})"
        ) from None


def _short_type(exc: Exception) -> str:
    if isinstance(exc, OverflowError):
        return "a number far too large"
    if isinstance(exc, MemoryError):
        return "too large to read"
    return _short(exc)


def _schedule(raw: Any, where: str) -> ScheduleSpec:
    sch = _Fields(raw, where)
    kind = sch.get("name", str, default="constant")
    if kind not in SCHEDULES:
        raise SpecError(f"{where}.name: unknown schedule '{kind}'")
    warmup_steps = sch.get("warmup_steps", int, default=0)
    if not 0 <= warmup_steps <= MAX_WARMUP_STEPS:
        raise SpecError(f"{where}.warmup_steps: must be a whole number from 0 to 1e9, not {_brief(warmup_steps)}")
    try:
        return ScheduleSpec(
            kind=kind,
            params=_params(sch.params("params")),
            warmup_steps=warmup_steps,
            warmup_start=sch.number("warmup_start", default=0.1),
        )
    except InvalidSchedule as exc:
        raise SpecError(f"{where}: {exc}") from None


def _from_dict(data: Any) -> ExperimentSpec:
    d = _Fields(data, "file")
    if d.get("format", str) != FORMAT:
        raise SpecError(f"format: expected '{FORMAT}'")
    if d.get("kind", str, default="surface") != "surface":
        # a model experiment (lrdesk.core.models.spec, format version 2) is not a surface one
        raise SpecError("kind: this is a model experiment; open it with `lrdesk train --experiment`")
    version = d.get("version", int)
    if version > VERSION:
        raise SpecError(
            f"version: this file was written by a newer LR Desk (format {_brief(version)}); "
            f"this one reads format {VERSION}. Please update LR Desk."
        )
    if version < 1:
        raise SpecError(f"version: {_brief(version)} is not a valid format version")
    fn = _Fields(d.get("function", dict), "function")
    name = fn.get("name", str)
    params = fn.params("params")
    expression = fn.get("expression", str, default="")
    runs_raw = d.get("runs", list)
    if len(runs_raw) > MAX_RUNS:
        raise SpecError(f"runs: at most {MAX_RUNS} runs at once, not {len(runs_raw)}")
    runs = []
    for i, raw in enumerate(runs_raw, start=1):
        r = _Fields(raw, f"runs[{i}]")
        opt = _Fields(r.get("optimizer", dict, default={"name": "sgd"}), f"runs[{i}].optimizer")
        kind = opt.get("name", str, default="sgd")
        if kind not in OPTIMIZERS:
            raise SpecError(f"runs[{i}].optimizer.name: unknown optimizer '{kind}'")
        start = r.get("start", list, default=None)
        own = r.get("schedule", dict, default=None)
        runs.append(
            RunSpec(
                learning_rate=r.number("learning_rate"),
                optimizer=kind,
                hypers=_params(opt.params("params")),
                start=_point(start, f"runs[{i}].start") if start is not None else None,
                schedule=_schedule(own, f"runs[{i}].schedule") if own is not None else None,
            )
        )
    schedule = _schedule(d.get("schedule", dict, default={"name": "constant"}), "schedule")
    spec = ExperimentSpec(
        function=name,
        function_params=_params(params),
        expression=expression,
        start=_point(d.get("start", list), "start"),
        runs=tuple(runs),
        schedule=schedule,
        steps=d.get("steps", int),
        tolerance=d.number("tolerance", default=1e-6),
        view=d.get("view", str, default="2d"),
    )
    validate(spec)
    return spec


def _point(raw: list, name: str) -> tuple[float, ...]:
    if not 1 <= len(raw) <= 2:
        raise SpecError(f"{name}: expected 1 or 2 coordinates")
    return tuple(_as_float(v, name) for v in raw)


class _Fields:
    """Typed access to one JSON object, with errors that name the field."""

    _MISSING = object()

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise SpecError(f"{where}: expected an object")
        self.data, self.where = data, where

    def get(self, key: str, kind: type, default: Any = _MISSING) -> Any:
        if key not in self.data:
            if default is self._MISSING:
                raise SpecError(f"{self._name(key)}: missing")
            return default
        value = self.data[key]
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise SpecError(f"{self._name(key)}: expected a whole number, not {_brief(value)}")
        if kind is str and isinstance(value, str) and len(value) > 10_000:
            raise SpecError(f"{self._name(key)}: text too long")
        if not isinstance(value, kind):
            raise SpecError(f"{self._name(key)}: expected {_kind(kind)}, not {_kind(type(value))}")
        return value

    def number(self, key: str, default: Any = _MISSING) -> float:
        return _as_float(self.get(key, object, default), self._name(key))

    def params(self, key: str) -> dict[str, float]:
        raw = self.get(key, dict, default={})
        if len(raw) > 64:
            raise SpecError(f"{self._name(key)}: too many entries")
        return {k[:40]: _as_float(v, f"{self._name(key)}.{k[:40]}") for k, v in raw.items()}

    def _name(self, key: str) -> str:
        return key if self.where == "file" else f"{self.where}.{key}"
