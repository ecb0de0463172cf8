"""The two-dimensional loss surfaces L(x, y): bowls, valleys and the classic test functions."""

from __future__ import annotations

import math

import numpy as np

from lrdesk.core.surfaces.base import (
    Array,
    LossFunction,
    Parameter,
    columns_of,
    hessian_2d,
    newton_refine,
    stationary_points_1d,
)


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
        x, y = columns_of(P)
        b = self.params["b"]
        return hessian_2d(
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
        x, y = columns_of(P)
        hxx = hxy = hyy = 0.0
        for k, c in enumerate((1.5, 2.25, 2.625), start=1):
            t = c - x + x * y**k
            dtx, dty = y**k - 1.0, k * x * y ** (k - 1)
            dtxy = k * y ** (k - 1)
            dtyy = k * (k - 1) * x * y ** (k - 2) if k >= 2 else 0.0
            hxx = hxx + 2.0 * dtx * dtx
            hxy = hxy + 2.0 * (dtx * dty + t * dtxy)
            hyy = hyy + 2.0 * (dty * dty + t * dtyy)
        return hessian_2d(hxx, hxy, hyy)

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
        x, y = columns_of(P)
        return hessian_2d(
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
        x, y = columns_of(P)
        return hessian_2d(np.full_like(x, 2.0), np.zeros_like(x), 3.0 * y * y - 1.0)

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
        x, y = columns_of(P)
        A = self.params["A"]
        tau = 2.0 * math.pi
        return hessian_2d(
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
        x, y = columns_of(P)
        x2, y2 = x * x, y * y
        return hessian_2d(8.0 - 25.2 * x2 + 10.0 * x2 * x2, np.ones_like(x), 48.0 * y2 - 8.0)

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
