"""Loss against step for every run, with the playhead marked and a log-scale switch.

The y range follows the runs that behave: infinities and NaN are ignored, and the top is capped
near the largest starting loss, so one run that blows up does not flatten all the others; its
curve is clipped just above the top and shoots off the plot instead. When the losses span many
decades (a run that blows up, or one that converges fast) the plot turns to the log scale by
itself, until the user picks a scale with the switch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from lrdesk.gui.shared.palette import Theme, current_theme
from lrdesk.gui.shared.path_geometry import Box, CurveEnvelope, thin_to_pixels
from lrdesk.gui.shared.plot_base import (
    MARKER_SIZE,
    PATH_WIDTH,
    RESTYLE_EVENTS,
    Sizes,
    make_pen,
    make_plot_widget,
    set_axis_label,
    sizes_for,
    style_plot,
)

Array = np.ndarray

#: on a linear scale the top is at most this many times the largest starting loss
LINEAR_CAP = 3.0
#: on a log scale, this many times (three decades above the start)
LOG_CAP = 1e3
#: a log scale shows at most this many decades below its top
LOG_DECADES = 20.0
#: room above and below the curves on a log scale, in decades
LOG_PADDING = 0.3
#: the step axis reaches this much past the newest step, so that it need not move (and every
#: curve be thinned and painted again) on each frame while a run plays
STEP_HEADROOM = 1.03
#: the log scale comes on by itself once the largest loss is this many times the smallest one
AUTO_LOG_RATIO = 1e3


@dataclass
class _RunLosses:
    """One run's losses as last given, with what the range needs to know about them."""

    steps: Array
    losses: Array
    start: float = math.nan  # first finite loss
    low: float = math.nan  # smallest finite loss
    high: float = math.nan  # largest finite loss
    low_positive: float = math.nan  # smallest loss above zero (for the log scale)
    verdict: str | None = None
    _buffers: tuple[Array, Array] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, steps: Array, losses: Array) -> _RunLosses:
        n = min(len(steps), len(losses))
        run = cls(np.array(steps[:n], dtype=np.int64), np.array(losses[:n], dtype=float))
        run._take_stats(run.losses)
        return run

    def extends(self, steps: Array, losses: Array) -> bool:
        """True when these rows begin with exactly the rows kept (compared bit for bit)."""
        n = len(self.steps)
        return (
            min(len(steps), len(losses)) >= n
            and np.array_equal(steps[:n], self.steps)
            and np.array_equal(
                np.asarray(losses[:n], dtype=float).view(np.int64), self.losses.view(np.int64)
            )
        )

    def extended(self, steps: Array, losses: Array) -> _RunLosses:
        """These rows, which extend the ones kept: only the new rows are copied and measured.

        The rows live at the start of buffers that grow by doubling, so a run that plays is not
        copied whole on every frame; the new object takes the buffers over.
        """
        n, old = min(len(steps), len(losses)), len(self.steps)
        all_steps, all_losses = self._room_for(n)
        all_steps[old:n] = steps[old:n]
        all_losses[old:n] = losses[old:n]
        run = _RunLosses(
            all_steps[:n],
            all_losses[:n],
            self.start,
            self.low,
            self.high,
            self.low_positive,
            self.verdict,
        )
        run._buffers = (all_steps, all_losses)
        run._take_stats(run.losses[old:])
        return run

    def _room_for(self, n: int) -> tuple[Array, Array]:
        all_steps, all_losses = self._buffers or (self.steps, self.losses)
        if len(all_steps) >= n:
            return all_steps, all_losses
        size, old = max(n, 2 * len(all_steps), 1024), len(self.steps)
        bigger = np.empty(size, dtype=np.int64), np.empty(size, dtype=float)
        bigger[0][:old], bigger[1][:old] = self.steps, self.losses
        return bigger

    def _take_stats(self, new: Array) -> None:
        finite = new[np.isfinite(new)]
        if not len(finite):
            return
        if math.isnan(self.start):
            self.start = float(finite[0])
        self.low = float(np.fmin(self.low, finite.min()))
        self.high = float(np.fmax(self.high, finite.max()))
        positive = finite[finite > 0]
        if len(positive):
            self.low_positive = float(np.fmin(self.low_positive, positive.min()))


