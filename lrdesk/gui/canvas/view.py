"""The loss canvas: the surface, every run's path on it, and picking the start with the mouse.

In 1-D it draws the curve L(w) with each run's steps as points joined by segments (the classic
picture of steps that are too small, suitable or too large); in 2-D a heat map with contour
lines and each run's path as a line with its current point. The view shows the region of
interest of the function, widened smoothly to follow a run that swings away for its first
swings (``follow``); a button brings it back to the minimum.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from lrdesk.core.experiment.spec import RunSpec
from lrdesk.core.surfaces import LossFunction
from lrdesk.gui.canvas.follow import ease_share, eased, follow_limit, followed_extent, union
from lrdesk.gui.canvas.legend import LegendEntry, RunLegend, run_label
from lrdesk.gui.canvas.paths import RunPathItems
from lrdesk.gui.canvas.surface import Surface, make_surface
from lrdesk.gui.shared.formatting import format_number, format_step
from lrdesk.gui.shared.palette import Theme, current_theme, run_symbol
from lrdesk.gui.shared.path_geometry import Box
from lrdesk.gui.shared.plot_base import (
    GRID_ALPHA,
    RESTYLE_EVENTS,
    make_plot_widget,
    set_axis_label,
    sizes_for,
    style_plot,
)

Array = np.ndarray

#: how close (in pixels) the mouse must be to a path point to name its step
HOVER_RADIUS = 14.0
#: drawn geometry is cut this far (in view sizes) beyond what is on screen
DRAW_MARGIN = 1.0
HINT = (
    "Click or drag to move the start (○).  ★ is the lowest point."
)
#: milliseconds between two ticks of the view's move to a new box
MOVE_TICK_MS = 16
BACK_TEXT, FOLLOW_TEXT = "Back to the minimum", "Follow the runs out"


class _PickingViewBox(pg.ViewBox):
    """A view box where a left click or drag picks a point instead of panning or zooming."""

    picked = Signal(float, float)

    def mouseClickEvent(self, ev) -> None:  # Qt/pyqtgraph naming
        if ev.button() == pg.QtCore.Qt.MouseButton.LeftButton:
            ev.accept()
            self._pick(ev.scenePos())
        else:
            ev.ignore()

    def mouseDragEvent(self, ev, axis=None) -> None:
        if ev.button() != pg.QtCore.Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        self._pick(ev.scenePos())

    def wheelEvent(self, ev, axis=None) -> None:
        ev.ignore()  # the view stays on the region of interest

    def _pick(self, scene_pos: QPointF) -> None:
        point = self.mapSceneToView(scene_pos)
        self.picked.emit(point.x(), point.y())


class LossCanvas(QWidget):
    """The surface with the runs' paths; emits a new start point when the user picks one."""

    start_point_requested = Signal(tuple)
    #: frame-driven (``set_frame_driven``): the view has a new box to move to, one step a frame
    view_moving = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme: Theme = current_theme()
        self._function: LossFunction | None = None
        self._surface: Surface | None = None
        self._start: tuple[float, ...] | None = None
        self._paths: list[RunPathItems] = []
        self._last_pick: tuple[float, ...] | None = None
        self._view_box = _PickingViewBox(enableMenu=False)
        self.plot_widget = make_plot_widget(self, self._view_box)
        self.plot_widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.plot_widget.setToolTip("")
        self.legend = RunLegend(self.plot_widget.getPlotItem())
        self._run_labels: list[str] = []
        self.hover_label = QLabel(HINT, self)
        self.hover_label.setWordWrap(True)
        self.hover_label.setToolTip(
            "Where the mouse is on the plot, and the step of a run when you point at one."
        )
        #: the line under the plot: the hover readout, and room at its end for a view toggle
        self.footer = QHBoxLayout()
        self.footer.setContentsMargins(0, 0, 0, 0)
        self.footer.addWidget(self.hover_label, 1)
        #: the view widens to follow runs that swing away; this brings it back (and out again)
        self._extents: dict[int, object] = {}  # run -> Box of its followed points outside
        self._escaped: set[int] = set()  # runs that went past the widest view
        self._pinned = False  # the user asked for the region around the minimum
        self._shown_box: Box | None = None  # the box last asked of the view box
        self._target_box: Box | None = None
        self._frame_driven = False
        self._moved_at: float | None = None  # time of the move's last step
        self._move_timer = QTimer(self)
        self._move_timer.setInterval(MOVE_TICK_MS)
        self._move_timer.timeout.connect(self._move_tick)
        self.view_button = QToolButton(self)
        self.view_button.setText(BACK_TEXT)
        self.view_button.clicked.connect(self._toggle_pinned)
        policy = self.view_button.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # the line under the plot keeps its height
        self.view_button.setSizePolicy(policy)
        self.view_button.hide()
        self.footer.addWidget(self.view_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget, 1)
        layout.addLayout(self.footer)
        self._view_box.picked.connect(self._on_picked)
        self._view_box.sigResized.connect(self._redraw_all)
        self._view_box.sigRangeChanged.connect(self._redraw_all)
        self.plot_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plot_widget.viewport().installEventFilter(self)
        self._restyle()

    # --- public API ------------------------------------------------------------------------
    def set_function(self, function: LossFunction, start: tuple[float, ...]) -> None:
        """Draw ``function`` over its region of interest; clears the paths."""
        item = self.plot_widget.getPlotItem()
        if self._surface is not None:
            self._surface.remove()
        self._function = function
        self._surface = make_surface(item, function)
        self._view_box.setAspectLocked(self._surface.aspect_locked, ratio=1.0)
        # contour lines already give a heat map its scale; a grid would only add clutter
        show_grid = function.dim == 1
        item.showGrid(x=show_grid, y=show_grid, alpha=GRID_ALPHA)
        if function.dim == 1:
            self._set_labels("w", "loss  L(w)")
        else:
            self._set_labels("x", "y")
        self._extents.clear()
        self._escaped.clear()
        self._pinned = False
        self._move_timer.stop()
        self._show_box(self._surface.region)
        self._target_box = self._surface.region
        self._update_view_button()
        for path in self._paths:
            path.with_dots = function.dim == 1
            path.clear()
            path.set_status(None, None)
        self._surface.apply_style(self._theme, sizes_for(self))
        self._show_legend()
        self.set_start(start)
        self._redraw_all()

    def set_runs(self, colors: list[str]) -> None:
        """One empty path per run, in these colours. The items of the runs that stay (same
        place, same colour) are emptied and kept, only the others are made or dropped: a dragged
        rate slider restarts the runs many times a second, and adding one run to eight must not
        rebuild the other seven's items in one frame."""
        item = self.plot_widget.getPlotItem()
        with_dots = self._function is not None and self._function.dim == 1
        kept = 0
        for path, color in zip(self._paths, colors, strict=False):
            if (path.color, path.with_dots) != (color, with_dots):
                break
            kept += 1
        for path in self._paths[kept:]:
            path.remove(item)
        for path in self._paths[:kept]:
            restyle = path.verdict is not None
            path.clear()
            if restyle:
                path.set_status(None, None)
            self._redraw(path)
        if len(colors) != len(self._paths):
            self._forget_extents()
        made = [
            RunPathItems(item, color, with_dots, run_symbol(run))
            for run, color in enumerate(colors) if run >= kept
        ]
        self._paths = self._paths[:kept] + made
        sizes = sizes_for(self)
        for path in made:
            path.apply_style(self._theme, sizes)
        self._show_legend()

    def name_runs(self, runs: list[RunSpec]) -> None:
        """The runs' learning rates (and optimizers) for the key on the canvas."""
        self._run_labels = [run_label(number, run) for number, run in enumerate(runs, start=1)]
        self._show_legend()

    def _show_legend(self) -> None:
        entries = [
            LegendEntry(
                self._run_labels[run] if run < len(self._run_labels) else f"Run {run + 1}",
                path.color, path.symbol, path.verdict == "diverged",
            )
            for run, path in enumerate(self._paths)
        ]
        point_size = self.font().pointSizeF()
        self.legend.show(entries, self._theme, sizes_for(self), point_size if point_size > 0 else 9.0)

    def set_run_path(self, run: int, positions: Array, losses: Array, steps: Array) -> None:
        """Show run ``run`` up to the playhead: positions (n, dim), losses and steps (n,)."""
        if self._surface is None or not 0 <= run < len(self._paths):
            return
        dim = self._function.dim
        positions = np.asarray(positions, dtype=float)
        if positions.ndim == 1 and dim == 1:
            positions = positions[:, None]
        if positions.ndim != 2 or positions.shape[1] != dim:
            return  # rows of a function that is no longer shown
        steps = np.asarray(steps)
        n = min(len(positions), len(losses), len(steps))
        x, y = self._surface.path_xy(positions[:n], np.asarray(losses, dtype=float)[:n])
        steps = steps[:n]
        path = self._paths[run]
        if path.same_data(x, y, steps):
            return
        path.set_data(x, y, steps)
        self._redraw(path)
        self._follow(run, x, y)

    def set_run_status(self, run: int, verdict: str | None, event_step: int | None) -> None:
        """'diverged' turns the path to the alarm style with a marker where it was last seen."""
        if not 0 <= run < len(self._paths):
            return
        path = self._paths[run]
        path.set_status(verdict, event_step)
        self._redraw(path)
        self._show_legend()

    def set_start(self, start: tuple[float, ...]) -> None:
        self._start = tuple(float(v) for v in start)
        if self._surface is not None and len(self._start) == self._function.dim:
            self._surface.set_start(self._start)

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._restyle()

    # --- following the runs out -------------------------------------------------------------
    def target_box(self) -> Box | None:
        """The box the view shows or is moving to."""
        return self._target_box

    def view_at_rest(self) -> bool:
        """True when the view shows its target box (it is not moving)."""
        return self._shown_box == self._target_box

    def _follow(self, run: int, x: Array, y: Array) -> None:
        """Widen the view for run ``run``'s swings outside the region (up to the limit)."""
        region = self._surface.region
        extent, escaped = followed_extent(x, y, region, follow_limit(region, self._function.dim))
        if extent is None:
            self._extents.pop(run, None)
        else:
            self._extents[run] = extent
        if escaped:
            self._escaped.add(run)
        else:
            self._escaped.discard(run)
        self._retarget()

    def _forget_extents(self) -> None:
        self._extents.clear()
        self._escaped.clear()
        self._retarget()

    def _retarget(self) -> None:
        if self._surface is None:
            return
        region = self._surface.region
        target = region if self._pinned else union(region, list(self._extents.values()))
        self._update_view_button()
        if target == self._target_box:
            return
        self._target_box = target
        if self._frame_driven:
            self.view_moving.emit()
        elif not self._move_timer.isActive():
            self._move_timer.start()

    def set_frame_driven(self, on: bool) -> None:
        """Move the view one step per ``step_view`` call (each frame of the window's drawing)
        instead of on a timer of its own, so that the moves share the frames' pacing."""
        self._frame_driven = on
        if on:
            self._move_timer.stop()

    def step_view(self) -> bool:
        """One step of the view's move to its target; True while it has farther to go."""
        if self._target_box is None or self._shown_box is None:
            return False
        if self._shown_box == self._target_box:
            return False
        now = time.monotonic()
        since = now - self._moved_at if self._moved_at is not None else MOVE_TICK_MS / 1000
        # the first step after a pause moves as one tick would
        share = ease_share(min(since, 4 * MOVE_TICK_MS / 1000) if since > 0.5 else since)
        self._moved_at = now
        box, arrived = eased(self._shown_box, self._target_box, share)
        self._show_box(box)
        if arrived:
            self._moved_at = None
        return not arrived

    def _move_tick(self) -> None:
        if not self.step_view():
            self._move_timer.stop()

    def _show_box(self, box: Box) -> None:
        self._shown_box = box
        self._view_box.setRange(
            xRange=(box.x_min, box.x_max), yRange=(box.y_min, box.y_max), padding=0.0
        )

    def _toggle_pinned(self) -> None:
        self._pinned = not self._pinned
        self._retarget()

    def _update_view_button(self) -> None:
        self.view_button.setVisible(bool(self._extents))
        if self._pinned:
            self.view_button.setText(FOLLOW_TEXT)
            self.view_button.setToolTip("Widen the view again to follow the runs that swing away")
        else:
            self.view_button.setText(BACK_TEXT)
            self.view_button.setToolTip(
                "Show the region around the minimum again; runs that swing away leave the view"
            )

    # --- drawing ---------------------------------------------------------------------------
    def visible_box(self) -> Box:
        (x0, x1), (y0, y1) = self._view_box.viewRange()
        return Box(x0, x1, y0, y1)

    def _pixel_size(self) -> tuple[float, float]:
        try:
            width, height = self._view_box.viewPixelSize()
        except (ZeroDivisionError, ValueError):
            return 0.0, 0.0
        return (width, height) if math.isfinite(width) and math.isfinite(height) else (0.0, 0.0)

    def _redraw(self, path: RunPathItems) -> None:
        visible = self.visible_box()
        path.redraw(visible.grown(DRAW_MARGIN), visible, self._pixel_size())

    def _redraw_all(self, *_args) -> None:
        for path in self._paths:
            self._redraw(path)

    def _restyle(self) -> None:
        sizes = sizes_for(self)
        style_plot(self.plot_widget, self._theme, self.font())
        if self._surface is not None:
            self._surface.apply_style(self._theme, sizes)
        for path in self._paths:
            path.apply_style(self._theme, sizes)
        if hasattr(self, "legend"):
            self._show_legend()
        self.hover_label.setStyleSheet(f"color: {self._theme.muted};")

    def _set_labels(self, bottom: str, left: str) -> None:
        set_axis_label(self.plot_widget, "bottom", bottom, self._theme, self.font())
        set_axis_label(self.plot_widget, "left", left, self._theme, self.font())

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        super().changeEvent(event)
        if event.type() in RESTYLE_EVENTS:
            self._restyle()
            self._redraw_all()

    # --- the mouse -------------------------------------------------------------------------
    def _on_picked(self, x: float, y: float) -> None:
        if self._function is None:
            return
        region = self._surface.region
        point = (
            (_snap(x, region.width),)
            if self._function.dim == 1
            else (_snap(x, region.width), _snap(y, region.height))
        )
        if point == self._last_pick:
            return
        self._last_pick = point
        self.set_start(point)
        self.start_point_requested.emit(point)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        if self._surface is None or not self._view_box.sceneBoundingRect().contains(scene_pos):
            self.hover_label.setText(HINT)
            return
        at = self._view_box.mapSceneToView(scene_pos)
        text = self._surface.describe(at.x(), at.y())
        near = self._nearest_step(at.x(), at.y())
        self.hover_label.setText(f"{text}    ·    {near}" if near else text)

    def _nearest_step(self, at_x: float, at_y: float) -> str:
        pixel_size = self._pixel_size()
        best = (HOVER_RADIUS, -1, -1)
        for run, path in enumerate(self._paths):
            index, distance = path.nearest_index(at_x, at_y, pixel_size)
            if index >= 0 and distance <= best[0]:
                best = (distance, run, index)
        _, run, index = best
        if run < 0:
            return ""
        path = self._paths[run]
        return (
            f"run {run + 1}, step {format_step(int(path.steps[index]))}: "
            f"loss {format_number(self._loss_at(path, index), 4)}"
        )

    def _loss_at(self, path: RunPathItems, index: int) -> float:
        if self._function.dim == 1:
            return float(path.y[index])
        point = np.array([[path.x[index], path.y[index]]])
        with np.errstate(all="ignore"):
            return float(self._function.value(np.asfortranarray(point))[0])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.Leave:
            self.hover_label.setText(HINT)
        elif event.type() == QEvent.Type.MouseButtonRelease:
            self._last_pick = None
        return super().eventFilter(watched, event)


def _snap(value: float, span: float) -> float:
    """Round a picked coordinate to a tidy number: about 1/200 of the view, in decimals."""
    if not math.isfinite(value) or span <= 0:
        return value
    decimals = max(0, -math.floor(math.log10(span / 200.0)))
    return round(value, decimals)
