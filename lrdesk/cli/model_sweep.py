"""`lrdesk sweep` and `lrdesk map` on a model experiment (a ``.lrdesk.json`` of kind "model").

`sweep --experiment MODEL.lrdesk.json` trains every rate in full (the file's first run, at each
rate) and, with --range-test, runs fastai's range test too; `map --experiment MODEL.lrdesk.json`
maps learning rate (across) against batch size (up).
"""

from __future__ import annotations

import csv
import json
import sys

import numpy as np

from lrdesk.cli.common import CliError, parse_learning_rate, parse_whole
from lrdesk.core.experiment.spec import MAX_FILE_BYTES, SpecError
from lrdesk.core.models.data_setup import make_data
from lrdesk.core.models.datasets import DatasetError
from lrdesk.core.models.rate_finding import range_test, rate_batch_map, rate_sweep
from lrdesk.core.models.report import finite
from lrdesk.core.models.spec import ModelExperiment, is_model_file, loads_model
from lrdesk.core.models.theory import linear_theory

MAX_MODEL_RATES = 1000
VERDICT_LETTERS = {"converged": "C", "slow": ".", "oscillating": "~", "diverged": "X",
                   "stalled": "s", "running": " "}


def is_model_experiment(path: str | None) -> bool:
    """Whether ``path`` names a model experiment file (anything unreadable: no)."""
    if not path:
        return False
    try:
        with open(path, "rb") as handle:
            return is_model_file(json.loads(handle.read(MAX_FILE_BYTES + 1)))
    except (OSError, ValueError, RecursionError):
        return False


def _load(args) -> ModelExperiment:
    others = [o for o in ("function", "param", "expr", "start", "optimizer", "hyper", "schedule",
                          "steps") if getattr(args, o, None) is not None]
    if others:
        raise CliError(f"--experiment: the model file says everything; drop --{others[0]}")
    with open(args.experiment, "rb") as handle:
        try:
            return loads_model(handle.read(MAX_FILE_BYTES + 1))
        except SpecError as exc:
            raise CliError(f"--experiment: {exc}") from None


def _default_rates(spec: ModelExperiment) -> tuple[float, float]:
    if spec.model.kind == "linear":
        try:
            limit = linear_theory(make_data(spec.data)).lr_max_stable
        except DatasetError as exc:
            raise CliError(f"--experiment: {exc}") from None
        if limit:
            return 0.01 * limit, 3.0 * limit
    return 1e-4, 10.0


def _rates(args, spec, low_name="lr_min", high_name="lr_max", count_name="num"):
    low, high = _default_rates(spec)
    given_low, given_high = getattr(args, low_name), getattr(args, high_name)
    low = parse_learning_rate(given_low, f"--{low_name.replace('_', '-')}") if given_low else low
    high = parse_learning_rate(given_high, f"--{high_name.replace('_', '-')}") if given_high \
        else high
    count = parse_whole(getattr(args, count_name), f"--{count_name}", 1, MAX_MODEL_RATES)
    if count > 1 and not low < high:
        raise CliError(f"the smallest rate ({low:g}) must be below the largest ({high:g})")
    return np.geomspace(low, high, count) if count > 1 else np.array([low])


def run_model_sweep(args) -> int:
    spec = _load(args)
    rates = _rates(args, spec)
    result = rate_sweep(spec, rates)
    rows = [{"learning_rate": float(r), "verdict": v, "verdict_step": int(s),
             "final_train_loss": finite([f])[0], "best_train_loss": finite([b])[0],
             "test_loss": finite([t])[0], "test_accuracy": finite([a])[0]}
            for r, v, s, f, b, t, a in zip(rates, result.verdicts, result.verdict_steps,
                                           result.final_train_loss, result.best_train_loss,
                                           result.test_loss, result.test_accuracy, strict=True)]
    report = {"kind": "model", "dataset": spec.data.dataset, "model": spec.model.kind,
              "optimizer": spec.runs[0].optimizer, "batch_size": spec.runs[0].batch_size,
              "rates": rows}
    if args.range_test:
        steps = parse_whole(args.range_steps, "--range-steps", 10, 100_000)
        test = range_test(spec, float(rates[0]), float(rates[-1]), steps)
        report["range_test"] = {
            "learning_rates": finite(test.learning_rates), "losses": finite(test.losses),
            "smoothed": finite(test.smoothed), "stopped_at": test.stopped_at,
            "valley": test.valley, "steep": test.steep, "minimum": test.minimum,
        }
    lines = [f"{spec.data.dataset}, {spec.model.kind}: {len(rows)} rates trained in full"]
    lines += [f"{r['learning_rate']:12.4g}  {r['verdict']:<11} {r['verdict_step']:7d}  "
              f"{_num(r['final_train_loss'])}" for r in rows]
    if "range_test" in report:
        t = report["range_test"]
        lines.append(f"range test: valley {_num(t['valley'])}, steep {_num(t['steep'])}, "
                     f"minimum/10 {_num(t['minimum'])}")
    _emit(args, report, rows, "\n".join(lines) + "\n")
    return 0


def run_model_map(args) -> int:
    spec = _load(args)
    if args.x != "lr" or args.y not in ("momentum", "batch_size"):  # momentum: map's default
        raise CliError("--x/--y: a model experiment maps --x lr against --y batch_size")
    rates = _rates(args, spec, "x_min", "x_max", "nx")
    n_train = make_data(spec.data).n_train
    low = parse_whole(args.y_min or 1, "--y-min", 1, n_train)
    high = parse_whole(args.y_max or n_train, "--y-max", low, n_train)
    count = parse_whole(args.ny, "--ny", 1, 64)
    sizes = sorted({round(float(v)) for v in np.geomspace(low, high, count)})
    if len(rates) * len(sizes) > 4096:
        raise CliError("--nx x --ny: at most 4,096 cells for a model")
    result = rate_batch_map(spec, rates, sizes)
    report = {"kind": "model", "x": {"name": "lr", "values": [float(r) for r in rates]},
              "y": {"name": "batch_size", "values": sizes}, "verdict": result.verdicts,
              "verdict_step": result.verdict_steps.tolist(),
              "final_loss": [finite(row) for row in result.final_train_loss],
              "test_loss": [finite(row) for row in result.test_loss]}
    rows = [{"learning_rate": float(r), "batch_size": b, "verdict": result.verdicts[i][j],
             "final_loss": finite([result.final_train_loss[i, j]])[0]}
            for i, b in enumerate(sizes) for j, r in enumerate(rates)]
    lines = ["batch size (up) against learning rate (across)"]
    for i in range(len(sizes) - 1, -1, -1):
        lines.append(f"{sizes[i]:>10} |" + "".join(VERDICT_LETTERS[v] for v in result.verdicts[i])
                     + "|")
    _emit(args, report, rows, "\n".join(lines) + "\n")
    return 0


def _emit(args, report: dict, rows: list[dict], text: str) -> None:
    fmt = args.format or ("text" if sys.stdout.isatty() else "json")
    if fmt == "json":
        sys.stdout.write(json.dumps(report, allow_nan=False) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in rows)
    else:
        sys.stdout.write(text)


def _num(value) -> str:
    return "-" if value is None else f"{value:.4g}"
