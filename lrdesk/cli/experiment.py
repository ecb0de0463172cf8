"""The options that describe one experiment, shared by `run`, `sweep` and `map`, and the builder.

``add_experiment_options`` adds them to a subcommand; ``experiment_from_args`` turns what was
typed into the same frozen, checked ``ExperimentSpec`` the window makes. Every mistake becomes a
``CliError`` that names the option the user typed.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from lrdesk.cli.common import (
    CliError,
    parse_float,
    parse_params,
    parse_point,
    parse_steps,
    quoted,
)
from lrdesk.core.experiment.fileio import FileTooLarge, NotRegularFile, read_bytes
from lrdesk.core.experiment.spec import (
    MAX_FILE_BYTES,
    MAX_STEPS,
    ExperimentSpec,
    RunSpec,
    SpecError,
    loads,
)
from lrdesk.core.functions import make_function
from lrdesk.core.limits import MAX_LEARNING_RATE
from lrdesk.core.optim.optimizers import OPTIMIZERS
from lrdesk.core.optim.schedules import SCHEDULES, InvalidSchedule, ScheduleSpec
from lrdesk.core.surfaces import CUSTOM, LossFunction

#: the options added by add_experiment_options that a saved experiment (--experiment) replaces
EXPERIMENT_OPTIONS = ("function", "param", "expr", "start", "optimizer", "hyper", "schedule",
                      "schedule_param", "warmup_steps", "warmup_start", "steps", "tolerance")

#: spec fields (as SpecError names them) -> the option the user typed
_FIELD_OPTIONS = {"function": "--function", "start": "--start", "steps": "--steps",
                  "tolerance": "--tolerance", "learning_rate": "--lr",
                  "optimizer": "--optimizer/--hyper", "runs": "--lr"}


def add_experiment_options(parser: argparse.ArgumentParser, default_steps: int) -> None:
    """Add the function, start, optimizer, schedule, budget and --experiment options."""
    add = parser.add_argument
    add("--function", help="the loss surface, e.g. quadratic, rosenbrock (see `lrdesk functions`;"
        " default: quadratic)")
    add("--param", action="append", metavar="NAME=VALUE", help="set a parameter of the function")
    add("--expr", metavar="TEXT", help="type your own function instead, e.g. 'x^2 + 10*y^2'")
    add("--start", help="start point: '5' (1-D) or '-1.5,2' (2-D) (default: the function's)")
    add("--optimizer", help=f"{', '.join(OPTIMIZERS)} (default: sgd)")
    add("--hyper", action="append", metavar="NAME=VALUE",
        help="an optimizer setting, e.g. momentum=0.9, beta1=0.9, eps=1e-8")
    add("--schedule", help=f"learning-rate schedule: {', '.join(SCHEDULES)} (default: constant)")
    add("--schedule-param", action="append", metavar="NAME=VALUE",
        help="a schedule setting, e.g. gamma=0.5, step_size=30, t_max=100")
    add("--warmup-steps", metavar="N", help="steps of linear warm-up before the schedule")
    add("--warmup-start", metavar="FACTOR", help="warm-up starts at this fraction of the rate "
        "(default: 0.1)")
    add("--steps", metavar="N", help=f"step budget of every run (default: {default_steps})")
    add("--tolerance", metavar="TOL", help="gradient and step length that count as converged "
        "(default: 1e-6)")
    add("--experiment", metavar="FILE", help="take the experiment (function, start, optimizer, "
        "settings) from a saved file instead of these options")
    parser.set_defaults(default_steps=default_steps)


def experiment_from_args(args, learning_rates: Sequence[float] | None = None) -> ExperimentSpec:
    """The checked spec the options describe, one run per learning rate.

    ``learning_rates`` None: three rates around the stability limit 2/λmax at the start.
    """
    if args.experiment:
        return load_experiment(args.experiment)
    if args.expr is not None and args.function not in (None, CUSTOM):
        raise CliError("--expr: give either --function or --expr, not both")
    key = CUSTOM if args.expr is not None else (args.function or "quadratic")
    params = parse_params(args.param)
    try:
        function = make_function(key, params, args.expr or "")
    except ValueError as exc:  # unknown names, bad parameters, typed functions refused
        raise CliError(f"{'--expr' if key == CUSTOM else '--function'}: {exc}") from None
    start = parse_point(args.start) if args.start else tuple(map(float, function.default_start()))
    if len(start) != function.dim:
        raise CliError(f"--start: this function needs {function.dim} coordinate(s), "
                       f"got {len(start)}")
    hypers = tuple(sorted(parse_params(args.hyper, "--hyper").items()))
    optimizer = args.optimizer or "sgd"
    rates = default_rates(function, start) if learning_rates is None else learning_rates
    spec = ExperimentSpec(
        function=key, function_params=tuple(sorted(params.items())), expression=args.expr or "",
        start=start, runs=tuple(RunSpec(r, optimizer, hypers) for r in rates),
        schedule=_schedule(args),
        steps=parse_steps(args.steps or str(args.default_steps), limit=MAX_STEPS),
        tolerance=_tolerance(args.tolerance or "1e-6"),
    )
    try:
        spec.validate()
    except SpecError as exc:
        raise CliError(_as_option(exc, rates_given=learning_rates is not None)) from None
    return spec


def default_rates(function: LossFunction, start: tuple[float, ...]) -> list[float]:
    """Three rates around the stability limit: well below, just below, just above."""
    from lrdesk.core.theory.hessian import local_theory

    limit = local_theory(function, start).lr_max_stable
    rates = [0.1 * limit, 0.9 * limit, 1.1 * limit] if limit else [1e-3, 1e-2, 1e-1]
    # a nearly flat function has a huge limit: the suggestions stop at the cap (never an error
    # about rates the user did not type)
    clamped = [min(rate, MAX_LEARNING_RATE) for rate in rates]
    return list(dict.fromkeys(clamped))


def read_experiment_file(path: str) -> bytes:
    """The bytes of an experiment file given to ``--experiment`` (surface or model), at most a
    file's worth; a folder, pipe or device is refused before it is opened."""
    try:
        return read_bytes(path, MAX_FILE_BYTES)
    except NotRegularFile as exc:
        raise CliError(f"--experiment: {quoted(path)} is {exc.kind}, not a file") from None
    except FileTooLarge:
        raise CliError(f"--experiment: {quoted(path)} is too large to be an experiment file") from None
    except OSError as exc:
        raise CliError(f"--experiment: cannot read {quoted(path)} ({exc.strerror or exc})") from None


