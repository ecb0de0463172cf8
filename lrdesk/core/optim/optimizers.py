"""Optimizers, batched over K runs, following the update rules of ``torch.optim`` step for step.

Each optimizer turns the gradient g (K, dim) and the learning rate γ of step t (1-based) into the
update Δ that is added to the parameters. Every hyperparameter may differ per run. The formulas
are those of the PyTorch documentation, evaluated in the same order as torch's single-tensor code
(``torch/optim/sgd.py``, ``adagrad.py``, ``rmsprop.py``, ``adam.py``), so that trajectories agree
with torch to rounding (checked against a stored torch reference in the tests):

- SGD:        Δ = −γ·g
- Momentum:   b ← μ·b + (1 − τ)·g (b = g at t = 1);  Δ = −γ·b  (SGD, momentum=μ; μ = 0: Δ = −γ·g)
- Nesterov:   b as above with τ = 0;  Δ = −γ·(g + μ·b)                       (SGD, nesterov=True)
- AdaGrad:    γ̃ = γ / (1 + (t − 1)·η);  s ← s + g²;  Δ = −γ̃·g / (√s + ε)
- RMSprop:    v ← α·v + (1 − α)·g²;  ṽ = v, or v − ḡ² when centred with ḡ ← ḡ + (1 − α)·(g − ḡ);
              with momentum μ > 0: b ← μ·b + g/(√ṽ + ε), Δ = −γ·b;  else Δ = −γ·g/(√ṽ + ε)
- Adam:       m ← m + (1 − β₁)·(g − m);  v ← β₂·v + (1 − β₂)·g²;
              Δ = −γ/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε), with v̂ = v, or for AMSGrad the running
              maximum of v (torch keeps the maximum of the raw v, then bias-corrects it)

Defaults (listed with the other settings in ``optimizer_catalog``) are those of PyTorch except
momentum 0.9 (torch's SGD default of 0 is plain SGD):
ε = 1e-10 for AdaGrad, α = 0.99 and ε = 1e-8 for RMSprop, β = (0.9, 0.999) and ε = 1e-8 for Adam.
One deliberate difference: a centred RMSprop variance that rounding makes slightly negative is
taken as 0, where torch would take its square root and produce NaN.

A hyperparameter shared by every run is kept as a Python float (cheap to broadcast, and powers of
it are taken with Python's own ``**``); one that differs is a (K, 1) column. A single run can also
be stepped on plain Python floats (``scalar_delta``), which gives bit-for-bit the same numbers as
the array code and is several times faster for one run.
"""

from __future__ import annotations

import math

import numpy as np

from lrdesk.core.optim.catalog import (
    OPTIMIZERS,
    Hyper,
    InvalidOptimizer,
    OptimizerInfo,
    resolve_hypers,
)

__all__ = [
    "OPTIMIZERS", "SGD", "AdaGrad", "Adam", "BatchOptimizer", "Hyper", "InvalidOptimizer",
    "Momentum", "Nesterov", "OptimizerInfo", "RMSprop", "make_batch_optimizer", "resolve_hypers",
]

Array = np.ndarray
HyperValue = float | Array


def _hyper(values: Array) -> HyperValue:
    """A float when every run shares the value, else a (K, 1) column."""
    values = np.asarray(values, dtype=float).reshape(-1, 1)
    first = float(values[0, 0])
    return first if np.all(values == first) else values


def _is_on(flag: HyperValue) -> bool | Array:
    """0/1 switches (``centered``, ``amsgrad``) as True/False, or a (K, 1) mask when mixed."""
    return flag >= 0.5 if isinstance(flag, np.ndarray) else bool(flag >= 0.5)


def _per_value(base: HyperValue, rule, cache: dict) -> HyperValue:
    """``rule(base)`` in Python floats for each distinct value, so one run and a batch agree exactly.

    (NumPy's vectorised ``**`` may differ from Python's in the last bit.)
    """
    if not isinstance(base, np.ndarray):
        return rule(base)
    if "inverse" not in cache:
        cache["values"], inverse = np.unique(base, return_inverse=True)
        cache["inverse"] = inverse.reshape(base.shape)
    return np.array([rule(float(v)) for v in cache["values"]])[cache["inverse"]]


