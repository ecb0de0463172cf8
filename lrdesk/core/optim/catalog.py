"""The optimizers on offer: their names, titles, settings (with ranges and help) and rules.

Light on purpose (no NumPy): the controls, the file format and the command line read it; the
batched update rules themselves are in ``optimizers``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


class InvalidOptimizer(ValueError):
    """An optimizer name or hyperparameter that cannot be used."""


@dataclass(frozen=True)
class Hyper:
    name: str
    default: float
    low: float
    high: float
    help: str
    #: the name shown to people where the file and torch's name would mislead (None: ``name``)
    title: str | None = None

    @property
    def shown_name(self) -> str:
        return self.title or self.name.replace("_", " ")


@dataclass(frozen=True)
class OptimizerInfo:
    key: str
    title: str
    hypers: tuple[Hyper, ...]
    rule: str


_MOMENTUM = Hyper("momentum", 0.9, 0.0, 0.9999, "μ: how much of the previous step carries over")
OPTIMIZERS: dict[str, OptimizerInfo] = {
    "sgd": OptimizerInfo("sgd", "Gradient descent", (), "w ← w − α·g"),
    "momentum": OptimizerInfo(
        "momentum",
        "Momentum",
        (_MOMENTUM, Hyper("dampening", 0.0, 0.0, 1.0, "τ: scales down the new gradient")),
        "b ← μ·b + (1 − τ)·g;  w ← w − α·b",
    ),
    "nesterov": OptimizerInfo(
        "nesterov", "Nesterov momentum", (_MOMENTUM,), "b ← μ·b + g;  w ← w − α·(g + μ·b)"
    ),
    "adagrad": OptimizerInfo(
        "adagrad",
        "AdaGrad",
        (
            Hyper("lr_decay", 0.0, 0.0, 1e3, "η: shrinks the rate as 1/(1 + (t−1)·η)"),
            Hyper("initial_accumulator_value", 0.0, 0.0, 1e6, "starting value of Σg²"),
            Hyper("eps", 1e-10, 0.0, 1.0, "ε: keeps the division finite"),
        ),
        "s ← s + g²;  w ← w − α·g/(√s + ε)",
    ),
    "rmsprop": OptimizerInfo(
        "rmsprop",
        "RMSprop",
        (
            # torch calls it alpha, the letter LR Desk keeps for the learning rate: shown as ρ
            Hyper("alpha", 0.99, 0.0, 0.99999,
                  "ρ: decay of the running mean of g² (torch.optim.RMSprop calls it alpha)",
                  title="decay"),
            Hyper("eps", 1e-8, 0.0, 1.0, "ε: keeps the division finite"),
            Hyper("momentum", 0.0, 0.0, 0.9999, "μ: momentum on the scaled step"),
            Hyper("centered", 0.0, 0.0, 1.0, "1 to divide by the variance instead of the mean square"),
        ),
        "v ← ρ·v + (1 − ρ)·g²;  w ← w − α·g/(√v + ε)",
    ),
    "adam": OptimizerInfo(
        "adam",
        "Adam",
        (
            Hyper("beta1", 0.9, 0.0, 0.99999, "β₁: smoothing of the gradient"),
            Hyper("beta2", 0.999, 0.0, 0.999999, "β₂: smoothing of the squared gradient"),
            Hyper("eps", 1e-8, 0.0, 1.0, "ε: keeps the division finite"),
            Hyper("amsgrad", 0.0, 0.0, 1.0, "1 to use the running maximum of v (AMSGrad)"),
        ),
        "m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  w ← w − α·m̂/(√v̂ + ε)",
    ),
}


def shown_hyper(kind: str, name: str) -> str:
    """A setting's name as people see it: RMSprop's 'alpha' is 'decay ρ'."""
    info = OPTIMIZERS.get(kind)
    hyper = next((h for h in info.hypers if h.name == name), None) if info else None
    if hyper is None or hyper.title is None:
        return name
    symbol = hyper.help.split(":", 1)[0]
    return f"{hyper.title} {symbol}" if len(symbol) <= 3 else hyper.title


def resolve_hypers(kind: str, given: dict[str, float] | None = None) -> dict[str, float]:
    """The full hyperparameter set of ``kind``, checked, defaults filled in."""
    if kind not in OPTIMIZERS:
        raise InvalidOptimizer(
            f"unknown optimizer '{kind}' (choose one of: {', '.join(OPTIMIZERS)})"
        )
    info = OPTIMIZERS[kind]
    known = {h.name: h for h in info.hypers}
    given = dict(given or {})
    for name in given:
        if name not in known:
            allowed = ", ".join(known) or "none"
            raise InvalidOptimizer(f"{info.title} has no setting '{name}' (its settings: {allowed})")
    out = {}
    for h in info.hypers:
        value = given.get(h.name, h.default)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or not h.low <= value <= h.high
        ):
            raise InvalidOptimizer(
                f"{info.title}: '{h.name}' must be between {h.low:g} and {h.high:g}, not {value}"
            )
        out[h.name] = float(value)
    return out