class LossPlot(QWidget):
    """Loss curves of all runs against the step."""

    log_y_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme: Theme = current_theme()
        self._log_y = False
        self._log_chosen = False  # the user picked a scale: it no longer changes by itself
        self._runs: list[_RunLosses] = []
        self._curves: list[pg.PlotDataItem] = []
        self._ends: list[pg.PlotDataItem] = []
        self._colors: list[str] = []
        self._current_step = 0
        self._drawn_top = math.nan  # the top the curves were last clipped to
        self._step_end = math.nan  # the last step the step axis shows (before padding)
        self.plot_widget = make_plot_widget(self)
        self._envelopes: list[CurveEnvelope] = []
        self._setting_ranges = False
        item = self.plot_widget.getPlotItem()
        # long curves are thinned here, per pixel column, and only where rows were added
        item.getViewBox().sigRangeChanged.connect(self._on_view_changed)
        item.getViewBox().sigResized.connect(self._on_view_changed)
        self.playhead = pg.InfiniteLine(pos=0, angle=90, movable=False)
        self.playhead.setZValue(50)
        item.addItem(self.playhead, ignoreBounds=True)
        self.log_check = QCheckBox("Log scale", self)
        self.log_check.setToolTip(
            "Show the loss on a logarithmic scale, where each grid line is ten times the one "
            "below. Small losses near the end stay visible. Losses of zero or below cannot be "
            "shown on this scale. It comes on by itself when the losses span more than three "
            "decades, until you choose."
        )
        self.log_check.toggled.connect(self._on_log_toggled)
        self.title = QLabel("Loss at each step", self)
        header = QHBoxLayout()
        header.setContentsMargins(4, 0, 4, 0)
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.log_check)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.plot_widget, 1)
        self._restyle()
        self._update_range()

    # --- public API ------------------------------------------------------------------------
    def set_runs(self, colors: list[str]) -> None:
        """One empty curve per run, in these colours. The curves of the runs that stay (same
        place, same colour) are kept, only the others are made or dropped: adding one run to
        eight must not rebuild the other seven's items in one frame. When the same runs restart
        their curves show what they showed until the new losses come: a dragged rate slider
        restarts the runs many times a second, and the plot must not flicker empty between."""
        if list(colors) == self._colors and len(self._curves) == len(colors):
            restyle = [run for run, data in enumerate(self._runs) if data.verdict is not None]
            self._runs = [_RunLosses.of(np.empty(0), np.empty(0)) for _ in colors]
            self._envelopes = [CurveEnvelope() for _ in colors]
            sizes = sizes_for(self)
            for run in restyle:  # only a state changes a curve's style
                self._style_run(run, sizes)
                self._ends[run].setData([], [])
            self._drawn_top = math.nan  # the next losses set the range and draw every curve
            return
        kept = 0
        for old, color in zip(self._colors[: len(self._curves)], colors, strict=False):
            if old != color:
                break
            kept += 1
        item = self.plot_widget.getPlotItem()
        for curve in self._curves[kept:] + self._ends[kept:]:
            item.removeItem(curve)
        self._curves, self._ends = self._curves[:kept], self._ends[:kept]
        self._colors = list(colors)
        self._runs = [_RunLosses.of(np.empty(0), np.empty(0)) for _ in colors]
        self._envelopes = [CurveEnvelope() for _ in colors]
        for _ in colors[kept:]:
            curve = pg.PlotDataItem()
            # a few points per pixel column, left to right: one polyline strokes faster than
            # separate segments, and keeps a diverged run's dashes continuous
            curve.curve.setSegmentedLineMode("off")
            end = pg.PlotDataItem(pen=None, symbol="x")
            end.setZValue(40)
            for added in (curve, end):
                item.addItem(added)
                added.setLogMode(False, self._log_y)
            self._curves.append(curve)
            self._ends.append(end)
        sizes = sizes_for(self)
        for run in range(len(colors)):
            self._style_run(run, sizes)
        self._update_range()  # draws every curve: the kept ones are emptied

    def set_run_losses(self, run: int, steps: Array, losses: Array) -> None:
        """Run ``run``'s losses up to the playhead."""
        if not 0 <= run < len(self._runs):
            return
        old = self._runs[run]
        extends = old.extends(steps, losses)
        if extends and min(len(steps), len(losses)) == len(old.steps):
            return
        if extends:
            new = old.extended(steps, losses)
        else:
            new = _RunLosses.of(steps, losses)
            new.verdict = old.verdict
            self._envelopes[run].reset()  # other rows: thin them all again
        self._runs[run] = new
        if not self._log_chosen and not self._log_y and self._range_is_wide():
            self._set_log_checked(True)
            self._apply_log(True)
            return
        if self._top() == self._drawn_top and not self._set_ranges(self._drawn_top):
            self._draw_run(run, self._drawn_top)  # the others keep their clipping and thinning
        else:
            self._update_range()

    def set_run_status(self, run: int, verdict: str | None) -> None:
        """A diverged run is drawn dashed in its colour, with a cross where it left."""
        if not 0 <= run < len(self._runs):
            return
        self._runs[run].verdict = verdict
        self._style_run(run, sizes_for(self))
        self._draw_run(run, self._drawn_top)

    def set_current_step(self, step: int) -> None:
        self._current_step = max(0, int(step))
        self.playhead.setValue(self._current_step)
        self._update_x_range()

    def set_log_y(self, on: bool) -> None:
        """Switch the log scale without emitting ``log_y_toggled`` (a choice that then stays)."""
        self._log_chosen = True
        self._set_log_checked(on)
        self._apply_log(on)

    def _set_log_checked(self, on: bool) -> None:
        self.log_check.blockSignals(True)
        self.log_check.setChecked(on)
        self.log_check.blockSignals(False)

    def _range_is_wide(self) -> bool:
        """True when the losses span more than ``AUTO_LOG_RATIO`` and all of them are above 0."""
        runs = [r for r in self._runs if math.isfinite(r.high)]
        if not runs or any(r.low <= 0 for r in runs):
            return False
        return max(r.high for r in runs) > AUTO_LOG_RATIO * min(r.low_positive for r in runs)

    def is_log_y(self) -> bool:
        return self._log_y

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._restyle()

    def y_range(self) -> tuple[float, float]:
        """The y range shown, in loss units (not logarithms) even on the log scale."""
        low, high = self.plot_widget.getPlotItem().getViewBox().viewRange()[1]
        return (10.0**low, 10.0**high) if self._log_y else (low, high)

    # --- drawing ---------------------------------------------------------------------------
    def _on_log_toggled(self, on: bool) -> None:
        self._log_chosen = True
        self._apply_log(on)
        self.log_y_toggled.emit(on)

    def _apply_log(self, on: bool) -> None:
        if on == self._log_y:
            return
        self._log_y = on
        self.plot_widget.getPlotItem().setLogMode(False, on)
        self._update_range()

    def _top(self) -> float:
        """The highest loss worth showing: the data's top, capped near the starting losses."""
        starts = [abs(r.start) for r in self._runs if math.isfinite(r.start)]
        highs = [r.high for r in self._runs if math.isfinite(r.high)]
        if not highs:
            return 1.0
        cap = (LOG_CAP if self._log_y else LINEAR_CAP) * max(max(starts), 1e-300)
        return min(max(highs), cap) if cap > 0 else max(highs)

    def _update_range(self) -> None:
        """Clip every curve to the current top and set the y range."""
        top = self._drawn_top = self._top()
        self._set_ranges(top)  # first: the curves are thinned for the view they will be in
        for run in range(len(self._runs)):
            self._draw_run(run, top)

    def _set_ranges(self, top: float) -> bool:
        """Set the y and x ranges; True if the view changed (then every curve needs drawing)."""
        view_box = self.plot_widget.getPlotItem().getViewBox()
        before = view_box.viewRange()
        self._setting_ranges = True
        try:
            self._update_y_range(top)
            self._update_x_range()
        finally:
            self._setting_ranges = False
        return view_box.viewRange() != before

    def _update_y_range(self, top: float) -> None:
        item = self.plot_widget.getPlotItem()
        if self._log_y:
            lows = [r.low_positive for r in self._runs if math.isfinite(r.low_positive)]
            top = top if top > 0 else 1.0
            low = max(min(lows), top * 10.0**-LOG_DECADES) if lows else top / 10.0
            low_log, top_log = math.log10(low), math.log10(top)
            if top_log - low_log < 1.0:
                low_log, top_log = low_log - 0.5, top_log + 0.5
            item.setYRange(low_log - LOG_PADDING, top_log + LOG_PADDING, padding=0.0)
        else:
            lows = [r.low for r in self._runs if math.isfinite(r.low)]
            bottom = min(0.0, *lows) if lows else 0.0
            if top <= bottom:
                top = bottom + 1.0
            item.setYRange(bottom, top, padding=0.04)

    def _update_x_range(self) -> None:
        last = [int(r.steps[-1]) for r in self._runs if len(r.steps)]
        right = max([self._current_step, 1, *last])
        if right * STEP_HEADROOM**2 >= self._step_end >= right:
            return  # the newest step is still shown near the right edge
        self._step_end = right * STEP_HEADROOM if right > 1 else right
        self.plot_widget.getPlotItem().setXRange(0, self._step_end, padding=0.02)

    def _on_view_changed(self) -> None:
        """A zoom, pan or resize changes the pixel columns: thin every curve again."""
        if self._setting_ranges:
            return  # the caller draws once both ranges are set
        for run in range(len(self._runs)):
            self._draw_run(run, self._drawn_top)

    def _columns(self) -> tuple[tuple[float, float], int]:
        """The step range shown and its width in pixels (a guess before the plot is shown)."""
        view_box = self.plot_widget.getPlotItem().getViewBox()
        low, high = view_box.viewRange()[0]
        return (float(low), float(high)), max(1, round(view_box.width()) or 1000)

    def _one_per_pixel(self, steps: Array, losses: Array) -> Array:
        """Indices of the points worth stroking: a flat stretch that wiggles within one pixel
        is one short line, not hundreds of tiny zigzags that Qt strokes slowly."""
        view_box = self.plot_widget.getPlotItem().getViewBox()
        try:
            pixel_width, pixel_height = view_box.viewPixelSize()
        except (ZeroDivisionError, ValueError):
            return np.arange(len(steps))
        (x_low, x_high), (y_low, y_high) = view_box.viewRange()
        with np.errstate(all="ignore"):
            shown = np.log10(losses) if self._log_y else losses
        box = Box(x_low, x_high, y_low, y_high)
        return thin_to_pixels(steps.astype(float), shown, box, pixel_width, pixel_height)

    def _draw_run(self, run: int, top: float) -> None:
        """Give the curve its data, clipped just above ``top`` so that it leaves the plot."""
        data = self._runs[run]
        ceiling = top * (10.0 if self._log_y else 1.5) if top > 0 else top + 1.0
        x_range, columns = self._columns()
        drawn = self._envelopes[run].indices(data.steps, data.losses, x_range, columns)
        x, y = data.steps[drawn], np.minimum(data.losses[drawn], ceiling)
        keep = self._one_per_pixel(x, y)
        # NaN stays NaN: the curve breaks there
        self._curves[run].setData(x[keep], y[keep], connect="finite")
        end = self._ends[run]
        if data.verdict == "diverged" and len(data.steps):
            shown = np.minimum(data.losses, ceiling)
            finite = np.nonzero(np.isfinite(shown))[0]
            last = int(finite[-1]) if len(finite) else len(shown) - 1
            end.setData([data.steps[last]], [min(shown[last], top) if finite.size else top])
        elif end.xData is not None and len(end.xData):
            end.setData([], [])

    def _style_run(self, run: int, sizes: Sizes) -> None:
        scale = sizes.marker
        diverged = self._runs[run].verdict == "diverged"
        color = self._colors[run]  # the run's colour in every view; its state is the dashes
        curve = self._curves[run]
        curve.setPen(make_pen(color, PATH_WIDTH * 0.85 * sizes.line, dashed=diverged))
        end = self._ends[run]
        end.setSymbolSize(MARKER_SIZE * 1.5 * scale)
        end.setSymbolBrush(pg.mkBrush(QColor(color)))
        end.setSymbolPen(pg.mkPen(QColor(self._theme.background), width=1.5 * scale))

    def _restyle(self) -> None:
        sizes = sizes_for(self)
        style_plot(self.plot_widget, self._theme, self.font())
        set_axis_label(self.plot_widget, "bottom", "step", self._theme, self.font())
        set_axis_label(self.plot_widget, "left", "loss", self._theme, self.font())
        marker = QColor(self._theme.foreground)
        marker.setAlphaF(0.55)
        pen = pg.mkPen(marker, width=1.5 * sizes.line, style=Qt.PenStyle.DashLine)
        self.playhead.setPen(pen)
        for run in range(len(self._curves)):
            self._style_run(run, sizes)

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        super().changeEvent(event)
        if event.type() in RESTYLE_EVENTS:
            self._restyle()
