"""Pure-NumPy geometry that keeps descent paths drawable: clipping, thinning, nearest point.

Diverging runs reach coordinates like 1e300 or infinity. Qt cannot draw such numbers, and
clipping each coordinate on its own would bend the segments, so segments that leave a box
around the view are cut exactly where they cross it (Liang & Barsky, "A new concept and method
for line clipping", ACM TOG 3(1), 1984), and non-finite points are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in data coordinates."""

    x_min: float
    x_max: float
    y_min: float
    y_max: float

    @property
    def width(self) -> float:
        return self.x_max - self.x_min

    @property
    def height(self) -> float:
        return self.y_max - self.y_min

    def grown(self, factor: float) -> Box:
        """The box widened by ``factor`` times its size on every side."""
        dx, dy = self.width * factor, self.height * factor
        return Box(self.x_min - dx, self.x_max + dx, self.y_min - dy, self.y_max + dy)

    def contains(self, x: Array, y: Array) -> Array:
        """Element-wise: finite points inside (or on) the box."""
        with np.errstate(invalid="ignore"):
            return (x >= self.x_min) & (x <= self.x_max) & (y >= self.y_min) & (y <= self.y_max)


@dataclass(frozen=True)
class DrawablePath:
    """Points and connections ready for ``PlotCurveItem.setData(x, y, connect=connect)``."""

    x: Array
    y: Array
    connect: Array | str  # 'all', or per point: True joins it to the next point


