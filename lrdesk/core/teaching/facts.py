"""The facts of a finished experiment, as lesson answers quote them.

``LessonFacts`` gathers the spec, the theory and each run's outcome and recorded rows, from an
``ExperimentResult`` or from what the window holds. The tables ``RUN_FIELDS``, ``THEORY_FIELDS``
and ``EXPERIMENT_FIELDS`` are the only values a lesson's ``{run1.verdict_step}``-style
placeholders can name; numbers are written the way a learner reads them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lrdesk.core.experiment.history import RunHistory
from lrdesk.core.experiment.spec import ExperimentSpec
from lrdesk.core.optim.optimizers import OPTIMIZERS
from lrdesk.core.surfaces import LossFunction
from lrdesk.core.theory.hessian import Theory

if TYPE_CHECKING:
    from lrdesk.core.experiment.simulation import ExperimentResult, RunEvent


@dataclass(frozen=True)
class LessonFacts:
    """Everything an answer may quote: the spec, the theory, and each run's outcome and rows."""

    spec: ExperimentSpec
    function: LossFunction
    theory: Theory
    outcomes: tuple[RunEvent | None, ...]  # how each run ended (None: not yet)
    histories: tuple[RunHistory | None, ...]

    @classmethod
    def from_result(cls, result: ExperimentResult) -> LessonFacts:
        outcomes: list[RunEvent | None] = [None] * len(result.spec.runs)
        histories: list[RunHistory | None] = [None] * len(result.spec.runs)
        for run in result.runs:
            outcomes[run.index] = run.end
            histories[run.index] = run.history
        return cls(result.spec, result.function, result.theory, tuple(outcomes), tuple(histories))

    @classmethod
    def from_events(
        cls,
        spec: ExperimentSpec,
        function: LossFunction,
        theory: Theory,
        events: Mapping[int, RunEvent],
        histories: Sequence[RunHistory | None],
    ) -> LessonFacts:
        """Facts from what the window holds: its verdict events and recorded histories."""
        outcomes = [events.get(i) for i in range(len(spec.runs))]
        rows = [histories[i] if i < len(histories) else None for i in range(len(spec.runs))]
        return cls(spec, function, theory, tuple(outcomes), tuple(rows))

    @property
    def finished(self) -> bool:
        return all(outcome is not None for outcome in self.outcomes)

    def outcome(self, index: int) -> RunEvent | None:
        return self.outcomes[index] if 0 <= index < len(self.outcomes) else None

    def value(self, kind: str, index: int, attr: str) -> Any:
        if kind == "run":
            return RUN_FIELDS[attr][1](self, index)
        table = THEORY_FIELDS if kind == "theory" else EXPERIMENT_FIELDS
        return table[attr][1](self)

    def text(self, kind: str, index: int, attr: str) -> str:
        return plain_text(self.value(kind, index, attr))


def plain_text(value: Any) -> str:
    """A value as a learner reads it: 4 significant digits, x 10^n for tiny or huge numbers."""
    if value is None:
        return "unknown"
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list, np.ndarray)):
        items = [plain_text(v) for v in value]
        return items[0] if len(items) == 1 else "(" + ", ".join(items) + ")"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    return plain_number(float(value))


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def plain_number(x: float) -> str:
    if math.isnan(x):
        return "not a number"
    if math.isinf(x):
        return "infinity" if x > 0 else "minus infinity"
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e6:
        digits = max(0, 3 - math.floor(math.log10(abs(x))))
        text = f"{round(x, digits):,.{digits}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
        return text.replace("-", "\u2212")  # a true minus sign reads better than a hyphen
    mantissa, exponent = f"{x:.3e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".").replace("-", "\u2212")
    return f"{mantissa} \u00d7 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def _outcome_field(name: str) -> Callable[[LessonFacts, int], Any]:
    def read(facts: LessonFacts, i: int) -> Any:
        outcome = facts.outcome(i)
        return None if outcome is None else getattr(outcome, name)

    return read


def _row_field(read: Callable[[RunHistory], Any]) -> Callable[[LessonFacts, int], Any]:
    def value(facts: LessonFacts, i: int) -> Any:
        history = facts.histories[i] if i < len(facts.histories) else None
        if history is None or len(history) == 0:
            return None
        return read(history)

    return value


def _theory_of_rate(read: Callable[[Theory, float], Any]) -> Callable[[LessonFacts, int], Any]:
    def value(facts: LessonFacts, i: int) -> Any:
        if not facts.theory.eigenvalues:
            return None
        return read(facts.theory, facts.spec.runs[i].learning_rate)

    return value


