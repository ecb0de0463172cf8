"""What the canvas draws under the runs: the curve L(w) in 1-D, a heat map with contours in 2-D.

Both mark the known minima and the start point, and both say which region of the plane is
worth showing; the 1-D curve reaches as far as the view may widen to follow a diverging run.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem

from lrdesk.core.surfaces import LossFunction
from lrdesk.core.theory.hessian import known_minima
from lrdesk.gui.canvas.contours import contour_segments
from lrdesk.gui.canvas.follow import follow_limit
from lrdesk.gui.shared import colormap
from lrdesk.gui.shared.formatting import format_number
from lrdesk.gui.shared.palette import Theme
from lrdesk.gui.shared.path_geometry import Box, drawable_path
from lrdesk.gui.shared.plot_base import CURVE_WIDTH, MARKER_SIZE, Sizes, make_pen

Array = np.ndarray

CURVE_SAMPLES = 1500
OUTER_SAMPLES = 600  # on each side, beyond the region, for a view that follows a run out
GRID_SAMPLES = 320
CONTOUR_LEVELS = 14
LOG_COLORS_BELOW = 0.15
#: how far past the region of interest the heat map reaches (the plot may show more when the
#: window's shape differs from the region's, because 2-D plots keep x and y at the same scale)
SURFACE_MARGIN = 0.6
Z_IMAGE, Z_CONTOURS, Z_CURVE, Z_MINIMA, Z_START = -100, -90, -80, 30, 32


def _values(function: LossFunction, points: Array) -> Array:
    """L at many points; a surface that fails somewhere (a typed one) gives NaN there."""
    with np.errstate(all="ignore"):
        try:
            values = np.asarray(function.value(np.asfortranarray(points)), dtype=float)
        except (ArithmeticError, ValueError):
            values = np.full(len(points), np.nan)
    return values


def _minima(function: LossFunction) -> tuple[Array, Array]:
    """(global minima, other local minima), each shaped (M, dim); empty if none known."""
    try:
        minima = np.asarray(known_minima(function), dtype=float).reshape(-1, function.dim)
    except (ArithmeticError, ValueError, NotImplementedError):
        minima = np.empty((0, function.dim))
    if len(minima) == 0:
        return minima, minima
    values = _values(function, minima)
    lowest = np.nanmin(values) if np.isfinite(values).any() else 0.0
    is_global = np.abs(values - lowest) <= 1e-9 * (1.0 + abs(lowest))
    return minima[is_global], minima[~is_global]


class Surface:
    """The common part: markers of the minima and of the start."""

    aspect_locked = False

    def __init__(self, plot_item: pg.PlotItem, function: LossFunction) -> None:
        self.plot_item = plot_item
        self.function = function
        self.items: list[pg.GraphicsObject] = []
        self.global_minima = pg.ScatterPlotItem(symbol="star")
        self.local_minima = pg.ScatterPlotItem(symbol="d")
        self.start_marker = pg.ScatterPlotItem(symbol="o")
        self._add(self.global_minima, Z_MINIMA)
        self._add(self.local_minima, Z_MINIMA)
        self._add(self.start_marker, Z_START)
        best, others = _minima(function)
        self.global_minima.setData(*self._marker_xy(best))
        # a map of dozens of dimples (Rastrigin) would drown in markers: mark only a few
        self.local_minima.setData(*self._marker_xy(others if len(others) <= 12 else others[:0]))

    def _add(self, item: pg.GraphicsObject, z: float) -> None:
        item.setZValue(z)
        # the surface does not change while runs play: Qt paints it once and then blits it
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot_item.addItem(item, ignoreBounds=True)
        self.items.append(item)

    def remove(self) -> None:
        for item in self.items:
            self.plot_item.removeItem(item)
        self.items.clear()

    @property
    def region(self) -> Box:
        raise NotImplementedError

    def path_xy(self, positions: Array, losses: Array) -> tuple[Array, Array]:
        raise NotImplementedError

    def describe(self, x: float, y: float) -> str:
        raise NotImplementedError

    def _marker_xy(self, points: Array) -> tuple[Array, Array]:
        points = np.asarray(points, dtype=float).reshape(-1, self.function.dim)
        return self.path_xy(points, _values(self.function, points))

    def set_start(self, start: tuple[float, ...]) -> None:
        x, y = self._marker_xy(np.array([start], dtype=float))
        shown = np.isfinite(x) & np.isfinite(y)
        self.start_marker.setData(x=x[shown], y=y[shown])

    def apply_style(self, theme: Theme, sizes: Sizes) -> None:
        scale = sizes.marker
        ring = pg.mkPen(QColor(theme.start_color), width=3.0 * scale)
        self.start_marker.setPen(ring)
        self.start_marker.setBrush(pg.mkBrush(QColor(theme.background)))
        self.start_marker.setSize(MARKER_SIZE * 1.25 * scale)
        outline = pg.mkPen(QColor(theme.marker_outline), width=1.5 * scale)
        for item, size in ((self.global_minima, 2.0), (self.local_minima, 1.0)):
            item.setPen(outline)
            item.setBrush(pg.mkBrush(QColor(theme.minimum_color)))
            item.setSize(MARKER_SIZE * size * scale)


class Surface1D(Surface):
    """The curve L(w); a run's steps sit on it as points (w, L(w))."""

    def __init__(self, plot_item: pg.PlotItem, function: LossFunction) -> None:
        ((lo, hi),) = function.view_box()
        pad = 0.02 * (hi - lo)
        inner = np.linspace(lo - pad, hi + pad, CURVE_SAMPLES)
        finite = _values(function, inner[:, None])
        finite = finite[np.isfinite(finite)]
        bottom, top = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        margin = 0.06 * (top - bottom) if top > bottom else 1.0
        self._region = Box(lo, hi, bottom - margin, top + margin)
        # the curve reaches as far as the view may widen to follow a run that swings away
        widest = follow_limit(self._region, 1)
        self.w = np.concatenate([
            np.linspace(widest.x_min, inner[0], OUTER_SAMPLES, endpoint=False),
            inner,
            np.linspace(widest.x_max, inner[-1], OUTER_SAMPLES, endpoint=False)[::-1],
        ])
        self.loss = _values(function, self.w[:, None])
        self.curve = pg.PlotCurveItem()
        super().__init__(plot_item, function)
        self._add(self.curve, Z_CURVE)
        clip = widest.grown(0.1)
        clip = Box(clip.x_min, clip.x_max, self._region.y_min - self._region.height, clip.y_max)
        path = drawable_path(self.w, self.loss, clip)
        self.curve.setData(path.x, path.y, connect=path.connect)

    @property
    def region(self) -> Box:
        return self._region

    def path_xy(self, positions: Array, losses: Array) -> tuple[Array, Array]:
        return np.asarray(positions, dtype=float)[:, 0], np.asarray(losses, dtype=float)

    def describe(self, x: float, y: float) -> str:
        loss = _values(self.function, np.array([[x]]))[0]
        return f"w = {format_number(x, 4)}    L(w) = {format_number(loss, 4)}"

    def apply_style(self, theme: Theme, sizes: Sizes) -> None:
        super().apply_style(theme, sizes)
        self.curve.setPen(make_pen(theme.curve, CURVE_WIDTH * sizes.line))


