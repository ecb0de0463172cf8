"""The `sweep` and `map` subcommands: every learning rate (or every cell) as a full run, one batch.

They build the same frozen experiment spec as the window and call the same core functions as the
sweep and map views, so the numbers printed here are the numbers drawn there.
"""

from __future__ import annotations

import csv
import json
import math
import sys

import numpy as np

from lrdesk.cli.common import CliError, parse_float, parse_learning_rate, parse_whole, quoted
from lrdesk.cli.experiment import add_experiment_options, experiment_from_args
from lrdesk.core.engine.batch import VERDICTS
from lrdesk.core.experiment.spec import ExperimentSpec
from lrdesk.core.sweeps.regime import (
    AXIS_TITLES,
    MapAxis,
    MapError,
    MapSetup,
    RegimeRun,
    axis_values,
    default_range,
    iterate_map,
)
from lrdesk.core.sweeps.sweep import (
    MAX_RATES,
    SweepSetup,
    compare_range_test,
    iterate_sweep,
    log_spaced_rates,
    range_test,
)
from lrdesk.core.theory.hessian import lr_range

#: total work a single command may ask for (about an hour at the measured sweep speed)
MAX_RUN_STEPS = 100_000_000_000
#: step budget of every run when --steps is not given
DEFAULT_STEPS = 1000
#: the learning rate of the spec's one run: the sweep and the map replace it with their own
PLACEHOLDER_RATE = 1e-3
VERDICT_LETTERS = {"converged": "C", "slow": ".", "oscillating": "~", "diverged": "X",
                   "stalled": "s", "running": " "}


def _model_sweep():
    """The model experiments' sweep and map, imported only when a model file is given (it
    brings in the whole training core, a third of a surface sweep's start-up)."""
    from lrdesk.cli import model_sweep

    return model_sweep


def register(subparsers) -> None:
    """Add `sweep` and `map` to the main command line's subcommands."""
    sweep = subparsers.add_parser(
        "sweep", help="run many learning rates as full runs and report each one's outcome",
        description="Run N log-spaced learning rates, each as a full run from the same start, "
        "in one batch; report final loss, verdict and steps to converge per rate.",
    )
    add_experiment_options(sweep, DEFAULT_STEPS)
    sweep.add_argument("--lr-min", default=None, help="smallest learning rate (default: suggested)")
    sweep.add_argument("--lr-max", default=None, help="largest learning rate (default: suggested)")
    sweep.add_argument("--num", default="200", help="how many learning rates (1 to 1,000,000)")
    sweep.add_argument("--range-test", action="store_true",
                       help="also run the classic range test (one run, rate growing each step)")
    sweep.add_argument("--range-steps", default="100", help="steps of the range test")
    _add_format(sweep)
    sweep.set_defaults(handler=run_sweep)

    grid = subparsers.add_parser(
        "map", help="a 2-D map of verdicts: learning rate against momentum, condition or start",
        description="Run a full run in every cell of a grid (one batch) and report each verdict.",
    )
    add_experiment_options(grid, DEFAULT_STEPS)
    grid.add_argument("--x", default="lr", help=f"axis across ({', '.join(AXIS_TITLES)})")
    grid.add_argument("--y", default="momentum", help=f"axis up ({', '.join(AXIS_TITLES)})")
    grid.add_argument("--nx", default="60", help="cells across")
    grid.add_argument("--ny", default="40", help="cells up")
    for axis in ("x", "y"):
        grid.add_argument(f"--{axis}-min", default=None, help=f"start of the {axis} axis")
        grid.add_argument(f"--{axis}-max", default=None, help=f"end of the {axis} axis")
    _add_format(grid)
    grid.set_defaults(handler=run_map)


def _add_format(parser) -> None:
    parser.add_argument("--format", choices=("json", "csv", "text"), default=None,
                        help="output format (default: text on a terminal, JSON otherwise)")


# ------------------------------------------------------------------------------------------
# Checks
# ------------------------------------------------------------------------------------------
def _check_work(runs: int, steps: int, what: str) -> None:
    if runs * steps > MAX_RUN_STEPS:
        raise CliError(
            f"{what}: {runs:,} runs of {steps:,} steps is more than {MAX_RUN_STEPS:.0e} run-steps "
            "(hours of work); use fewer rates or steps"
        )


