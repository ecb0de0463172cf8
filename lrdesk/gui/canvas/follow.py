"""Where the canvas looks: the region of interest, widened to follow runs that swing away.

A run that diverges overshoots further at every step. Rather than letting it jump off the edge
at once, the view widens to keep its first swings on screen, up to a limit (``follow_limit``);
past it the run leaves the view and the canvas offers to go back to the minimum. The view moves
to a new box smoothly: at each tick, a share of the way left that depends on the time since the
last tick, so the move takes as long on a slow machine as on a fast one.
"""

from __future__ import annotations

import math

import numpy as np

from lrdesk.gui.shared.path_geometry import Box

Array = np.ndarray

#: in 1-D the view widens to at most this many times the region's width; the loss axis, which
#: grows like w² near a minimum, to the square of it
FOLLOW_SPAN_1D = 8.0
#: in 2-D the region grown by this share on every side: the heat map reaches farther (0.6),
#: so the wider side of a window of another shape than the region still shows it
FOLLOW_MARGIN_2D = 0.35
#: a run is followed once this many of its points are outside the region: a zig-zag that grows,
#: not one jump that throws it out at once (following that would flatten all the rest)
MIN_SWINGS = 2
#: the followed points keep this share of the view's size from its edges
FOLLOW_PADDING = 0.05
#: the move covers 1 - 1/e of the way left in this many seconds, however often it is drawn
EASE_SECONDS = 0.12
#: the move ends when every edge is this close to the target (as a share of its size)
CLOSE_ENOUGH = 0.01


def follow_limit(region: Box, dim: int) -> Box:
    """The widest box the view follows runs out to."""
    if dim != 1:
        return region.grown(FOLLOW_MARGIN_2D)
    grow_x = (FOLLOW_SPAN_1D - 1.0) / 2.0
    grow_y = (FOLLOW_SPAN_1D**2 - 1.0) / 2.0
    return Box(
        region.x_min - grow_x * region.width,
        region.x_max + grow_x * region.width,
        region.y_min,  # losses grow upwards
        region.y_max + 2.0 * grow_y * region.height,
    )


def followed_extent(x: Array, y: Array, region: Box, limit: Box) -> tuple[Box | None, bool]:
    """The box around a path's points up to where it first leaves ``limit`` (None if fewer
    than MIN_SWINGS of them are outside ``region``), and whether it has left ``limit`` (or
    become infinite)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    inside = limit.contains(x, y)
    left = np.flatnonzero(~inside)
    end = int(left[0]) if len(left) else len(x)
    x, y = x[:end], y[:end]
    outside = ~region.contains(x, y)
    if outside.sum() < MIN_SWINGS:
        return None, bool(len(left))
    return Box(float(x.min()), float(x.max()), float(y.min()), float(y.max())), bool(len(left))


def union(region: Box, extents: list[Box]) -> Box:
    """``region`` widened to hold every extent, with some room around what it had to widen for."""
    if not extents:
        return region
    x_min = min(e.x_min for e in extents)
    x_max = max(e.x_max for e in extents)
    y_min = min(e.y_min for e in extents)
    y_max = max(e.y_max for e in extents)
    padded = Box(x_min, x_max, y_min, y_max).grown(FOLLOW_PADDING)
    return Box(
        min(region.x_min, padded.x_min),
        max(region.x_max, padded.x_max),
        min(region.y_min, padded.y_min),
        max(region.y_max, padded.y_max),
    )


def ease_share(seconds: float) -> float:
    """The share of the way left that a move covers in ``seconds`` (an exponential ease)."""
    return 1.0 - math.exp(-max(0.0, seconds) / EASE_SECONDS)


def eased(shown: Box, target: Box, share: float = 0.3) -> tuple[Box, bool]:
    """One tick of the move from ``shown`` to ``target``, ``share`` of the way left; True once
    it has arrived."""
    width, height = max(target.width, 1e-300), max(target.height, 1e-300)
    near = (
        abs(shown.x_min - target.x_min) <= CLOSE_ENOUGH * width
        and abs(shown.x_max - target.x_max) <= CLOSE_ENOUGH * width
        and abs(shown.y_min - target.y_min) <= CLOSE_ENOUGH * height
        and abs(shown.y_max - target.y_max) <= CLOSE_ENOUGH * height
    )
    if near:
        return target, True

    def step(a: float, b: float) -> float:
        return a + share * (b - a)

    return Box(
        step(shown.x_min, target.x_min),
        step(shown.x_max, target.x_max),
        step(shown.y_min, target.y_min),
        step(shown.y_max, target.y_max),
    ), False
