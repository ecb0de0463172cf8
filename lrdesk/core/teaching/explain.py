"""Plain-words notices for a run's verdict, told with the numbers the learner just watched.

``explain_event`` turns a ``RunEvent`` into ``(level, text)``: ``alarm`` for a run that blew
up, ``warning`` for one that oscillated, crawled or stalled, ``info`` for one that arrived.
The stability facts come from ``lrdesk.core.theory.hessian`` (2/λmax for plain gradient descent,
2(1 + μ)/λmax for heavy-ball momentum).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from lrdesk.core.experiment.simulation import RunEvent
from lrdesk.core.experiment.spec import RunSpec
from lrdesk.core.optim.optimizers import OPTIMIZERS
from lrdesk.core.theory.hessian import Theory

ALARM, WARNING, INFO = "alarm", "warning", "info"
_WITH_MOMENTUM = frozenset({"momentum", "nesterov"})
LEVELS = (INFO, WARNING, ALARM)  # from the mildest to the most urgent


def explain_event(
    run_number: int, run_spec: RunSpec, event: RunEvent, theory: Theory,
    shown: Sequence[tuple[int, RunSpec, RunEvent]] = (),
) -> tuple[str, str]:
    """``(level, text)`` saying what happened to run ``run_number`` (counted from 1).

    ``shown``: the other runs on screen with their verdicts, as (number, spec, event); advice
    that one of them would contradict (momentum "gets past" a saddle where a momentum run on
    screen is stuck) is not given.
    """
    level, body = _EXPLAINERS[event.verdict](run_spec, event, theory)
    if event.verdict == "stalled":
        body = _sentences(body.rstrip("."), _saddle_advice(run_number, shown))
    return level, f"{run_title(run_number, run_spec)}: {body}"


def _saddle_advice(run_number: int, shown: Sequence[tuple[int, RunSpec, RunEvent]]) -> str:
    """What gets past a flat spot, told in agreement with the momentum runs on screen."""
    momentum = [(n, e) for n, r, e in shown if n != run_number and r.optimizer in _WITH_MOMENTUM]
    got_past = [n for n, e in momentum if e.verdict == "converged"]
    stuck = [n for n, e in momentum if e.verdict in ("stalled", "slow")]
    if got_past:
        return f"Momentum can get past it: run {got_past[0]} did. So can another start point"
    if stuck:
        return (f"Momentum does not always get past it: run {stuck[0]}, with momentum, is "
                "stuck too. Another start point, off the flat spot's line, does")
    return "Another start point, or momentum, may get past it"


def run_title(run_number: int, run_spec: RunSpec) -> str:
    """'Run 3, learning rate 1.1' (with the optimizer named when it is not plain descent)."""
    name = "" if run_spec.optimizer == "sgd" else f" ({OPTIMIZERS[run_spec.optimizer].title})"
    return f"Run {run_number}{name}, learning rate {run_spec.learning_rate:g}"


def severity(level: str) -> int:
    """0 for info, 1 for warning, 2 for alarm."""
    return LEVELS.index(level)


# ------------------------------------------------------------------------------------------
# One explainer per verdict
# ------------------------------------------------------------------------------------------
def _diverged(run: RunSpec, event: RunEvent, theory: Theory) -> tuple[str, str]:
    steps = _steps(event.step)
    start, final = event.start_loss, event.final_loss
    if math.isnan(final):
        what = (
            f"after {steps} the loss is no longer a number: the run stepped where the function "
            "is not defined (such as the log or square root of a negative number, or a division "
            "by zero), or its numbers grew too large to compute"
        )
    elif math.isinf(final) and final > 0:
        what = f"the loss grew from {number(start)} past any number the computer can hold in {steps}"
    elif final < start:
        what = (
            f"the loss fell without limit, from {number(start)} to {number(final)} in {steps}: "
            "this surface has no bottom in the direction the run went"
        )
        return ALARM, _sentences(what)
    elif event.oscillated:
        what = (
            f"the loss grew from {number(start)} to {number(final)} in {steps}; "
            "each step overshot further"
        )
    else:
        what = (
            f"the loss grew from {number(start)} to {number(final)} in {steps}; "
            "each step threw it further away"
        )
    return ALARM, _sentences(what, _limit_advice(run, theory))


def _oscillating(run: RunSpec, event: RunEvent, theory: Theory) -> tuple[str, str]:
    what = (
        f"the loss stopped going down; after {_steps(event.step)} it is "
        f"{number(event.final_loss)} (it started at {number(event.start_loss)})"
    )
    if event.oscillated:
        why = "The steps keep jumping back and forth across the valley instead of settling"
    else:
        why = "The run keeps wandering without getting any lower"
    limit = _stable_limit(run, theory)
    if limit is not None and run.learning_rate > limit:
        advice = f"A smaller rate settles: the stable limit for {_where(theory)} is {rate(limit)}"
    else:
        advice = "Try a smaller rate, or another start point"
    return WARNING, _sentences(what, why, advice)


def _slow(run: RunSpec, event: RunEvent, theory: Theory) -> tuple[str, str]:
    what = (
        f"still going down after {_steps(event.step)}, but slowly: the loss fell from "
        f"{number(event.start_loss)} to {number(event.final_loss)}"
    )
    parts = [what]
    contraction = theory.contraction(run.learning_rate) if _plain(run) and theory.exact else None
    if contraction is not None and 0.0 < contraction < 1.0:
        share = 1.0 - contraction
        parts.append(f"Each step covers only {percent(share)} of the distance still to go")
    best = theory.lr_optimal if _plain(run) else None
    if event.oscillated:
        parts.append("It zig-zags across the valley, overshooting each time; a smaller rate goes straighter")
    elif best is not None and run.learning_rate < best:
        parts.append(f"A larger rate gets there sooner: the fastest for {_where(theory)} is {rate(best)}")
    else:
        parts.append("More steps, or a larger rate, would get there")
    return WARNING, _sentences(*parts)


def _converged(run: RunSpec, event: RunEvent, theory: Theory) -> tuple[str, str]:
    place = "the minimum" if theory.exact else "the bottom of a valley"
    if event.step == 0:
        return INFO, _sentences(f"it started at {place} already (loss {number(event.final_loss)})")
    what = f"reached {place} in {_steps(event.step)} (loss {number(event.final_loss)})"
    if event.oscillated:
        return INFO, _sentences(what, "It zig-zagged on the way, overshooting the bottom each time")
    return INFO, _sentences(what)


def _stalled(run: RunSpec, event: RunEvent, theory: Theory) -> tuple[str, str]:
    what = (
        f"stopped after {_steps(event.step)} on a flat spot that is not a minimum "
        "(a saddle point or a plateau)"
    )
    why = "The slope there is zero, so gradient descent has nothing left to follow"
    return WARNING, _sentences(what, why)  # the advice is added with the runs on screen


_EXPLAINERS = {
    "diverged": _diverged,
    "oscillating": _oscillating,
    "slow": _slow,
    "converged": _converged,
    "stalled": _stalled,
}


# ------------------------------------------------------------------------------------------
# The stability limit in words
# ------------------------------------------------------------------------------------------
def _plain(run: RunSpec) -> bool:
    return run.optimizer == "sgd"


def _stable_limit(run: RunSpec, theory: Theory) -> float | None:
    """The largest stable rate the theory knows for this run's optimizer (None if unknown)."""
    if _plain(run):
        return theory.lr_max_stable
    hypers = run.hyper_dict()
    if run.optimizer == "momentum" and hypers.get("dampening", 0.0) == 0.0:
        return theory.momentum_limit(hypers["momentum"])
    return None


