"""Optimizers, batched over K runs, following the update rules documented for ``torch.optim``.

Each optimizer turns the gradient g (K, dim) and the learning rate γ (K, 1) of step t (1-based)
into the update Δ that is added to the parameters. Every hyperparameter may differ per run.

- SGD:        Δ = −γ·g
- Momentum:   b ← μ·b + (1 − τ)·g (b = g at t = 1);  Δ = −γ·b                  (SGD, momentum=μ)
- Nesterov:   b as above with τ = 0;  Δ = −γ·(g + μ·b)                       (SGD, nesterov=True)
- AdaGrad:    γ̃ = γ / (1 + (t − 1)·η);  s ← s + g²;  Δ = −γ̃·g / (√s + ε)
- RMSprop:    v ← α·v + (1 − α)·g²;  ṽ = v, or v − ḡ² when centred with ḡ ← α·ḡ + (1 − α)·g;
              with momentum μ > 0: b ← μ·b + g/(√ṽ + ε), Δ = −γ·b;  else Δ = −γ·g/(√ṽ + ε)
- Adam:       m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;  m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)
              (AMSGrad: v̂ ← max(v̂_max, v̂));  Δ = −γ·m̂/(√v̂ + ε)

Defaults are those of PyTorch: momentum 0.9 is ours (torch's SGD default is 0, which is plain
SGD), ε = 1e-10 for AdaGrad, α = 0.99 and ε = 1e-8 for RMSprop, β = (0.9, 0.999) and ε = 1e-8
for Adam.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


class InvalidOptimizer(ValueError):
    """An optimizer name or hyperparameter that cannot be used."""


@dataclass(frozen=True)
class Hyper:
    name: str
    default: float
    low: float
    high: float
    help: str


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
            Hyper("alpha", 0.99, 0.0, 0.99999, "smoothing of the squared gradient"),
            Hyper("eps", 1e-8, 0.0, 1.0, "ε: keeps the division finite"),
            Hyper("momentum", 0.0, 0.0, 0.9999, "μ: momentum on the scaled step"),
            Hyper("centered", 0.0, 0.0, 1.0, "1 to divide by the variance instead of the mean square"),
        ),
        "v ← α·v + (1 − α)·g²;  w ← w − α_lr·g/(√v + ε)",
    ),
    "adam": OptimizerInfo(
        "adam",
        "Adam",
        (
            Hyper("beta1", 0.9, 0.0, 0.99999, "β₁: smoothing of the gradient"),
            Hyper("beta2", 0.999, 0.0, 0.999999, "β₂: smoothing of the squared gradient"),
            Hyper("eps", 1e-8, 0.0, 1.0, "ε: keeps the division finite"),
            Hyper("amsgrad", 0.0, 0.0, 1.0, "1 to use the running maximum of v̂ (AMSGrad)"),
        ),
        "m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  w ← w − α·m̂/(√v̂ + ε)",
    ),
}


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
        if not isinstance(value, (int, float)) or not math.isfinite(value) or not h.low <= value <= h.high:
            raise InvalidOptimizer(
                f"{info.title}: '{h.name}' must be between {h.low:g} and {h.high:g}, not {value}"
            )
        out[h.name] = float(value)
    return out


class BatchOptimizer:
    """State and update rule for K runs that share one optimizer kind."""

    #: names of the per-run state arrays worth showing a learner, each shaped (K, dim)
    state_names: tuple[str, ...] = ()

    def __init__(self, hypers: dict[str, Array], K: int, dim: int) -> None:
        self.h = {k: np.asarray(v, dtype=float).reshape(K, 1) for k, v in hypers.items()}
        self.K, self.dim = K, dim

    def delta(self, g: Array, lr: Array, t: int) -> Array:
        raise NotImplementedError

    def state(self) -> dict[str, Array]:
        return {name: getattr(self, name).copy() for name in self.state_names}

    def take(self, index: Array) -> None:
        """Keep only the runs at ``index`` (used to drop finished runs from a sweep)."""
        self.h = {k: v[index] for k, v in self.h.items()}
        for name in self._arrays():
            setattr(self, name, np.asfortranarray(getattr(self, name)[index]))
        self.K = len(index)

    def _arrays(self) -> tuple[str, ...]:
        return self.state_names

    def _zeros(self) -> Array:
        return np.zeros((self.K, self.dim), order="F")


class SGD(BatchOptimizer):
    def delta(self, g, lr, t):
        return np.multiply(g, -lr)


class Momentum(BatchOptimizer):
    state_names = ("buffer",)

    def __init__(self, hypers, K, dim):
        super().__init__(hypers, K, dim)
        self.buffer = self._zeros()

    def delta(self, g, lr, t):
        if t == 1:
            self.buffer = np.array(g, order="F")
        else:
            self.buffer = self.h["momentum"] * self.buffer + (1.0 - self.h["dampening"]) * g
        return -lr * self.buffer


class Nesterov(Momentum):
    def __init__(self, hypers, K, dim):
        hypers = dict(hypers)
        hypers["dampening"] = np.zeros(K)
        super().__init__(hypers, K, dim)

    def delta(self, g, lr, t):
        super().delta(g, lr, t)
        return -lr * (g + self.h["momentum"] * self.buffer)


class AdaGrad(BatchOptimizer):
    state_names = ("sum_sq",)

    def __init__(self, hypers, K, dim):
        super().__init__(hypers, K, dim)
        self.sum_sq = self._zeros() + self.h["initial_accumulator_value"]

    def delta(self, g, lr, t):
        rate = lr / (1.0 + (t - 1) * self.h["lr_decay"])
        self.sum_sq = self.sum_sq + g * g
        return -rate * g / (np.sqrt(self.sum_sq) + self.h["eps"])


class RMSprop(BatchOptimizer):
    state_names = ("square_avg", "grad_avg", "buffer")

    def __init__(self, hypers, K, dim):
        super().__init__(hypers, K, dim)
        self.square_avg = self._zeros()
        self.grad_avg = self._zeros()
        self.buffer = self._zeros()

    def delta(self, g, lr, t):
        a = self.h["alpha"]
        self.square_avg = a * self.square_avg + (1.0 - a) * g * g
        self.grad_avg = a * self.grad_avg + (1.0 - a) * g
        centered = self.h["centered"] >= 0.5
        avg = np.where(centered, self.square_avg - self.grad_avg**2, self.square_avg)
        scaled = g / (np.sqrt(np.maximum(avg, 0.0)) + self.h["eps"])
        mu = self.h["momentum"]
        self.buffer = mu * self.buffer + scaled
        return -lr * np.where(mu > 0, self.buffer, scaled)


class Adam(BatchOptimizer):
    state_names = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")

    def __init__(self, hypers, K, dim):
        super().__init__(hypers, K, dim)
        self.exp_avg = self._zeros()
        self.exp_avg_sq = self._zeros()
        self.max_exp_avg_sq = self._zeros()

    def delta(self, g, lr, t):
        b1, b2 = self.h["beta1"], self.h["beta2"]
        self.exp_avg = b1 * self.exp_avg + (1.0 - b1) * g
        self.exp_avg_sq = b2 * self.exp_avg_sq + (1.0 - b2) * g * g
        m_hat = self.exp_avg / (1.0 - b1**t)
        v_hat = self.exp_avg_sq / (1.0 - b2**t)
        self.max_exp_avg_sq = np.maximum(self.max_exp_avg_sq, v_hat)
        v_used = np.where(self.h["amsgrad"] >= 0.5, self.max_exp_avg_sq, v_hat)
        return -lr * m_hat / (np.sqrt(v_used) + self.h["eps"])


_CLASSES: dict[str, type[BatchOptimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
}


def make_batch_optimizer(kind: str, hypers: list[dict[str, float]], dim: int) -> BatchOptimizer:
    """One optimizer over len(hypers) runs; each run's settings are checked and completed."""
    resolved = [resolve_hypers(kind, h) for h in hypers]
    names = [h.name for h in OPTIMIZERS[kind].hypers]
    arrays = {n: np.array([r[n] for r in resolved]) for n in names}
    return _CLASSES[kind](arrays, len(hypers), dim)