# ------------------------------------------------------------------------------------------
# sweep
# ------------------------------------------------------------------------------------------
def sweep_rates(args, setup: SweepSetup) -> np.ndarray:
    suggested = lr_range(setup.function)  # already below the cap
    low = parse_learning_rate(args.lr_min, "--lr-min") if args.lr_min else suggested[0]
    high = parse_learning_rate(args.lr_max, "--lr-max") if args.lr_max else suggested[1]
    num = parse_whole(args.num, "--num", 1, MAX_RATES)
    if num > 1 and not low < high:
        raise CliError(f"--lr-min ({low:g}) must be smaller than --lr-max ({high:g})")
    _check_work(num, setup.steps, "--num x --steps")
    return log_spaced_rates(low, high, num)


def run_sweep(args) -> int:
    if args.experiment and _model_sweep().is_model_experiment(args.experiment):  # a model
        return _model_sweep().run_model_sweep(args)
    with np.errstate(all="ignore"):  # runs that overflow are verdicts (diverged), not warnings
        return _run_sweep(args)


def _run_sweep(args) -> int:
    spec = experiment_from_args(args, (PLACEHOLDER_RATE,))
    setup = SweepSetup.from_spec(spec)
    rates = sweep_rates(args, setup)
    range_steps = parse_whole(args.range_steps, "--range-steps", 2, 1_000_000)
    sweep = setup.sweep(rates)
    with _ProgressBar("sweep") as bar:
        result = sweep.result()
        for result in iterate_sweep(sweep):
            bar.show(result.steps_done, result.total_steps)
    theory = setup.theory()
    test = None
    if args.range_test:
        try:
            test = range_test(setup.function, setup.start, setup.optimizer, setup.hypers,
                              float(rates[0]), float(rates[-1]), range_steps)
        except ValueError as exc:
            raise CliError(f"--range-steps: {exc}") from None
    report = sweep_report(spec, setup, result, theory, test)
    _emit(args, report, report["runs"], _sweep_text(report))
    return 0


def sweep_report(spec, setup, result, theory, test=None) -> dict:
    """The JSON document of a sweep (plain Python values, no NaN)."""
    report = {
        "function": spec.function,
        "function_params": dict(spec.function_params),
        "start": list(setup.start),
        "optimizer": setup.optimizer,
        "hypers": setup.hypers,
        "steps": setup.steps,
        "tolerance": setup.tolerance,
        "schedule": setup.schedule.describe(),
        "theory": {"lines": [{"label": ln.label, "learning_rate": ln.learning_rate}
                             for ln in theory.lines], "note": theory.note},
        "counts": {k: v for k, v in result.counts().items() if k != "running"},
        "bands": [{"verdict": b.name, "from": float(result.learning_rates[b.first]),
                   "to": float(result.learning_rates[b.last]), "count": b.last - b.first + 1}
                  for b in result.bands()],
        "runs": sweep_rows(result),
    }
    if test is not None:
        report["range_test"] = {
            "learning_rates": [_num(v) for v in test.learning_rates],
            "losses": [_num(v) for v in test.losses],
            "suggestion": test.suggestion,
            "stopped": test.stop_reason,
            "note": test.note,
            "comparison": compare_range_test(test, result, theory),
        }
    return report


def sweep_rows(result) -> list[dict]:
    # whole columns to Python values first (``tolist``): far quicker than one number at a time
    columns = zip(
        result.learning_rates.tolist(), result.final_loss.tolist(),
        result.verdict_names.tolist(), result.verdict_step.tolist(),
        result.steps_to_converge.tolist(), result.oscillated.tolist(), strict=True,
    )
    return [
        {
            "learning_rate": rate,
            "final_loss": _num(loss),
            "verdict": name,
            "verdict_step": step,
            "steps_to_converge": None if math.isnan(converge) else int(converge),
            "oscillated": oscillated,
        }
        for rate, loss, name, step, converge, oscillated in columns
    ]


