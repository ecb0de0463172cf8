"""The `train` and `datasets` subcommands: train a real model at several learning rates; list the data.

`train` builds a model experiment from its options (or a preset, or a saved file), trains every
run at once and prints per run the settings, the initial and final parameters (flat, in the
documented order), the training loss per step, the test loss and accuracy, the verdict with its
step and reason and the sharpness samples, as JSON, CSV or text.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from lrdesk.cli.common import CliError, parse_float, parse_learning_rate, parse_params, parse_whole
from lrdesk.cli.experiment import read_experiment_file
from lrdesk.cli.train_output import landscape, write_csv, write_text
from lrdesk.core.experiment.fileio import atomic_write_text
from lrdesk.core.experiment.spec import SpecError
from lrdesk.core.models.csv_data import dataset_to_csv
from lrdesk.core.models.data_setup import make_data, make_model
from lrdesk.core.models.datasets import DATASETS, EXTRA_FEATURES, DatasetError
from lrdesk.core.models.networks import ACTIVATIONS, INITS, LOSSES, MODELS, ModelError
from lrdesk.core.models.presets import PRESETS
from lrdesk.core.models.report import train_report
from lrdesk.core.models.spec import (
    MODEL_OPTIMIZERS,
    DataSpec,
    ModelExperiment,
    ModelRunSpec,
    ModelSpec,
    dumps_model,
    loads_model,
)
from lrdesk.core.models.training import Trainer
from lrdesk.core.optim.schedules import SCHEDULES, InvalidSchedule, ScheduleSpec

#: options that a preset or a saved experiment replaces
_SPEC_OPTIONS = ("dataset", "data", "target", "task", "points", "noise", "train_fraction",
                 "standardize", "features", "model", "hidden", "activation", "init", "loss",
                 "lr", "optimizer", "hyper", "weight_decay", "schedule", "schedule_param",
                 "warmup_steps", "batch_size", "epochs", "steps", "sharpness_every", "eval_every",
                 "tolerance", "run_seed")
DEFAULT_STEPS = 1000


def register(sub) -> None:
    """Add `train` and `datasets` to the main command line's subcommands."""
    p = sub.add_parser(
        "train", help="train a model (linear, logistic, softmax or a small network) on data",
        description="Train a model on a dataset at each learning rate given, all runs at once, "
        "and print each run's losses, accuracy, parameters and verdict (converged, slow, "
        "oscillating, diverged, stalled).")
    add = p.add_argument
    add("--preset", choices=sorted(PRESETS), help="a ready-made experiment, e.g. "
        "edge-of-stability")
    add("--dataset", help=f"built-in data: {', '.join(DATASETS)} (default: circle)")
    add("--data", metavar="FILE.csv", help="your own data: a CSV file with a header row")
    add("--target", metavar="COLUMN", help="the column of --data to predict")
    add("--task", choices=("regression", "binary", "multiclass"),
        help="what the target of --data is (default: regression)")
    add("--points", metavar="N", help="number of points of a built-in dataset")
    add("--noise", metavar="LEVEL", help="noise of a built-in dataset (0-0.5 for the "
        "classification sets, a standard deviation for the regression sets)")
    add("--train-fraction", metavar="F", help="share of rows used for training (default: 0.8)")
    add("--seed", metavar="N", help="seed of the data (default: 0)")
    add("--run-seed", metavar="N", help="seed of every run's initial parameters and shuffling "
        "(default: 0)")
    add("--standardize", action=argparse.BooleanOptionalAction, default=None,
        help="standardise the features (mean 0, standard deviation 1, from the training rows; "
        "default: yes, except housing and line)")
    add("--features", metavar="LIST", help=f"extra features: {','.join(EXTRA_FEATURES)}")
    add("--model", help=f"{', '.join(MODELS)} (default: mlp for classification, linear for "
        "regression)")
    add("--hidden", metavar="WIDTHS", help="hidden layers of the network, e.g. 16,16 (default: 8)")
    add("--activation", choices=ACTIVATIONS, help="of the hidden layers (default: tanh)")
    add("--init", choices=INITS, help="initialisation (default: torch)")
    add("--loss", choices=LOSSES, help="the loss of a network (default: the task's own)")
    add("--lr", action="append", metavar="RATE", help="a learning rate; repeat for several runs")
    add("--optimizer", help=f"{', '.join(MODEL_OPTIMIZERS)} (default: sgd)")
    add("--hyper", action="append", metavar="NAME=VALUE", help="an optimizer setting")
    add("--weight-decay", metavar="LAMBDA", help="L2 weight decay as torch has it (decoupled for "
        "adamw; default 0, 0.01 for adamw)")
    add("--schedule", help=f"learning-rate schedule: {', '.join(SCHEDULES)}")
    add("--schedule-param", action="append", metavar="NAME=VALUE", help="a schedule setting")
    add("--warmup-steps", metavar="N", help="steps of linear warm-up")
    add("--batch-size", action="append", metavar="B", help="minibatch size (default: the full "
        "batch); repeat for several, each with every --lr")
    add("--epochs", metavar="N", help="train for N epochs")
    add("--steps", metavar="N", help=f"train for N steps (default: {DEFAULT_STEPS})")
    add("--eval-every", metavar="N", help="steps between test-loss evaluations (default: every "
        "epoch)")
    add("--sharpness-every", metavar="N", help="steps between sharpness samples (default: never)")
    add("--tolerance", metavar="TOL", help="gradient and step length that count as converged")
    add("--landscape", choices=("axes", "random", "pca"), help="also compute the training loss "
        "on a plane through each run's final parameters: axes (the exact surface of a "
        "two-parameter model), random (filter-normalised directions) or pca (of the path)")
    add("--landscape-size", metavar="N", help="grid points a side (default: 41)")
    add("--save-data", metavar="FILE.csv", help="write the data used (features, target, split)")
    add("--save", metavar="FILE", help="also save the experiment to FILE (.lrdesk.json)")
    add("--experiment", metavar="FILE", help="take the experiment from a saved model file")
    add("--format", choices=("text", "json", "csv"),
        help="output (default: text on a terminal, JSON otherwise); csv: one row per step")
    p.set_defaults(handler=train_command)
    listing = sub.add_parser("datasets", help="list the built-in datasets",
                             description="List the built-in datasets with their defaults.")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.set_defaults(handler=list_datasets)