class BatchOptimizer:
    """State and update rule for K runs that share one optimizer kind."""

    #: names of the per-run state arrays worth showing a learner, each shaped (K, dim)
    state_names: tuple[str, ...] = ()

    def __init__(self, hypers: dict[str, Array], K: int, dim: int) -> None:
        self.h: dict[str, HyperValue] = {k: _hyper(v) for k, v in hypers.items()}
        self.K, self.dim = K, dim
        for name in self.state_names:
            setattr(self, name, self._zeros())
        self._scalar: dict[str, list[float]] = {}
        self._cache: dict = {}
        self._derive()

    def delta(self, g: Array, neg_lr: HyperValue, t: int, out: Array) -> Array:
        """Write the update of step ``t`` into ``out`` (K, dim); ``neg_lr`` is −γ (K, 1)."""
        raise NotImplementedError

    def state(self) -> dict[str, Array]:
        return {name: getattr(self, name).copy() for name in self.state_names}

    def take(self, index: Array) -> None:
        """Keep only the runs at ``index`` (used to drop finished runs from a batch)."""
        self.h = {
            k: _hyper(v[index]) if isinstance(v, np.ndarray) else v for k, v in self.h.items()
        }
        for name in self.state_names:
            setattr(self, name, np.asfortranarray(getattr(self, name)[index]))
        self.K = len(index)
        self._cache = {}
        self._derive()

    def _derive(self) -> None:
        """Work out what follows from the settings (again after ``take`` drops runs)."""

    def _zeros(self) -> Array:
        return np.zeros((self.K, self.dim), order="F")

    # --- one run on Python floats ------------------------------------------------------------
    def scalar_begin(self) -> None:
        """Copy run 0's state into Python lists for ``scalar_delta`` (K must be 1)."""
        self._scalar = {name: getattr(self, name)[0].tolist() for name in self.state_names}

    def scalar_end(self) -> None:
        for name, values in self._scalar.items():
            getattr(self, name)[0] = values

    def scalar_state(self) -> tuple[tuple[float, ...], ...]:
        return tuple(tuple(self._scalar[name]) for name in self.state_names)

    def scalar_delta(self, g, neg_lr: float, t: int) -> list[float]:
        raise NotImplementedError


class SGD(BatchOptimizer):
    def delta(self, g, neg_lr, t, out):
        return np.multiply(g, neg_lr, out=out)

    def scalar_delta(self, g, neg_lr, t):
        return [gi * neg_lr for gi in g]


class Momentum(BatchOptimizer):
    state_names = ("buffer",)

    def __init__(self, hypers, K, dim):
        hypers = dict(hypers)
        # torch skips the buffer when momentum is 0 (plain SGD): no dampening then; with none,
        # b = 0·b + g = g at every step, which is exactly that
        hypers["dampening"] = np.where(hypers["momentum"] == 0.0, 0.0, hypers["dampening"])
        super().__init__(hypers, K, dim)

    def delta(self, g, neg_lr, t, out):
        buf = self.buffer
        if t == 1:
            buf[...] = g
        else:
            buf *= self.h["momentum"]
            damp = self.h["dampening"]
            if isinstance(damp, np.ndarray) or damp != 0.0:
                buf += np.multiply(g, 1.0 - damp, out=out)
            else:  # torch adds g·(1 − 0) = g exactly
                buf += g
        return self._finish(g, neg_lr, out)

    def _finish(self, g, neg_lr, out):
        return np.multiply(self.buffer, neg_lr, out=out)

    def scalar_delta(self, g, neg_lr, t):
        buf = self._scalar["buffer"]
        if t == 1:
            buf[:] = g
        else:
            mu, keep = self.h["momentum"], 1.0 - self.h["dampening"]
            for i, gi in enumerate(g):
                buf[i] = buf[i] * mu + gi * keep
        return self._scalar_finish(g, neg_lr, buf)

    def _scalar_finish(self, g, neg_lr, buf):
        return [b * neg_lr for b in buf]


class Nesterov(Momentum):
    def __init__(self, hypers, K, dim):
        hypers = dict(hypers)
        hypers["dampening"] = np.zeros(K)
        super().__init__(hypers, K, dim)

    def _finish(self, g, neg_lr, out):
        np.multiply(self.buffer, self.h["momentum"], out=out)
        out += g
        return np.multiply(out, neg_lr, out=out)

    def _scalar_finish(self, g, neg_lr, buf):
        mu = self.h["momentum"]
        return [(gi + b * mu) * neg_lr for gi, b in zip(g, buf, strict=True)]


class AdaGrad(BatchOptimizer):
    state_names = ("sum_sq",)

    def __init__(self, hypers, K, dim):
        super().__init__(hypers, K, dim)
        self.sum_sq += self.h["initial_accumulator_value"]

    def delta(self, g, neg_lr, t, out):
        neg_clr = neg_lr / (1.0 + (t - 1) * self.h["lr_decay"])
        self.sum_sq += np.multiply(g, g, out=out)
        std = np.sqrt(self.sum_sq)
        std += self.h["eps"]
        np.multiply(g, neg_clr, out=out)
        return np.divide(out, std, out=out)

    def scalar_delta(self, g, neg_lr, t):
        s = self._scalar["sum_sq"]
        neg_clr = neg_lr / (1.0 + (t - 1) * self.h["lr_decay"])
        eps = self.h["eps"]
        out = []
        for i, gi in enumerate(g):
            s[i] = s[i] + gi * gi
            out.append(gi * neg_clr / (math.sqrt(s[i]) + eps))
        return out