def _first_alpha_g(history: RunHistory) -> np.ndarray:
    return history.learning_rates[0] * history.gradients[0]


def _last_rate(history: RunHistory) -> float | None:
    rates = history.learning_rates[np.isfinite(history.learning_rates)]
    return float(rates[-1]) if len(rates) else None


def steps_needed(facts: LessonFacts, i: int) -> int | None:
    """Steps plain gradient descent at run i's rate needs to reach the tolerance on a quadratic.

    Each step multiplies the gradient by at most c = max|1 - α·λ| (see ``theory``), so from a
    gradient of length g0 it takes n = ceil(log(tol / g0) / log c) steps; exact in one dimension.
    """
    spec, theory = facts.spec, facts.theory
    run = spec.runs[i]
    if not theory.exact or run.optimizer != "sgd" or spec.schedule.kind != "constant":
        return None
    if spec.schedule.warmup_steps:
        return None
    start = np.asfortranarray([spec.start_of(run)], dtype=float)
    g0 = float(np.linalg.norm(facts.function.gradient(start)[0]))
    if g0 <= spec.tolerance:
        return 0
    c = theory.contraction(run.learning_rate)
    if c is None or c >= 1.0 or spec.tolerance <= 0:
        return None
    if c == 0.0:
        return 1
    return math.ceil(math.log(spec.tolerance / g0) / math.log(c) - 1e-9)


#: each field: what it means (for lesson authors) and how to read it from the facts
RUN_FIELDS: dict[str, tuple[str, Callable[[LessonFacts, int], Any]]] = {
    "verdict": ("how the run ended", _outcome_field("verdict")),
    "verdict_step": ("the step of the verdict", _outcome_field("verdict_step")),
    "oscillated": ("yes if it turned back twice or more", _outcome_field("oscillated")),
    "start_loss": ("the loss at the start", _outcome_field("start_loss")),
    "final_loss": ("the loss where it ended", _outcome_field("final_loss")),
    "final_grad_norm": ("the gradient's length at the end", _outcome_field("final_grad_norm")),
    "learning_rate": ("α", lambda f, i: f.spec.runs[i].learning_rate),
    "optimizer": ("its name", lambda f, i: OPTIMIZERS[f.spec.runs[i].optimizer].title),
    "start_w": ("the start", lambda f, i: f.spec.start_of(f.spec.runs[i])),
    "final_w": ("the last recorded point", _row_field(lambda h: h.positions[-1])),
    "first_gradient": ("g at the start", _row_field(lambda h: h.gradients[0])),
    "first_alpha_g": ("α·g at the start", _row_field(_first_alpha_g)),
    "first_update": ("what step 1 added", _row_field(lambda h: h.updates[0])),
    "second_w": ("w after step 1", _row_field(lambda h: h.positions[0] + h.updates[0])),
    "final_rate": ("the rate of the last step", _row_field(_last_rate)),
    "contraction": ("max |1 − α·λ|", _theory_of_rate(lambda t, a: t.contraction(a))),
    "step_factor": ("1 − α·λmax", _theory_of_rate(lambda t, a: 1.0 - a * t.lambda_max)),
    "steep_factor": ("|1 − α·λmax|", _theory_of_rate(lambda t, a: abs(1.0 - a * t.lambda_max))),
    "flat_factor": ("|1 − α·λmin|", _theory_of_rate(lambda t, a: abs(1.0 - a * t.lambda_min))),
    "rate_ratio": ("α / (2/λmax)", _theory_of_rate(lambda t, a: a * t.lambda_max / 2.0)),
    "steps_needed": ("steps to the tolerance (quadratics)", steps_needed),
}

THEORY_FIELDS: dict[str, tuple[str, Callable[[LessonFacts], Any]]] = {
    "lr_max_stable": ("2/λmax", lambda f: f.theory.lr_max_stable),
    "lr_optimal": ("2/(λmin + λmax)", lambda f: f.theory.lr_optimal),
    "lambda_max": ("the steepest curvature", lambda f: f.theory.lambda_max),
    "lambda_min": ("the flattest curvature", lambda f: f.theory.lambda_min),
    "condition_number": ("λmax / λmin", lambda f: f.theory.condition_number),
}

EXPERIMENT_FIELDS: dict[str, tuple[str, Callable[[LessonFacts], Any]]] = {
    "steps": ("the step budget", lambda f: f.spec.steps),
    "tolerance": ("the gradient length that counts as arrived", lambda f: f.spec.tolerance),
    "function": ("the surface's name", lambda f: f.function.title),
    "schedule": ("the schedule", lambda f: f.spec.schedule.describe()),
}
