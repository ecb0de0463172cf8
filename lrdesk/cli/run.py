"""The `run` and `functions` subcommands: runs at a few learning rates, and the surfaces on offer.

`run` prints each run's path, losses and verdict with what theory says about the learning rate,
as text, JSON or CSV; `functions` lists every loss function with its settings.
"""

from __future__ import annotations

import csv
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from lrdesk._version import __version__
from lrdesk.cli.common import CliError, parse_learning_rate, quoted
from lrdesk.cli.experiment import EXPERIMENT_OPTIONS, add_experiment_options, experiment_from_args
from lrdesk.core.experiment.fileio import atomic_write_text
from lrdesk.core.experiment.simulation import ExperimentResult, Simulation
from lrdesk.core.experiment.spec import ExperimentSpec, dumps
from lrdesk.core.functions import make_function
from lrdesk.core.optim.optimizers import OPTIMIZERS
from lrdesk.core.surfaces import CUSTOM, FUNCTIONS
from lrdesk.core.theory.hessian import lr_range

#: run options that a saved experiment (--experiment) replaces
_SPEC_OPTIONS = (*EXPERIMENT_OPTIONS, "lr")
#: total run-steps above which a terminal shows a progress bar
_PROGRESS_WORK = 2_000_000
DEFAULT_STEPS = 100


def register(sub) -> None:
    """Add `run` and `functions` to the main command line's subcommands."""
    run = sub.add_parser(
        "run", help="run gradient descent at one or more learning rates and print the paths",
        description="Run gradient descent from one start at each learning rate given, and "
        "print each run's path, losses and verdict (converged, slow, oscillating, diverged, "
        "stalled) with what theory says about the learning rate.",
    )
    add_experiment_options(run, DEFAULT_STEPS)
    add = run.add_argument
    add("--lr", action="append", metavar="RATE",
        help="a learning rate; repeat for several runs (default: three rates around the "
        "stability limit 2/λmax)")
    add("--save", metavar="FILE", help="also save the experiment to FILE")
    add("--format", choices=("text", "json", "csv"),
        help="output (default: text on a terminal, JSON otherwise); csv: one row per "
        "recorded step")
    run.set_defaults(handler=run_command)
    listing = sub.add_parser("functions", help="list the loss functions and their settings",
                             description="List every loss function with its formula, "
                             "parameters, default start and suggested learning rates.")
    listing.add_argument("--format", choices=("text", "json"), default="text",
                         help="output format (default: text)")
    listing.set_defaults(handler=list_functions)


# ------------------------------------------------------------------------------------------
# lrdesk run
# ------------------------------------------------------------------------------------------
def run_command(args) -> int:
    spec = _spec_from_args(args)
    if args.save is not None:
        save_experiment(spec, args.save)
    with np.errstate(all="ignore"):  # a run that overflows is a verdict (diverged), not a warning
        result = _simulate(spec)
    fmt = args.format or ("text" if sys.stdout.isatty() else "json")
    {"json": _write_json, "csv": _write_csv, "text": _write_text}[fmt](result, sys.stdout)
    return 0


def save_experiment(spec: ExperimentSpec, path: str) -> None:
    """Save atomically: a full disk or a killed save never leaves a half-written file."""
    target = Path(path)
    if target.is_dir():
        raise CliError(f"--save: {quoted(path)} is a folder; give a file name")
    try:
        atomic_write_text(target, dumps(spec))
    except OSError as exc:
        raise CliError(f"--save: cannot save {quoted(path)} ({exc.strerror or exc}); any old "
                       "file there is unchanged") from None


def _spec_from_args(args) -> ExperimentSpec:
    if args.experiment:
        given = [f"--{n.replace('_', '-')}" for n in _SPEC_OPTIONS if getattr(args, n) is not None]
        if given:
            raise CliError(f"--experiment: the file says everything; drop {', '.join(given)}")
    rates = [parse_learning_rate(t) for t in args.lr] if args.lr else None
    return experiment_from_args(args, rates)


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
        "lr_range": list(map(float, lr_range(function))),
        "is_quadratic": function.is_quadratic,
    }

