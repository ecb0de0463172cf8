"""The regime map view: the verdict of a full run in every cell of learning rate x something.

The learning rate goes across (log scale); up goes the momentum, the condition number of the
narrow valley, or the start point. Each cell is coloured by its verdict (or, in "speed" mode, by
the steps it needed to converge); theory's stable limit is drawn over it, so the learner sees
theory and experiment agree. Hovering reads a cell out; clicking loads it as a run.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QSpinBox, QVBoxLayout, QWidget

from lrdesk.core.engine.batch import VERDICTS
from lrdesk.core.experiment.spec import ExperimentSpec
from lrdesk.core.sweeps.regime import (
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
from lrdesk.gui.shared.fields import NumberBox
from lrdesk.gui.shared.formatting import format_number, format_step
from lrdesk.gui.shared.link import DockSite, ExperimentLink
from lrdesk.gui.shared.palette import Theme
from lrdesk.gui.shared.plot_base import ui_scale
from lrdesk.gui.sweeps.common import (
    MAP_TOOL,
    RunnerView,
    exact_rate,
    install_docked,
    installed_view,
    labelled_row,
    readable_rate,
    rounded_range,
)
from lrdesk.gui.sweeps.live_map import MapFollower
from lrdesk.gui.sweeps.map_plot import MapPlot, map_legend_html
from lrdesk.gui.sweeps.plot import LogAxis, plain_axis
from lrdesk.gui.sweeps.worker import RunBar

UP_AXES = (("momentum", "Momentum μ"), ("condition", "Condition number κ (narrow valley)"),
           ("start", "Start point"))


class MapView(RunnerView):
    """A 2-D regime map of the current experiment, computed on its own worker thread."""

    ready_text = "Press Run map to fill in every cell."
    job_name = "map"

    configuration_chosen = Signal(object)  # a MapChoice
    map_finished = Signal(object)  # the RegimeMap, complete or cancelled

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mapView")
        self._holding = False
        self.follower = MapFollower(self)  # a quick finished map re-runs on a change
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
        self.plot = MapPlot(self.plot_widget)
        self.legend = QLabel(self)
        self.legend.setWordWrap(True)
        self.readout = QLabel(self.ready_text, self)
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
            layout.addLayout(labelled_row(self, row))
        layout.addWidget(self.run_bar)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.legend)
        layout.addWidget(self.readout)
        self._add_run_shortcut("Run map", self.run_map)

    def _connect(self) -> None:
        self._connect_runner(self.run_map)
        self.up_box.currentIndexChanged.connect(self._reset_y_range)
        self.show_box.currentIndexChanged.connect(self._redraw)
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
                self._shown_key and not self.follower.request():
            self.clear()
        if old is None or (old.function, old.function_params, old.start) != (
                spec.function, spec.function_params, spec.start):
            self._reset_lr_range()
            self._reset_y_range()

    def clear(self) -> None:
        self.follower.stop()
        self.runner.cancel()
        self._result = None
        self._shown_key = None
        self.plot.clear()
        self.legend.setText("")
        self._reset_run_bar()

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
        self.plot.set_theme(theme, self.font(), ui_scale(self))
        self._redraw()

    def run_map(self, follow_up: bool = False) -> None:
        """Run the map; a ``follow_up`` of a change keeps the old map shown until it is done."""
        axes = self._axes()
        if axes is None:
            return
        x, y = axes
        spec, run_index = self._spec, self._run_index

        def job(progress, cancel):
            return regime_map(spec, x, y, run_index, progress=progress, cancel=cancel)

        if not follow_up:
            self._result = None
        self.follower.started(follow_up, len(x.values) * len(y.values), spec.steps)
        self.plot.forget_frame()
        self._shown_key = map_key(spec, run_index, y.name)
        self.readout.setText(f"Running {len(x.values) * len(y.values):,} cells of "
                             f"{format_step(spec.steps)} steps each...")
        self.run_bar.set_progress(0, spec.steps)
        self.runner.start(job)

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
        if self._no_experiment():
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
        if self.follower.quiet:  # the map on screen stays until its follow-up is complete
            self.run_bar.set_progress(result.steps_done, result.total_steps)
            return
        super()._on_partial(result)

    def _on_failed(self, message: str) -> None:
        self.follower.stop()
        super()._on_failed(message)

    def _on_result(self, result: RegimeMap) -> None:
        self.follower.finished(result)
        self._show_final(result)
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
        if self.plot.show(result, speed, self._theme, self.font(), self._axis_title(result.y)):
            self.legend.setText(map_legend_html(result, speed))

    def _axis_title(self, axis: MapAxis) -> str:
        if axis.name != "start" or self._spec is None:
            return axis.title
        if len(self._spec.start) == 1:
            return "start point w"
        rest = ", ".join(format_number(v) for v in self._spec.start[1:])
        return f"start point x (y = {rest})"

    # --- pointing --------------------------------------------------------------------------
    def cell_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        return self.plot.cell_at(self._result, scene_pos)

    def describe_cell(self, iy: int, ix: int) -> str:
        r = self._result
        rate = readable_rate(float(r.x.values[ix] if r.x.name == "lr" else r.y.values[iy]))
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
        self.show_cell(*cell)

    def show_cell(self, iy: int, ix: int) -> None:
        """Read out cell (iy, ix), its rate rounded, every digit of it in the tooltip."""
        r = self._result
        self.readout.setText(self.describe_cell(iy, ix))
        exact = float(r.x.values[ix] if r.x.name == "lr" else r.y.values[iy])
        self.readout.setToolTip(f"α = {exact_rate(exact)} exactly")
        self.plot.mark_cell(r, iy, ix)

    def _on_click(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        cell = self.cell_at(event.scenePos())
        if cell is not None and self._result.chooser is not None:
            self.configuration_chosen.emit(self._result.choice(*cell))


# ------------------------------------------------------------------------------------------
# Installing into the main window
# ------------------------------------------------------------------------------------------
def install(link: ExperimentLink, site: DockSite) -> MapView:
    """Add the regime map as a dock with a Tools menu action (Ctrl+Shift+M); a clicked cell goes
    back through ``link``. Returns the view (the one already made, if any)."""
    view = installed_view(site, MAP_TOOL, MapView)
    if view is None:  # installed once per window
        view = MapView()
        install_docked(link, site, view, MAP_TOOL)
        view.configuration_chosen.connect(lambda choice: apply_choice(link, choice, view))
    return view


def apply_choice(link: ExperimentLink, choice: MapChoice, view: MapView | None = None) -> None:
    """Ask for a clicked cell: a new run, switching to the valley first for a condition map."""
    if view is not None:
        with view.holding():
            apply_choice(link, choice)
        return
    if choice.function is None:
        link.run_wanted.emit(choice.run)
        return
    spec = link.spec()
    # runs with their own start of another dimension cannot follow the switch of surface
    kept = tuple(r for r in spec.runs if r.start is None or len(r.start) == len(choice.start))
    wanted = replace(spec, function=choice.function, expression="",
                     function_params=choice.function_params, start=choice.start,
                     runs=kept or (choice.run,))
    link.spec_wanted.emit(wanted, "Cannot load this cell")
    if kept and link.spec() == wanted:  # the window took the valley: add the cell's run
        link.run_wanted.emit(choice.run)
