"""The facts of a finished model experiment, as the model lessons' answers quote them.

``ModelFacts`` holds the experiment, each run's verdict and recorded losses, evaluations and
sharpness (as the Model training tool received them), the exact theory of a linear model on its
data raw and standardised, and, for a range-test lesson, the range test. The tables below are the
only values a ``{run1.noise_floor}``-style placeholder can name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from lrdesk.core.models.noise import noise_floor

if TYPE_CHECKING:
    from lrdesk.core.models.rate_finding import RangeTest
    from lrdesk.core.models.spec import ModelExperiment
    from lrdesk.core.models.theory import LinearTheory

FINISHED = ("converged", "stalled", "slow", "oscillating", "diverged")


@dataclass(frozen=True)
class ModelRun:
    """One run as the tool drew it: verdict, per-step training loss, evaluations, sharpness."""

    verdict: str
    train_loss: np.ndarray  # (steps + 1,), NaN after the run stopped
    evaluations: tuple  # (step, train loss, train accuracy, test loss, test accuracy)
    sharpness: tuple  # (step, top Hessian eigenvalue)


@dataclass(frozen=True)
class ModelFacts:
    spec: ModelExperiment
    runs: tuple[ModelRun, ...]
    theory: LinearTheory | None  # linear regression only
    scaled_theory: LinearTheory | None  # the same data standardised
    range: RangeTest | None = None
    raw_theory: LinearTheory | None = None  # the same data not standardised

    @classmethod
    def from_runs(cls, spec: ModelExperiment, runs: Sequence[ModelRun],
                  range_test: RangeTest | None = None) -> ModelFacts:
        from lrdesk.core.models.data_setup import make_data  # the data only once a run ended
        from lrdesk.core.models.theory import linear_theory

        theory = scaled = raw = None
        if spec.model.kind == "linear":
            data = make_data(spec.data)
            if data.task == "regression":
                theory = linear_theory(data)
                scaled = linear_theory(make_data(replace(spec.data, standardize=True)))
                raw = linear_theory(make_data(replace(spec.data, standardize=False)))
        return cls(spec, tuple(runs), theory, scaled, range_test, raw)

    @property
    def finished(self) -> bool:
        if self.range is not None:
            return True
        return len(self.runs) == len(self.spec.runs) and all(
            r.verdict in FINISHED for r in self.runs)

    def verdict(self, index: int) -> str | None:
        return self.runs[index].verdict if 0 <= index < len(self.runs) else None

    def value(self, kind: str, index: int, attr: str) -> Any:
        if kind == "run":
            return RUN_FIELDS[attr][1](self, index)
        return {"theory": THEORY_FIELDS, "range": RANGE_FIELDS}[kind][attr][1](self)


def _losses(facts: ModelFacts, i: int) -> np.ndarray:
    loss = facts.runs[i].train_loss
    return loss[np.isfinite(loss)]


def _whole_set(facts: ModelFacts, i: int) -> list[float]:
    return [e[1] for e in facts.runs[i].evaluations if e[1] is not None]


def _floor(facts: ModelFacts, i: int) -> float | None:
    floor = noise_floor(facts.runs[i].evaluations)
    return None if floor is None else floor.floor


def _above_best(value: float | None, facts: ModelFacts) -> float | None:
    """How far ``value`` is above the least-squares loss, in percent."""
    if value is None or facts.theory is None:
        return None
    best = facts.theory.optimum_loss
    return 100.0 * (value - best) / best


def _limit(facts: ModelFacts, i: int) -> float:
    run = facts.spec.runs[i]
    mu = dict(run.hyper_dict()).get("momentum", 0.0) if run.optimizer in (
        "momentum", "nesterov") else 0.0
    return (2.0 + 2.0 * mu) / run.learning_rate


def _sharpness(facts: ModelFacts, i: int) -> np.ndarray:
    values = np.array([v for _, v in facts.runs[i].sharpness], dtype=float)
    return values[np.isfinite(values)]


def _first_near_limit(facts: ModelFacts, i: int) -> int | None:
    """The first step at which the sharpness reached 90 % of its limit."""
    limit = 0.9 * _limit(facts, i)
    return next((s for s, v in facts.runs[i].sharpness if v >= limit), None)


def _late_max(values: np.ndarray) -> float | None:
    return float(np.max(values[len(values) // 2:])) if len(values) else None


def _last(values):
    return values[-1] if len(values) else None


def _stopped_step(facts: ModelFacts, i: int) -> int:
    """The last step with a finite loss: where a diverged run blew up."""
    return max(0, len(_losses(facts, i)) - 1)


def _schedule(facts: ModelFacts, i: int) -> str:
    run = facts.spec.runs[i]
    return (run.schedule or facts.spec.schedule).describe()


RUN_FIELDS: dict[str, tuple[str, Callable[[ModelFacts, int], Any]]] = {
    "verdict": ("how the run ended", lambda f, i: f.runs[i].verdict),
    "learning_rate": ("η", lambda f, i: f.spec.runs[i].learning_rate),
    "batch_size": ("rows per step", lambda f, i: f.spec.runs[i].batch_size or "full"),
    "schedule": ("the run's schedule", _schedule),
    "steps": ("steps with a finite loss", lambda f, i: _stopped_step(f, i)),
    "start_loss": ("the first step's loss", lambda f, i: _losses(f, i)[0]),
    "final_loss": ("the whole training set's last loss", lambda f, i: _last(_whole_set(f, i))),
    "blowup_loss": ("the largest finite loss", lambda f, i: float(np.max(_losses(f, i)))),
    "noise_floor": ("where the loss settled", _floor),
    "floor_above_best": ("% above the least-squares loss",
                         lambda f, i: _above_best(_floor(f, i), f)),
    "final_above_best": ("% above the least-squares loss at the end",
                         lambda f, i: _above_best(_last(_whole_set(f, i)), f)),
    "limit": ("2/η (with momentum (2 + 2μ)/η)", _limit),
    "sharpness_start": ("the first top eigenvalue", lambda f, i: _last(_sharpness(f, i)[:1])),
    "sharpness_max": ("the largest top eigenvalue", lambda f, i: float(np.max(_sharpness(f, i)))
                      if len(_sharpness(f, i)) else None),
    "sharpness_final": ("the last top eigenvalue", lambda f, i: _last(_sharpness(f, i))),
    "sharpness_share": ("the largest sharpness as % of 2/η", lambda f, i: 100.0 * float(
        np.max(_sharpness(f, i))) / _limit(f, i) if len(_sharpness(f, i)) else None),
    "near_limit_step": ("first step at 90 % of 2/η", _first_near_limit),
    "sharpness_late_max": ("the largest top eigenvalue over the second half of the run",
                           lambda f, i: _late_max(_sharpness(f, i))),
    "late_share": ("that as % of 2/η", lambda f, i: None if _late_max(_sharpness(f, i)) is None
                   else 100.0 * _late_max(_sharpness(f, i)) / _limit(f, i)),
}


def _theory(read: Callable[[LinearTheory], Any], which: str = "theory"):
    def value(facts: ModelFacts) -> Any:
        theory = getattr(facts, {"theory": "theory", "scaled": "scaled_theory",
                                 "raw": "raw_theory"}[which])
        return None if theory is None else read(theory)

    return value


THEORY_FIELDS: dict[str, tuple[str, Callable[[ModelFacts], Any]]] = {
    "condition_number": ("λmax / λmin", _theory(lambda t: t.condition_number)),
    "lr_max_stable": ("2/λmax", _theory(lambda t: t.lr_max_stable)),
    "lr_optimal": ("2/(λmin + λmax)", _theory(lambda t: t.lr_optimal)),
    "optimum_loss": ("the least-squares loss", _theory(lambda t: t.optimum_loss)),
    "scaled_condition_number": ("λmax / λmin standardised",
                                _theory(lambda t: t.condition_number, "scaled")),
    "scaled_lr_max_stable": ("2/λmax standardised",
                             _theory(lambda t: t.lr_max_stable, "scaled")),
    "raw_condition_number": ("λmax / λmin not standardised",
                             _theory(lambda t: t.condition_number, "raw")),
    "raw_lr_max_stable": ("2/λmax not standardised", _theory(lambda t: t.lr_max_stable, "raw")),
    "stable_rate_gain": ("how many times larger the stable rate is standardised", lambda f: None
                         if f.theory is None else f.scaled_theory.lr_max_stable
                         / f.theory.lr_max_stable),
}


def _range(read: Callable[[RangeTest], Any]):
    return lambda f: None if f.range is None else read(f.range)


def _blowup_rate(r: RangeTest):
    return None if r.stopped_at is None else float(r.learning_rates[r.stopped_at])


RANGE_FIELDS: dict[str, tuple[str, Callable[[ModelFacts], Any]]] = {
    "valley": ("fastai's valley suggestion", _range(lambda r: r.valley)),
    "steep": ("the steepest fall", _range(lambda r: r.steep)),
    "minimum": ("the lowest loss's rate / 10", _range(lambda r: r.minimum)),
    "lowest_rate": ("the rate of the lowest smoothed loss", _range(
        lambda r: float(r.learning_rates[int(np.nanargmin(r.smoothed))]))),
    "blowup_rate": ("the rate at which the loss blew up", _range(_blowup_rate)),
    "steps": ("steps the test took", _range(lambda r: len(r.losses))),
    "blowup_over_limit": ("blow-up rate / 2/λmax", lambda f: None if f.range is None
                          or f.theory is None or _blowup_rate(f.range) is None
                          else _blowup_rate(f.range) / f.theory.lr_max_stable),
}
