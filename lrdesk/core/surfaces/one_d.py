"""The one-dimensional loss surfaces L(w): a parabola, a double well, a bumpy bowl."""

from __future__ import annotations

import math

import numpy as np

from lrdesk.core.surfaces.base import LossFunction, Parameter, stationary_points_1d


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