def drawable_path(x: Array, y: Array, box: Box) -> DrawablePath:
    """The polyline through (x, y) limited to ``box``: outside parts cut away, NaN/inf dropped."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    inside = box.contains(x, y)
    if inside.all():
        return DrawablePath(x, y, "all")
    # points inside keep their order; a segment survives between two neighbours still adjacent
    kept = np.nonzero(inside)[0]
    joined = np.zeros(len(kept), dtype=bool)
    joined[:-1] = kept[1:] == kept[:-1] + 1
    # segments with an endpoint outside (but both finite) are cut to the box and added as pairs
    seg = np.nonzero(~(inside[:-1] & inside[1:]))[0]
    x0, y0, x1, y1 = x[seg], y[seg], x[seg + 1], y[seg + 1]
    finite = np.isfinite(x0) & np.isfinite(y0) & np.isfinite(x1) & np.isfinite(y1)
    cx0, cy0, cx1, cy1, hit = clip_segments(x0[finite], y0[finite], x1[finite], y1[finite], box)
    pairs_x = np.column_stack([cx0[hit], cx1[hit]]).ravel()
    pairs_y = np.column_stack([cy0[hit], cy1[hit]]).ravel()
    pairs_joined = np.zeros(len(pairs_x), dtype=bool)
    pairs_joined[0::2] = True
    return DrawablePath(
        np.concatenate([x[kept], pairs_x]),
        np.concatenate([y[kept], pairs_y]),
        np.concatenate([joined, pairs_joined]),
    )


def clip_segments(
    x0: Array, y0: Array, x1: Array, y1: Array, box: Box
) -> tuple[Array, Array, Array, Array, Array]:
    """Cut finite segments to ``box``; returns the cut ends and which segments touch the box.

    Each segment is measured from its endpoint nearer the box, so a point at 1e300 does not
    swamp the precision of the part that is drawn.
    """
    swap = np.maximum(np.abs(x0), np.abs(y0)) > np.maximum(np.abs(x1), np.abs(y1))
    ax, ay = np.where(swap, x1, x0), np.where(swap, y1, y0)
    bx, by = np.where(swap, x0, x1), np.where(swap, y0, y1)
    with np.errstate(all="ignore"):
        dx, dy = bx - ax, by - ay
        t_in = np.zeros(len(ax))
        t_out = np.ones(len(ax))
        hit = np.isfinite(dx) & np.isfinite(dy)
        for p, q in (
            (-dx, ax - box.x_min),
            (dx, box.x_max - ax),
            (-dy, ay - box.y_min),
            (dy, box.y_max - ay),
        ):
            parallel = p == 0
            hit &= ~(parallel & (q < 0))
            ratio = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
            t_in = np.where(~parallel & (p < 0), np.maximum(t_in, ratio), t_in)
            t_out = np.where(~parallel & (p > 0), np.minimum(t_out, ratio), t_out)
        hit &= t_in <= t_out
        ends = [
            np.clip(ax + t * dx, box.x_min, box.x_max)
            if axis == "x"
            else np.clip(ay + t * dy, box.y_min, box.y_max)
            for t in (t_in, t_out)
            for axis in ("x", "y")
        ]
    ends = [np.where(hit, e, 0.0) for e in ends]
    return ends[0], ends[1], ends[2], ends[3], hit


def thin_to_pixels(x: Array, y: Array, box: Box, pixel_width: float, pixel_height: float) -> Array:
    """Indices of the points worth drawing: one per pixel cell crossed inside ``box``.

    A converged run repeats nearly the same point thousands of times; drawing one point per
    pixel keeps the picture the same and the painting fast. The first and last
    points and every point outside the box are always kept.
    """
    n = len(x)
    if n <= 2 or not (pixel_width > 0 and pixel_height > 0):
        return np.arange(n)
    inside = box.contains(x, y)
    with np.errstate(all="ignore"):
        cx = np.where(inside, np.floor((x - box.x_min) / (CELL * pixel_width)), -1.0)
        cy = np.where(inside, np.floor((y - box.y_min) / (CELL * pixel_height)), -1.0)
    keep = np.ones(n, dtype=bool)
    keep[1:] = (cx[1:] != cx[:-1]) | (cy[1:] != cy[:-1]) | ~inside[1:] | ~inside[:-1]
    keep[-1] = True
    return np.nonzero(keep)[0]


#: the size of a screen cell, in pixels: points and segments in the same cells look the same
CELL = 1.0
#: cells per axis when segments are compared on screen (keys pack four cells into 60 bits)
_CELLS = 1 << 15


def path_segments(
    x: Array, y: Array, region: Box, visible: Box, pixel_width: float, pixel_height: float
) -> tuple[Array, Array]:
    """A path as separate segments (x, y pairs), cut to ``region``, each drawn only once.

    A run that bounces between two points for 100,000 steps would make Qt stroke the same
    wide line 100,000 times; here repeated segments (the same pixel cells at both ends,
    either way round) are kept once, so the picture is the same and painting stays fast.
    """
    keep = thin_to_pixels(x, y, visible, pixel_width, pixel_height)
    x, y = np.asarray(x, dtype=float)[keep], np.asarray(y, dtype=float)[keep]
    if len(x) < 2:
        return np.empty(0), np.empty(0)
    x0, y0, x1, y1 = x[:-1], y[:-1], x[1:], y[1:]
    finite = np.isfinite(x0) & np.isfinite(y0) & np.isfinite(x1) & np.isfinite(y1)
    x0, y0, x1, y1, hit = clip_segments(x0[finite], y0[finite], x1[finite], y1[finite], region)
    x0, y0, x1, y1 = x0[hit], y0[hit], x1[hit], y1[hit]
    if pixel_width > 0 and pixel_height > 0 and len(x0) > 1:
        first = _first_of_each_segment(x0, y0, x1, y1, region, pixel_width, pixel_height)
        x0, y0, x1, y1 = x0[first], y0[first], x1[first], y1[first]
    return np.column_stack([x0, x1]).ravel(), np.column_stack([y0, y1]).ravel()


def _first_of_each_segment(
    x0: Array, y0: Array, x1: Array, y1: Array, region: Box, pixel_width: float, pixel_height: float
) -> Array:
    """Indices of the first occurrence of every distinct on-screen segment, in path order."""
    key = _keys(x0, y0, x1, y1, region, pixel_width, pixel_height)
    # a bounce (A-B-A-B...) repeats the key at once: drop those cheaply before sorting
    changed = np.ones(len(key), dtype=bool)
    changed[1:] = key[1:] != key[:-1]
    candidates = np.nonzero(changed)[0]
    _, first = np.unique(key[candidates], return_index=True)
    return candidates[np.sort(first)]


def _keys(
    x0: Array, y0: Array, x1: Array, y1: Array, region: Box, pixel_width: float, pixel_height: float
) -> Array:
    """One number per segment: its two end cells on screen, in either order."""

    def cell(v: Array, low: float, size: float) -> Array:
        return np.clip(np.floor((v - low) / (CELL * size)), 0, _CELLS - 1).astype(np.int64)

    start = cell(x0, region.x_min, pixel_width) * _CELLS + cell(y0, region.y_min, pixel_height)
    end = cell(x1, region.x_min, pixel_width) * _CELLS + cell(y1, region.y_min, pixel_height)
    return np.minimum(start, end) * (_CELLS * _CELLS) + np.maximum(start, end)


def segment_keys(
    seg_x: Array, seg_y: Array, region: Box, pixel_width: float, pixel_height: float
) -> Array | None:
    """The on-screen identity of each segment of ``path_segments``' output (None: no pixels).

    Segments with the same key cover the same pixels, so a part of a path drawn later need
    not draw again a segment an earlier part already has.
    """
    if not (pixel_width > 0 and pixel_height > 0):
        return None
    x, y = np.asarray(seg_x, dtype=float), np.asarray(seg_y, dtype=float)
    return _keys(x[0::2], y[0::2], x[1::2], y[1::2], region, pixel_width, pixel_height)


def distinct_points(x: Array, y: Array, box: Box, pixel_width: float, pixel_height: float) -> Array:
    """Indices of the last point in each pixel cell of ``box`` (finite points inside only)."""
    inside = np.nonzero(box.contains(x, y))[0]
    if len(inside) == 0 or not (pixel_width > 0 and pixel_height > 0):
        return inside
    # clipped as floats before the cast: a far-out box over a tiny pixel overflows int64
    with np.errstate(all="ignore"):
        fx = np.floor((x[inside] - box.x_min) / (CELL * pixel_width))
        fy = np.floor((y[inside] - box.y_min) / (CELL * pixel_height))
    cx = np.clip(np.nan_to_num(fx), 0, _CELLS - 1).astype(np.int64)
    cy = np.clip(np.nan_to_num(fy), 0, _CELLS - 1).astype(np.int64)
    key = cx * _CELLS + cy
    # the newest point of a cell is drawn (last occurrence): unique on the reversed keys
    _, last = np.unique(key[::-1], return_index=True)
    return inside[np.sort(len(inside) - 1 - last)]


def nearest_point(
    x: Array, y: Array, at_x: float, at_y: float, pixel_width: float, pixel_height: float
) -> tuple[int, float]:
    """Index of the point nearest (at_x, at_y) on screen, and its distance in pixels.

    (-1, inf) when there is no point.
    """
    if len(x) == 0 or not (pixel_width > 0 and pixel_height > 0):
        return -1, float("inf")
    with np.errstate(all="ignore"):
        d2 = ((x - at_x) / pixel_width) ** 2 + ((y - at_y) / pixel_height) ** 2
    d2 = np.where(np.isfinite(d2), d2, np.inf)
    index = int(np.argmin(d2))
    return index, float(np.sqrt(d2[index]))


def last_visible_point(x: Array, y: Array, box: Box) -> tuple[float, float] | None:
    """Where a path was last seen in ``box``: its last point there, or where it left the box.

    A diverging path's last finite point is usually far outside the view; marking where it
    crossed the edge shows where the run went.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    inside = np.nonzero(box.contains(x, y))[0]
    if len(inside) == 0:
        return None
    last = int(inside[-1])
    tail = np.isfinite(x[last + 1 :]) & np.isfinite(y[last + 1 :])
    if not tail.any():
        return float(x[last]), float(y[last])
    nxt = last + 1 + int(np.argmax(tail))
    one = np.array([x[last]]), np.array([y[last]]), np.array([x[nxt]]), np.array([y[nxt]])
    cx0, cy0, cx1, cy1, hit = clip_segments(*one, box)
    if not hit[0]:
        return float(x[last]), float(y[last])
    # of the two cut ends, the one farther from the last inside point is the exit
    d0 = (cx0[0] - x[last]) ** 2 + (cy0[0] - y[last]) ** 2
    d1 = (cx1[0] - x[last]) ** 2 + (cy1[0] - y[last]) ** 2
    return (float(cx0[0]), float(cy0[0])) if d0 > d1 else (float(cx1[0]), float(cy1[0]))


