"""The sweep view: every learning rate as a full run, final loss against rate, verdict bands.

It answers "which learning rate should I use?" for the current experiment: N log-spaced rates
from the selected run's settings, each run in full on the worker thread, drawn as they fill in.
Clicking a point adds that rate as a live run. The classic range test is drawn on the same axes.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lrdesk.core.engine.batch import VERDICTS
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.core.sweeps.sweep import (
    SweepResult,
    SweepSetup,
    compare_range_test,
    log_spaced_rates,
    range_test,
    sweep_learning_rates,
)
from lrdesk.core.theory.hessian import lr_range
from lrdesk.gui.shared.fields import NumberBox
from lrdesk.gui.shared.formatting import format_number, format_rate, format_step
from lrdesk.gui.shared.link import DockSite, ExperimentLink
from lrdesk.gui.shared.palette import Theme
from lrdesk.gui.sweeps.common import (
    SWEEP_TOOL,
    RunnerView,
    exact_rate,
    install_docked,
    installed_view,
    labelled_row,
    rate_rounded_down,
    readable_rate,
    rounded_range,
)
from lrdesk.gui.sweeps.plot import LogAxis, LossAxis, SweepPlot, verdict_legend_html
from lrdesk.gui.sweeps.worker import RunBar

DEFAULT_RATES = 200
FASTEST_TIP = "Add the rate that converged in the fewest steps to the runs on the canvas"
MAX_VIEW_RATES = 100_000


def setup_key(spec: ExperimentSpec, run_index: int) -> tuple:
    """Everything a sweep or map of ``spec``'s run ``run_index`` depends on."""
    run = spec.runs[min(max(run_index, 0), len(spec.runs) - 1)]
    return (spec.function, spec.function_params, spec.expression, spec.start_of(run),
            run.optimizer, run.hypers, spec.schedule_of(run), spec.steps, spec.tolerance)


