"""The exact loss bowl of a line fitted by least squares, and the region a picture of it needs.

For a model y ≈ w·x + b on n training rows the mean squared error is a quadratic in (w, b):

    L(w, b) = (1/n) Σ (w·xᵢ + b − yᵢ)² = θᵀAθ − 2·θᵀr + s,

with θ = (w, b), A = X̃ᵀX̃/n, r = X̃ᵀy/n, s = yᵀy/n and X̃ = [x, 1] (``theory.design_matrix``).
Its Hessian is 2A everywhere, so the stable limit 2/λmax and the fastest rate 2/(λmin + λmax)
of plain gradient descent are exact (``theory.linear_theory``). The grid is evaluated from
these five numbers, not from the rows, so a 200 × 200 picture costs the same for any n.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrdesk.core.models.theory import design_matrix

Array = np.ndarray

#: how far past the start the picture reaches, in shares of the start's distance to the optimum
MARGIN = 0.2


@dataclass(frozen=True)
class LineBowl:
    """L(w, b) of one-feature linear regression in closed form."""

    A: Array  # (2, 2) = X̃ᵀX̃/n
    r: Array  # (2,) = X̃ᵀy/n
    s: float  # yᵀy/n

    @classmethod
    def from_rows(cls, X: Array, y: Array) -> LineBowl:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != 1:
            raise ValueError("the (w, b) bowl needs data with exactly one feature")
        Xt = design_matrix(X)
        n = len(Xt)
        y = np.asarray(y, dtype=float)
        return cls(Xt.T @ Xt / n, Xt.T @ y / n, float(y @ y / n))

    def values(self, w: Array, b: Array) -> Array:
        """L at every (w, b) pair (any matching shapes)."""
        (a00, a01), (_, a11) = self.A
        w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
        with np.errstate(all="ignore"):
            return (a00 * w * w + 2.0 * a01 * w * b + a11 * b * b
                    - 2.0 * (self.r[0] * w + self.r[1] * b) + self.s)

    def grid(self, ws: Array, bs: Array) -> Array:
        """L on the grid, shaped (len(ws), len(bs)): sample (i, j) at (ws[i], bs[j])."""
        W, B = np.meshgrid(ws, bs, indexing="ij")
        return self.values(W, B)

    @property
    def hessian(self) -> Array:
        return 2.0 * self.A

    @property
    def optimum(self) -> Array:
        return np.linalg.solve(self.A, self.r)

    def rates(self) -> tuple[float, float]:
        """(stable limit 2/λmax, fastest rate 2/(λmin + λmax)) of plain gradient descent."""
        low, high = np.linalg.eigvalsh(self.hessian)
        return 2.0 / high, 2.0 / (low + high)


def bowl_region(bowl: LineBowl, start, margin: float = MARGIN
                ) -> tuple[tuple[float, float], tuple[float, float]]:
    """((w_lo, w_hi), (b_lo, b_hi)): a square around the optimum reaching past the start.

    Plain gradient descent below the stable limit shrinks the distance to the optimum in every
    eigendirection at every step, so a converging run never leaves the circle through its start:
    the picture holds it whole, and stays put while the runs move. A diverging run leaves it.
    """
    centre = bowl.optimum
    start = np.asarray(start, dtype=float).reshape(2)
    radius = float(np.linalg.norm(start - centre)) if np.all(np.isfinite(start)) else 1.0
    half = (1.0 + margin) * max(radius, 0.5)
    return ((float(centre[0] - half), float(centre[0] + half)),
            (float(centre[1] - half), float(centre[1] + half)))