def _where(theory: Theory) -> str:
    return "this surface" if theory.exact else "this surface near its minimum"


def _limit_advice(run: RunSpec, theory: Theory) -> str:
    limit = _stable_limit(run, theory)
    if limit is None:
        if theory.lr_max_stable is not None and not _plain(run):
            return (
                f"For plain gradient descent the stable limit here is {rate(theory.lr_max_stable)}; "
                f"{OPTIMIZERS[run.optimizer].title} sizes its steps differently, so try a smaller rate"
            )
        return "Try a smaller rate"
    sentence = f"The stable limit for {_where(theory)} is {rate(limit)}"
    if run.learning_rate > limit:
        return sentence
    # below the limit at the minimum, yet it blew up: the start is on steeper ground
    return (
        f"{sentence}, and this rate is below it, but the surface is steeper where the run "
        "started than near the minimum"
    )


# ------------------------------------------------------------------------------------------
# Numbers in words
# ------------------------------------------------------------------------------------------
def number(value: float) -> str:
    """A loss or similar quantity, compact: 25, 0.44, 2.6e+04, 1.8e-13."""
    if math.isnan(value):
        return "not a number"
    if math.isinf(value):
        return "infinity" if value > 0 else "minus infinity"
    if value != 0 and not 1e-3 <= abs(value) < 1e4:
        return f"{value:.2g}"
    return f"{value:.3g}"


def rate(value: float) -> str:
    """A learning rate from the theory, with two significant digits kept: 1.0, 0.50, 0.0020."""
    return f"{value:#.2g}"


def percent(share: float) -> str:
    """0.02 -> '2%'; small shares keep one significant digit: 0.0004 -> '0.04%'."""
    value = 100.0 * share
    return f"{value:.0f}%" if value >= 1 else f"{value:.1g}%"


def _steps(count: int) -> str:
    return "1 step" if count == 1 else f"{count:,} steps"


def _sentences(*parts: str) -> str:
    return " ".join(part[0].upper() + part[1:] + "." if i else part + "." for i, part in enumerate(parts))
