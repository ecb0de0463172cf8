"""The base of every loss surface: ``LossFunction``, its parameters, and helpers for surfaces.

Every function works on points shaped ``(K, dim)`` (one row per run) and returns values ``(K,)``,
gradients ``(K, dim)`` and Hessians ``(K, dim, dim)``. Columns are read with ``P[:, i]``, so the
engine keeps its state in Fortran order, where each column is contiguous. Each built-in surface
writes its value and gradient once, as arithmetic that works on arrays and on plain floats alike
(``_vg``), so a single run can be stepped without NumPy and still match a batch bit for bit.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

Array = np.ndarray


class InvalidFunction(ValueError):
    """A function name or parameter that cannot be used."""


@dataclass(frozen=True)
class Parameter:
    """A tunable constant of a loss function."""

    name: str
    default: float
    low: float
    high: float
    help: str


class LossFunction:
    """A loss surface L(p) with its analytic derivatives and what is known about it."""

    key: ClassVar[str] = ""
    title: ClassVar[str] = ""
    formula: ClassVar[str] = ""
    description: ClassVar[str] = ""
    dim: ClassVar[int] = 1
    parameters: ClassVar[tuple[Parameter, ...]] = ()
    #: True where the surface is exactly quadratic, so the stability theory is exact.
    is_quadratic: ClassVar[bool] = False

    def __init__(self, **params: float) -> None:
        known = {p.name: p for p in self.parameters}
        for name in params:
            if name not in known:
                allowed = ", ".join(known) or "none"
                raise InvalidFunction(
                    f"{self.key} has no parameter '{name}' (its parameters: {allowed})"
                )
        values = {}
        for p in self.parameters:
            value = float(params.get(p.name, p.default))
            if not math.isfinite(value) or not p.low <= value <= p.high:
                raise InvalidFunction(
                    f"parameter '{p.name}' of {self.key} must be between {p.low:g} and "
                    f"{p.high:g}, not {value:g}"
                )
            values[p.name] = value
        self.params: dict[str, float] = values

    # --- the surface -------------------------------------------------------------------
    #: Built-in surfaces give their value and gradient as ONE formula on coordinates,
    #: ``_vg(x[, y]) -> (L, dL/dx[, dL/dy])``, written with arithmetic that means the same on
    #: NumPy columns and on Python floats. The array methods below are derived from it, and the
    #: engine steps a single run on plain floats with it (bit for bit the same numbers, several
    #: times faster). Surfaces without it (typed-in ones) override the array methods instead.
    _vg: ClassVar[Callable | None] = None
    #: True where ``_vg`` takes a module ``m`` for cos/sin (``np`` for arrays, ``math`` for floats)
    uses_trig: ClassVar[bool] = False

    def value(self, P: Array) -> Array:
        if self._vg is None:
            raise NotImplementedError
        return np.asarray(self._vg(*columns_of(P))[0], dtype=float)

    def gradient(self, P: Array) -> Array:
        if self._vg is None:
            raise NotImplementedError
        return _stack(P.shape[0], self._vg(*columns_of(P))[1:])

    def hessian(self, P: Array) -> Array:
        raise NotImplementedError

    def value_and_gradient(self, P: Array) -> tuple[Array, Array]:
        """Both at once; subclasses share work between the two where they can."""
        if self._vg is None:
            return self.value(P), self.gradient(P)
        L, *g = self._vg(*columns_of(P))
        return np.asarray(L, dtype=float), _stack(P.shape[0], g)

    def value_and_gradient_into(self, P: Array, loss_out: Array, grad_out: Array) -> None:
        """Write the values into ``loss_out`` (K,) and the gradients into ``grad_out`` (K, dim).

        The engine's inner loop calls this with rows of its own buffers, so that a surface that
        can compute in place saves a copy.
        """
        if self._vg is None:
            loss_out[...], grad_out[...] = self.value_and_gradient(P)
            return
        L, *g = self._vg(*columns_of(P))
        loss_out[...] = L
        for i, column in enumerate(g):
            grad_out[:, i] = column

    def scalar_value_and_gradient(self) -> Callable | None:
        """``_vg`` on plain floats (``f(x[, y]) -> (L, gx[, gy])``), or None where unavailable."""
        if self._vg is None:
            return None
        if self.uses_trig:
            return functools.partial(self._vg, m=math) if _trig_agrees() else None
        return self._vg

    def for_runs(self, index: Array) -> LossFunction:
        """This surface for a subset of a batch's runs (the engine drops finished runs).

        Surfaces whose constants are shared by every run return themselves. A surface whose
        constants differ per run (arrays with one entry per run) must return the selection,
        or the engine keeps every run in place instead.
        """
        return self

    # --- what is known about it ----------------------------------------------------------
    def minima(self) -> Array:
        """Known local minima, shaped (M, dim), the global one(s) first."""
        return np.empty((0, self.dim))

    def min_value(self) -> float | None:
        """The global minimum value, where known."""
        m = self.minima()
        return float(self.value(m[:1])[0]) if len(m) else None

    def view_box(self) -> tuple[tuple[float, float], ...]:
        """A region that shows the interesting part of the surface, one (lo, hi) per axis."""
        return ((-6.0, 6.0),) * self.dim

    def default_start(self) -> tuple[float, ...]:
        return (5.0,) * self.dim

    def describe(self) -> str:
        if not self.params:
            return self.formula
        consts = ", ".join(f"{k} = {v:g}" for k, v in self.params.items())
        return f"{self.formula}  ({consts})"


def columns_of(P: Array) -> list[Array]:
    return [P[:, i] for i in range(P.shape[1])]


def _stack(rows: int, cols) -> Array:
    out = np.empty((rows, len(cols)), order="F")
    for i, c in enumerate(cols):
        out[:, i] = c
    return out


@functools.cache
def _trig_agrees() -> bool:
    """Whether ``math`` gives NumPy's sin and cos bit for bit on this machine (checked once).

    NumPy may use its own SIMD routines; where they differ from the C library in the last bit,
    single runs of trigonometric surfaces stay on the array path so they match batches exactly.
    """
    x = np.linspace(-70.0, 70.0, 4099) * 1.000123
    return all(
        np.array_equal(vector(x), [scalar(v) for v in x.tolist()])
        for vector, scalar in ((np.sin, math.sin), (np.cos, math.cos))
    )


def hessian_2d(hxx: Array, hxy: Array, hyy: Array) -> Array:
    H = np.empty((hxx.shape[0], 2, 2))
    H[:, 0, 0] = hxx
    H[:, 0, 1] = hxy
    H[:, 1, 0] = hxy
    H[:, 1, 1] = hyy
    return H


def stationary_points_1d(
    grad: Callable[[Array], Array], lo: float, hi: float, samples: int = 4001
) -> Array:
    """All zeros of a 1-D gradient in [lo, hi], by sign changes refined with bisection."""
    w = np.linspace(lo, hi, samples)
    g = grad(w)
    roots = list(w[g == 0])
    idx = np.nonzero(np.sign(g[:-1]) * np.sign(g[1:]) < 0)[0]
    a, b = w[idx].copy(), w[idx + 1].copy()
    ga = g[idx].copy()
    for _ in range(60):
        m = 0.5 * (a + b)
        gm = grad(m)
        left = np.sign(gm) == np.sign(ga)
        a = np.where(left, m, a)
        ga = np.where(left, gm, ga)
        b = np.where(left, b, m)
    roots.extend(0.5 * (a + b))
    return np.array(sorted(roots))


def newton_refine(function: LossFunction, seeds: Array, iterations: int = 50) -> Array:
    """Polish approximate stationary points with Newton's method (used for known minima)."""
    P = np.array(seeds, dtype=float, order="F")
    for _ in range(iterations):
        step = np.linalg.solve(function.hessian(P), function.gradient(P)[..., None])[..., 0]
        P = np.asfortranarray(P - step)
    return np.ascontiguousarray(P)
