"""What the canvas and the loss plot share: a plot that stays put, themed, sized for projectors."""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPen
from PySide6.QtWidgets import QGraphicsItem, QWidget

from lrdesk.gui.shared.palette import Theme

PATH_WIDTH = 2.6
CURVE_WIDTH = 2.0
MARKER_SIZE = 13.0
DOT_SIZE = 7.0
GRID_ALPHA = 0.6
#: events after which a plot recomputes its pens and fonts (zoom, a screen of another density)
RESTYLE_EVENTS = tuple(
    getattr(QEvent.Type, name)
    for name in ("FontChange", "DevicePixelRatioChange")
    if hasattr(QEvent.Type, name)
)


def _point_size(font: QFont) -> float:
    size = font.pointSizeF()
    return size if size > 0 else font.pixelSize() * 0.75  # a font set in pixels


def ui_scale(widget: QWidget) -> float:
    """How much bigger than normal to draw: the widget's font against the system's font.

    Zooming for a projector scales the application font, so lines and markers follow it.
    """
    normal = _point_size(QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont))
    size = _point_size(widget.font())
    if not (normal > 0 and size > 0):
        return 1.0
    return min(4.0, max(0.75, size / normal))


@dataclass(frozen=True)
class Sizes:
    """How big to draw. Markers follow the font; line widths also the screen's pixel ratio,
    because pyqtgraph's cosmetic pens are measured in device pixels (thin on a 2x screen)."""

    marker: float = 1.0
    line: float = 1.0


def sizes_for(widget: QWidget) -> Sizes:
    scale = ui_scale(widget)
    return Sizes(marker=scale, line=scale * max(1.0, widget.devicePixelRatioF()))


def make_pen(color: str, width: float, dashed: bool = False) -> QPen:
    pen = pg.mkPen(QColor(color), width=width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def make_plot_widget(parent: QWidget, view_box: pg.ViewBox | None = None) -> pg.PlotWidget:
    """A plot whose range only the code moves: no auto-range, no 'A' button, no context menu."""
    plot = pg.PlotWidget(parent, viewBox=view_box, enableMenu=False)  # no menu is built
    item = plot.getPlotItem()
    item.disableAutoRange()
    item.hideButtons()
    item.showGrid(x=True, y=True, alpha=GRID_ALPHA)
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        # two levels of ticks: the third level's faint grid lines cost most of the paint time
        axis.setStyle(maxTickLevel=1)
        # an axis draws the grid, so it lies under every curve and is repainted with each of
        # them: keep it as a picture Qt only copies until the range or the style changes
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return plot


def style_plot(plot: pg.PlotWidget, theme: Theme, font: QFont) -> None:
    """Recolour a plot for ``theme`` (stylesheets do not reach pyqtgraph) and use ``font``."""
    plot.setBackground(QColor(theme.background))
    item = plot.getPlotItem()
    tick_font = QFont(font)
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(QColor(theme.foreground)))
        axis.setTickPen(pg.mkPen(QColor(theme.grid)))  # also the grid lines' colour
        axis.setTextPen(pg.mkPen(QColor(theme.foreground)))
        axis.setTickFont(tick_font)
        axis.setStyle(tickTextOffset=max(4, int(font.pointSizeF() * 0.5)))
        label = axis.labelText
        if label:
            set_axis_label(plot, name, label, theme, font)


def set_axis_label(plot: pg.PlotWidget, side: str, text: str, theme: Theme, font: QFont) -> None:
    size = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
    plot.getPlotItem().setLabel(
        side, text, **{"color": theme.foreground, "font-size": f"{size:.1f}pt"}
    )
