"""The frozen model experiment (data, model, runs, budget) and its place in the ``.lrdesk.json`` format.

A model experiment is a file of kind ``"model"`` at format version 2; surface experiments keep
format version 1 and no ``kind``, so every file written before still opens, and an older LR Desk
refuses a model file by its version instead of misreading it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from typing import Any

from lrdesk.core.experiment.spec import (
    FORMAT,
    MAX_FILE_BYTES,
    SpecError,
    _Fields,
    _params,
    check_learning_rate,
)
from lrdesk.core.models.datasets import DATASETS, EXTRA_FEATURES, MAX_POINTS
from lrdesk.core.models.networks import ACTIVATIONS, INITS, LOSSES, MODELS
from lrdesk.core.optim.catalog import OPTIMIZERS, InvalidOptimizer, resolve_hypers
from lrdesk.core.optim.decay import DECOUPLED, InvalidDecay, base_optimizer, check_weight_decay
from lrdesk.core.optim.schedules import SCHEDULES, InvalidSchedule, ScheduleSpec

KIND = "model"
MODEL_VERSION = 2
MAX_MODEL_RUNS = 64
MAX_MODEL_STEPS = 10_000_000
MODEL_OPTIMIZERS = (*OPTIMIZERS, *DECOUPLED)

Params = tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class DataSpec:
    dataset: str = "circle"  # a built-in key, or "csv" with ``path`` and ``target``
    path: str = ""
    target: str = ""
    task: str = "regression"  # for csv files: regression, binary or multiclass
    points: int | None = None
    noise: float | None = None
    train_fraction: float = 0.8
    seed: int = 0
    standardize: bool | None = None
    features: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelSpec:
    kind: str = "mlp"
    hidden: tuple[int, ...] = (8,)
    activation: str = "tanh"
    init: str = "torch"
    loss: str | None = None  # None: the natural loss of the task


@dataclass(frozen=True)
class ModelRunSpec:
    learning_rate: float
    optimizer: str = "sgd"
    hypers: Params = ()
    weight_decay: float | None = None  # None: the optimizer's default (0.01 for AdamW, else 0)
    batch_size: int | None = None  # None: full batch
    seed: int = 0  # initial parameters and the shuffling of the rows
    schedule: ScheduleSpec | None = None  # None: the experiment's schedule

    def hyper_dict(self) -> dict[str, float]:
        return resolve_hypers(base_optimizer(self.optimizer), dict(self.hypers))

    def decay(self) -> float:
        return check_weight_decay(self.weight_decay, self.optimizer)


@dataclass(frozen=True)
class ModelExperiment:
    data: DataSpec = field(default_factory=DataSpec)
    model: ModelSpec = field(default_factory=ModelSpec)
    runs: tuple[ModelRunSpec, ...] = field(default_factory=lambda: (ModelRunSpec(0.1),))
    schedule: ScheduleSpec = field(default_factory=ScheduleSpec)
    steps: int | None = 1000
    epochs: int | None = None
    tolerance: float = 1e-6
    eval_every: int | None = None  # None: every epoch (at most about 200 evaluations)
    sharpness_every: int = 0  # 0: never
    path_points: int = 101

    def with_runs(self, runs) -> ModelExperiment:
        return replace(self, runs=tuple(runs))

    def validate(self) -> None:
        validate_model_experiment(self)


def _whole(value, name: str, low: int, high: int, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SpecError(f"{name}: must be a whole number from {low:,} to {high:,}, "
                        f"not {value!r}"[:120])


def validate_model_experiment(spec: ModelExperiment) -> None:
    """Check every field; raises SpecError naming the field (the data itself is checked when made)."""
    d = spec.data
    if d.dataset != "csv" and d.dataset not in DATASETS:
        raise SpecError(f"data.dataset: unknown dataset '{d.dataset}' "
                        f"(choose one of: {', '.join(DATASETS)})")
    if d.dataset == "csv" and not (d.path and d.target):
        raise SpecError("data: your own data needs a file and a target column")
    if d.task not in ("regression", "binary", "multiclass"):
        raise SpecError(f"data.task: regression, binary or multiclass, not '{d.task}'")
    _whole(d.points, "data.points", 4, MAX_POINTS, allow_none=True)
    _whole(d.seed, "data.seed", 0, 2**63 - 1)
    if not (isinstance(d.train_fraction, (int, float)) and 0 < d.train_fraction <= 1):
        raise SpecError(f"data.train_fraction: must be above 0 and at most 1, "
                        f"not {d.train_fraction!r}")
    for f in d.features:
        if f not in EXTRA_FEATURES:
            raise SpecError(f"data.features: unknown feature '{f}' "
                            f"(choose from: {', '.join(EXTRA_FEATURES)})")
    m = spec.model
    if m.kind not in MODELS:
        raise SpecError(f"model.kind: unknown model '{m.kind}' (choose one of: {', '.join(MODELS)})")
    if m.activation not in ACTIVATIONS or m.init not in INITS or m.loss not in (None, *LOSSES):
        raise SpecError("model: activation, init or loss not known")
    if not spec.runs:
        raise SpecError("runs: add at least one run")
    if len(spec.runs) > MAX_MODEL_RUNS:
        raise SpecError(f"runs: at most {MAX_MODEL_RUNS} runs at once, not {len(spec.runs)}")
    for i, run in enumerate(spec.runs, start=1):
        check_learning_rate(run.learning_rate, f"runs[{i}].learning_rate")
        if run.optimizer not in MODEL_OPTIMIZERS:
            raise SpecError(f"runs[{i}].optimizer: unknown optimizer '{run.optimizer}' "
                            f"(choose one of: {', '.join(MODEL_OPTIMIZERS)})")
        try:
            run.hyper_dict()
            run.decay()
        except (InvalidOptimizer, InvalidDecay) as exc:
            raise SpecError(f"runs[{i}].optimizer: {exc}") from None
        _whole(run.batch_size, f"runs[{i}].batch_size", 1, MAX_POINTS, allow_none=True)
        _whole(run.seed, f"runs[{i}].seed", 0, 2**63 - 1)
    if (spec.steps is None) == (spec.epochs is None):
        raise SpecError("steps: give either a number of steps or a number of epochs")
    _whole(spec.steps, "steps", 1, MAX_MODEL_STEPS, allow_none=True)
    _whole(spec.epochs, "epochs", 1, MAX_MODEL_STEPS, allow_none=True)
    tol = spec.tolerance
    if not isinstance(tol, (int, float)) or not math.isfinite(tol) or not 0 <= tol < 1e6:
        raise SpecError(f"tolerance: must be a number from 0 to 1e6, not {tol!r}")
    _whole(spec.eval_every, "eval_every", 1, MAX_MODEL_STEPS, allow_none=True)
    _whole(spec.sharpness_every, "sharpness_every", 0, MAX_MODEL_STEPS)
    _whole(spec.path_points, "path_points", 2, 10_000)


# --- JSON ------------------------------------------------------------------------------------
def model_to_dict(spec: ModelExperiment) -> dict[str, Any]:
    d, m, s = spec.data, spec.model, spec.schedule
    data = {"dataset": d.dataset, "train_fraction": d.train_fraction, "seed": d.seed,
            "features": list(d.features)}
    if d.dataset == "csv":
        data.update(path=d.path, target=d.target, task=d.task)
    for key in ("points", "noise", "standardize"):
        if getattr(d, key) is not None:
            data[key] = getattr(d, key)
    runs = []
    for r in spec.runs:
        run = {"learning_rate": r.learning_rate,
               "optimizer": {"name": r.optimizer, "params": dict(r.hypers)}, "seed": r.seed}
        if r.weight_decay is not None:
            run["weight_decay"] = r.weight_decay
        if r.batch_size is not None:
            run["batch_size"] = r.batch_size
        if r.schedule is not None:
            run["schedule"] = _schedule_to_dict(r.schedule)
        runs.append(run)
    out = {
        "format": FORMAT, "version": MODEL_VERSION, "kind": KIND, "data": data,
        "model": {"kind": m.kind, "hidden": list(m.hidden), "activation": m.activation,
                  "init": m.init, **({"loss": m.loss} if m.loss else {})},
        "runs": runs,
        "schedule": _schedule_to_dict(s),
        "tolerance": spec.tolerance, "sharpness_every": spec.sharpness_every,
        "path_points": spec.path_points,
    }
    for key in ("steps", "epochs", "eval_every"):
        if getattr(spec, key) is not None:
            out[key] = getattr(spec, key)
    return out


def dumps_model(spec: ModelExperiment) -> str:
    return json.dumps(model_to_dict(spec), indent=2, allow_nan=False) + "\n"


def is_model_file(data: Any) -> bool:
    return isinstance(data, dict) and data.get("kind") == KIND


def loads_model(text: str | bytes) -> ModelExperiment:
    if len(text) > MAX_FILE_BYTES:
        raise SpecError(f"file: larger than {MAX_FILE_BYTES // 1000} kB, not an experiment file")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise SpecError("file: not valid JSON") from None
    return model_from_dict(data)


def model_from_dict(data: Any) -> ModelExperiment:
    f = _Fields(data, "file")
    if f.get("format", str) != FORMAT:
        raise SpecError(f"format: expected '{FORMAT}'")
    if f.get("kind", str, default="surface") != KIND:
        raise SpecError("kind: this is a surface experiment, not a model experiment "
                        "(open it with `lrdesk run --experiment`)")
    version = f.get("version", int)
    if version > MODEL_VERSION:
        raise SpecError(f"version: this file was written by a newer LR Desk (format {version}); "
                        "please update LR Desk")
    if version < MODEL_VERSION:
        raise SpecError(f"version: a model experiment has format {MODEL_VERSION}, not {version}")
    dd = _Fields(f.get("data", dict), "data")
    data_spec = DataSpec(
        dataset=dd.get("dataset", str), path=dd.get("path", str, default=""),
        target=dd.get("target", str, default=""), task=dd.get("task", str, default="regression"),
        points=dd.get("points", int, default=None),
        noise=dd.number("noise") if "noise" in dd.data else None,
        train_fraction=dd.number("train_fraction", default=0.8),
        seed=dd.get("seed", int, default=0),
        standardize=dd.get("standardize", bool, default=None),
        features=tuple(_strings(dd.get("features", list, default=[]), "data.features")),
    )
    mm = _Fields(f.get("model", dict), "model")
    hidden = mm.get("hidden", list, default=[])
    if len(hidden) > 3 or not all(isinstance(h, int) and not isinstance(h, bool) and 1 <= h <= 64
                                  for h in hidden):
        raise SpecError("model.hidden: 0 to 3 layers of 1 to 64 units")
    model = ModelSpec(kind=mm.get("kind", str), hidden=tuple(hidden),
                      activation=mm.get("activation", str, default="tanh"),
                      init=mm.get("init", str, default="torch"),
                      loss=mm.get("loss", str, default=None))
    runs_raw = f.get("runs", list)
    if len(runs_raw) > MAX_MODEL_RUNS:
        raise SpecError(f"runs: at most {MAX_MODEL_RUNS} runs at once, not {len(runs_raw)}")
    runs = []
    for i, raw in enumerate(runs_raw, start=1):
        r = _Fields(raw, f"runs[{i}]")
        opt = _Fields(r.get("optimizer", dict, default={"name": "sgd"}), f"runs[{i}].optimizer")
        runs.append(ModelRunSpec(
            learning_rate=r.number("learning_rate"), optimizer=opt.get("name", str, default="sgd"),
            hypers=_params(opt.params("params")),
            weight_decay=r.number("weight_decay") if "weight_decay" in r.data else None,
            batch_size=r.get("batch_size", int, default=None), seed=r.get("seed", int, default=0),
            schedule=_schedule_from(r.get("schedule", dict), f"runs[{i}].schedule")
            if "schedule" in r.data else None))
    schedule = _schedule_from(f.get("schedule", dict, default={"name": "constant"}), "schedule")
    spec = ModelExperiment(
        data=data_spec, model=model, runs=tuple(runs), schedule=schedule,
        steps=f.get("steps", int, default=None), epochs=f.get("epochs", int, default=None),
        tolerance=f.number("tolerance", default=1e-6),
        eval_every=f.get("eval_every", int, default=None),
        sharpness_every=f.get("sharpness_every", int, default=0),
        path_points=f.get("path_points", int, default=101),
    )
    validate_model_experiment(spec)
    return spec


def _schedule_to_dict(s: ScheduleSpec) -> dict[str, Any]:
    return {"name": s.kind, "params": dict(s.params), "warmup_steps": s.warmup_steps,
            "warmup_start": s.warmup_start}


def _schedule_from(raw: Any, where: str) -> ScheduleSpec:
    sch = _Fields(raw, where)
    kind = sch.get("name", str, default="constant")
    if kind not in SCHEDULES:
        raise SpecError(f"{where}.name: unknown schedule '{kind}'")
    try:
        return ScheduleSpec(kind, _params(sch.params("params")),
                            sch.get("warmup_steps", int, default=0),
                            sch.number("warmup_start", default=0.1))
    except InvalidSchedule as exc:
        raise SpecError(f"{where}: {exc}") from None


def _strings(items: list, name: str) -> list[str]:
    if len(items) > 16 or not all(isinstance(s, str) and len(s) < 40 for s in items):
        raise SpecError(f"{name}: expected a short list of names")
    return items
