"""Loss surfaces with analytic values, gradients and Hessians, vectorised over many points.

Every function works on points shaped ``(K, dim)`` (one row per run) and returns values ``(K,)``,
gradients ``(K, dim)`` and Hessians ``(K, dim, dim)``. Columns are read with ``P[:, i]``, so the
engine keeps its state in Fortran order, where each column is contiguous.
"""

from __future__ import annotations

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
    def value(self, P: Array) -> Array:
        raise NotImplementedError

    def gradient(self, P: Array) -> Array:
        raise NotImplementedError

    def hessian(self, P: Array) -> Array:
        raise NotImplementedError

    def value_and_gradient(self, P: Array) -> tuple[Array, Array]:
        """Both at once; subclasses share work between the two where they can."""
        return self.value(P), self.gradient(P)

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


def _stack(*cols: Array) -> Array:
    out = np.empty((cols[0].shape[0], len(cols)), order="F")
    for i, c in enumerate(cols):
        out[:, i] = c
    return out


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

    def value(self, P):
        return self.params["a"] * P[:, 0] ** 2

    def gradient(self, P):
        return 2.0 * self.params["a"] * P

    def hessian(self, P):
        return np.full((P.shape[0], 1, 1), 2.0 * self.params["a"])

    def value_and_gradient(self, P):
        a = self.params["a"]
        return a * P[:, 0] ** 2, (2.0 * a) * P

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

    def value(self, P):
        w = P[:, 0]
        return (w * w - 1.0) ** 2 + self.params["t"] * w

    def _g(self, w):
        return 4.0 * w * (w * w - 1.0) + self.params["t"]

    def gradient(self, P):
        return self._g(P[:, 0])[:, None].copy(order="F")

    def hessian(self, P):
        w = P[:, 0]
        return (12.0 * w * w - 4.0)[:, None, None]

    def minima(self):
        roots = stationary_points_1d(self._g, -3.0, 3.0)
        mins = [r for r in roots if 12.0 * r * r - 4.0 > 0]
        mins.sort(key=lambda r: self.value(np.array([[r]]))[0])
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
    parameters = (
        Parameter("h", 1.0, 0.0, 20.0, "height of the ripples"),
        Parameter("f", 3.0, 0.1, 20.0, "frequency of the ripples"),
    )

    def value(self, P):
        w = P[:, 0]
        h, f = self.params["h"], self.params["f"]
        return 0.5 * w * w + h * (1.0 - np.cos(f * w))

    def _g(self, w):
        h, f = self.params["h"], self.params["f"]
        return w + h * f * np.sin(f * w)

    def gradient(self, P):
        return self._g(P[:, 0])[:, None].copy(order="F")

    def hessian(self, P):
        w = P[:, 0]
        h, f = self.params["h"], self.params["f"]
        return (1.0 + h * f * f * np.cos(f * w))[:, None, None]

    def minima(self):
        roots = stationary_points_1d(self._g, -8.0, 8.0, samples=16001)
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

    def value(self, P):
        x, y = _columns(P)
        return self.params["a"] * (x * x + y * y)

    def gradient(self, P):
        return (2.0 * self.params["a"]) * P

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

    def _matrix(self) -> Array:
        lam2 = self.params["curvature"]
        lam1 = lam2 * self.params["condition"]
        t = math.radians(self.params["angle"])
        c, s = math.cos(t), math.sin(t)
        # rows: u along (c, s) gets the steep curvature, v along (-s, c) the flat one
        R = np.array([[c, s], [-s, c]])
        return R.T @ np.diag([lam1, lam2]) @ R

    def value(self, P):
        A = self._matrix()
        x, y = _columns(P)
        return 0.5 * (A[0, 0] * x * x + 2.0 * A[0, 1] * x * y + A[1, 1] * y * y)

    def gradient(self, P):
        return np.asfortranarray(P @ self._matrix())

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

    def value(self, P):
        x, y = _columns(P)
        a, b = self.params["a"], self.params["b"]
        return (a - x) ** 2 + b * (y - x * x) ** 2

    def gradient(self, P):
        return self.value_and_gradient(P)[1]

    def value_and_gradient(self, P):
        x, y = _columns(P)
        a, b = self.params["a"], self.params["b"]
        r = y - x * x
        d = a - x
        G = np.empty(P.shape, order="F")
        np.multiply(r, 2.0 * b, out=G[:, 1])
        G[:, 0] = -2.0 * d - 2.0 * x * G[:, 1]
        return d * d + b * r * r, G

    def hessian(self, P):
        x, y = _columns(P)
        b = self.params["b"]
        return _hess2(2.0 - 4.0 * b * (y - x * x) + 8.0 * b * x * x, -4.0 * b * x, np.full_like(x, 2.0 * b))

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

    _C = (1.5, 2.25, 2.625)

    def _terms(self, P):
        x, y = _columns(P)
        out = []
        for k, c in enumerate(self._C, start=1):
            yk = y**k
            t = c - x + x * yk
            dtx = yk - 1.0
            dty = k * x * y ** (k - 1)
            dtxx = np.zeros_like(x)
            dtxy = k * y ** (k - 1)
            dtyy = k * (k - 1) * x * y ** (k - 2) if k >= 2 else np.zeros_like(x)
            out.append((t, dtx, dty, dtxx, dtxy, dtyy))
        return out

    def value(self, P):
        return sum(t * t for t, *_ in self._terms(P))

    def gradient(self, P):
        gx = gy = 0.0
        for t, dtx, dty, *_ in self._terms(P):
            gx = gx + 2.0 * t * dtx
            gy = gy + 2.0 * t * dty
        return _stack(gx, gy)

    def hessian(self, P):
        hxx = hxy = hyy = 0.0
        for t, dtx, dty, dtxx, dtxy, dtyy in self._terms(P):
            hxx = hxx + 2.0 * (dtx * dtx + t * dtxx)
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

    def value(self, P):
        x, y = _columns(P)
        return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2

    def gradient(self, P):
        x, y = _columns(P)
        a = x * x + y - 11.0
        b = x + y * y - 7.0
        return _stack(4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b)

    def hessian(self, P):
        x, y = _columns(P)
        return _hess2(
            12.0 * x * x + 4.0 * y - 42.0, 4.0 * (x + y), 12.0 * y * y + 4.0 * x - 26.0
        )

    def minima(self):
        return np.array(
            [
                [3.0, 2.0],
                [-2.805118086952745, 3.131312518250573],
                [-3.779310253377747, -3.283185991286170],
                [3.584428340330492, -1.848126526964404],
            ]
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

    def value(self, P):
        x, y = _columns(P)
        y2 = y * y
        return x * x + 0.25 * y2 * y2 - 0.5 * y2

    def gradient(self, P):
        x, y = _columns(P)
        return _stack(2.0 * x, y * y * y - y)

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
    parameters = (Parameter("A", 10.0, 0.0, 100.0, "depth of the egg-box dimples"),)

    def value(self, P):
        x, y = _columns(P)
        A = self.params["A"]
        tau = 2.0 * math.pi
        return 2.0 * A + x * x - A * np.cos(tau * x) + y * y - A * np.cos(tau * y)

    def _g1(self, v):
        A = self.params["A"]
        tau = 2.0 * math.pi
        return 2.0 * v + A * tau * np.sin(tau * v)

    def gradient(self, P):
        x, y = _columns(P)
        return _stack(self._g1(x), self._g1(y))

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
        roots = stationary_points_1d(self._g1, -5.5, 5.5, samples=22001)
        one_d = [r for r in roots if 2.0 + A * tau * tau * math.cos(tau * r) > 0]
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

    def value(self, P):
        x, y = _columns(P)
        x2, y2 = x * x, y * y
        return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (4.0 * y2 - 4.0) * y2

    def gradient(self, P):
        x, y = _columns(P)
        x2, y2 = x * x, y * y
        return _stack(8.0 * x - 8.4 * x2 * x + 2.0 * x2 * x2 * x + y, x + 16.0 * y2 * y - 8.0 * y)

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
