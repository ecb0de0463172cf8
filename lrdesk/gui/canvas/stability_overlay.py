"""Stability colours on the canvas: each path segment coloured by α·λmax where its step starts.

Below 1 the step heads straight for the valley floor, between 1 and 2 it overshoots but still
settles, above 2 it is too big for the curvature there, so the learner sees WHERE on the surface
a rate becomes too big. Classes come from ``lrdesk.core.theory.stability`` and are cached per run: only
rows that arrived since the last paint are classified (a thinned history is redone once).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction, QColor

from lrdesk.core.experiment.history import RunHistory
from lrdesk.core.surfaces import LossFunction
from lrdesk.core.theory.stability import stability_classes
from lrdesk.gui.shared.palette import current_theme
from lrdesk.gui.shared.path_geometry import Box, clip_segments
from lrdesk.gui.shared.plot_base import PATH_WIDTH, make_pen, ui_scale

#: (colour, relative width, legend text) per class; width also tells the classes apart
CLASS_STYLES = (
    ("#009E73", 1.0, "α·λmax below 1: heads for the valley floor"),
    ("#E69F00", 1.35, "α·λmax 1 to 2: overshoots, still settles"),
    ("#D55E00", 1.8, "α·λmax above 2: too big here"),
)
Z_OVERLAY = 11  # above a run's line, below its dots and current point
REFRESH_MS = 100
DRAW_MARGIN = 1.0


@dataclass
class _RunCache:
    """Classes of the rows of one history, as far as they have been computed."""

    history: RunHistory
    rows: int
    stride: int
    classes: np.ndarray


class StabilityCache:
    """Per-run classes, extended with only the new rows each time."""

    def __init__(self) -> None:
        self._runs: dict[int, _RunCache] = {}
        self.function: LossFunction | None = None

    def reset(self, function: LossFunction | None) -> None:
        self._runs.clear()
        self.function = function

    def classes(self, run: int, history: RunHistory) -> np.ndarray:
        cache = self._runs.get(run)
        n = len(history)
        if cache is None or cache.history is not history or cache.stride != history.stride \
                or n < cache.rows:
            cache = _RunCache(history, 0, history.stride, np.empty(0, dtype=np.int8))
            self._runs[run] = cache
        if n > cache.rows:
            new = stability_classes(
                self.function, history.positions[cache.rows:n], history.learning_rates[cache.rows:n]
            )
            cache.classes = np.concatenate([cache.classes, new])
            cache.rows = n
        return cache.classes[:n]


def segments_by_class(x, y, classes, box: Box) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each class, the segments (point s to s + 1, class of s) cut to ``box``, as pairs."""
    out = []
    x0, y0, x1, y1 = x[:-1], y[:-1], x[1:], y[1:]
    finite = np.isfinite(x0) & np.isfinite(y0) & np.isfinite(x1) & np.isfinite(y1)
    for code in range(len(CLASS_STYLES)):
        pick = finite & (classes[:-1] == code)
        cx0, cy0, cx1, cy1, hit = clip_segments(x0[pick], y0[pick], x1[pick], y1[pick], box)
        out.append((np.column_stack([cx0[hit], cx1[hit]]).ravel(),
                    np.column_stack([cy0[hit], cy1[hit]]).ravel()))
    return out


