"""The numbers behind the 3-D view: a grid of L(x, y) and the map from (x, y, L) to the scene.

The scene is a box of fixed size: x and y fill [-1, 1] (the longer side of the region does,
the other keeps the same scale) and heights fill [0, HEIGHT]. Heights go logarithmic where the
loss range is wide, as the heat map's colours do, and anything above the region's highest loss
(a diverging run, 1e300, inf or NaN) is clipped to the top of the box instead of stretching it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrdesk.core.surfaces import LossFunction

Array = np.ndarray

MESH_SAMPLES = 150
#: how far past the region of interest the mesh reaches, in region sizes
MESH_MARGIN = 0.15
HEIGHT = 0.9
#: a path may rise this far above the top of the mesh before it is clipped
CLIP_ABOVE = 1.15
#: log heights start this far (of the range) below the lowest loss: wells stay readable
LOG_FLOOR = 1e-3
LOG_BELOW = 0.15  # the heat map's rule: log heights when half the region is in the bottom 15 %


def _values(function: LossFunction, points: Array) -> Array:
    with np.errstate(all="ignore"):
        try:
            return np.asarray(function.value(np.asfortranarray(points)), dtype=float)
        except (ArithmeticError, ValueError):
            return np.full(len(points), np.nan)


@dataclass(frozen=True)
class SurfaceMesh:
    """A sampled surface: xs (n,), ys (m,), heights (n, m) in the scene, ij order."""

    xs: Array
    ys: Array
    heights: Array
    low: float
    high: float
    log: bool
    center: tuple[float, float]
    scale: float

    @classmethod
    def build(cls, function: LossFunction, samples: int = MESH_SAMPLES) -> SurfaceMesh:
        (x_lo, x_hi), (y_lo, y_hi) = function.view_box()
        dx, dy = (x_hi - x_lo) * MESH_MARGIN, (y_hi - y_lo) * MESH_MARGIN
        xs = np.linspace(x_lo - dx, x_hi + dx, samples)
        ys = np.linspace(y_lo - dy, y_hi + dy, samples)
        gx, gy = np.meshgrid(xs, ys, indexing="ij")
        loss = _values(function, np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
        finite = np.isfinite(loss)
        in_region = (gx >= x_lo) & (gx <= x_hi) & (gy >= y_lo) & (gy <= y_hi)
        sample = loss[finite & in_region] if (finite & in_region).any() else loss[finite]
        low, high = (float(sample.min()), float(sample.max())) if sample.size else (0.0, 1.0)
        span = high - low
        log = bool(span > 0 and float(np.median(sample)) - low < LOG_BELOW * span)
        center = ((x_lo + x_hi) / 2, (y_lo + y_hi) / 2)
        scale = 2.0 / max(xs[-1] - xs[0], ys[-1] - ys[0], 1e-300)
        mesh = cls(xs, ys, np.zeros_like(loss), low, high, log, center, scale)
        heights = mesh.height_of(np.where(finite, loss, np.inf), limit=1.0)
        object.__setattr__(mesh, "heights", heights)
        return mesh

    def level_of(self, loss: Array) -> Array:
        """0 at the region's lowest loss, 1 at its highest (unclipped; NaN stays NaN)."""
        loss = np.asarray(loss, dtype=float)
        span = self.high - self.low
        if span <= 0:
            return np.where(np.isnan(loss), np.nan, 0.5)
        with np.errstate(all="ignore"):
            if self.log:
                floor = span * LOG_FLOOR
                top, bottom = np.log10(span + floor), np.log10(floor)
                return (np.log10(np.maximum(loss - self.low, 0.0) + floor) - bottom) / (top - bottom)
            return (loss - self.low) / span

    def height_of(self, loss: Array, limit: float = CLIP_ABOVE) -> Array:
        """Scene heights of losses, clipped to [0, limit * HEIGHT]; not a number counts as top."""
        level = self.level_of(loss)
        level = np.where(np.isnan(level), limit, level)
        return np.clip(level, 0.0, limit) * HEIGHT

    def scene_xy(self, positions: Array) -> tuple[Array, Array]:
        """Scene x, y of points (n, 2), held to the mesh's edge when a run leaves it."""
        positions = np.asarray(positions, dtype=float).reshape(-1, 2)
        with np.errstate(all="ignore"):
            x = np.clip(positions[:, 0], self.xs[0], self.xs[-1])
            y = np.clip(positions[:, 1], self.ys[0], self.ys[-1])
        x = np.where(np.isnan(x), self.xs[-1], x)
        y = np.where(np.isnan(y), self.ys[-1], y)
        return (x - self.center[0]) * self.scale, (y - self.center[1]) * self.scale

    def scene_axes(self) -> tuple[Array, Array]:
        return (self.xs - self.center[0]) * self.scale, (self.ys - self.center[1]) * self.scale

    def path_points(self, positions: Array, losses: Array) -> Array:
        """(n, 3) scene points of a path, lifted a little above the mesh so it stays in sight."""
        x, y = self.scene_xy(positions)
        z = self.height_of(losses) + 0.01
        return np.column_stack([x, y, z]).astype(np.float32)
