"""A model's landscape as a surface of two variables, so the 3-D view can draw it like any other.

``BowlSurface`` is the exact (w, b) bowl in closed form; ``GridSurface`` a computed slice, read
between its samples by bilinear interpolation. Both say the region to show (``view_box``) so
that the 3-D view's margin stays on the computed grid.
"""

from __future__ import annotations

import numpy as np

from lrdesk.core.models.bowl import LineBowl
from lrdesk.core.surfaces.base import LossFunction

Array = np.ndarray

#: the 3-D view's mesh reaches this share past the region it is given (``surface3d.mesh``)
MESH_MARGIN = 0.15


class BowlSurface(LossFunction):
    key = "model_bowl"
    title = "The (w, b) bowl"
    formula = "L(w, b) = mean((w·x + b − y)²)"
    dim = 2
    is_quadratic = True

    def __init__(self, bowl: LineBowl, region) -> None:
        super().__init__()
        self.bowl, self.region = bowl, tuple(tuple(map(float, r)) for r in region)

    def value(self, P: Array) -> Array:
        P = np.asarray(P, dtype=float)
        return self.bowl.values(P[:, 0], P[:, 1])

    def view_box(self):
        return self.region


class GridSurface(LossFunction):
    key = "model_slice"
    title = "A slice of the loss landscape"
    formula = "L(θ + α·d1 + β·d2)"
    dim = 2

    def __init__(self, alphas: Array, betas: Array, losses: Array) -> None:
        super().__init__()
        self.alphas, self.betas = np.asarray(alphas, float), np.asarray(betas, float)
        self.losses = np.asarray(losses, float)

    def value(self, P: Array) -> Array:
        P = np.asarray(P, dtype=float)
        return bilinear(self.alphas, self.betas, self.losses, P[:, 0], P[:, 1])

    def view_box(self):
        """The grid shrunk so that the mesh, margin included, covers exactly the grid."""
        box = []
        for axis in (self.alphas, self.betas):
            centre, half = (axis[0] + axis[-1]) / 2, (axis[-1] - axis[0]) / 2
            half /= 1.0 + 2 * MESH_MARGIN
            box.append((float(centre - half), float(centre + half)))
        return tuple(box)


def bilinear(xs: Array, ys: Array, values: Array, x: Array, y: Array) -> Array:
    """values[i, j] sampled at (xs[i], ys[j]), read at (x, y) (held to the grid's edge)."""
    def cell(axis, v):
        v = np.clip(np.nan_to_num(v, nan=axis[-1]), axis[0], axis[-1])
        i = np.clip(np.searchsorted(axis, v, side="right") - 1, 0, len(axis) - 2)
        t = (v - axis[i]) / (axis[i + 1] - axis[i])
        return i, t

    i, s = cell(xs, np.asarray(x, float))
    j, t = cell(ys, np.asarray(y, float))
    with np.errstate(all="ignore"):
        return ((1 - s) * (1 - t) * values[i, j] + s * (1 - t) * values[i + 1, j]
                + (1 - s) * t * values[i, j + 1] + s * t * values[i + 1, j + 1])
