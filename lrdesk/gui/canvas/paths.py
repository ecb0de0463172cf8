"""One run's path on the canvas: its line, its newest steps as dots, its current point.

Items are made once per run and then only fed with ``setData``; scatter items hold only the
few points that matter (the newest steps in 1-D, the current point, the alarm marker), because
they get slow past about ten thousand points.

The line is two curves: the settled part, painted once and then kept as a picture by Qt, and
the fresh part the playhead has added since. While a run plays only the fresh part is thinned
and painted again. When the fresh part grows long its segments are added to the settled part
(those it already has are skipped); the settled part is rebuilt from every point only when
the data is no longer an extension of what was drawn, or when the view moves.
"""

from __future__ import annotations

import itertools

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem

from lrdesk.gui.shared.palette import Theme
from lrdesk.gui.shared.path_geometry import (
    Box,
    distinct_points,
    last_visible_point,
    nearest_point,
    path_segments,
    segment_keys,
)
from lrdesk.gui.shared.plot_base import DOT_SIZE, MARKER_SIZE, PATH_WIDTH, Sizes, make_pen

Array = np.ndarray

#: in 1-D, the newest steps drawn as dots; older ones are only the line
MAX_DOTS = 2000
#: distinct on-screen segments drawn per run (the newest) and drawn antialiased
MAX_SEGMENTS = 8_000
SMOOTH_SEGMENTS = 3_000
#: points in the fresh part of a line before it is merged into the settled part
FRESH_POINTS = 4_000
#: runs that play together grow alike: each merges at its own fresh length (FRESH_POINTS plus
#: a share of it), so that they do not all repaint their settled part in the same frame
STAGGER = 8
_created = itertools.count()
Z_PATH, Z_DOTS, Z_HEAD, Z_ALARM = 10, 12, 14, 40