def _sweep_text(report: dict) -> str:
    lines = [
        f"{report['function']} from {_point(report['start'])}, {report['optimizer']}, "
        f"{report['steps']} steps, {len(report['runs'])} learning rates",
        "verdicts: " + ", ".join(f"{k} {v}" for k, v in report["counts"].items() if v),
        "bands (rates with the same verdict):",
    ]
    lines += [f"  {b['from']:<11.4g} to {b['to']:<11.4g} {b['verdict']} ({b['count']})"
              for b in report["bands"]]
    lines += [f"theory: {ln['label']} = {ln['learning_rate']:.4g}"
              for ln in report["theory"]["lines"]]
    lines.append(report["theory"]["note"])
    fastest = [r for r in report["runs"] if r["steps_to_converge"] is not None]
    if fastest:
        best = min(fastest, key=lambda r: (r["steps_to_converge"], -r["learning_rate"]))
        lines.append(f"fastest: {best['learning_rate']:.4g} converged in "
                     f"{best['steps_to_converge']} steps")
    if "range_test" in report:
        lines += ["range test: " + report["range_test"]["stopped"],
                  report["range_test"]["comparison"], report["range_test"]["note"]]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------
# map
# ------------------------------------------------------------------------------------------
def map_axes(args, spec: ExperimentSpec) -> tuple[MapAxis, MapAxis]:
    axes = []
    for axis in ("x", "y"):
        name = getattr(args, axis)
        if name not in AXIS_TITLES:
            raise CliError(f"--{axis}: unknown axis {quoted(name)} (choose one of: "
                           f"{', '.join(AXIS_TITLES)})")
        low, high = default_range(name, spec)
        given_low, given_high = getattr(args, f"{axis}_min"), getattr(args, f"{axis}_max")
        # a rate axis obeys the same check as every learning rate
        number = parse_learning_rate if name == "lr" else parse_float
        low = number(given_low, f"--{axis}-min") if given_low else low
        high = number(given_high, f"--{axis}-max") if given_high else high
        count = parse_whole(getattr(args, f"n{axis}"), f"--n{axis}", 1, 2000)
        try:
            axes.append(MapAxis(name, axis_values(name, count, low, high)))
        except MapError as exc:
            raise CliError(f"--{axis}: {exc}") from None
    return axes[0], axes[1]


def run_map(args) -> int:
    if args.experiment and _model_sweep().is_model_experiment(args.experiment):  # a model
        return _model_sweep().run_model_map(args)
    with np.errstate(all="ignore"):  # cells that overflow are verdicts (diverged), not warnings
        return _run_map(args)


def _run_map(args) -> int:
    spec = experiment_from_args(args, (PLACEHOLDER_RATE,))
    x, y = map_axes(args, spec)
    _check_work(len(x.values) * len(y.values), spec.steps, "--nx x --ny x --steps")
    try:
        run = RegimeRun(MapSetup.from_spec(spec), x, y)
    except MapError as exc:
        raise CliError(f"--x/--y: {exc}") from None
    with _ProgressBar("map") as bar:
        result = run.result()
        for result in iterate_map(run):
            bar.show(result.steps_done, result.total_steps)
    report = map_report(spec, result)
    _emit(args, report, map_rows(result), _map_text(result))
    return 0


def map_report(spec: ExperimentSpec, result) -> dict:
    names = np.array([*VERDICTS, "running"])[result.verdict]
    return {
        "function": spec.function,
        "start": list(spec.start),
        "optimizer": result.optimizer,
        "steps": result.total_steps,
        "x": {"name": result.x.name, "title": result.x.title,
              "values": [float(v) for v in result.x.values]},
        "y": {"name": result.y.name, "title": result.y.title,
              "values": [float(v) for v in result.y.values]},
        "verdict": names.tolist(),
        "verdict_step": result.verdict_step.tolist(),
        "steps_to_converge": [[_whole_or_none(v) for v in row]
                              for row in result.steps_to_converge],
        "final_loss": [[_num(v) for v in row] for row in result.final_loss],
        "theory_boundary": {
            "exact": result.boundary_exact,
            "points": [[float(a), float(b)]
                       for a, b in zip(result.boundary_x, result.boundary_y, strict=True)],
        },
    }