# ------------------------------------------------------------------------------------------
def train_command(args) -> int:
    spec = experiment_from_args(args)
    try:
        data = make_data(spec.data)
        network = make_model(spec.model, data)
    except (DatasetError, ModelError) as exc:
        raise CliError(_prefix(spec, exc)) from None
    if args.save_data:
        atomic_write_text(args.save_data, dataset_to_csv(data))
    if args.save:
        atomic_write_text(args.save, dumps_model(spec))
    try:
        trainer = Trainer(spec, data, network)
    except ModelError as exc:
        raise CliError(f"--points/--hidden/--lr: {exc}") from None
    _check_work(trainer)
    progress = _Progress() if sys.stderr.isatty() else None
    try:
        trainer.run_to_end(chunk=64, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    report = train_report(trainer)
    if args.landscape:
        size = 41 if args.landscape_size is None else parse_whole(args.landscape_size,
                                                                   "--landscape-size", 3, 201)
        for run in report["runs"]:
            run["landscape"] = landscape(trainer, run["run"] - 1, args.landscape, size)
    fmt = args.format or ("text" if sys.stdout.isatty() else "json")
    if fmt == "json":
        json.dump(report, sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    elif fmt == "csv":
        write_csv(report, sys.stdout)
    else:
        write_text(report, sys.stdout)
    return 0


#: multiply-adds one command may ask for (about an hour here)
MAX_WORK = 1e13


def _check_work(trainer: Trainer) -> None:
    rows = [min(r.batch_size or trainer.data.n_train, trainer.data.n_train)
            for r in trainer.spec.runs]
    work = 3.0 * trainer.network.dim * sum(
        rows[k] * int(trainer.run_steps[k]) for k in range(trainer.K))
    if work > MAX_WORK:
        raise CliError(f"--steps: {work:.1e} multiply-adds is hours of work (at most "
                       f"{MAX_WORK:.0e}); use fewer steps, runs, rows or units")


class _Progress:
    """A one-line progress bar on stderr, redrawn a few times a second."""

    def __init__(self) -> None:
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        import time

        now = time.monotonic()
        if now - self._last < 0.2:
            return
        self._last = now
        share = done / total if total else 1.0
        sys.stderr.write(f"\rtraining [{'#' * int(30 * share):<30}] {100 * share:3.0f}%  "
                         f"step {done:,} of {total:,}")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\r" + " " * 72 + "\r")
        sys.stderr.flush()


def _prefix(spec: ModelExperiment, exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, ModelError):
        return f"--model: {text}"
    if spec.data.dataset == "csv":
        return f"--data: {text}"
    return f"--dataset: {text}"


def experiment_from_args(args) -> ModelExperiment:
    given = [n for n in _SPEC_OPTIONS if getattr(args, n, None) is not None]
    if args.experiment or args.preset:
        source = "--experiment" if args.experiment else "--preset"
        if args.experiment and args.preset:
            raise CliError("--preset: give either --preset or --experiment, not both")
        allowed = {"lr", "steps", "epochs", "sharpness_every"} if args.preset else set()
        extra = [f"--{n.replace('_', '-')}" for n in given if n not in allowed]
        if extra:
            raise CliError(f"{source}: it says everything; drop {', '.join(extra)}")
        spec = _load(args.experiment) if args.experiment else PRESETS[args.preset]
        return _override_preset(spec, args) if args.preset else spec
    return _build(args)


def _override_preset(spec: ModelExperiment, args) -> ModelExperiment:
    if args.lr:
        spec = spec.with_runs(replace(spec.runs[0], learning_rate=parse_learning_rate(t))
                              for t in args.lr)
    if args.steps is not None or args.epochs is not None:
        spec = replace(spec, **_budget(args))
    if args.sharpness_every is not None:
        spec = replace(spec, sharpness_every=parse_whole(args.sharpness_every,
                                                         "--sharpness-every", 0, 10**7))
    return _checked(spec)


def _load(path: str) -> ModelExperiment:
    data = read_experiment_file(path)  # a pipe would block for ever: refused unopened
    try:
        return loads_model(data)
    except SpecError as exc:
        raise CliError(f"--experiment: {exc}") from None


def _build(args) -> ModelExperiment:
    if args.data is not None and args.dataset is not None:
        raise CliError("--data: give either --dataset or --data, not both")
    if args.data is not None and not args.target:
        raise CliError("--target: name the column of --data to predict")
    if args.data is None and (args.target or args.task):
        raise CliError("--target: only with --data FILE.csv")
    features = tuple(f.strip() for f in (args.features or "").split(",") if f.strip())
    data = DataSpec(
        dataset="csv" if args.data else (args.dataset or "circle"), path=args.data or "",
        target=args.target or "", task=args.task or "regression",
        points=None if args.points is None else parse_whole(args.points, "--points", 4, 200_000),
        noise=None if args.noise is None else parse_float(args.noise, "--noise"),
        train_fraction=0.8 if args.train_fraction is None
        else parse_float(args.train_fraction, "--train-fraction"),
        seed=0 if args.seed is None else parse_whole(args.seed, "--seed", 0, 2**63 - 1),
        standardize=args.standardize, features=features)
    regression = (data.dataset == "csv" and data.task == "regression") or \
        (data.dataset in DATASETS and DATASETS[data.dataset].task == "regression")
    kind = args.model or ("linear" if regression else "mlp")
    hidden = (8,) if args.hidden is None else _widths(args.hidden)
    model = ModelSpec(kind, hidden, args.activation or "tanh", args.init or "torch", args.loss)
    optimizer = args.optimizer or "sgd"
    hypers = tuple(sorted(parse_params(args.hyper, "--hyper").items()))
    decay = None if args.weight_decay is None else parse_float(args.weight_decay,
                                                                "--weight-decay")
    seed = 0 if args.run_seed is None else parse_whole(args.run_seed, "--run-seed", 0, 2**63 - 1)
    rates = [parse_learning_rate(t) for t in args.lr] if args.lr else [0.1]
    sizes = [parse_whole(b, "--batch-size", 1, 200_000) for b in args.batch_size] \
        if args.batch_size else [None]
    runs = tuple(ModelRunSpec(r, optimizer, hypers, decay, b, seed) for b in sizes for r in rates)
    spec = ModelExperiment(
        data=data, model=model, runs=runs, schedule=_schedule(args), **_budget(args),
        tolerance=1e-6 if args.tolerance is None else parse_float(args.tolerance, "--tolerance"),
        eval_every=None if args.eval_every is None
        else parse_whole(args.eval_every, "--eval-every", 1, 10**7),
        sharpness_every=0 if args.sharpness_every is None
        else parse_whole(args.sharpness_every, "--sharpness-every", 0, 10**7))
    return _checked(spec)


def _checked(spec: ModelExperiment) -> ModelExperiment:
    try:
        spec.validate()
    except SpecError as exc:
        raise CliError(_as_option(str(exc))) from None
    return spec


_FIELD_OPTIONS = {"learning_rate": "--lr", "optimizer": "--optimizer/--hyper",
                  "batch_size": "--batch-size", "runs": "--lr", "steps": "--steps",
                  "epochs": "--epochs", "tolerance": "--tolerance", "data.dataset": "--dataset",
                  "data": "--data", "data.points": "--points", "data.train_fraction":
                  "--train-fraction", "data.features": "--features", "model.kind": "--model",
                  "data.task": "--task"}


def _as_option(message: str) -> str:
    name, _, rest = message.partition(": ")
    base = name.split(".")[-1] if name.startswith("runs[") else name
    option = _FIELD_OPTIONS.get(base)
    return f"{option}: {rest}" if option else message


def _budget(args) -> dict:
    if args.steps is not None and args.epochs is not None:
        raise CliError("--epochs: give either --steps or --epochs, not both")
    if args.epochs is not None:
        return {"steps": None, "epochs": parse_whole(args.epochs, "--epochs", 1, 10**7)}
    steps = DEFAULT_STEPS if args.steps is None else parse_whole(args.steps, "--steps", 1, 10**7)
    return {"steps": steps, "epochs": None}


def _widths(text: str) -> tuple[int, ...]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not 1 <= len(parts) <= 3:
        raise CliError("--hidden: give 1 to 3 layer widths, e.g. 16,16")
    return tuple(parse_whole(p, "--hidden", 1, 64) for p in parts)


def _schedule(args) -> ScheduleSpec:
    warmup = 0 if args.warmup_steps is None else parse_whole(args.warmup_steps, "--warmup-steps",
                                                             0, 10**9)
    params = tuple(sorted(parse_params(args.schedule_param, "--schedule-param").items()))
    try:
        return ScheduleSpec(args.schedule or "constant", params, warmup)
    except InvalidSchedule as exc:
        raise CliError(f"--schedule: {exc}") from None


def list_datasets(args) -> int:
    entries = [{"key": i.key, "title": i.title, "task": i.task, "points": i.points,
                "noise": i.noise, "noise_range": list(i.noise_range),
                "features": list(i.features), "standardized": i.standardize,
                "description": i.description} for i in DATASETS.values()]
    note = "your own data: --data FILE.csv --target COLUMN (numeric cells, a header row)"
    if args.format == "json":
        json.dump({"datasets": entries, "csv": note}, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    for e in entries:
        sys.stdout.write(f"{e['key']}  ({e['task']}, {e['points']} points, features "
                         f"{', '.join(e['features'])})  {e['title']}\n  {e['description']}\n"
                         f"  noise {e['noise']:g} (from {e['noise_range'][0]:g} to "
                         f"{e['noise_range'][1]:g})\n\n")
    sys.stdout.write(note + "\n")
    return 0

