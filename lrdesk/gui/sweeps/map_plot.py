"""The regime map's picture: coloured cells, theory's stable limit, the outline of a hovered cell.

``MapPlot`` owns the plot items of the map view and knows the cell under a point of the scene;
``map_legend_html`` says in colours what the cells mean.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QFont

from lrdesk.core.sweeps.regime import RegimeMap
from lrdesk.gui.shared.formatting import format_step
from lrdesk.gui.shared.palette import Theme
from lrdesk.gui.shared.plot_base import make_pen, set_axis_label, style_plot
from lrdesk.gui.sweeps.plot import (
    NOT_CONVERGED,
    SPEED_MAP,
    LogAxis,
    cell_colors,
    cell_extent,
    plain_axis,
    plot_units,
    verdict_legend_html,
)


class MapPlot:
    """The items drawn on the map view's plot widget."""

    def __init__(self, widget: pg.PlotWidget) -> None:
        self.widget = widget
        self.image = pg.ImageItem(axisOrder="row-major")
        self.boundary = pg.PlotCurveItem()
        self.boundary_halo = pg.PlotCurveItem()
        self.marker = pg.PlotCurveItem()
        item = widget.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        for thing in (self.image, self.boundary_halo, self.boundary, self.marker):
            item.addItem(thing)
        self._frame: tuple | None = None

    def set_theme(self, theme: Theme, font: QFont, scale: float) -> None:
        style_plot(self.widget, theme, font)
        self.boundary.setPen(make_pen(theme.foreground, 2.2 * scale, dashed=True))
        self.boundary_halo.setPen(make_pen(theme.background, 5.0 * scale))
        self.marker.setPen(make_pen(theme.foreground, 2.0 * scale))

    def clear(self) -> None:
        self.forget_frame()
        self.image.clear()
        for curve in (self.boundary, self.boundary_halo, self.marker):
            curve.setData(x=[], y=[])

    def forget_frame(self) -> None:
        """The next ``show`` sets axes, range and theory's line again (a new map)."""
        self._frame = None

    def show(self, result: RegimeMap, speed: bool, theme: Theme, font: QFont,
             left_title: str) -> bool:
        """Colour the cells; True when the frame (axes, range, theory's line) was set anew."""
        self.image.setImage(cell_colors(result, speed, theme), autoLevels=False)
        x0, dx = cell_extent(result.x)
        y0, dy = cell_extent(result.y)
        rect = QRectF(x0, y0, dx * len(result.x.values), dy * len(result.y.values))
        self.image.setRect(rect)
        frame = (result.x.name, result.y.name, rect.getRect(), speed, theme.name)
        if frame == self._frame:  # axes, range and legend change only with a new map
            return False
        self._frame = frame
        self._set_frame(result, rect, theme, font, left_title)
        return True

    def _set_frame(self, result: RegimeMap, rect: QRectF, theme: Theme, font: QFont,
                   left_title: str) -> None:
        bx = plot_units(result.x, result.boundary_x)
        by = plot_units(result.y, result.boundary_y)
        for curve in (self.boundary_halo, self.boundary):
            curve.setData(x=bx, y=by)
        self._use_left_axis(result.y.log, theme, font)
        set_axis_label(self.widget, "bottom", result.x.title, theme, font)
        set_axis_label(self.widget, "left", left_title, theme, font)
        self.widget.getPlotItem().getViewBox().setRange(
            xRange=(rect.left(), rect.right()), yRange=(rect.top(), rect.bottom()), padding=0.0
        )

    def _use_left_axis(self, log: bool, theme: Theme, font: QFont) -> None:
        item = self.widget.getPlotItem()
        if isinstance(item.getAxis("left"), LogAxis) != log:
            item.setAxisItems({"left": LogAxis("left") if log else plain_axis("left")})
            style_plot(self.widget, theme, font)

    def cell_at(self, result: RegimeMap | None, scene_pos: QPointF) -> tuple[int, int] | None:
        """(iy, ix) of the cell under a scene point, or None off the map."""
        view = self.widget.getPlotItem().getViewBox()
        if result is None or not view.sceneBoundingRect().contains(scene_pos):
            return None
        p = view.mapSceneToView(scene_pos)
        x0, dx = cell_extent(result.x)
        y0, dy = cell_extent(result.y)
        ix, iy = math.floor((p.x() - x0) / dx), math.floor((p.y() - y0) / dy)
        ny, nx = result.verdict.shape
        return (iy, ix) if 0 <= ix < nx and 0 <= iy < ny else None

    def mark_cell(self, result: RegimeMap, iy: int, ix: int) -> None:
        """Outline cell (iy, ix)."""
        x0, dx = cell_extent(result.x)
        y0, dy = cell_extent(result.y)
        left, bottom = x0 + ix * dx, y0 + iy * dy
        self.marker.setData(x=[left, left + dx, left + dx, left, left],
                            y=[bottom, bottom, bottom + dy, bottom + dy, bottom])


def map_legend_html(result: RegimeMap, speed: bool) -> str:
    """What the colours (verdicts, or steps to converge) and the dashed line mean."""
    if speed:
        low, high = (SPEED_MAP.map([0.0, 1.0], mode="qcolor"))
        text = (f"<span style='color:{low.name()}'>&#9632;</span>&nbsp;1 step &rarr; "
                f"<span style='color:{high.name()}'>&#9632;</span>&nbsp;"
                f"{format_step(result.total_steps)} steps (log scale)&nbsp;&nbsp;"
                f"<span style='color:{NOT_CONVERGED}'>&#9632;</span>&nbsp;did not converge")
    else:
        text = verdict_legend_html()
    if len(result.boundary_x):
        where = "exact for this quadratic" if result.boundary_exact else (
            "local: from the curvature at the nearest minimum")
        text += f"<br>- - - theory's stable limit ({where}): stable to its left"
    return text