def map_rows(result) -> list[dict]:
    x_key, y_key = _column(result.x.name), _column(result.y.name)
    rows = []
    to_converge = result.steps_to_converge
    for iy, yv in enumerate(result.y.values):
        for ix, xv in enumerate(result.x.values):
            rows.append({
                x_key: float(xv), y_key: float(yv),
                "verdict": result.verdict_name(iy, ix),
                "verdict_step": int(result.verdict_step[iy, ix]),
                "steps_to_converge": _whole_or_none(to_converge[iy, ix]),
                "final_loss": _num(result.final_loss[iy, ix]),
                "oscillated": bool(result.oscillated[iy, ix]),
            })
    return rows


def _map_text(result) -> str:
    lines = [f"{result.y.title} (up) against {result.x.title} (across), "
             f"{result.optimizer}, {result.total_steps} steps"]
    for iy in range(len(result.y.values) - 1, -1, -1):
        cells = "".join(VERDICT_LETTERS[result.verdict_name(iy, ix)]
                        for ix in range(len(result.x.values)))
        lines.append(f"{result.y.values[iy]:>10.4g} |{cells}|")
    lo, hi = result.x.values[0], result.x.values[-1]
    lines.append(f"{'':>10}  {lo:<.4g} ... {hi:.4g}")
    lines.append("legend: " + ", ".join(f"{c} {name}" for name, c in VERDICT_LETTERS.items()
                                        if name != "running"))
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------
# output
# ------------------------------------------------------------------------------------------
def _emit(args, report: dict, rows: list[dict], text: str) -> None:
    fmt = args.format or ("text" if sys.stdout.isatty() else "json")
    if fmt == "json":
        sys.stdout.write(json_document(report) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in rows)
    else:
        sys.stdout.write(text)


def json_document(report: dict) -> str:
    """``report`` as indented JSON, with each row of its long lists (one per rate or cell) on
    a line of its own. Indented JSON goes through Python's slow encoder, which took longer
    than a 10,000-rate sweep itself; one line per row goes through the fast one."""
    encoder = json.JSONEncoder(allow_nan=False)
    lists, shallow = {}, dict(report)
    for key, value in report.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            marker = f"@@rows of {key} {id(value):x}@@"
            lists[json.dumps(marker)] = _rows_text(encoder, value)
            shallow[key] = marker
    text = json.dumps(shallow, indent=1, allow_nan=False)
    for marker, rows in lists.items():
        text = text.replace(marker, rows, 1)
    return text


def _rows_text(encoder: json.JSONEncoder, rows: list[dict]) -> str:
    """``rows`` as a JSON list, one row a line. The list is encoded in one call (a third
    quicker than row by row) and cut between rows; the cut is exact when it finds exactly one
    place per row (a string holding "}, {" would add places), else rows are encoded one by one.
    """
    whole = encoder.encode(rows)[1:-1]
    if whole.count("}, {") == len(rows) - 1:
        return "[\n  " + whole.replace("}, {", "},\n  {") + "\n ]"
    return "[\n  " + ",\n  ".join(map(encoder.encode, rows)) + "\n ]"


def _column(name: str) -> str:
    return {"lr": "learning_rate", "start": "start"}.get(name, name)


def _num(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _whole_or_none(value) -> int | None:
    return int(value) if np.isfinite(value) else None


def _point(values) -> str:
    return "(" + ", ".join(f"{v:g}" for v in values) + ")"


class _ProgressBar:
    """A one-line progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty()
        self.last = -1

    def __enter__(self) -> _ProgressBar:
        return self

    def show(self, done: int, total: int) -> None:
        percent = int(100 * done / max(1, total))
        if not self.enabled or percent == self.last:
            return
        self.last = percent
        filled = percent * 30 // 100
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {percent:3d}%")
        sys.stderr.flush()

    def __exit__(self, *exc) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 50 + "\r")
            sys.stderr.flush()