def column_envelope(steps: Array, values: Array, x0: float, column_width: float) -> Array:
    """Indices of the points that draw a long curve as it looks: a few per pixel column.

    In each column (of ``column_width`` from ``x0``, over sorted ``steps``) the first, last,
    lowest and highest points are kept, in order, so every column's vertical stroke and the
    joins between columns look the same as when every point is drawn (Jugel et al., "M4: a
    visualization-oriented time series data aggregation", PVLDB 7(10), 2014). NaN is never a
    column's lowest or highest, but the first NaN in a column is kept so the line breaks there.
    """
    n = len(steps)
    if n <= 2 or not column_width > 0:
        return np.arange(n)
    with np.errstate(all="ignore"):
        column = np.floor((np.asarray(steps, dtype=float) - x0) / column_width)
    begins = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
    ends = np.r_[begins[1:], n] - 1
    values = np.asarray(values, dtype=float)
    missing = np.isnan(values)
    index = np.arange(n)
    group = np.repeat(np.arange(len(begins)), np.diff(np.r_[begins, n]))
    picked = [begins, ends]
    for low in (True, False):
        extreme = np.where(missing, np.inf if low else -np.inf, values)
        best = (np.minimum if low else np.maximum).reduceat(extreme, begins)
        # the first point of each column that reaches its extreme (n where none does)
        picked.append(np.minimum.reduceat(np.where(extreme == best[group], index, n), begins))
    if missing.any():
        picked.append(np.minimum.reduceat(np.where(missing, index, n), begins))
    kept = np.unique(np.concatenate(picked))
    return kept[kept < n]


