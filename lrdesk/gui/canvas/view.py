"""The loss canvas: the surface, every run's path on it, and picking the start with the mouse.

In 1-D it draws the curve L(w) with each run's steps as points joined by segments (the classic
picture of steps that are too small, suitable or too large); in 2-D a heat map with contour
lines and each run's path as a line with its current point. The view shows the region of
interest of the function, widened smoothly to follow a run that swings away for its first
swings (``follow``); a button brings it back to the minimum.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from lrdesk.core.experiment.spec import RunSpec
from lrdesk.core.surfaces import LossFunction
from lrdesk.gui.canvas.legend import LegendEntry, RunLegend, run_label
from lrdesk.gui.canvas.paths import RunPathItems
from lrdesk.gui.canvas.surface import Surface, make_surface
from lrdesk.gui.canvas.view_follow import FollowingView
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
        #: the view widens to follow runs that swing away; its button brings it back (and out)
        self.follower = FollowingView(self._view_box, self)
        self.follower.moving.connect(self.view_moving)
        self.view_button = self.follower.button
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
        self.follower.reset(self._surface.region, function.dim)
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
            self.follower.forget()
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
        self.follower.follow(run, x, y)

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

    # --- following the runs out (FollowingView) ---------------------------------------------
    def target_box(self) -> Box | None:
        """The box the view shows or is moving to."""
        return self.follower.target_box()

    def view_at_rest(self) -> bool:
        """True when the view shows its target box (it is not moving)."""
        return self.follower.at_rest()

    def set_frame_driven(self, on: bool) -> None:
        """Move the view one step per ``step_view`` call (each frame of the window's drawing)
        instead of on a timer of its own, so that the moves share the frames' pacing."""
        self.follower.set_frame_driven(on)

    def step_view(self) -> bool:
        """One step of the view's move to its target; True while it has farther to go."""
        return self.follower.step()

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
