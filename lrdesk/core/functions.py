"""Loss surfaces with analytic values, gradients and Hessians, vectorised over many points.

Every function works on points shaped ``(K, dim)`` (one row per run) and returns values ``(K,)``,
gradients ``(K, dim)`` and Hessians ``(K, dim, dim)``. Columns are read with ``P[:, i]``, so the
engine keeps its state in Fortran order, where each column is contiguous. Each built-in surface
writes its value and gradient once, as arithmetic that works on arrays and on plain floats alike
(``_vg``), so a single run can be stepped without NumPy and still match a batch bit for bit.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
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
        return np.asarray(self._vg(*_columns(P))[0], dtype=float)

    def gradient(self, P: Array) -> Array:
        if self._vg is None:
            raise NotImplementedError
        return _stack(P.shape[0], self._vg(*_columns(P))[1:])

    def hessian(self, P: Array) -> Array:
        raise NotImplementedError

    def value_and_gradient(self, P: Array) -> tuple[Array, Array]:
        """Both at once; subclasses share work between the two where they can."""
        if self._vg is None:
            return self.value(P), self.gradient(P)
        L, *g = self._vg(*_columns(P))
        return np.asarray(L, dtype=float), _stack(P.shape[0], g)

    def value_and_gradient_into(self, P: Array, loss_out: Array, grad_out: Array) -> None:
        """Write the values into ``loss_out`` (K,) and the gradients into ``grad_out`` (K, dim).

        The engine's inner loop calls this with rows of its own buffers, so that a surface that
        can compute in place saves a copy.
        """
        if self._vg is None:
            loss_out[...], grad_out[...] = self.value_and_gradient(P)
            return
        L, *g = self._vg(*_columns(P))
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

    def lr_range(self) -> tuple[float, float]:
        """Learning rates worth exploring on this surface: from crawling to diverging."""
        from lrdesk.core.theory import local_theory

        lam = local_theory(self, self.default_start()).lambda_max
        if lam is None or lam <= 0:
            return (1e-4, 1.0)
        limit = 2.0 / lam
        return (limit * 1e-4, limit * 2.0)

    def describe(self) -> str:
        if not self.params:
            return self.formula
        consts = ", ".join(f"{k} = {v:g}" for k, v in self.params.items())
        return f"{self.formula}  ({consts})"


def _columns(P: Array) -> list[Array]:
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


def _hess2(hxx: Array, hxy: Array, hyy: Array) -> Array:
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


# ======================================================================================
# One dimension
# ======================================================================================
class Quadratic(LossFunction):
    key = "quadratic"
    title = "Parabola  a·w²"
    formula = "L(w) = a·w²"
    description = "The simplest bowl. Its curvature is the same everywhere, so the theory is exact."
    dim = 1
    is_quadratic = True
    parameters = (Parameter("a", 1.0, 1e-3, 1e3, "curvature: L = a·w², so L'' = 2a"),)

    def _vg(self, w):
        a = self.params["a"]
        return a * (w * w), (2.0 * a) * w

    def value_and_gradient_into(self, P, loss_out, grad_out):
        a = self.params["a"]
        np.multiply(P[:, 0], P[:, 0], out=loss_out)
        loss_out *= a
        np.multiply(P, 2.0 * a, out=grad_out)

    def hessian(self, P):
        return np.full((P.shape[0], 1, 1), 2.0 * self.params["a"])

    def minima(self):
        return np.zeros((1, 1))

    def default_start(self):
        return (5.0,)


class DoubleWell(LossFunction):
    key = "double_well"
    title = "Double well"
    formula = "L(w) = (w² − 1)² + t·w"
    description = "Two valleys of different depth: where you end up depends on the start and the step."
    dim = 1
    parameters = (Parameter("t", 0.3, -2.0, 2.0, "tilt: makes one well deeper than the other"),)

    def _vg(self, w):
        t = self.params["t"]
        u = w * w - 1.0
        return u * u + t * w, 4.0 * w * u + t

    def hessian(self, P):
        w = P[:, 0]
        return (12.0 * w * w - 4.0)[:, None, None]

    def minima(self):
        roots = stationary_points_1d(lambda w: self._vg(w)[1], -3.0, 3.0)
        mins = [r for r in roots if 12.0 * r * r - 4.0 > 0]
        mins.sort(key=lambda r: self._vg(r)[0])
        return np.array(mins).reshape(-1, 1)

    def view_box(self):
        return ((-2.0, 2.0),)

    def default_start(self):
        return (1.8,)


class Bumpy(LossFunction):
    key = "bumpy"
    title = "Bumpy bowl"
    formula = "L(w) = w²/2 + h·(1 − cos(f·w))"
    description = "A bowl covered in ripples: small steps get caught in a ripple, big ones jump across."
    dim = 1
    uses_trig = True
    parameters = (
        Parameter("h", 1.0, 0.0, 20.0, "height of the ripples"),
        Parameter("f", 3.0, 0.1, 20.0, "frequency of the ripples"),
    )

    def _vg(self, w, m=np):
        h, f = self.params["h"], self.params["f"]
        return 0.5 * w * w + h * (1.0 - m.cos(f * w)), w + (h * f) * m.sin(f * w)

    def hessian(self, P):
        w = P[:, 0]
        h, f = self.params["h"], self.params["f"]
        return (1.0 + h * f * f * np.cos(f * w))[:, None, None]

    def minima(self):
        roots = stationary_points_1d(lambda w: self._vg(w)[1], -8.0, 8.0, samples=16001)
        h, f = self.params["h"], self.params["f"]
        mins = [r for r in roots if 1.0 + h * f * f * math.cos(f * r) > 0]
        mins.sort(key=abs)
        return np.array(mins).reshape(-1, 1)

    def view_box(self):
        return ((-6.0, 6.0),)

    def default_start(self):
        return (4.5,)


# ======================================================================================
# Two dimensions
# ======================================================================================
class Bowl(LossFunction):
    key = "bowl"
    title = "Round bowl"
    formula = "L(x, y) = a·(x² + y²)"
    description = "Equal curvature in every direction: every path heads straight for the bottom."
    dim = 2
    is_quadratic = True
    parameters = (Parameter("a", 1.0, 1e-3, 1e3, "curvature in every direction"),)

    def _vg(self, x, y):
        a = self.params["a"]
        return a * (x * x + y * y), (2.0 * a) * x, (2.0 * a) * y

    def hessian(self, P):
        H = np.zeros((P.shape[0], 2, 2))
        H[:, 0, 0] = H[:, 1, 1] = 2.0 * self.params["a"]
        return H

    def minima(self):
        return np.zeros((1, 2))

    def default_start(self):
        return (4.0, 3.0)


class IllConditioned(LossFunction):
    key = "ill_conditioned"
    title = "Narrow valley (ill-conditioned)"
    formula = "L = ½·(λ₁·u² + λ₂·v²), (u, v) = (x, y) turned by θ"
    description = (
        "A long, narrow valley. The steep direction limits the learning rate, the flat one sets "
        "how long the walk takes."
    )
    dim = 2
    is_quadratic = True
    parameters = (
        Parameter("condition", 10.0, 1.0, 1e4, "κ = λ₁/λ₂, how much steeper one side is"),
        Parameter("curvature", 1.0, 1e-3, 1e3, "λ₂, the curvature along the flat direction"),
        Parameter("angle", 0.0, -180.0, 180.0, "θ in degrees: turns the valley"),
    )

    def __init__(self, **params: float) -> None:
        super().__init__(**params)
        A = self._matrix()
        self._a, self._b, self._d = float(A[0, 0]), float(A[0, 1]), float(A[1, 1])

    def _matrix(self) -> Array:
        lam2 = self.params["curvature"]
        lam1 = lam2 * self.params["condition"]
        t = math.radians(self.params["angle"])
        c, s = math.cos(t), math.sin(t)
        # rows: u along (c, s) gets the steep curvature, v along (-s, c) the flat one
        R = np.array([[c, s], [-s, c]])
        A = R.T @ np.diag([lam1, lam2]) @ R
        return 0.5 * (A + A.T)

    def _vg(self, x, y):
        gx = self._a * x + self._b * y
        gy = self._b * x + self._d * y
        return 0.5 * (x * gx + y * gy), gx, gy

    def hessian(self, P):
        return np.broadcast_to(self._matrix(), (P.shape[0], 2, 2)).copy()

    def minima(self):
        return np.zeros((1, 2))

    def default_start(self):
        return (-4.0, 3.0)


class Rosenbrock(LossFunction):
    key = "rosenbrock"
    title = "Rosenbrock banana"
    formula = "L(x, y) = (a − x)² + b·(y − x²)²"
    description = "A curved, flat-bottomed valley: easy to find, slow to follow to its end."
    dim = 2
    parameters = (
        Parameter("a", 1.0, -5.0, 5.0, "the minimum is at (a, a²)"),
        Parameter("b", 100.0, 0.0, 1e4, "steepness of the valley walls"),
    )

    def _vg(self, x, y):
        a, b = self.params["a"], self.params["b"]
        r = y - x * x
        d = a - x
        gy = (2.0 * b) * r
        return d * d + b * (r * r), -2.0 * d - 2.0 * x * gy, gy

    def value_and_gradient_into(self, P, loss_out, grad_out):
        # the same operations as _vg, in place: this is the benchmark's inner loop
        a, b = self.params["a"], self.params["b"]
        x, y = P[:, 0], P[:, 1]
        gx, gy = grad_out[:, 0], grad_out[:, 1]
        r = np.multiply(x, x)
        np.subtract(y, r, out=r)
        d = np.subtract(a, x)
        np.multiply(r, 2.0 * b, out=gy)
        np.multiply(x, 2.0, out=gx)
        gx *= gy
        np.multiply(d, -2.0, out=loss_out)
        np.subtract(loss_out, gx, out=gx)
        np.multiply(r, r, out=r)
        r *= b
        np.multiply(d, d, out=loss_out)
        loss_out += r

    def hessian(self, P):
        x, y = _columns(P)
        b = self.params["b"]
        return _hess2(
            2.0 - 4.0 * b * (y - x * x) + 8.0 * b * x * x, -4.0 * b * x, np.full_like(x, 2.0 * b)
        )

    def minima(self):
        a = self.params["a"]
        return np.array([[a, a * a]])

    def view_box(self):
        return ((-2.0, 2.0), (-1.0, 3.0))

    def default_start(self):
        return (-1.5, 2.0)


class Beale(LossFunction):
    key = "beale"
    title = "Beale"
    formula = "L = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²"
    description = "Flat plains and sharp ridges: the gradient's size changes wildly from place to place."
    dim = 2

    def _vg(self, x, y):
        y2 = y * y
        y3 = y2 * y
        t1 = 1.5 - x + x * y
        t2 = 2.25 - x + x * y2
        t3 = 2.625 - x + x * y3
        gx = 2.0 * (t1 * (y - 1.0) + t2 * (y2 - 1.0) + t3 * (y3 - 1.0))
        gy = 2.0 * x * (t1 + 2.0 * t2 * y + 3.0 * t3 * y2)
        return t1 * t1 + t2 * t2 + t3 * t3, gx, gy

    def hessian(self, P):
        x, y = _columns(P)
        hxx = hxy = hyy = 0.0
        for k, c in enumerate((1.5, 2.25, 2.625), start=1):
            t = c - x + x * y**k
            dtx, dty = y**k - 1.0, k * x * y ** (k - 1)
            dtxy = k * y ** (k - 1)
            dtyy = k * (k - 1) * x * y ** (k - 2) if k >= 2 else 0.0
            hxx = hxx + 2.0 * dtx * dtx
            hxy = hxy + 2.0 * (dtx * dty + t * dtxy)
            hyy = hyy + 2.0 * (dty * dty + t * dtyy)
        return _hess2(hxx, hxy, hyy)

    def minima(self):
        return np.array([[3.0, 0.5]])

    def view_box(self):
        return ((-4.5, 4.5), (-4.5, 4.5))

    def default_start(self):
        return (1.0, 1.5)


class Himmelblau(LossFunction):
    key = "himmelblau"
    title = "Himmelblau"
    formula = "L = (x² + y − 11)² + (x + y² − 7)²"
    description = "Four equally deep valleys: the start point and the step decide which one you reach."
    dim = 2

    def _vg(self, x, y):
        u = x * x + y - 11.0
        v = x + y * y - 7.0
        return u * u + v * v, 4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v

    def hessian(self, P):
        x, y = _columns(P)
        return _hess2(
            12.0 * x * x + 4.0 * y - 42.0, 4.0 * (x + y), 12.0 * y * y + 4.0 * x - 26.0
        )

    def minima(self):
        return newton_refine(
            self,
            np.array(
                [[3.0, 2.0], [-2.805118, 3.131313], [-3.779310, -3.283186], [3.584428, -1.848127]]
            ),
        )

    def view_box(self):
        return ((-5.0, 5.0), (-5.0, 5.0))

    def default_start(self):
        return (0.5, -0.5)


class Saddle(LossFunction):
    key = "saddle"
    title = "Saddle between two valleys"
    formula = "L(x, y) = x² + y⁴/4 − y²/2"
    description = (
        "A saddle point at the origin with a valley on each side. Start on the ridge line y = 0 and "
        "the gradient leads you onto the saddle, where it vanishes."
    )
    dim = 2

    def _vg(self, x, y):
        y2 = y * y
        return x * x + 0.25 * y2 * y2 - 0.5 * y2, 2.0 * x, y2 * y - y

    def hessian(self, P):
        x, y = _columns(P)
        return _hess2(np.full_like(x, 2.0), np.zeros_like(x), 3.0 * y * y - 1.0)

    def minima(self):
        return np.array([[0.0, 1.0], [0.0, -1.0]])

    def view_box(self):
        return ((-2.5, 2.5), (-2.0, 2.0))

    def default_start(self):
        return (2.0, 0.01)


class Rastrigin(LossFunction):
    key = "rastrigin"
    title = "Rastrigin"
    formula = "L = 2A + x² − A·cos(2πx) + y² − A·cos(2πy)"
    description = "An egg-box of local minima over a bowl: a classic trap for small steps."
    dim = 2
    uses_trig = True
    parameters = (Parameter("A", 10.0, 0.0, 100.0, "depth of the egg-box dimples"),)

    def _vg(self, x, y, m=np):
        A = self.params["A"]
        tau = 2.0 * math.pi
        tx, ty = tau * x, tau * y
        value = 2.0 * A + x * x - A * m.cos(tx) + y * y - A * m.cos(ty)
        return value, 2.0 * x + (A * tau) * m.sin(tx), 2.0 * y + (A * tau) * m.sin(ty)

    def hessian(self, P):
        x, y = _columns(P)
        A = self.params["A"]
        tau = 2.0 * math.pi
        return _hess2(
            2.0 + A * tau * tau * np.cos(tau * x),
            np.zeros_like(x),
            2.0 + A * tau * tau * np.cos(tau * y),
        )

    def minima(self):
        A = self.params["A"]
        tau = 2.0 * math.pi
        one_d = stationary_points_1d(lambda v: self._vg(v, v)[1], -5.5, 5.5, samples=22001)
        one_d = [r for r in one_d if 2.0 + A * tau * tau * math.cos(tau * r) > 0]
        pts = np.array([(x, y) for x in one_d for y in one_d]).reshape(-1, 2)
        order = np.argsort(self.value(pts), kind="stable")
        return pts[order]

    def view_box(self):
        return ((-5.12, 5.12), (-5.12, 5.12))

    def default_start(self):
        return (2.3, -1.7)


class SixHumpCamel(LossFunction):
    key = "six_hump_camel"
    title = "Six-hump camel"
    formula = "L = (4 − 2.1x² + x⁴/3)·x² + xy + (4y² − 4)·y²"
    description = "Six valleys, two of them deepest: a small map of how starts and steps pick a valley."
    dim = 2

    def _vg(self, x, y):
        x2, y2 = x * x, y * y
        value = (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (4.0 * y2 - 4.0) * y2
        gx = 8.0 * x - 8.4 * x2 * x + 2.0 * x2 * x2 * x + y
        return value, gx, x + 16.0 * y2 * y - 8.0 * y

    def hessian(self, P):
        x, y = _columns(P)
        x2, y2 = x * x, y * y
        return _hess2(8.0 - 25.2 * x2 + 10.0 * x2 * x2, np.ones_like(x), 48.0 * y2 - 8.0)

    def minima(self):
        seeds = np.array(
            [[0.0898, -0.7126], [-0.0898, 0.7126], [-1.7036, 0.7961], [1.7036, -0.7961],
             [-1.6071, -0.5687], [1.6071, 0.5687]]
        )
        return newton_refine(self, seeds)

    def view_box(self):
        return ((-2.0, 2.0), (-1.1, 1.1))

    def default_start(self):
        return (-1.5, -1.0)


def newton_refine(function: LossFunction, seeds: Array, iterations: int = 50) -> Array:
    """Polish approximate stationary points with Newton's method (used for known minima)."""
    P = np.array(seeds, dtype=float, order="F")
    for _ in range(iterations):
        step = np.linalg.solve(function.hessian(P), function.gradient(P)[..., None])[..., 0]
        P = np.asfortranarray(P - step)
    return np.ascontiguousarray(P)


FUNCTIONS: dict[str, type[LossFunction]] = {
    cls.key: cls
    for cls in (
        Quadratic, DoubleWell, Bumpy,
        Bowl, IllConditioned, Rosenbrock, Beale, Himmelblau, Saddle, Rastrigin, SixHumpCamel,
    )
}

#: The key of a function typed in by the user (see ``lrdesk.core.expression``).
CUSTOM = "custom"


def make_function(
    key: str, params: Mapping[str, float] | None = None, expression: str = ""
) -> LossFunction:
    """Build a loss function by its key; raises InvalidFunction with a readable message."""
    params = dict(params or {})
    if key in FUNCTIONS:
        return FUNCTIONS[key](**params)
    if key == CUSTOM:
        # imported here: typed functions need sympy, which start-up should not pay for
        from lrdesk.core.expression import build_custom_function

        return build_custom_function(expression, params)
    names = ", ".join([*FUNCTIONS, CUSTOM])
    raise InvalidFunction(f"unknown function '{key}' (choose one of: {names})")