class SweepView(RunnerView):
    """Final loss (or steps to converge) against the learning rate, for N rates at once."""

    ready_text = "Press Run sweep to try every rate."
    job_name = "sweep"

    learning_rate_chosen = Signal(float)
    sweep_finished = Signal(object)  # the SweepResult, complete or cancelled
    range_test_finished = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sweepView")
        self._range_key: tuple | None = None
        self._setup: SweepSetup | None = None
        self._test = None
        self._build()
        self.plot = SweepPlot(self.plot_widget, self._theme)
        self._connect()
        self._update_legend()

    # --- building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.count_box = QSpinBox(self)
        self.count_box.setRange(2, MAX_VIEW_RATES)
        self.count_box.setValue(DEFAULT_RATES)
        self.count_box.setSingleStep(100)
        self.count_box.setAccelerated(True)
        self.count_box.setToolTip("How many learning rates to try, evenly spaced on a log scale")
        self.low_box = NumberBox(1e-12, 1e6, 1e-3, self)
        self.low_box.setToolTip("The smallest learning rate to try")
        self.high_box = NumberBox(1e-12, 1e6, 1.0, self)
        self.high_box.setToolTip("The largest learning rate to try")
        self.show_box = QComboBox(self)
        self.show_box.addItems(["Final loss", "Steps to converge"])
        self.show_box.setToolTip("What to plot against the learning rate")
        self.run_bar = RunBar("Run sweep", "Run every learning rate in full from the start "
                              "(Ctrl+Return)", self)
        self.test_button = QPushButton("Range test", self)
        self.test_button.setToolTip("The classic shortcut: one run whose rate grows every step. "
                                    "Drawn on the same axes to compare.")
        self.fastest_button = QPushButton("Add fastest as a run", self)
        self.fastest_button.setToolTip(FASTEST_TIP)
        self.fastest_button.setEnabled(False)
        self.plot_widget = pg.PlotWidget(
            self, axisItems={"bottom": LogAxis("bottom"), "left": LogAxis("left")}
        )
        self.plot_widget.setMinimumHeight(180)
        self.legend = QLabel(self)
        self.legend.setWordWrap(True)
        self.legend.setToolTip("Background colour: what a full run at that rate ended as")
        self.readout = QLabel(self.ready_text, self)
        self.readout.setWordWrap(True)
        self.note = QLabel("", self)
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._lay_out()

    def _lay_out(self) -> None:
        top = labelled_row(self, (("Rates", self.count_box), ("from", self.low_box),
                                  ("to", self.high_box), ("Show", self.show_box)))
        second = QHBoxLayout()
        second.addWidget(self.run_bar, 1)
        second.addWidget(self.test_button)
        second.addWidget(self.fastest_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.legend)
        layout.addWidget(self.readout)
        layout.addWidget(self.note)
        self._add_run_shortcut("Run sweep", self.run_sweep)

    def _connect(self) -> None:
        self._connect_runner(self.run_sweep)
        self.test_button.clicked.connect(self.run_range_test)
        self.fastest_button.clicked.connect(self._choose_fastest)
        self.show_box.currentIndexChanged.connect(self._redraw)
        self.plot.hovered.connect(self._on_hover)
        self.plot.clicked.connect(self._on_click)

    # --- public API ----------------------------------------------------------------------
    def set_spec(self, spec: ExperimentSpec, run_index: int = 0) -> None:
        """Use this experiment (and its run ``run_index``) for the next sweep.

        A sweep of other settings is cleared (and stopped), so the plot never shows numbers
        that belong to another experiment; adding a run with the same settings keeps it.
        """
        self._spec, self._run_index = spec, run_index
        if self._shown_key is not None and setup_key(spec, run_index) != self._shown_key:
            self.clear()
        key = (spec.function, spec.function_params, spec.expression, spec.start)
        if key != self._range_key:
            self._range_key = key
            try:
                low, high = rounded_range(*lr_range(spec.validate()))
            except ValueError:
                return
            self.set_range(low, high)

    def clear(self) -> None:
        self.runner.cancel()
        self._result = self._test = None
        self._shown_key = None
        self.plot.clear()
        self.fastest_button.setEnabled(False)
        self.fastest_button.setToolTip(FASTEST_TIP)
        self._reset_run_bar()
        self.note.setText("")
        self._update_legend()

    def set_range(self, low: float, high: float) -> None:
        self.low_box.setValue(low)
        self.high_box.setValue(high)

    def set_count(self, count: int) -> None:
        self.count_box.setValue(count)

    def result(self) -> SweepResult | None:
        return self._result

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.plot.set_theme(theme, self.font())
        self._redraw()

    def run_sweep(self) -> None:
        setup, rates = self._prepare()
        if setup is None:
            return
        self._setup, self._test = setup, None
        self._shown_key = setup_key(self._spec, self._run_index)
        self.plot.show_range_test(None, None)
        self.plot.show_theory(setup.theory().lines, rates)
        self.note.setText(setup.theory().note)
        self.fastest_button.setEnabled(False)
        self.readout.setText(f"Running {len(rates):,} rates of {format_step(setup.steps)} "
                             "steps each...")
        self.run_bar.set_progress(0, setup.steps)

        def job(progress, cancel):
            return sweep_learning_rates(
                setup.function, setup.start, setup.optimizer, setup.hypers, rates, setup.steps,
                setup.tolerance, setup.schedule, progress=progress, cancel=cancel,
            )

        self.runner.start(job)

    def run_range_test(self) -> None:
        """One run whose rate grows each step (fast enough to run right here)."""
        setup, rates = self._prepare()
        if setup is None:
            return
        try:
            test = range_test(setup.function, setup.start, setup.optimizer, setup.hypers,
                              float(rates[0]), float(rates[-1]), steps=max(100, min(1000,
                                                                                    setup.steps)))
        except ValueError as exc:
            self.readout.setText(f"Range test: {exc}")
            return
        self._test = test
        self.plot.show_range_test(test, self._y_transform())
        self._update_legend()
        text = test.note + " " + test.stop_reason.capitalize() + "."
        if self._result is not None and self._result.done and self._setup is not None:
            text = compare_range_test(test, self._result, self._setup.theory()) + " " + text
        self.note.setText(text)
        if self.show_box.currentIndex() != 0:
            self.show_box.setCurrentIndex(0)
        self.range_test_finished.emit(test)

    # --- running -------------------------------------------------------------------------
    def _prepare(self):
        if self._no_experiment():
            return None, None
        low, high = self.low_box.value(), self.high_box.value()
        if not low < high:
            self.readout.setText("The smallest rate must be below the largest: change 'from' "
                                 "or 'to'.")
            return None, None
        try:
            setup = SweepSetup.from_spec(self._spec, self._run_index)
            rates = log_spaced_rates(low, high, self.count_box.value())
        except ValueError as exc:
            self.readout.setText(f"Cannot sweep this experiment: {exc}")
            return None, None
        return setup, rates

    def _on_result(self, result: SweepResult) -> None:
        self._show_final(result)
        self.readout.setText(self._summary(result))
        best = result.fastest()
        self.fastest_button.setEnabled(best is not None)
        if best is not None:
            exact = float(result.learning_rates[best])
            self.readout.setToolTip(f"Fastest rate exactly: α = {exact_rate(exact)}")
            self.fastest_button.setToolTip(
                f"Add a run at α = {format_rate(rate_rounded_down(exact))}: the rate that "
                f"converged in the fewest steps ({exact_rate(exact)}), rounded down so that it "
                "stays below the limit")
        self.sweep_finished.emit(result)

    def _summary(self, result: SweepResult) -> str:
        counts = ", ".join(f"{n} {name}" for name, n in result.counts().items() if n)
        text = f"{len(result.learning_rates):,} rates: {counts}."
        best = result.fastest()
        if best is not None:
            text += (f" Fastest: {readable_rate(float(result.learning_rates[best]))}, converged in "
                     f"{format_step(int(result.verdict_step[best]))} steps.")
        if result.cancelled:
            text += " (Cancelled: runs still going are shown where they had got to.)"
        return text + " Click a point to add that rate as a run."

    # --- drawing and pointing ---------------------------------------------------------------
    def _update_legend(self) -> None:
        text = "Background: " + verdict_legend_html()
        extras = []
        if self.plot.theory_lines:
            extras.append("&#8212;&#183;&#8212; theory")
        if self._test is not None and self.show_box.currentIndex() == 0:
            extras.append("- - - range test (one run, its rate growing every step)")
        if extras:
            text += "&nbsp;&nbsp;&nbsp;" + "&nbsp;&nbsp;&nbsp;".join(extras)
        self.legend.setText(text)

    def _y_transform(self) -> LossAxis | None:
        return LossAxis.for_setup(self._setup) if self._setup is not None else None

    def _redraw(self, *_args) -> None:
        if self._result is None or self._setup is None:
            return
        steps_mode = self.show_box.currentIndex() == 1
        self.plot.show_result(self._result, steps_mode, self._y_transform())
        self.plot.show_range_test(None if steps_mode else self._test, self._y_transform())
        self._update_legend()

    def _on_hover(self, index: int) -> None:
        r = self._result
        if r is None or not 0 <= index < len(r.learning_rates):
            return
        rate = readable_rate(float(r.learning_rates[index]))
        self.readout.setToolTip(f"α = {exact_rate(float(r.learning_rates[index]))} exactly")
        code = int(r.verdict[index])
        if code < 0:
            what = f"still running, loss now {format_number(r.final_loss[index])}"
        elif VERDICTS[code] == "converged":
            what = (f"converged in {format_step(int(r.verdict_step[index]))} steps, final loss "
                    f"{format_number(r.final_loss[index])}")
        else:
            what = (f"{VERDICTS[code]} (step {format_step(int(r.verdict_step[index]))}), final "
                    f"loss {format_number(r.final_loss[index])}")
        self.readout.setText(f"α = {rate}: {what}. Click to add it as a run.")

    def _on_click(self, index: int) -> None:
        if self._result is not None and 0 <= index < len(self._result.learning_rates):
            self.learning_rate_chosen.emit(float(self._result.learning_rates[index]))

    def _choose_fastest(self) -> None:
        best = self._result.fastest() if self._result is not None else None
        if best is not None:
            self.learning_rate_chosen.emit(rate_rounded_down(float(self._result.learning_rates[best])))


# ------------------------------------------------------------------------------------------
# Installing into the main window
# ------------------------------------------------------------------------------------------
def install(link: ExperimentLink, site: DockSite) -> SweepView:
    """Add the sweep view as a dock with a Tools menu action (Ctrl+Shift+S); a chosen rate
    goes back as ``link.run_wanted``. Returns the view (the one already made, if any)."""
    view = installed_view(site, SWEEP_TOOL, SweepView)
    if view is None:  # installed once per window
        view = SweepView()
        install_docked(link, site, view, SWEEP_TOOL)
        view.learning_rate_chosen.connect(
            lambda rate: link.run_wanted.emit(chosen_run(link.spec(), link.selected_run(), rate)))
    return view


def chosen_run(spec: ExperimentSpec, selected: int, rate: float) -> RunSpec:
    """A new run at ``rate`` with the optimizer and settings of run ``selected`` of ``spec``."""
    base = spec.runs[min(selected, len(spec.runs) - 1)]
    return RunSpec(float(rate), base.optimizer, base.hypers, base.start, base.schedule)