class RunPathItems:
    """The plot items of one run, fed with (x, y) points already in plot coordinates."""

    def __init__(
        self, plot_item: pg.PlotItem, color: str, with_dots: bool, symbol: str = "o"
    ) -> None:
        self.color = color
        self.symbol = symbol
        self.with_dots = with_dots
        self.verdict: str | None = None
        self.event_step: int | None = None
        self.x = self.y = np.empty(0)
        self.steps = np.empty(0, dtype=np.int64)
        self._items: list[pg.GraphicsObject] = []
        self.line = self._add(plot_item, pg.PlotCurveItem(), Z_PATH)
        self.fresh = self._add(plot_item, pg.PlotCurveItem(), Z_PATH)
        for line in (self.line, self.fresh):
            # separate segments: Qt strokes wide antialiased polylines that cross themselves
            # slowly
            line.setSegmentedLineMode("on")
        # the settled part is painted once, then blitted until its data or the view changes
        self.line.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._settled: tuple | None = None  # (view key, points settled, last settled point)
        self._settled_segments: tuple | None = None  # (x pairs, y pairs, keys) of that part
        self._fresh_limit = FRESH_POINTS + (next(_created) % STAGGER) * FRESH_POINTS // STAGGER
        self.dots = self._add(plot_item, pg.ScatterPlotItem(), Z_DOTS)
        self.head = self._add(plot_item, pg.ScatterPlotItem(), Z_HEAD)
        self.alarm = self._add(plot_item, pg.ScatterPlotItem(), Z_ALARM)
        for item in (self.dots, self.head, self.alarm):
            item.hide()  # shown once they hold a point
        self._theme: Theme | None = None
        self._sizes = Sizes()

    def _add(self, plot_item: pg.PlotItem, item, z: float):
        item.setZValue(z)
        plot_item.addItem(item, ignoreBounds=True)
        self._items.append(item)
        return item

    def remove(self, plot_item: pg.PlotItem) -> None:
        for item in self._items:
            plot_item.removeItem(item)
        self._items.clear()

    # --- data ------------------------------------------------------------------------------
    def same_data(self, x: Array, y: Array, steps: Array) -> bool:
        """True when these points are the ones already drawn (the playhead did not move)."""
        return (
            len(steps) == len(self.steps)
            and np.array_equal(steps, self.steps)
            and np.array_equal(x[-1:], self.x[-1:], equal_nan=True)
            and np.array_equal(y[-1:], self.y[-1:], equal_nan=True)
        )

    def set_data(self, x: Array, y: Array, steps: Array) -> None:
        """Keep copies: the caller's arrays may be views of a buffer that is written again."""
        self.x = np.array(x, dtype=float)
        self.y = np.array(y, dtype=float)
        self.steps = np.array(steps, dtype=np.int64)

    def clear(self) -> None:
        self.set_data(np.empty(0), np.empty(0), np.empty(0))
        self.set_status(None, None)
        self._settled = None

    def drawn_segments(self) -> tuple[Array, Array]:
        """Every segment drawn (settled part, then fresh part), as (x, y) pairs."""
        parts = [item.getData() for item in (self.line, self.fresh)]
        xs = [np.asarray(x) for x, _ in parts if x is not None]
        ys = [np.asarray(y) for x, y in parts if x is not None]
        return (np.concatenate(xs), np.concatenate(ys)) if xs else (np.empty(0), np.empty(0))

    def redraw(self, region: Box, visible: Box, pixel_size: tuple[float, float]) -> None:
        """Draw the stored points: ``region`` bounds the geometry, ``visible`` is on screen."""
        view = (region, visible, pixel_size)
        settled = self._settled_count(view)
        if settled is None:
            self._settle(view, region, visible, pixel_size)
        elif len(self.x) >= settled + self._fresh_limit:
            self._merge_fresh(view, settled, region, pixel_size, visible)
        else:
            seg_x, seg_y = path_segments(
                self.x[settled - 1 :], self.y[settled - 1 :], region, visible, *pixel_size
            )
            self.fresh.setData(seg_x, seg_y, connect="pairs", antialias=self.line.opts["antialias"])
        self._redraw_dots(visible, pixel_size)
        self._redraw_markers(visible)

    def _settled_count(self, view: tuple) -> int | None:
        """Points already in the settled part, if the stored points still extend them."""
        if self._settled is None:
            return None
        key, count, last = self._settled
        if key != view or not count <= len(self.x):
            return None
        here = (int(self.steps[count - 1]), self.x[count - 1], self.y[count - 1])
        return count if np.array_equal(here, last, equal_nan=True) else None

    def _settle(self, view: tuple, region: Box, visible: Box, pixel_size) -> None:
        """Draw every stored point in the settled part; the fresh part starts empty."""
        seg_x, seg_y = path_segments(self.x, self.y, region, visible, *pixel_size)
        self._show_settled(view, seg_x, seg_y, segment_keys(seg_x, seg_y, region, *pixel_size))

    def _merge_fresh(self, view: tuple, settled: int, region: Box, pixel_size, visible) -> None:
        """Add the fresh part's new segments to the settled part, without thinning it all again."""
        seg_x, seg_y = path_segments(
            self.x[settled - 1 :], self.y[settled - 1 :], region, visible, *pixel_size
        )
        keys = segment_keys(seg_x, seg_y, region, *pixel_size)
        old_x, old_y, old_keys = self._settled_segments
        if keys is not None and old_keys is not None:
            new = ~np.isin(keys, old_keys)
            seg_x, seg_y, keys = seg_x[np.repeat(new, 2)], seg_y[np.repeat(new, 2)], keys[new]
            keys = np.concatenate([old_keys, keys])
        else:
            keys = None
        self._show_settled(
            view, np.concatenate([old_x, seg_x]), np.concatenate([old_y, seg_y]), keys
        )

    def _show_settled(self, view: tuple, seg_x: Array, seg_y: Array, keys: Array | None) -> None:
        """Draw these segments (the newest MAX_SEGMENTS) as the settled part of every point."""
        seg_x, seg_y = seg_x[-2 * MAX_SEGMENTS :], seg_y[-2 * MAX_SEGMENTS :]
        keys = keys[-MAX_SEGMENTS:] if keys is not None else None
        self._settled_segments = (seg_x, seg_y, keys)
        # a scribble of thousands of distinct segments paints five times faster without
        # antialiasing, and at that density nobody sees the difference
        smooth = len(seg_x) <= 2 * SMOOTH_SEGMENTS
        self.line.setData(seg_x, seg_y, connect="pairs", antialias=smooth)
        self.fresh.setData([], [])
        count = len(self.x)
        self._settled = None
        if count:
            last = (int(self.steps[-1]), self.x[-1], self.y[-1])
            self._settled = (view, count, last)

    def _redraw_dots(self, visible: Box, pixel_size: tuple[float, float]) -> None:
        if not self.with_dots:
            if len(self.dots.data):
                _set_points(self.dots, [], [])
            return
        x, y = self.x[-MAX_DOTS:], self.y[-MAX_DOTS:]
        shown = distinct_points(x, y, visible, *pixel_size)  # one dot per pixel is enough
        _set_points(self.dots, x[shown], y[shown])

    def _redraw_markers(self, visible: Box) -> None:
        diverged = self.verdict == "diverged"
        x, y = self.x[-1:], self.y[-1:]
        if not diverged and len(x) and visible.contains(x, y)[0]:
            _set_points(self.head, x, y)
        else:
            _set_points(self.head, [], [])
        spot = self._alarm_spot(visible) if diverged else None
        if spot is None:
            _set_points(self.alarm, [], [])
        else:
            _set_points(self.alarm, [spot[0]], [spot[1]])

    def _alarm_spot(self, visible: Box) -> tuple[float, float] | None:
        upto = len(self.steps)
        if self.event_step is not None:
            upto = int(np.searchsorted(self.steps, self.event_step, side="right"))
        # a little inside the edge, so that the whole cross shows where a path left the view
        return last_visible_point(self.x[:upto], self.y[:upto], visible.grown(-0.025))

    def nearest_index(
        self, at_x: float, at_y: float, pixel_size: tuple[float, float]
    ) -> tuple[int, float]:
        """Index of the stored point nearest (at_x, at_y) on screen, and its distance in pixels."""
        return nearest_point(self.x, self.y, at_x, at_y, *pixel_size)

    # --- look ------------------------------------------------------------------------------
    def set_status(self, verdict: str | None, event_step: int | None) -> None:
        """Only the line's style tells the state: the rest of the look stays as it is."""
        changed = (verdict == "diverged") != (self.verdict == "diverged")
        self.verdict = verdict
        self.event_step = event_step if verdict is not None else None
        if changed and self._theme is not None:
            self._style_line(self._sizes)

    def apply_style(self, theme: Theme, sizes: Sizes) -> None:
        self._theme, self._sizes = theme, sizes
        scale = sizes.marker
        color = self.color  # a run keeps its colour in every view; its state is the dashes
        self._style_line(sizes)
        outline = pg.mkPen(QColor(theme.marker_outline), width=1.2 * scale)
        self.dots.setSymbol(self.symbol)
        self.dots.setPen(outline)
        self.dots.setBrush(pg.mkBrush(QColor(color)))
        self.dots.setSize(DOT_SIZE * scale)
        self.head.setSymbol(self.symbol)
        self.head.setPen(pg.mkPen(QColor(theme.marker_outline), width=2.0 * scale))
        self.head.setBrush(pg.mkBrush(QColor(self.color)))
        self.head.setSize(MARKER_SIZE * scale)
        self.alarm.setSymbol("x")
        self.alarm.setPen(pg.mkPen(QColor(theme.marker_outline), width=1.5 * scale))
        self.alarm.setBrush(pg.mkBrush(QColor(self.color)))
        self.alarm.setSize(MARKER_SIZE * 1.7 * scale)

    def _style_line(self, sizes: Sizes) -> None:
        pen = make_pen(self.color, PATH_WIDTH * sizes.line, dashed=self.verdict == "diverged")
        self.line.setPen(pen)
        self.fresh.setPen(pen)


def _set_points(item: pg.ScatterPlotItem, x, y) -> None:
    """Set a scatter item's points; an empty one is hidden (else it is still measured and
    painted in every frame)."""
    item.setData(x=x, y=y)
    item.setVisible(len(x) > 0)