class StabilityOverlay(QObject):
    """Draws every run's path as segments coloured by class, with a legend, when switched on."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.cache = StabilityCache()
        self.enabled = False
        self.plot_item = window.canvas.plot_widget.getPlotItem()
        self.view_box = self.plot_item.getViewBox()
        # the curves and the legend are made when first switched on: most lessons never do
        self.curves: list[pg.PlotCurveItem] = []
        self.legend: pg.LegendItem | None = None
        self._samples: list[pg.PlotDataItem] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)

    def _make_items(self) -> None:
        for _color, _width, _text in CLASS_STYLES:
            curve = pg.PlotCurveItem()
            curve.setZValue(Z_OVERLAY)
            self.plot_item.addItem(curve, ignoreBounds=True)
            self.curves.append(curve)
        self.legend = pg.LegendItem(offset=(10, 10))
        self.legend.setParentItem(self.view_box)
        self._samples = [pg.PlotDataItem() for _ in CLASS_STYLES]
        for sample, (_c, _w, text) in zip(self._samples, CLASS_STYLES, strict=True):
            self.legend.addItem(sample, text)
        self.restyle()

    def set_enabled(self, on: bool) -> None:
        self.enabled = bool(on)
        if self.legend is None:
            if not self.enabled:
                return
            self._make_items()
        for item in (*self.curves, self.legend):
            item.setVisible(self.enabled)
        if self.enabled:
            self.refresh()

    def schedule(self, *_args) -> None:
        """Coalesce bursts of new rows and playhead moves into one repaint."""
        if self.enabled and not self._timer.isActive():
            self._timer.start()

    def spec_changed(self, *_args) -> None:
        self.cache.reset(None)
        self.schedule()

    def stop(self) -> None:
        self._timer.stop()

    def eventFilter(self, watched, event) -> bool:  # Qt override: theme or zoom changed
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self.restyle()
        return False

    def restyle(self) -> None:
        """Line widths follow the zoom; the legend gets a solid background to stay readable."""
        if self.legend is None:  # nothing made yet: made in the style of the moment
            return
        theme = current_theme()
        background = QColor(theme.background)
        background.setAlpha(225)
        self.legend.setBrush(pg.mkBrush(background))
        self.legend.setPen(pg.mkPen(theme.grid))
        self.legend.setLabelTextColor(theme.foreground)
        for _sample, label in self.legend.items:
            label.setText(label.text, color=theme.foreground)
        scale = ui_scale(self.window.canvas)
        for curve, sample, (color, width, _text) in zip(self.curves, self._samples, CLASS_STYLES,
                                                        strict=True):
            pen = make_pen(color, PATH_WIDTH * width * scale)
            curve.setPen(pen)
            sample.setPen(pen)

    def refresh(self) -> None:
        """Recolour every run's path up to the playhead."""
        if not self.enabled:
            return
        function = self.window.function()
        if function is None:
            return
        if self.cache.function is not function:
            self.cache.reset(function)
        (vx0, vx1), (vy0, vy1) = self.view_box.viewRange()
        box = Box(vx0, vx1, vy0, vy1).grown(DRAW_MARGIN)
        step = self.window.current_step()
        pieces: list[list] = [[], [], []]
        for run, history in enumerate(self.window.histories()):
            n = history.row_at_or_before(step) + 1
            if n < 2:
                continue
            classes = self.cache.classes(run, history)[:n]
            x, y = path_xy(function, history, n)
            for code, (sx, sy) in enumerate(segments_by_class(x, y, classes, box)):
                pieces[code].append((sx, sy))
        for curve, parts in zip(self.curves, pieces, strict=True):
            xs = np.concatenate([p[0] for p in parts]) if parts else np.empty(0)
            ys = np.concatenate([p[1] for p in parts]) if parts else np.empty(0)
            curve.setData(x=xs, y=ys, connect="pairs")


def path_xy(function: LossFunction, history: RunHistory, n: int):
    """Canvas coordinates of the first ``n`` rows: (w, L) in 1-D, (x, y) in 2-D."""
    positions = history.positions[:n]
    if function.dim == 1:
        return positions[:, 0].astype(float), history.losses[:n].astype(float)
    return positions[:, 0].astype(float), positions[:, 1].astype(float)


def install(window) -> StabilityOverlay:
    """Add View > Stability colours (a checkable action) driving the overlay."""
    existing = window.findChild(StabilityOverlay)
    if existing is not None:  # installed once per window
        return existing
    overlay = StabilityOverlay(window)
    action = QAction("Stability colours", window)
    action.setCheckable(True)
    action.setToolTip("Colour each step of every path by α·λmax: the rate times the steepest "
                      "curvature where the step starts (below 1, 1 to 2, above 2)")
    action.toggled.connect(overlay.set_enabled)
    window.menu("View").addAction(action)
    window.history_updated.connect(overlay.schedule)
    window.step_changed.connect(overlay.schedule)
    window.spec_changed.connect(overlay.spec_changed)
    window.canvas.installEventFilter(overlay)
    overlay.view_box.sigRangeChanged.connect(overlay.schedule)
    if hasattr(window, "about_to_close"):
        window.about_to_close.connect(overlay.stop)
    overlay.action = action
    return overlay