class CurveEnvelope:
    """A curve's column envelope, kept between frames and extended as points are appended.

    Only the newest column can still change when points arrive, so the envelope of every
    earlier column is settled; each update thins just the newest column and the new points.
    """

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._settled = np.empty(0, dtype=np.int64)  # kept indices of the settled columns
        self._open = 0  # index of the first point of the newest column
        self._count = 0  # points seen

    def reset(self) -> None:
        self._key = None

    def indices(
        self, steps: Array, values: Array, x_range: tuple[float, float], columns: int
    ) -> Array:
        """Indices of the points to draw, given the points seen last time and maybe more after.

        ``reset`` first when the points are not an extension of the ones seen last time.

        Only points inside ``x_range`` (and one either side, so the line reaches the edges)
        are thinned into ``columns`` columns; points farther out are not drawn.
        """
        x_low, x_high = x_range
        key = (x_low, x_high, columns)
        n = len(steps)
        if key != self._key or n < self._count:
            self._key = key
            self._open = max(0, _search(steps, x_low, "left") - 1)
            self._settled = np.empty(0, dtype=np.int64)
        end = min(n, _search(steps, x_high, "right") + 1)
        self._count = n
        start = min(self._open, end)
        fresh = start + column_envelope(
            steps[start:end], values[start:end], x_low, (x_high - x_low) / max(1, columns)
        )
        if len(fresh) == 0:
            return self._settled
        # the newest column stays open: its first point is where the next update starts
        with np.errstate(all="ignore"):
            width = (x_high - x_low) / max(1, columns)
            column = np.floor((np.asarray(steps[fresh], dtype=float) - x_low) / width)
        open_from = int(np.searchsorted(column, column[-1], side="left"))
        self._settled = np.concatenate([self._settled, fresh[:open_from]])
        self._open = int(fresh[open_from])
        return np.concatenate([self._settled, fresh[open_from:]])


def _search(steps: Array, value: float, side: str) -> int:
    """``np.searchsorted`` without turning integer steps into a float copy of them all."""
    if np.issubdtype(steps.dtype, np.integer) and np.isfinite(value):
        rounded = np.ceil(value) if side == "left" else np.floor(value)
        value = int(min(max(rounded, -(2.0**62)), 2.0**62))
    return int(np.searchsorted(steps, value, side=side))
