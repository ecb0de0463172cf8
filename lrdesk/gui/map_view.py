"""The regime map view: the verdict of a full run in every cell of learning rate x something.

The learning rate goes across (log scale); up goes the momentum, the condition number of the
narrow valley, or the start point. Each cell is coloured by its verdict (or, in "speed" mode, by
the steps it needed to converge); theory's stable limit is drawn over it, so the learner sees
theory and experiment agree. Hovering reads a cell out; clicking loads it as a run.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from lrdesk.core.engine import VERDICTS
from lrdesk.core.regime import (
    AXIS_TITLES,
    MapAxis,
    MapChoice,
    MapError,
    RegimeMap,
    axis_values,
    default_range,
    map_key,
    regime_map,
)
from lrdesk.core.spec import ExperimentSpec
from lrdesk.gui.controls_fields import NumberBox
from lrdesk.gui.formatting import format_number, format_rate, format_step
from lrdesk.gui.palette import Theme, current_theme
from lrdesk.gui.plot_common import make_pen, set_axis_label, style_plot, ui_scale
from lrdesk.gui.sweep_plot import (
    NOT_CONVERGED,
    SPEED_MAP,
    LogAxis,
    cell_colors,
    cell_extent,
    plain_axis,
    plot_units,
    verdict_legend_html,
)
from lrdesk.gui.sweep_view import rounded_range
from lrdesk.gui.sweep_worker import CloseWatcher, RunBar, SweepRunner

UP_AXES = (("momentum", "Momentum μ"), ("condition", "Condition number κ (narrow valley)"),
           ("start", "Start point"))
class MapView(QWidget):
    """A 2-D regime map of the current experiment, computed on its own worker thread."""

    configuration_chosen = Signal(object)  # a MapChoice
    map_finished = Signal(object)  # the RegimeMap, complete or cancelled

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mapView")
        self._spec: ExperimentSpec | None = None
        self._run_index = 0
        self._result: RegimeMap | None = None
        self._shown_key: tuple | None = None
        self._holding = False
        self._frame: tuple | None = None
        self._theme = current_theme()
        self.runner = SweepRunner(self)
        self._build()
        self._connect()
        self._reset_y_range()

    # --- building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.up_box = QComboBox(self)
        for key, title in UP_AXES:
            self.up_box.addItem(title, key)
        self.up_box.setToolTip("What changes from the bottom of the map to the top")
        self.show_box = QComboBox(self)
        self.show_box.addItems(["Verdict", "Speed (steps to converge)"])
        self.show_box.setToolTip("Colour each cell by how its run ended, or by how fast it "
                                 "converged")
        self.nx_box = self._count_box(120, "Cells across (learning rates)")
        self.ny_box = self._count_box(60, "Cells up")
        self.lr_low = NumberBox(1e-12, 1e6, 1e-3, self)
        self.lr_low.setToolTip("The smallest learning rate (left edge)")
        self.lr_high = NumberBox(1e-12, 1e6, 1.0, self)
        self.lr_high.setToolTip("The largest learning rate (right edge)")
        self.y_low = NumberBox(-1e12, 1e12, 0.0, self)
        self.y_low.setToolTip("The bottom edge of the map")
        self.y_high = NumberBox(-1e12, 1e12, 0.99, self)
        self.y_high.setToolTip("The top edge of the map")
        self.run_bar = RunBar("Run map", "Run a full run in every cell (Ctrl+Return)", self)
        self.plot_widget = pg.PlotWidget(
            self, axisItems={"bottom": LogAxis("bottom"), "left": plain_axis("left")}
        )
        self.plot_widget.setMinimumHeight(200)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.boundary = pg.PlotCurveItem()
        self.boundary_halo = pg.PlotCurveItem()
        self.marker = pg.PlotCurveItem()
        item = self.plot_widget.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        for thing in (self.image, self.boundary_halo, self.boundary, self.marker):
            item.addItem(thing)
        self.legend = QLabel(self)
        self.legend.setWordWrap(True)
        self.readout = QLabel("Press Run map to fill in every cell.", self)
        self.readout.setWordWrap(True)
        self._lay_out()
        self.set_theme(self._theme)

    def _count_box(self, value: int, tip: str) -> QSpinBox:
        box = QSpinBox(self)
        box.setRange(2, 1000)
        box.setValue(value)
        box.setSingleStep(10)
        box.setAccelerated(True)
        box.setToolTip(tip)
        return box

    def _lay_out(self) -> None:
        rows = [
            (("Up", self.up_box), ("Show", self.show_box), ("Cells", self.nx_box),
             ("x", self.ny_box)),
            (("Rate from", self.lr_low), ("to", self.lr_high), ("Up from", self.y_low),
             ("to", self.y_high)),
        ]
        layout = QVBoxLayout(self)
        for row in rows:
            line = QHBoxLayout()
            for text, widget in row:
                label = QLabel(text, self)
                label.setBuddy(widget)
                line.addWidget(label)
                line.addWidget(widget)
            line.addStretch(1)
            layout.addLayout(line)
        layout.addWidget(self.run_bar)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.legend)
        layout.addWidget(self.readout)
        run = QAction("Run map", self)
        run.setShortcut(QKeySequence("Ctrl+Return"))
        run.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        run.triggered.connect(self.run_map)
        self.addAction(run)

    def _connect(self) -> None:
        self.run_bar.run_clicked.connect(self.run_map)
        self.run_bar.cancel_clicked.connect(self.runner.cancel)
        self.up_box.currentIndexChanged.connect(self._reset_y_range)
        self.show_box.currentIndexChanged.connect(self._redraw)
        self.runner.partial_result.connect(self._on_partial)
        self.runner.result_ready.connect(self._on_result)
        self.runner.failed.connect(lambda message: self.readout.setText(
            f"The map stopped: {message}"))
        self.runner.busy_changed.connect(self.run_bar.set_busy)
        scene = self.plot_widget.scene()
        scene.sigMouseMoved.connect(self._on_move)
        scene.sigMouseClicked.connect(self._on_click)

    # --- public API ----------------------------------------------------------------------
    def set_spec(self, spec: ExperimentSpec, run_index: int = 0) -> None:
        """Use this experiment for the next map; a map of other settings is cleared."""
        old = self._spec
        self._spec, self._run_index = spec, run_index
        if self._holding:
            return
        if self._shown_key is not None and map_key(spec, run_index, self._shown_key[0]) != \
                self._shown_key:
            self.clear()
        if old is None or (old.function, old.function_params, old.start) != (
                spec.function, spec.function_params, spec.start):
            self._reset_lr_range()
            self._reset_y_range()

    def clear(self) -> None:
        self.runner.cancel()
        self._result = None
        self._shown_key = None
        self._frame = None
        self.image.clear()
        for curve in (self.boundary, self.boundary_halo, self.marker):
            curve.setData(x=[], y=[])
        self.legend.setText("")
        self.run_bar.set_progress(0, 1)
        self.run_bar.progress.setFormat("ready")
        self.readout.setText("Press Run map to fill in every cell.")

    @contextlib.contextmanager
    def holding(self):
        """Take in spec changes without clearing the map (while a clicked cell is loaded in
        several steps), then judge the final spec once."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
            if self._spec is not None:
                self.set_spec(self._spec, self._run_index)

    def set_axis(self, name: str) -> None:
        self.up_box.setCurrentIndex([key for key, _ in UP_AXES].index(name))

    def set_cells(self, across: int, up: int) -> None:
        self.nx_box.setValue(across)
        self.ny_box.setValue(up)

    def set_lr_range(self, low: float, high: float) -> None:
        self.lr_low.setValue(low)
        self.lr_high.setValue(high)

    def set_y_range(self, low: float, high: float) -> None:
        self.y_low.setValue(low)
        self.y_high.setValue(high)

    def set_speed_mode(self, on: bool) -> None:
        self.show_box.setCurrentIndex(1 if on else 0)

    def result(self) -> RegimeMap | None:
        return self._result

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        style_plot(self.plot_widget, theme, self.font())
        scale = ui_scale(self)
        self.boundary.setPen(make_pen(theme.foreground, 2.2 * scale, dashed=True))
        self.boundary_halo.setPen(make_pen(theme.background, 5.0 * scale))
        self.marker.setPen(make_pen(theme.foreground, 2.0 * scale))
        self._redraw()

    def run_map(self) -> None:
        axes = self._axes()
        if axes is None:
            return
        x, y = axes
        spec, run_index = self._spec, self._run_index

        def job(progress, cancel):
            return regime_map(spec, x, y, run_index, progress=progress, cancel=cancel)

        self._result = None
        self._frame = None
        self._shown_key = map_key(spec, run_index, y.name)
        self.readout.setText(f"Running {len(x.values) * len(y.values):,} cells of "
                             f"{format_step(spec.steps)} steps each...")
        self.run_bar.set_progress(0, spec.steps)
        self.runner.start(job)

    def cancel(self) -> None:
        self.runner.cancel()

    def shutdown(self) -> None:
        self.runner.shutdown()

    def closeEvent(self, event) -> None:  # Qt override
        self.shutdown()
        super().closeEvent(event)

    def changeEvent(self, event) -> None:  # Qt override: the window switched theme
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and current_theme() is not self._theme:
            self.set_theme(current_theme())

    # --- running -------------------------------------------------------------------------
    def _up_name(self) -> str:
        return self.up_box.currentData()

    def _reset_lr_range(self) -> None:
        if self._spec is not None:
            with contextlib.suppress(ValueError):
                self.set_lr_range(*rounded_range(*default_range("lr", self._spec)))

    def _reset_y_range(self, *_args) -> None:
        name = self._up_name()
        spec = self._spec or ExperimentSpec()
        try:
            self.set_y_range(*default_range(name, spec))
        except ValueError:
            return

    def _axes(self) -> tuple[MapAxis, MapAxis] | None:
        if self._spec is None:
            self.readout.setText("No experiment yet.")
            return None
        name = self._up_name()
        try:
            self._spec.validate()
            x = MapAxis("lr", axis_values("lr", self.nx_box.value(), self.lr_low.value(),
                                          self.lr_high.value()))
            y = MapAxis(name, axis_values(name, self.ny_box.value(), self.y_low.value(),
                                          self.y_high.value()))
        except (MapError, ValueError) as exc:
            self.readout.setText(f"Cannot make this map: {exc}")
            return None
        return x, y

    def _on_partial(self, result: RegimeMap) -> None:
        self._result = result
        self.run_bar.set_progress(result.steps_done, result.total_steps)
        self._redraw()

    def _on_result(self, result: RegimeMap) -> None:
        self._on_partial(result)
        self.run_bar.set_progress(result.steps_done, result.total_steps, result.cancelled)
        counts = {name: int(np.sum(result.verdict == code)) for code, name in enumerate(VERDICTS)}
        text = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
        self.readout.setText(f"{result.verdict.size:,} cells: {text}. Hover to read a cell, "
                             "click to load it as a run.")
        self.map_finished.emit(result)

    # --- drawing -------------------------------------------------------------------------
    def _redraw(self, *_args) -> None:
        result = self._result
        if result is None:
            return
        speed = self.show_box.currentIndex() == 1
        self.image.setImage(cell_colors(result, speed, self._theme), autoLevels=False)
        x0, dx = cell_extent(result.x)
        y0, dy = cell_extent(result.y)
        rect = QRectF(x0, y0, dx * len(result.x.values), dy * len(result.y.values))
        self.image.setRect(rect)
        frame = (result.x.name, result.y.name, rect.getRect(), speed, self._theme.name)
        if frame != self._frame:  # axes, range and legend change only with a new map
            self._frame = frame
            self._set_frame(result, rect, speed)

    def _set_frame(self, result: RegimeMap, rect: QRectF, speed: bool) -> None:
        bx = plot_units(result.x, result.boundary_x)
        by = plot_units(result.y, result.boundary_y)
        for curve in (self.boundary_halo, self.boundary):
            curve.setData(x=bx, y=by)
        self._use_left_axis(result.y.log)
        set_axis_label(self.plot_widget, "bottom", result.x.title, self._theme, self.font())
        set_axis_label(self.plot_widget, "left", self._axis_title(result.y), self._theme,
                       self.font())
        self.plot_widget.getPlotItem().getViewBox().setRange(
            xRange=(rect.left(), rect.right()), yRange=(rect.top(), rect.bottom()), padding=0.0
        )
        self.legend.setText(self._legend_text(result, speed))

    def _use_left_axis(self, log: bool) -> None:
        item = self.plot_widget.getPlotItem()
        if isinstance(item.getAxis("left"), LogAxis) != log:
            item.setAxisItems({"left": LogAxis("left") if log else plain_axis("left")})
            style_plot(self.plot_widget, self._theme, self.font())

    def _axis_title(self, axis: MapAxis) -> str:
        if axis.name != "start" or self._spec is None:
            return axis.title
        if len(self._spec.start) == 1:
            return "start point w"
        rest = ", ".join(format_number(v) for v in self._spec.start[1:])
        return f"start point x (y = {rest})"

    def _legend_text(self, result: RegimeMap, speed: bool) -> str:
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

    # --- pointing --------------------------------------------------------------------------
    def cell_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        result = self._result
        view = self.plot_widget.getPlotItem().getViewBox()
        if result is None or not view.sceneBoundingRect().contains(scene_pos):
            return None
        p = view.mapSceneToView(scene_pos)
        x0, dx = cell_extent(result.x)
        y0, dy = cell_extent(result.y)
        ix, iy = math.floor((p.x() - x0) / dx), math.floor((p.y() - y0) / dy)
        ny, nx = result.verdict.shape
        return (iy, ix) if 0 <= ix < nx and 0 <= iy < ny else None

    def describe_cell(self, iy: int, ix: int) -> str:
        r = self._result
        rate = format_rate(float(r.x.values[ix] if r.x.name == "lr" else r.y.values[iy]))
        other_axis, other = (r.y, r.y.values[iy]) if r.x.name == "lr" else (r.x, r.x.values[ix])
        name = r.verdict_name(iy, ix)
        step = int(r.verdict_step[iy, ix])
        if name == "converged":
            what = f"converged in {format_step(step)} steps"
        elif name == "running":
            what = "still running"
        else:
            what = f"{name} (step {format_step(step)})"
        return (f"α = {rate}, {AXIS_TITLES[other_axis.name]} = {format_number(other, 4)}: "
                f"{what}, final loss {format_number(r.final_loss[iy, ix])}. Click to load it.")

    def _on_move(self, scene_pos: QPointF) -> None:
        cell = self.cell_at(scene_pos)
        if cell is None:
            return
        iy, ix = cell
        self.readout.setText(self.describe_cell(iy, ix))
        x0, dx = cell_extent(self._result.x)
        y0, dy = cell_extent(self._result.y)
        left, bottom = x0 + ix * dx, y0 + iy * dy
        self.marker.setData(x=[left, left + dx, left + dx, left, left],
                            y=[bottom, bottom, bottom + dy, bottom + dy, bottom])

    def _on_click(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        cell = self.cell_at(event.scenePos())
        if cell is not None and self._result.chooser is not None:
            self.configuration_chosen.emit(self._result.choice(*cell))


# ------------------------------------------------------------------------------------------
# Installing into the main window
# ------------------------------------------------------------------------------------------
def install(window) -> MapView:
    """Add the regime map as a dock with a Tools menu action (Ctrl+Shift+M)."""
    existing = window.findChild(MapView)
    if existing is not None:  # installed once per window
        return existing
    view = MapView(window)
    dock = window.add_panel(view, "Regime map", Qt.DockWidgetArea.BottomDockWidgetArea)
    dock.hide()
    action = QAction("Regime map", window)
    action.setShortcut(QKeySequence("Ctrl+Shift+M"))
    action.setToolTip("Colour a grid of learning rates against momentum, valley shape or start "
                      "by how each full run ends")
    action.triggered.connect(lambda: _show(dock, view, window))
    window.menu("Tools").addAction(action)
    view.set_spec(window.spec(), _selected(window))
    window.spec_changed.connect(lambda spec: view.set_spec(spec, _selected(window)))
    if hasattr(window, "run_selected"):
        window.run_selected.connect(lambda index: view.set_spec(window.spec(), index))
    view.configuration_chosen.connect(lambda choice: apply_choice(window, choice, view))
    if hasattr(window, "about_to_close"):
        window.about_to_close.connect(view.shutdown)
    window.installEventFilter(CloseWatcher(view))
    view.install_action = action
    return view


def apply_choice(window, choice: MapChoice, view: MapView | None = None) -> None:
    """Load a clicked cell: a new run, switching to the valley first for a condition map."""
    if view is not None:
        with view.holding():
            apply_choice(window, choice)
        return
    if choice.function is None:
        window.add_run(choice.run)
        return
    spec = window.spec()
    # runs with their own start of another dimension cannot follow the switch of surface
    kept = tuple(r for r in spec.runs if r.start is None or len(r.start) == len(choice.start))
    try:
        window.set_spec(replace(spec, function=choice.function, expression="",
                                function_params=choice.function_params, start=choice.start,
                                runs=kept or (choice.run,)))
    except ValueError as exc:
        window.statusBar().showMessage(f"Cannot load this cell: {exc}.", 6000)
        return
    if kept:
        window.add_run(choice.run)


def _selected(window) -> int:
    try:
        return max(0, int(window.selected_run()))
    except (AttributeError, TypeError, ValueError):
        return 0


def _show(dock, view, window) -> None:
    view.set_spec(window.spec(), _selected(window))
    dock.show()
    dock.raise_()
    view.run_bar.run_button.setFocus()
