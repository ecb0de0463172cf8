"""Plot pieces of the sweep and map views: log axes, loss heights, verdict bands, cell colours.

``SweepPlot`` owns the items of the sweep plot (curve, dots, background bands, theory lines,
the range test, the hover marker) and turns mouse positions into the index of the nearest
rate. The map's cells become colours here too, so both views draw verdicts the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor

from lrdesk.core.engine.batch import VERDICTS
from lrdesk.core.sweeps.regime import MapAxis, RegimeMap
from lrdesk.core.sweeps.sweep import SweepResult, SweepSetup
from lrdesk.gui.shared.formatting import format_number
from lrdesk.gui.shared.palette import VERDICT_COLORS, Theme
from lrdesk.gui.shared.plot_base import make_pen, set_axis_label, style_plot, ui_scale


def verdict_legend_html(names=VERDICTS) -> str:
    """Coloured squares with verdict names, for a QLabel."""
    return "&nbsp;&nbsp;".join(
        f"<span style='color:{VERDICT_COLORS[n]}'>&#9632;</span>&nbsp;{n}" for n in names
    )


#: a loss this close to the lowest possible is drawn at the bottom of a log axis
LOSS_FLOOR = 1e-20
#: decades above the starting loss where the plot stops: diverged runs are drawn at that edge
CEILING_DECADES = 4.0
MAX_DOTS = 600


@dataclass(frozen=True)
class LossAxis:
    """How losses become heights: log10 of the gap to the lowest possible loss, capped."""

    offset: float
    ceiling: float  # in plot units
    label: str

    def __call__(self, losses) -> np.ndarray:
        with np.errstate(all="ignore"):
            gap = np.asarray(losses, dtype=float) - self.offset
            y = np.log10(np.maximum(gap, LOSS_FLOOR))
        y[np.isnan(gap)] = np.nan
        return np.minimum(y, self.ceiling)

    @classmethod
    def for_setup(cls, setup: SweepSetup) -> LossAxis:
        f = setup.function
        known = f.min_value()
        offset = float(known) if known is not None and math.isfinite(known) else 0.0
        with np.errstate(all="ignore"):
            start = float(f.value(np.asfortranarray([setup.start], dtype=float))[0])
        gap = abs(start - offset) if math.isfinite(start) else 1.0
        label = "final loss" if offset == 0.0 else "final loss above the lowest possible"
        return cls(offset, math.log10(max(gap, 1e-300)) + CEILING_DECADES, label)


class VerdictBandsItem(pg.GraphicsObject):
    """Coloured background bands, full height, between x edges (in plot units)."""

    def __init__(self) -> None:
        super().__init__()
        self._bands: list[tuple[float, float, QColor]] = []
        self.setZValue(-100)

    def set_bands(self, bands: list[tuple[float, float, QColor]]) -> None:
        self.prepareGeometryChange()
        self._bands = bands
        self.update()

    def boundingRect(self) -> QRectF:  # Qt override
        rect = self.viewRect()
        if rect is None or not self._bands:
            return QRectF()
        rect = QRectF(rect)
        rect.setLeft(self._bands[0][0])
        rect.setRight(self._bands[-1][1])
        return rect

    def viewRangeChanged(self) -> None:  # pyqtgraph hook
        self.prepareGeometryChange()

    def paint(self, painter, *_args) -> None:  # Qt override
        rect = self.viewRect()
        if rect is None:
            return
        painter.setPen(Qt.PenStyle.NoPen)
        for left, right, color in self._bands:
            painter.fillRect(QRectF(left, rect.top(), right - left, rect.height()), color)


def thin_peaks(x: np.ndarray, y: np.ndarray, pixels: int) -> tuple[np.ndarray, np.ndarray]:
    """At most about two points per pixel: each bin of neighbours keeps its lowest and highest
    value, so spikes stay visible and painting 100,000 rates costs as little as 2,000."""
    per_bin = len(x) // max(1, 2 * pixels)
    if per_bin < 2:
        return x, y
    m = len(x) // per_bin * per_bin
    xs, ys = x[:m].reshape(-1, per_bin), y[:m].reshape(-1, per_bin)
    low, high = np.fmin.reduce(ys, axis=1), np.fmax.reduce(ys, axis=1)  # NaN only if all NaN
    tx = np.concatenate([np.column_stack([xs[:, 0], xs[:, -1]]).ravel(), x[m:]])
    ty = np.concatenate([np.column_stack([low, high]).ravel(), y[m:]])
    return tx, ty


class LogAxis(pg.AxisItem):
    """A log axis that labels only powers of ten (and 2, 5 between them when zoomed in close),
    so the uneven minor ticks of a wide axis never print over each other."""

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)
        self.setLogMode(True)

    def logTickStrings(self, values, scale, spacing):  # pyqtgraph override
        span = abs(self.range[1] - self.range[0]) if self.range else 10.0
        labels = super().logTickStrings(values, scale, spacing)
        out = []
        for value, label in zip(values, labels, strict=True):
            lead = round(10.0 ** (value - math.floor(value + 1e-9)), 6)
            keep = lead == 1.0 or (span < 1.6 and lead in (2.0, 5.0))
            out.append(label if keep else "")
        return out


def plain_axis(orientation: str) -> pg.AxisItem:
    axis = pg.AxisItem(orientation)
    axis.enableAutoSIPrefix(False)
    return axis


#: opacity (of 255) of the verdict bands behind the dots: light enough for the dots to show
LIGHT_BAND_ALPHA, DARK_BAND_ALPHA = 55, 40


class SweepPlot(QObject):
    """The items of the sweep plot; ``hovered``/``clicked`` give the index of the nearest rate."""

    hovered = Signal(int)
    clicked = Signal(int)

    def __init__(self, widget: pg.PlotWidget, theme: Theme) -> None:
        super().__init__(widget)
        self.widget, self.theme = widget, theme
        item = widget.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        self.view_box = item.getViewBox()
        self.view_box.setMouseEnabled(x=True, y=False)
        self.bands = VerdictBandsItem()
        item.addItem(self.bands, ignoreBounds=True)
        self.curve = pg.PlotCurveItem()
        self.dots = pg.ScatterPlotItem()
        self.test_curve = pg.PlotCurveItem()
        self.marker = pg.ScatterPlotItem()
        for thing in (self.curve, self.dots, self.test_curve, self.marker):
            item.addItem(thing)
        self.test_line = pg.InfiniteLine(angle=90, movable=False, label="range test",
                                         labelOpts={"position": 0.08})
        item.addItem(self.test_line, ignoreBounds=True)
        self.test_line.hide()
        self.theory_lines: list[pg.InfiniteLine] = []
        self._x = np.empty(0)
        self._y = np.empty(0)
        self._left_label = ""
        widget.scene().sigMouseMoved.connect(self._on_move)
        widget.scene().sigMouseClicked.connect(self._on_click)
        self.set_theme(theme, widget.font())

    def set_theme(self, theme: Theme, font) -> None:
        self.theme = theme
        style_plot(self.widget, theme, font)
        scale = ui_scale(self.widget)
        # flat caps and bevel joins: a dense curve of wide round-capped segments paints 3x slower
        curve_pen = make_pen(theme.foreground, 1.6 * scale)
        curve_pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        curve_pen.setJoinStyle(Qt.PenJoinStyle.BevelJoin)
        self.curve.setPen(curve_pen)
        self.test_curve.setPen(make_pen(theme.muted, 2.0 * scale, dashed=True))
        self.test_line.setPen(make_pen(theme.muted, 1.5 * scale, dashed=True))
        set_axis_label(self.widget, "bottom", "learning rate α", theme, font)
        if self._left_label:
            set_axis_label(self.widget, "left", self._left_label, theme, font)

    # --- data ------------------------------------------------------------------------------
    def show_result(self, result: SweepResult, steps_mode: bool, loss_axis: LossAxis) -> None:
        x = np.log10(result.learning_rates)
        if steps_mode:
            with np.errstate(all="ignore"):
                y = np.log10(np.maximum(result.steps_to_converge, 1.0))
            label = "steps to converge"
        else:
            y, label = loss_axis(result.final_loss), loss_axis.label
        if label != self._left_label:
            self._left_label = label
            set_axis_label(self.widget, "left", label, self.theme, self.widget.font())
        self._x, self._y = x, y
        tx, ty = thin_peaks(x, y, max(200, self.widget.width()))
        self.curve.setData(x=tx, y=ty, connect="finite")
        self._show_dots(result, x, y)
        self._show_bands(result)
        self._fit(x, y)

    def _show_dots(self, result: SweepResult, x, y) -> None:
        if len(x) > MAX_DOTS:
            self.dots.clear()
            return
        names = [VERDICTS[c] if c >= 0 else None for c in result.verdict]
        brushes = [pg.mkBrush(VERDICT_COLORS[n] if n else self.theme.muted) for n in names]
        shown = np.isfinite(y)
        self.dots.setData(x=x[shown], y=y[shown], brush=[b for b, s in zip(brushes, shown,
                                                                            strict=True) if s],
                          pen=pg.mkPen(self._dot_ring()), size=7 * ui_scale(self.widget))

    def _dot_ring(self) -> str:
        """Dots are ringed in the plot's text colour on the dark theme: the 'slow' blue (run 1's
        blue too) is too dark to show on its own band there."""
        return self.theme.foreground if self.theme.is_dark else self.theme.background

    def _show_bands(self, result: SweepResult) -> None:
        alpha = DARK_BAND_ALPHA if self.theme.is_dark else LIGHT_BAND_ALPHA
        bands = []
        for band in result.bands():
            if band.verdict < 0:
                continue
            color = QColor(VERDICT_COLORS[band.name])
            color.setAlpha(alpha)
            bands.append((math.log10(band.low_edge), math.log10(band.high_edge), color))
        self.bands.set_bands(bands)

    def _fit(self, x, y) -> None:
        finite = y[np.isfinite(y)]
        low, high = (finite.min(), finite.max()) if len(finite) else (0.0, 1.0)
        pad = max(0.25, 0.06 * (high - low))
        half = 0.5 * (x[1] - x[0]) if len(x) > 1 else 0.5
        self.view_box.setRange(xRange=(x[0] - half, x[-1] + half),
                               yRange=(low - pad, high + pad), padding=0.0)

    def clear(self) -> None:
        self._x = self._y = np.empty(0)
        for thing in (self.curve, self.test_curve, self.marker):
            thing.setData(x=[], y=[])
        self.dots.clear()
        self.bands.set_bands([])
        self.test_line.hide()
        self.show_theory([], [])

    def show_theory(self, lines, rates) -> None:
        """Labelled vertical lines; labels sit on the side of the line with more room."""
        item = self.widget.getPlotItem()
        for line in self.theory_lines:
            item.removeItem(line)
        self.theory_lines = []
        if not lines:
            return
        middle = 0.5 * (math.log10(rates[0]) + math.log10(rates[-1]))
        pen = make_pen(self.theme.foreground, 1.5 * ui_scale(self.widget))
        pen.setStyle(Qt.PenStyle.DashDotLine)
        for i, line in enumerate(lines):
            x = math.log10(line.learning_rate)
            side = (1.03, 0.5) if x > middle else (-0.03, 0.5)
            inf = pg.InfiniteLine(
                pos=x, angle=90, movable=False, pen=pen,
                label=f"{line.label} = {format_number(line.learning_rate)}",
                labelOpts={"position": 0.93 - 0.11 * i, "color": self.theme.foreground,
                           "fill": pg.mkBrush(QColor(self.theme.background)),
                           "anchors": [side, side]},
            )
            item.addItem(inf, ignoreBounds=True)
            self.theory_lines.append(inf)

    def show_range_test(self, test, loss_axis: LossAxis | None) -> None:
        if test is None or loss_axis is None:
            self.test_curve.setData(x=[], y=[])
            self.test_line.hide()
            return
        self.test_curve.setData(x=np.log10(test.learning_rates), y=loss_axis(test.losses),
                                connect="finite")
        if test.suggestion is None:
            self.test_line.hide()
            return
        self.test_line.setPos(math.log10(test.suggestion))
        self.test_line.show()
        self.test_line.label.setColor(QColor(self.theme.muted))
        self.test_line.label.setFormat(f"range test suggests {format_number(test.suggestion)}")

    # --- pointing --------------------------------------------------------------------------
    def index_at(self, scene_pos: QPointF) -> int:
        if len(self._x) == 0 or not self.view_box.sceneBoundingRect().contains(scene_pos):
            return -1
        x = self.view_box.mapSceneToView(scene_pos).x()
        i = int(np.clip(np.searchsorted(self._x, x), 1, len(self._x) - 1)) if len(self._x) > 1 else 0
        if i > 0 and abs(self._x[i - 1] - x) <= abs(self._x[i] - x):
            i -= 1
        return i

    def _on_move(self, scene_pos: QPointF) -> None:
        i = self.index_at(scene_pos)
        if i < 0:
            return
        y = self._y[i] if np.isfinite(self._y[i]) else self.view_box.viewRange()[1][1]
        self.marker.setData(x=[self._x[i]], y=[y], size=13 * ui_scale(self.widget),
                            brush=pg.mkBrush(None), pen=make_pen(self.theme.foreground, 2.0))
        self.hovered.emit(i)

    def _on_click(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        i = self.index_at(event.scenePos())
        if i >= 0:
            self.clicked.emit(i)


# ------------------------------------------------------------------------------------------
# The regime map
# ------------------------------------------------------------------------------------------
SPEED_MAP = pg.colormap.get("viridis")
NOT_CONVERGED = "#B8BCC2"


def cell_colors(result: RegimeMap, speed: bool, theme: Theme) -> np.ndarray:
    """RGBA (ny, nx, 4) bytes: verdict colours, or steps-to-converge on a log colour scale."""
    ny, nx = result.verdict.shape
    out = np.zeros((ny, nx, 4), dtype=np.ubyte)
    if speed:
        steps = result.steps_to_converge
        done = np.isfinite(steps)
        out[...] = rgba(NOT_CONVERGED)
        if done.any():
            logs = np.log10(np.maximum(steps[done], 1.0))
            top = max(math.log10(max(result.total_steps, 2)), 1e-9)
            out[done] = SPEED_MAP.map(np.clip(logs / top, 0.0, 1.0), mode="byte")
    else:
        out[...] = rgba(theme.muted, 60)  # still running
        for code, name in enumerate(VERDICTS):
            out[result.verdict == code] = rgba(VERDICT_COLORS[name])
    return out


def rgba(color: str, alpha: int = 255) -> tuple[int, int, int, int]:
    c = QColor(color)
    return (c.red(), c.green(), c.blue(), alpha)


def plot_units(axis: MapAxis, values) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return np.log10(values) if axis.log else values


def cell_extent(axis: MapAxis) -> tuple[float, float]:
    """Where the grid's first cell starts and how wide a cell is, in plot units."""
    units = plot_units(axis, axis.values)
    step = (units[-1] - units[0]) / (len(units) - 1) if len(units) > 1 else 1.0
    return units[0] - step / 2, step
