"""The schedule picture: α over the steps for every run, in the run's colour, with the steps
where a step decay cuts the rate (and where a warm-up ends) marked; a run can be given a
schedule of its own here, so "constant vs cosine" plays side by side."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QComboBox, QDockWidget, QLabel, QVBoxLayout, QWidget

from lrdesk.core.experiment.spec import ExperimentSpec
from lrdesk.core.optim.schedules import SCHEDULE_TITLES, SCHEDULES, ScheduleSpec
from lrdesk.gui.shared.link import DockSite, ExperimentLink
from lrdesk.gui.shared.palette import Theme, current_theme, run_color
from lrdesk.gui.shared.plot_base import make_pen, set_axis_label, style_plot, ui_scale
from lrdesk.gui.sweeps.common import labelled_row, readable_rate

TITLE = "Schedule"
SAME_AS_EXPERIMENT = "the experiment's"


def rates_over_steps(spec: ExperimentSpec, run_index: int) -> tuple[np.ndarray, np.ndarray]:
    """(steps 0..N-1, the rate each takes): α · the schedule's factor, torch's semantics."""
    run = spec.runs[run_index]
    steps = np.arange(spec.steps)
    return steps, run.learning_rate * spec.schedule_of(run).factors(0, spec.steps)


def cut_steps(schedule: ScheduleSpec, steps: int) -> list[int]:
    """The steps where a step decay multiplies the rate by γ (and where a warm-up ends)."""
    cuts = [schedule.warmup_steps] if 0 < schedule.warmup_steps < steps else []
    if schedule.kind == "step":
        size = int(schedule.param("step_size"))
        cuts += list(range(schedule.warmup_steps + size, steps, size))
    return sorted(set(cuts))


def own_schedule(kind: str, steps: int) -> ScheduleSpec:
    """A schedule of ``kind`` fitted to a run of ``steps`` steps (cosine over the whole run,
    step decay halving four times)."""
    params = dict(SCHEDULES[kind])
    if kind == "cosine":
        params["t_max"] = float(max(1, steps))
    if kind == "step":
        params["step_size"] = float(max(1, steps // 4))
    return ScheduleSpec(kind, tuple(sorted(params.items())))


class ScheduleView(QWidget):
    """The picture, and a choice of schedule for one run; asks for it as ``schedule_chosen``."""

    schedule_chosen = Signal(int, object)  # run index, its ScheduleSpec (None: the experiment's)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scheduleView")
        self._spec: ExperimentSpec | None = None
        self._theme = current_theme()
        self.plot_widget = pg.PlotWidget(self)
        self.plot_widget.setMinimumHeight(160)
        item = self.plot_widget.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.showGrid(x=True, y=True, alpha=0.3)
        item.getAxis("left").enableAutoSIPrefix(False)
        self.curves: list[pg.PlotDataItem] = []
        self.cut_lines: list[pg.InfiniteLine] = []
        self.run_box = QComboBox(self)
        self.run_box.setToolTip("The run to give a schedule of its own")
        self.schedule_box = QComboBox(self)
        self.schedule_box.addItem(SAME_AS_EXPERIMENT, None)
        for kind, title in SCHEDULE_TITLES.items():
            self.schedule_box.addItem(title, kind)
        self.schedule_box.setToolTip("This run's schedule: the experiment's (set under "
                                     "Experiment), or one of its own")
        self.legend = QLabel(self)
        self.legend.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(labelled_row(self, (("Run", self.run_box),
                                             ("schedule", self.schedule_box))))
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.legend)
        self.run_box.currentIndexChanged.connect(self._show_choice)
        self.schedule_box.activated.connect(self._choose)
        self.set_theme(self._theme)

    # --- public API -------------------------------------------------------------------------
    def set_spec(self, spec: ExperimentSpec) -> None:
        self._spec = spec
        run = max(0, self.run_box.currentIndex())
        self.run_box.blockSignals(True)
        self.run_box.clear()
        self.run_box.addItems([f"{n}" for n in range(1, len(spec.runs) + 1)])
        self.run_box.setCurrentIndex(min(run, len(spec.runs) - 1))
        self.run_box.blockSignals(False)
        self._show_choice()
        self._redraw()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        style_plot(self.plot_widget, theme, self.font())
        set_axis_label(self.plot_widget, "bottom", "step", theme, self.font())
        set_axis_label(self.plot_widget, "left", "learning rate α", theme, self.font())
        self._redraw()

    def changeEvent(self, event) -> None:  # Qt override: the window switched theme
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and current_theme() is not self._theme:
            self.set_theme(current_theme())

    # --- drawing ----------------------------------------------------------------------------
    def _redraw(self) -> None:
        spec, item = self._spec, self.plot_widget.getPlotItem()
        for thing in (*self.curves, *self.cut_lines):
            item.removeItem(thing)
        self.curves, self.cut_lines = [], []
        if spec is None:
            return
        # a linear axis: a cosine's approach to 0 and a step decay's halvings read as they are
        width = 2.0 * ui_scale(self.plot_widget)
        for index in range(len(spec.runs)):
            steps, rate = rates_over_steps(spec, index)
            # step s's rate holds from s to s + 1: a step decay's cut is an upright drop
            edges = np.append(steps, spec.steps)
            curve = pg.PlotDataItem(edges, rate, stepMode="center",
                                    pen=make_pen(run_color(index), width))
            item.addItem(curve)
            self.curves.append(curve)
        schedules = {spec.schedule_of(run) for run in spec.runs}
        for step in sorted({c for s in schedules for c in cut_steps(s, spec.steps)}):
            line = pg.InfiniteLine(step, angle=90, movable=False,
                                   pen=make_pen(self._theme.muted, 1.2, dashed=True))
            item.addItem(line, ignoreBounds=True)
            self.cut_lines.append(line)
        self.legend.setText(self._legend_html(spec))

    def _legend_html(self, spec: ExperimentSpec) -> str:
        parts = []
        for index, run in enumerate(spec.runs):
            own = "" if run.schedule is not None else " (the experiment's)"
            parts.append(f"<span style='color:{run_color(index)}'>&#9644;</span>&nbsp;run "
                         f"{index + 1}: α = {readable_rate(run.learning_rate)}, "
                         f"{spec.schedule_of(run).describe().lower()}{own}")
        if self.cut_lines:
            parts.append("- - - the rate is cut (step decay) or the warm-up ends")
        return "<br>".join(parts)

    # --- choosing ---------------------------------------------------------------------------
    def _show_choice(self, *_args) -> None:
        spec, run = self._spec, self.run_box.currentIndex()
        if spec is None or not 0 <= run < len(spec.runs):
            return
        own = spec.runs[run].schedule
        index = 0 if own is None else self.schedule_box.findData(own.kind)
        self.schedule_box.setCurrentIndex(max(index, 0))

    def _choose(self, index: int) -> None:
        spec, run = self._spec, self.run_box.currentIndex()
        if spec is None or not 0 <= run < len(spec.runs):
            return
        kind = self.schedule_box.itemData(index)
        self.schedule_chosen.emit(run, None if kind is None else own_schedule(kind, spec.steps))


def with_run_schedule(spec: ExperimentSpec, run: int, schedule: ScheduleSpec | None) -> ExperimentSpec:
    runs = list(spec.runs)
    runs[run] = replace(runs[run], schedule=schedule)
    return spec.with_runs(runs)


def install(link: ExperimentLink, site: DockSite, dock: QDockWidget | None = None) -> ScheduleView:
    """The schedule view in ``dock`` (or a new hidden bottom dock), kept on the link's
    experiment; a chosen schedule goes back as ``link.spec_wanted``."""
    view = ScheduleView()
    if dock is None:
        dock = site.add_panel(view, TITLE, Qt.DockWidgetArea.BottomDockWidgetArea)
        dock.hide()
    else:
        old = dock.widget()
        dock.setWidget(view)
        if old is not None:
            old.deleteLater()
    view.set_spec(link.spec())
    link.spec_changed.connect(view.set_spec)
    view.schedule_chosen.connect(lambda run, schedule: link.spec_wanted.emit(
        with_run_schedule(link.spec(), run, schedule), "Cannot give the run that schedule"))
    return view

