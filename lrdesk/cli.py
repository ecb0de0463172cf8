"""The command line: `lrdesk` opens the window; `run`, `functions`, `sweep`, `map` print numbers.

Every subcommand goes through ``args.handler(args) -> int``. Bad input anywhere ends with ONE line
on stderr starting ``lrdesk: error:`` and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

from lrdesk._version import __version__
from lrdesk.cli_common import (
    CliError,
    parse_float,
    parse_learning_rate,
    parse_params,
    parse_point,
    parse_steps,
)
from lrdesk.core.functions import CUSTOM, FUNCTIONS, InvalidFunction, make_function
from lrdesk.core.optimizers import OPTIMIZERS, InvalidOptimizer
from lrdesk.core.schedules import SCHEDULES, InvalidSchedule, ScheduleSpec
from lrdesk.core.simulation import ExperimentResult, Simulation
from lrdesk.core.spec import MAX_STEPS, ExperimentSpec, RunSpec, SpecError, dumps, loads

#: run options that a saved experiment (--experiment) replaces
_SPEC_OPTIONS = ("function", "param", "expr", "start", "lr", "optimizer", "hyper", "schedule",
                 "schedule_param", "warmup_steps", "warmup_start", "steps", "tolerance")
#: total run-steps above which a terminal shows a progress bar
_PROGRESS_WORK = 2_000_000


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser, commands = _parser()
    first = next((a for a in argv if not a.startswith("-")), None)
    wants_parser = first in commands or (argv[:1] and argv[0] in ("-h", "--help", "--version"))
    try:
        args = (parser if wants_parser else _window_parser()).parse_args(argv)
    except SystemExit as exc:  # --help, --version and argparse's own errors (status 2)
        return exc.code if isinstance(exc.code, int) else 0
    try:
        return args.handler(args)
    except (CliError, SpecError, InvalidFunction, InvalidOptimizer, InvalidSchedule,
            ValueError) as exc:
        return _fail(str(exc))
    except BrokenPipeError:  # e.g. `lrdesk run ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        return _fail(f"{exc.filename or 'file'}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        sys.stderr.write("\nlrdesk: interrupted\n")
        return 130


def _fail(message: str) -> int:
    line = " ".join(message.split()) or "something went wrong"
    sys.stderr.write(f"lrdesk: error: {line}\n")
    return 2


# ------------------------------------------------------------------------------------------
# Parsers
# ------------------------------------------------------------------------------------------
def _parser() -> tuple[argparse.ArgumentParser, set[str]]:
    parser = argparse.ArgumentParser(
        prog="lrdesk",
        usage="lrdesk [FILE ...] [--smoke OUT.png]\n       lrdesk {run,functions,sweep,map} ...",
        description="See how the learning rate steers gradient descent. Without a command, "
        "opens the window (with the experiment FILEs given).",
    )
    parser.add_argument("--version", action="version", version=f"lrdesk {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_run(sub)
    listing = sub.add_parser("functions", help="list the loss functions and their settings",
                             description="List every loss function with its formula, "
                             "parameters, default start and suggested learning rates.")
    listing.add_argument("--format", choices=("text", "json"), default="text",
                         help="output format (default: text)")
    listing.set_defaults(handler=list_functions)
    from lrdesk import cli_sweep  # sweep and map live there

    cli_sweep.register(sub)
    return parser, set(sub.choices)


def _window_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lrdesk", description="Open the LR Desk window. Commands: run, functions, sweep, "
        "map (see lrdesk --help).")
    parser.add_argument("files", nargs="*", metavar="FILE", help="experiment files to open")
    parser.add_argument("--smoke", metavar="OUT.png",
                        help="start, run the default experiment, save a picture and quit")
    parser.add_argument("--version", action="version", version=f"lrdesk {__version__}")
    parser.set_defaults(handler=open_window)
    return parser


def _add_run(sub) -> None:
    run = sub.add_parser(
        "run", help="run gradient descent at one or more learning rates and print the paths",
        description="Run gradient descent from one start at each learning rate given, and "
        "print each run's path, losses and verdict (converged, slow, oscillating, diverged, "
        "stalled) with what theory says about the learning rate.",
    )
    add = run.add_argument
    add("--function", help="the loss surface, e.g. quadratic, rosenbrock (see `lrdesk functions`;"
        " default: quadratic)")
    add("--param", action="append", metavar="NAME=VALUE", help="set a parameter of the function")
    add("--expr", metavar="TEXT", help="type your own function instead, e.g. 'x^2 + 10*y^2'")
    add("--start", help="start point: '5' (1-D) or '-1.5,2' (2-D) (default: the function's)")
    add("--lr", action="append", metavar="RATE",
        help="a learning rate; repeat for several runs (default: three rates around the "
        "stability limit 2/λmax)")
    add("--optimizer", help=f"{', '.join(OPTIMIZERS)} (default: sgd)")
    add("--hyper", action="append", metavar="NAME=VALUE",
        help="an optimizer setting, e.g. momentum=0.9, beta1=0.9, eps=1e-8")
    add("--schedule", help=f"learning-rate schedule: {', '.join(SCHEDULES)} (default: constant)")
    add("--schedule-param", action="append", metavar="NAME=VALUE",
        help="a schedule setting, e.g. gamma=0.5, step_size=30, t_max=100")
    add("--warmup-steps", metavar="N", help="steps of linear warm-up before the schedule")
    add("--warmup-start", metavar="FACTOR", help="warm-up starts at this fraction of the rate "
        "(default: 0.1)")
    add("--steps", metavar="N", help="step budget of every run (default: 100)")
    add("--tolerance", metavar="TOL", help="gradient and step length that count as converged "
        "(default: 1e-6)")
    add("--experiment", metavar="FILE", help="run a saved experiment instead of the options above")
    add("--save", metavar="FILE", help="also save the experiment to FILE")
    add("--format", choices=("text", "json", "csv"),
        help="output (default: text on a terminal, JSON otherwise); csv: one row per "
        "recorded step")
    run.set_defaults(handler=run_command)


# ------------------------------------------------------------------------------------------
# lrdesk (the window)
# ------------------------------------------------------------------------------------------
def open_window(args) -> int:
    from lrdesk.gui.app import run_app  # Qt loads only when the window is wanted

    return run_app(files=args.files, smoke=args.smoke)


# ------------------------------------------------------------------------------------------
# lrdesk run
# ------------------------------------------------------------------------------------------
def run_command(args) -> int:
    spec = _spec_from_args(args)
    if args.save:
        Path(args.save).write_text(dumps(spec), encoding="utf-8")
    result = _simulate(spec)
    fmt = args.format or ("text" if sys.stdout.isatty() else "json")
    {"json": _write_json, "csv": _write_csv, "text": _write_text}[fmt](result, sys.stdout)
    return 0


def _spec_from_args(args) -> ExperimentSpec:
    if args.experiment:
        given = [f"--{n.replace('_', '-')}" for n in _SPEC_OPTIONS if getattr(args, n) is not None]
        if given:
            raise CliError(f"--experiment: the file says everything; drop {', '.join(given)}")
        return _load(args.experiment)
    if args.expr is not None and args.function not in (None, CUSTOM):
        raise CliError("--expr: give either --function or --expr, not both")
    key = CUSTOM if args.expr is not None else (args.function or "quadratic")
    params = parse_params(args.param)
    try:
        function = make_function(key, params, args.expr or "")
    except ValueError as exc:
        raise CliError(f"{'--expr' if key == CUSTOM else '--function'}: {exc}") from None
    start = parse_point(args.start) if args.start else tuple(map(float, function.default_start()))
    if len(start) != function.dim:
        raise CliError(f"--start: this function needs {function.dim} coordinate(s), "
                       f"got {len(start)}")
    hypers = tuple(sorted(parse_params(args.hyper, "--hyper").items()))
    optimizer = args.optimizer or "sgd"
    rates = [parse_learning_rate(t) for t in args.lr] if args.lr else _default_rates(function, start)
    spec = ExperimentSpec(
        function=key, function_params=tuple(sorted(params.items())), expression=args.expr or "",
        start=start, runs=tuple(RunSpec(r, optimizer, hypers) for r in rates),
        schedule=_schedule(args), steps=parse_steps(args.steps or "100", limit=MAX_STEPS),
        tolerance=parse_float(args.tolerance or "1e-6", "--tolerance"),
    )
    try:
        spec.validate()
    except SpecError as exc:
        raise CliError(_as_option(str(exc))) from None
    return spec


def _default_rates(function, start) -> list[float]:
    from lrdesk.core.theory import local_theory

    limit = local_theory(function, start).lr_max_stable
    return [0.1 * limit, 0.9 * limit, 1.1 * limit] if limit else [1e-3, 1e-2, 1e-1]


def _schedule(args) -> ScheduleSpec:
    warmup = args.warmup_steps or "0"
    try:
        steps = int(warmup)
    except ValueError:
        raise CliError(f"--warmup-steps: '{warmup}' is not a whole number") from None
    start = parse_float(args.warmup_start or "0.1", "--warmup-start")
    params = tuple(sorted(parse_params(args.schedule_param, "--schedule-param").items()))
    try:
        return ScheduleSpec(args.schedule or "constant", params, steps, start)
    except InvalidSchedule as exc:
        raise CliError(f"--schedule: {exc}") from None


def _as_option(message: str) -> str:
    """'runs[2].learning_rate: ...' -> '--lr: ...' (the option the user typed)."""
    field, _, rest = message.partition(": ")
    base = field.split(".")[-1] if field.startswith("runs[") else field
    option = {"function": "--function", "start": "--start", "steps": "--steps",
              "tolerance": "--tolerance", "learning_rate": "--lr", "optimizer": "--optimizer/--hyper",
              "runs": "--lr"}.get(base)
    return f"{option}: {rest}" if option else message


def _load(path: str) -> ExperimentSpec:
    from lrdesk.core.spec import MAX_FILE_BYTES

    with open(path, "rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    try:
        return loads(data)
    except SpecError as exc:
        raise CliError(f"{path}: {exc}") from None


def _simulate(spec: ExperimentSpec) -> ExperimentResult:
    simulation = Simulation(spec)
    work = spec.steps * len(spec.runs)
    progress = _Progress() if sys.stderr.isatty() and work >= _PROGRESS_WORK else None
    try:
        return simulation.run_to_end(chunk_steps=4096, progress=progress)
    finally:
        if progress is not None:
            progress.close()


class _Progress:
    """A one-line progress bar on stderr, redrawn a few times a second."""

    def __init__(self) -> None:
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last < 0.2:
            return
        self._last = now
        share = done / total if total else 1.0
        bar = "#" * int(30 * share)
        sys.stderr.write(f"\rrunning [{bar:<30}] {100 * share:3.0f}%  step {done:,} of {total:,}")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\r" + " " * 72 + "\r")
        sys.stderr.flush()


# --- output --------------------------------------------------------------------------------
def _finite(values) -> list:
    """Floats for JSON: NaN and infinities (a diverged run's last numbers) become null."""
    return [float(v) if math.isfinite(v) else None for v in np.asarray(values, float).ravel()]


def _run_rows(run):
    """The recorded rows of a run up to its verdict step."""
    h = run.history
    keep = h.steps <= run.verdict_step
    return h.steps[keep], h.positions[keep], h.losses[keep], h.gradients[keep]


def _write_json(result: ExperimentResult, out) -> None:
    spec, function = result.spec, result.function
    runs = []
    for run in result.runs:
        steps, positions, losses, _ = _run_rows(run)
        runs.append({
            "run": run.index + 1,
            "learning_rate": run.spec.learning_rate,
            "optimizer": run.spec.optimizer,
            "hypers": run.spec.hyper_dict(),
            "verdict": run.verdict,
            "verdict_step": run.verdict_step,
            "oscillated": run.oscillated,
            "start_loss": _finite([run.start_loss])[0],
            "final_loss": _finite([run.final_loss])[0],
            "final_gradient_norm": _finite([run.final_grad_norm])[0],
            "steps": steps.tolist(),
            "path": [_finite(p) for p in positions],
            "losses": _finite(losses),
        })
    doc = {
        "lrdesk": __version__,
        "function": {"key": spec.function, "title": function.title, "formula": function.formula,
                     "params": dict(function.params), "expression": spec.expression or None},
        "start": list(spec.start),
        "steps": spec.steps,
        "tolerance": spec.tolerance,
        "schedule": spec.schedule.describe(),
        "theory": result.theory.as_dict(),
        "runs": runs,
    }
    json.dump(doc, out, allow_nan=False)
    out.write("\n")


def _write_csv(result: ExperimentResult, out) -> None:
    writer = csv.writer(out, lineterminator="\n")
    axes = ["w"] if result.function.dim == 1 else ["x", "y"]
    writer.writerow(["run", "learning_rate", "step", *axes, "loss", "gradient_norm"])
    for run in result.runs:
        steps, positions, losses, gradients = _run_rows(run)
        norms = np.sqrt(np.sum(gradients * gradients, axis=1))
        for s, p, loss, g in zip(steps, positions, losses, norms, strict=True):
            writer.writerow([run.index + 1, repr(run.spec.learning_rate), int(s),
                             *(repr(float(v)) for v in p), repr(float(loss)), repr(float(g))])


_MEANING = {
    "converged": "reached a minimum (flat, and no longer moving)",
    "slow": "still going down when the steps ran out",
    "oscillating": "bounced around without getting better",
    "diverged": "blew up: the loss grew out of bounds",
    "stalled": "stopped on a saddle point, not a minimum",
}


def _write_text(result: ExperimentResult, out) -> None:
    spec, function, theory = result.spec, result.function, result.theory
    where = ", ".join(f"{v:g}" for v in spec.start)
    out.write(f"{function.title}: {function.describe()}\n")
    out.write(f"Start ({where}), {spec.steps:,} steps, {spec.schedule.describe().lower()} "
              f"learning rate, tolerance {spec.tolerance:g}\n")
    if theory.lr_max_stable is not None:
        kind = "exact" if theory.exact else "near the minimum"
        line = f"Theory ({kind}): plain gradient descent is stable below 2/λmax = " \
               f"{theory.lr_max_stable:.4g}"
        if theory.lr_optimal is not None:
            line += f"; fastest at 2/(λmin + λmax) = {theory.lr_optimal:.4g}"
        out.write(line + "\n")
    out.write("\n run  optimizer           learning rate  verdict      at step    final loss"
              "  oscillated\n")
    for run in result.runs:
        title = OPTIMIZERS[run.spec.optimizer].title
        out.write(f"{run.index + 1:4d}  {title:<18}  {run.spec.learning_rate:13.6g}  "
                  f"{run.verdict:<11}  {run.verdict_step:7,d}  {run.final_loss:12.6g}  "
                  f"{'yes' if run.oscillated else 'no':>10}\n")
    out.write("\n")
    for verdict in dict.fromkeys(r.verdict for r in result.runs):
        out.write(f"{verdict}: {_MEANING[verdict]}\n")


# ------------------------------------------------------------------------------------------
# lrdesk functions
# ------------------------------------------------------------------------------------------
def list_functions(args) -> int:
    entries = [_describe_function(key) for key in FUNCTIONS]
    if args.format == "json":
        json.dump({"functions": entries, "custom": _CUSTOM_NOTE}, sys.stdout, indent=1,
                  allow_nan=False)
        sys.stdout.write("\n")
        return 0
    for e in entries:
        sys.stdout.write(f"{e['key']}  ({e['dim']}-D)  {e['title']}\n  {e['formula']}\n")
        for p in e["parameters"]:
            sys.stdout.write(f"  {p['name']} = {p['default']:g}  (from {p['low']:g} to "
                             f"{p['high']:g}): {p['help']}\n")
        start = ", ".join(f"{v:g}" for v in e["default_start"])
        low, high = e["lr_range"]
        sys.stdout.write(f"  starts at ({start}); learning rates worth trying: {low:.2g} to "
                         f"{high:.2g}\n\n")
    sys.stdout.write(f"{CUSTOM}: {_CUSTOM_NOTE}\n")
    return 0


_CUSTOM_NOTE = "type your own function with --expr, e.g. --expr 'x^2 + 10*y^2'"


def _describe_function(key: str) -> dict:
    function = make_function(key)
    return {
        "key": key,
        "title": function.title,
        "dim": function.dim,
        "formula": function.formula,
        "description": function.description,
        "parameters": [
            {"name": p.name, "default": p.default, "low": p.low, "high": p.high, "help": p.help}
            for p in function.parameters
        ],
        "default_start": list(map(float, function.default_start())),
        "lr_range": list(map(float, function.lr_range())),
        "is_quadratic": function.is_quadratic,
    }