class Surface2D(Surface):
    """A heat map of L(x, y) with contour lines; colours go logarithmic where the range is wide."""

    aspect_locked = True

    def __init__(self, plot_item: pg.PlotItem, function: LossFunction) -> None:
        (x_lo, x_hi), (y_lo, y_hi) = function.view_box()
        self._region = Box(x_lo, x_hi, y_lo, y_hi)
        self.image = pg.ImageItem(axisOrder="col-major")
        # light lines where the map is dark, dark lines where it is bright
        self.contours = pg.PlotCurveItem()
        self.dark_contours = pg.PlotCurveItem()
        super().__init__(plot_item, function)
        self._add(self.image, Z_IMAGE)
        self._add(self.contours, Z_CONTOURS)
        self._add(self.dark_contours, Z_CONTOURS)
        self.log_colors = False
        self._draw_surface()

    @property
    def region(self) -> Box:
        return self._region

    def path_xy(self, positions: Array, losses: Array) -> tuple[Array, Array]:
        positions = np.asarray(positions, dtype=float)
        return positions[:, 0], positions[:, 1]

    def describe(self, x: float, y: float) -> str:
        loss = _values(self.function, np.array([[x, y]]))[0]
        return (
            f"x = {format_number(x, 4)}    y = {format_number(y, 4)}    "
            f"L = {format_number(loss, 4)}"
        )

    def _draw_surface(self) -> None:
        extent = self._region.grown(SURFACE_MARGIN)
        xs = np.linspace(extent.x_min, extent.x_max, GRID_SAMPLES)
        ys = np.linspace(extent.y_min, extent.y_max, GRID_SAMPLES)
        grid_x, grid_y = np.meshgrid(xs, ys, indexing="ij")
        points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
        loss = _values(self.function, points).reshape(grid_x.shape)
        shade, low, high = self._shading(loss, self._region.contains(grid_x, grid_y))
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        # pixel centres sit on the samples
        self.image.setImage(shade, levels=(low, high), autoLevels=False)
        self.image.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys)))
        fractions = np.linspace(0.0, 1.0, CONTOUR_LEVELS + 2)[1:-1]
        light = np.array([colormap.line_color_at(f) == colormap.LIGHT_LINE for f in fractions])
        levels = low + fractions * (high - low)
        self._draw_contours(self.contours, shade, levels[light], xs, ys)
        self._draw_contours(self.dark_contours, shade, levels[~light], xs, ys)

    def _shading(self, loss: Array, in_region: Array) -> tuple[Array, float, float]:
        """Values to colour by, and the colour range that spans the region of interest."""
        finite = np.isfinite(loss)
        if not finite.any():
            return np.zeros_like(loss), 0.0, 1.0
        sample = loss[finite & in_region] if (finite & in_region).any() else loss[finite]
        low, high = float(sample.min()), float(sample.max())
        span = high - low
        # a wide range: half the region lies in the bottom few percent of it (Rosenbrock,
        # Beale, Himmelblau), where linear colours would show one flat colour; use a log scale
        self.log_colors = span > 0 and float(np.median(sample)) - low < LOG_COLORS_BELOW * span
        filled = np.where(finite, loss, np.nanmax(np.where(finite, loss, -np.inf)))
        if self.log_colors:
            floor = span * 1e-5
            shade = np.log10(np.maximum(filled - low, 0.0) + floor)
            return shade, float(np.log10(floor)), float(np.log10(span + floor))
        if span == 0:
            return filled, low - 1.0, high + 1.0
        return filled, low, high

    @staticmethod
    def _draw_contours(item: pg.PlotCurveItem, shade: Array, levels: Array, xs: Array,
                       ys: Array) -> None:
        pieces_x, pieces_y = contour_segments(shade, levels) if len(levels) else ([], [])
        if len(pieces_x) == 0:
            item.setData([], [])
            return
        # sample (i, j) sits at (xs[i], ys[j]), the centre of its pixel in the heat map
        cx = xs[0] + pieces_x * (xs[1] - xs[0])
        cy = ys[0] + pieces_y * (ys[1] - ys[0])
        item.setData(cx, cy, connect="pairs")

    def apply_style(self, theme: Theme, sizes: Sizes) -> None:
        super().apply_style(theme, sizes)
        self.image.setLookupTable(colormap.lookup_table())
        for item, color in ((self.contours, colormap.LIGHT_LINE),
                            (self.dark_contours, colormap.DARK_LINE)):
            line = QColor(color)
            line.setAlphaF(colormap.CONTOUR_ALPHA)
            item.setPen(pg.mkPen(line, width=colormap.CONTOUR_WIDTH * sizes.line))


def make_surface(plot_item: pg.PlotItem, function: LossFunction) -> Surface:
    return Surface1D(plot_item, function) if function.dim == 1 else Surface2D(plot_item, function)
