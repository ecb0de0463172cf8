"""A loss landscape drawn flat: the loss on a grid as a heat map with contours, each run's path on it.

The colours are the main window's heat map's (``gui.shared.colormap``) and follow its
rule: a log scale where half the picture lies in the bottom 15 % of the loss range. A path is one
curve per run in its colour (grey once it diverged), its start a ring, its current point a dot;
the optimum, where known, a star.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor

from lrdesk.gui.canvas.contours import contour_segments
from lrdesk.gui.shared import colormap
from lrdesk.gui.shared.palette import current_theme

Array = np.ndarray

CONTOUR_LEVELS = 14
LOG_COLORS_BELOW = 0.15


def shading(loss: Array) -> tuple[Array, float, float, bool]:
    """Values to colour by, their range, and whether they are log10 of the loss above its low."""
    finite = np.isfinite(loss)
    if not finite.any():
        return np.zeros_like(loss), 0.0, 1.0, False
    sample = loss[finite]
    low, high = float(sample.min()), float(sample.max())
    span = high - low
    filled = np.where(finite, loss, high)
    if span <= 0:
        return filled, low - 1.0, high + 1.0, False
    if float(np.median(sample)) - low < LOG_COLORS_BELOW * span:
        floor = span * 1e-5
        return (np.log10(np.maximum(filled - low, 0.0) + floor), float(np.log10(floor)),
                float(np.log10(span + floor)), True)
    return filled, low, high, False


class LandscapePlot(pg.PlotWidget):
    """The heat map, its contours and the runs' paths; only data calls, no computing."""

    def __init__(self, parent=None, title: str = "Loss surface") -> None:
        super().__init__(parent, title=title)
        theme = current_theme()
        self.setBackground(theme.background)
        self.image = pg.ImageItem()
        self.image.setLookupTable(colormap.lookup_table())
        self.addItem(self.image)
        contour = QColor(colormap.LIGHT_LINE)  # light lines on viridis' dark low part
        contour.setAlphaF(colormap.CONTOUR_ALPHA)
        self.contours = pg.PlotCurveItem(pen=pg.mkPen(contour, width=colormap.CONTOUR_WIDTH))
        self.addItem(self.contours)
        self.optimum = pg.ScatterPlotItem(symbol="star", size=16, pen=pg.mkPen("#1C1F23"),
                                          brush=pg.mkBrush("#FFFFFF"))
        self.addItem(self.optimum)
        axis_pen = pg.mkPen(theme.contour, width=1.0, style=Qt.PenStyle.DashLine)
        self.axes = pg.PlotCurveItem(pen=axis_pen)
        self.addItem(self.axes)
        self.curves: list[pg.PlotCurveItem] = []
        self.starts: list[pg.ScatterPlotItem] = []
        self.heads: list[pg.ScatterPlotItem] = []
        self.setAspectLocked(True)  # both axes in the same units: a round bowl looks round
        self.log_colors = False
        self.grid_shape: tuple[int, int] = (0, 0)
        self.xs = self.ys = self.values = np.empty(0)  # the loss drawn: values[i, j] at (xs[i], ys[j])

    def set_grid(self, xs: Array, ys: Array, loss: Array) -> None:
        """The loss sampled at (xs[i], ys[j]) = loss[i, j]; NaN (not computed yet) drawn high."""
        self.xs, self.ys = np.asarray(xs, float), np.asarray(ys, float)
        self.values = np.asarray(loss, dtype=float)
        shade, low, high, self.log_colors = shading(self.values)
        self.grid_shape = shade.shape
        dx = (xs[-1] - xs[0]) / max(1, len(xs) - 1)
        dy = (ys[-1] - ys[0]) / max(1, len(ys) - 1)
        self.image.setImage(shade, levels=(low, high), autoLevels=False)
        self.image.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys)))
        # no contours through points not computed yet: they are only painted as high
        computed = np.where(np.isfinite(self.values), shade, np.nan)
        px, py = contour_segments(computed, np.linspace(low, high, CONTOUR_LEVELS + 2)[1:-1])
        if len(px):
            self.contours.setData(xs[0] + px * dx, ys[0] + py * dy, connect="pairs")
        else:
            self.contours.setData([], [])
        self.setRange(xRange=(xs[0], xs[-1]), yRange=(ys[0], ys[-1]), padding=0)

    def clear_grid(self) -> None:
        self.image.clear()
        self.xs = self.ys = self.values = np.empty(0)
        self.contours.setData([], [])
        self.grid_shape = (0, 0)

    def set_optimum(self, point) -> None:
        self.optimum.setData([] if point is None else [point[0]],
                             [] if point is None else [point[1]])

    def set_axes(self, centre, directions) -> None:
        """Dashed lines through ``centre`` along unit ``directions``, across most of the
        picture (the bowl's curvature axes); no directions: none."""
        if not len(directions) or self.values.size == 0:
            self.axes.setData([], [])
            return
        reach = 0.45 * min(self.xs[-1] - self.xs[0], self.ys[-1] - self.ys[0])
        ends = [(centre[0] + sign * reach * dx, centre[1] + sign * reach * dy)
                for dx, dy in directions for sign in (-1.0, 1.0)]
        self.axes.setData(*np.array(ends).T, connect="pairs")

    def set_paths(self, paths: list[Array], colors: list[str]) -> None:
        """Each run's path (n, 2) in plane coordinates, drawn until it leaves the picture."""
        while len(self.curves) < len(paths):
            for items, make in ((self.curves, lambda: pg.PlotCurveItem()),
                                (self.starts, lambda: pg.ScatterPlotItem(size=10, brush=None)),
                                (self.heads, lambda: pg.ScatterPlotItem(size=9))):
                item = make()
                items.append(item)
                self.addItem(item)
        for k, (curve, start, head) in enumerate(zip(self.curves, self.starts, self.heads,
                                                     strict=True)):
            if k >= len(paths) or len(paths[k]) == 0:
                for item in (curve, start, head):
                    item.setData([], [])
                continue
            xy = self._held(np.asarray(paths[k], dtype=float).reshape(-1, 2))
            curve.setData(xy[:, 0], xy[:, 1], pen=pg.mkPen(colors[k], width=2))
            start.setData([xy[0, 0]], [xy[0, 1]], pen=pg.mkPen(colors[k], width=2), brush=None)
            head.setData([xy[-1, 0]], [xy[-1, 1]], brush=pg.mkBrush(colors[k]),
                         pen=pg.mkPen("#FFFFFF"))

    def path_data(self, run: int) -> tuple[Array, Array]:
        """The drawn path of ``run`` (x, y), for checks."""
        x, y = self.curves[run].getData()
        return (np.empty(0), np.empty(0)) if x is None else (x, y)

    def _held(self, xy: Array) -> Array:
        """The path until it first leaves the picture, that last point held to the edge: a
        diverging run is seen flying off, not bouncing along the border for ever."""
        if self.values.size == 0:
            return np.nan_to_num(xy, nan=0.0, posinf=1e6, neginf=-1e6)
        x_lo, x_hi, y_lo, y_hi = self.xs[0], self.xs[-1], self.ys[0], self.ys[-1]
        with np.errstate(invalid="ignore"):
            inside = (xy[:, 0] >= x_lo) & (xy[:, 0] <= x_hi) & (xy[:, 1] >= y_lo) & \
                (xy[:, 1] <= y_hi)
        out = np.nonzero(~inside)[0]
        if len(out):
            xy = xy[:out[0] + 1]
        x = np.clip(np.nan_to_num(xy[:, 0], nan=x_hi, posinf=x_hi, neginf=x_lo), x_lo, x_hi)
        y = np.clip(np.nan_to_num(xy[:, 1], nan=y_hi, posinf=y_hi, neginf=y_lo), y_lo, y_hi)
        return np.column_stack([x, y])