def load_experiment(path: str) -> ExperimentSpec:
    """A saved experiment, read (at most a file's worth of bytes) and checked."""
    data = read_experiment_file(path)
    try:
        return loads(data)
    except SpecError as exc:
        raise CliError(f"--experiment: {exc.in_words()}") from None


def _schedule(args) -> ScheduleSpec:
    warmup = args.warmup_steps or "0"
    try:
        steps = int(warmup)
    except ValueError:
        raise CliError(f"--warmup-steps: {quoted(warmup)} is not a whole number") from None
    start = parse_float(args.warmup_start or "0.1", "--warmup-start")
    params = tuple(sorted(parse_params(args.schedule_param, "--schedule-param").items()))
    try:
        return ScheduleSpec(args.schedule or "constant", params, steps, start)
    except InvalidSchedule as exc:
        raise CliError(f"--schedule: {exc}") from None


def _tolerance(text: str) -> float:
    value = parse_float(text, "--tolerance")
    if not 0 <= value < 1e6:
        raise CliError(f"--tolerance: must be from 0 to 1e6, not {text}")
    return value


def _as_option(exc: SpecError, rates_given: bool) -> str:
    """'runs[2].learning_rate: ...' -> '--lr: ...' (the option the user typed); a problem with
    rates the user did not give names them as the suggested ones."""
    field, _, rest = str(exc).partition(": ")
    base = field.split(".")[-1] if field.startswith("runs[") else field
    if base in ("learning_rate", "runs") and not rates_given:
        return f"the suggested learning rates: {rest}"
    option = _FIELD_OPTIONS.get(base)
    return f"{option}: {rest}" if option else exc.in_words()