class RMSprop(BatchOptimizer):
    state_names = ("square_avg", "grad_avg", "buffer")

    def _derive(self):
        self._centered = _is_on(self.h["centered"])
        self._heavy = self.h["momentum"] > 0

    def delta(self, g, neg_lr, t, out):
        alpha = self.h["alpha"]
        sq = self.square_avg
        sq *= alpha
        sq += np.multiply(g, 1.0 - alpha, out=out) * g
        avg = self._mean_square(g, alpha, out)
        np.sqrt(avg, out=avg)
        avg += self.h["eps"]
        heavy = self._heavy
        if heavy is True or isinstance(heavy, np.ndarray):
            buf = self.buffer
            buf *= self.h["momentum"]
            buf += np.divide(g, avg, out=out)
            if heavy is True:
                return np.multiply(buf, neg_lr, out=out)
            plain = np.multiply(g, neg_lr) / avg  # the runs without momentum
            out[...] = np.where(heavy, buf * neg_lr, plain)
            return out
        np.multiply(g, neg_lr, out=out)
        return np.divide(out, avg, out=out)

    def _mean_square(self, g, alpha, scratch) -> Array:
        """The mean square, or for centred runs the variance, as a fresh array."""
        centered = self._centered
        if centered is False:
            return self.square_avg.copy()
        ga = self.grad_avg
        ga += np.subtract(g, ga, out=scratch) * (1.0 - alpha)
        variance = np.maximum(self.square_avg - ga * ga, 0.0)
        return variance if centered is True else np.where(centered, variance, self.square_avg)

    def scalar_delta(self, g, neg_lr, t):
        st, h = self._scalar, self.h
        sq, ga, buf = st["square_avg"], st["grad_avg"], st["buffer"]
        alpha, eps, mu = h["alpha"], h["eps"], h["momentum"]
        w, centered = 1.0 - alpha, self._centered
        out = []
        for i, gi in enumerate(g):
            sq[i] = sq[i] * alpha + gi * w * gi
            avg = sq[i]
            if centered:
                ga[i] = ga[i] + (gi - ga[i]) * w
                avg = max(avg - ga[i] * ga[i], 0.0)
            avg = math.sqrt(avg) + eps
            if mu > 0:
                buf[i] = buf[i] * mu + gi / avg
                out.append(buf[i] * neg_lr)
            else:
                out.append(gi * neg_lr / avg)
        return out


class Adam(BatchOptimizer):
    state_names = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")

    def _derive(self):
        self._ams = _is_on(self.h["amsgrad"])

    def delta(self, g, neg_lr, t, out):
        b1, b2 = self.h["beta1"], self.h["beta2"]
        m, v = self.exp_avg, self.exp_avg_sq
        np.subtract(g, m, out=out)
        out *= 1.0 - b1
        m += out
        v *= b2
        np.multiply(g, 1.0 - b2, out=out)
        out *= g
        v += out
        cache = self._cache
        bc1 = _per_value(b1, lambda b: 1.0 - b**t, cache.setdefault("b1", {}))
        bc2_sqrt = _per_value(b2, lambda b: (1.0 - b**t) ** 0.5, cache.setdefault("b2", {}))
        neg_step = neg_lr / bc1
        denom = np.sqrt(self._second_moment(v))
        denom /= bc2_sqrt
        denom += self.h["eps"]
        np.multiply(m, neg_step, out=out)
        return np.divide(out, denom, out=out)

    def _second_moment(self, v) -> Array:
        ams = self._ams
        if ams is False:
            return v
        vmax = self.max_exp_avg_sq
        if ams is True:
            return np.maximum(vmax, v, out=vmax)
        vmax[...] = np.where(ams, np.maximum(vmax, v), vmax)
        return np.where(ams, vmax, v)

    def scalar_delta(self, g, neg_lr, t):
        st, h = self._scalar, self.h
        m, v, vmax = st["exp_avg"], st["exp_avg_sq"], st["max_exp_avg_sq"]
        b1, b2, eps = h["beta1"], h["beta2"], h["eps"]
        w1, w2 = 1.0 - b1, 1.0 - b2
        neg_step = neg_lr / (1.0 - b1**t)
        bc2_sqrt = (1.0 - b2**t) ** 0.5
        ams = self._ams
        out = []
        for i, gi in enumerate(g):
            m[i] = m[i] + (gi - m[i]) * w1
            v[i] = v[i] * b2 + gi * w2 * gi
            second = v[i]
            if ams:
                vmax[i] = second = max(vmax[i], second)
            out.append(m[i] * neg_step / (math.sqrt(second) / bc2_sqrt + eps))
        return out


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
    resolved: dict[tuple, int] = {}  # settings -> row of ``distinct``
    seen: dict[int, int] = {}  # a sweep passes one dict thousands of times, a map one per row
    distinct: list[dict[str, float]] = []
    for given in hypers:
        if id(given) not in seen:
            key = tuple(sorted((given or {}).items()))
            if key not in resolved:
                resolved[key] = len(distinct)
                distinct.append(resolve_hypers(kind, dict(key)))
            seen[id(given)] = resolved[key]
    index = np.array([seen[id(given)] for given in hypers])
    names = [h.name for h in OPTIMIZERS[kind].hypers]
    arrays = {n: np.array([r[n] for r in distinct])[index] for n in names}
    return _CLASSES[kind](arrays, len(hypers), dim)
