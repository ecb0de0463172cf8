"""The Model training tool: a real model on real data, trained off the GUI thread, drawn live.

Controls (dataset, model, optimizer, learning rates, batch size, epochs) make a frozen
``ModelExperiment``; a ``Lane`` trains it and sends snapshots; a timer repaints at most 60 times a
second from the newest one. The data view shows the points by class (train filled, test hollow)
over the decision surface of the selected run, or the fitted line for one-feature regression;
the loss plot shows training loss per step and test loss per evaluation, accuracy for
classifiers; the sharpness plot shows the top Hessian eigenvalue against 2/eta. Diverged runs are
drawn grey and named in plain words in the banner.
"""

from __future__ import annotations

import math
import time
from types import SimpleNamespace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lrdesk.core.models.datasets import DATASETS
from lrdesk.core.models.networks import ACTIVATIONS, INITS, MODELS
from lrdesk.core.models.presets import PRESETS
from lrdesk.core.models.spec import DataSpec, ModelExperiment, ModelRunSpec, ModelSpec
from lrdesk.gui.models.files import (
    ModelFileError,
    export_losses,
    open_model_experiment,
    save_model_experiment,
)
from lrdesk.gui.models.landscape_panel import LandscapePanel
from lrdesk.gui.models.noise_view import NoiseView
from lrdesk.gui.models.rate_marks import RateMarks
from lrdesk.gui.models.scaling_view import ScalingView
from lrdesk.gui.models.scrub import RunScrubber, StepMarks, snapshot_at
from lrdesk.gui.models.tool import MODEL_TOOL
from lrdesk.gui.models.training_job import Snapshot, train_job
from lrdesk.gui.shared.background import Lane
from lrdesk.gui.shared.palette import RUN_COLORS
from lrdesk.gui.sweeps.common import install_docked

FRAME_MS = 16  # at most about 60 repaints a second
DIVERGED_GREY = "#9a9a9a"
CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73")
OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "adam", "rmsprop", "adagrad")

__all__ = ["MODEL_TOOL", "ModelView", "install"]


#: what one repaint draws, in turn, so that no single frame holds the event loop for long
PARTS = ("_paint_progress", "_paint_loss", "_paint_data", "_paint_accuracy", "_paint_sharpness",
         "_paint_landscape", "_paint_noise", "_paint_noise_batches")
#: the ready-made experiments offered in the tool, by their title there
PRESET_TITLES = {"minibatch-noise": "Minibatch noise: batch 1, 8, 64, full",
                 "feature-scaling": "Raw house prices (feature scaling)",
                 "edge-of-stability": "Edge of stability", "line": "A line: the (w, b) bowl"}
MAX_POINTS = 400  # a curve is drawn from at most this many points (every n-th, and the last)


def thinned(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every n-th point of a long curve and its last one: the screen has fewer pixels anyway."""
    n = len(x)
    if n <= MAX_POINTS:
        return x, y
    keep = np.unique(np.append(np.arange(0, n, -(-n // MAX_POINTS)), n - 1))
    return x[keep], y[keep]


def _class_lut(classes: int) -> np.ndarray:
    """Colours from class 0's to the last class's, the points' colours."""
    colors = [CLASS_COLORS[c % len(CLASS_COLORS)] for c in range(classes)]
    return pg.ColorMap(np.linspace(0.0, 1.0, classes), colors).getLookupTable(nPts=256)


class SpecError(ValueError):
    """A control holds something that is not a setting: said in words, nothing lost."""


def parse_numbers(text: str, what: str, whole: bool = False) -> tuple:
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    if not parts:
        raise SpecError(f"Type at least one {what}.")
    values = []
    for p in parts:
        try:
            v = int(p) if whole else float(p)
        except ValueError:
            raise SpecError(f"'{p}' is not a number: type {what}s like 0.03, 0.1") from None
        if not math.isfinite(v) or v <= 0:
            raise SpecError(f"Each {what} must be a positive number, not {p}.")
        values.append(v)
    return tuple(values)


class ModelView(QWidget):
    """The controls, the three live plots and the worker of the Model training tool."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lane = Lane("model-training", self)
        self.lane.yielded.connect(self._take)
        self.lane.returned.connect(self._finished)
        self.lane.errored.connect(self._failed)
        self.lane.busy_changed.connect(self._busy)
        self._snap: Snapshot | None = None
        # an experiment set up whole (a preset, a lesson, a file) that the controls cannot all
        # show; trained as it is until a control is changed
        self.held: ModelExperiment | None = None
        self.trained_spec: ModelExperiment | None = None
        self._holding = False
        self._pending: list[str] = []
        self._drawing = False
        self.selected_run = 0
        self.repaints = 0
        self.last_paint_ms = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._paint)
        self._build()

    # --- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.dataset = QComboBox(self)
        for key, info in DATASETS.items():
            self.dataset.addItem(info.title, key)
        self.dataset.setCurrentIndex(self.dataset.findData("circle"))
        self.model_kind = QComboBox(self)
        self.model_kind.addItems(list(MODELS))
        self.model_kind.setCurrentText("mlp")
        self.hidden = QLineEdit("16, 16", self)
        self.activation = QComboBox(self)
        self.activation.addItems(list(ACTIVATIONS))
        self.init = QComboBox(self)
        self.init.addItems(list(INITS))
        self.optimizer = QComboBox(self)
        self.optimizer.addItems(list(OPTIMIZER_NAMES))
        self.rates = QLineEdit("0.03, 0.3, 3", self)
        self.rates.setToolTip("One run per learning rate, side by side (commas between)")
        self.batch = QSpinBox(self)
        self.batch.setRange(0, 100000)
        self.batch.setSpecialValueText("full")
        self.batch.setToolTip("Rows per step; 'full' uses every training row each step")
        self.epochs = QSpinBox(self)
        self.epochs.setRange(1, 20000)
        self.epochs.setValue(300)
        self.sharp_every = QSpinBox(self)
        self.sharp_every.setRange(0, 1000)
        self.sharp_every.setValue(10)
        self.sharp_every.setSpecialValueText("never")
        self.sharp_every.setToolTip("Measure the top Hessian eigenvalue every this many steps")
        self.train_button = QPushButton("Train", self)
        self.train_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        # the docked-tool machinery focuses ``run_bar.run_button`` when the dock opens
        self.run_bar = SimpleNamespace(run_button=self.train_button)
        self.progress = QProgressBar(self)
        self.progress.setFormat("ready")
        self.shown_run = QComboBox(self)
        self.shown_run.setToolTip("Whose decision boundary or fit the data view shows")
        self.shown_run.currentIndexChanged.connect(self._show_run)
        self.banner = QLabel("Choose data and a model, then Train.", self)
        self.banner.setWordWrap(True)
        self.preset = QComboBox(self)
        self.preset.addItem("Ready-made…", "")
        for key, title in PRESET_TITLES.items():
            self.preset.addItem(title, key)
        self.preset.setToolTip("Set up a ready-made experiment (its own batch sizes and schedules)")
        self.preset.activated.connect(self._preset_picked)
        # the long titles show in the open list; closed, the combo must not widen the window
        self.preset.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.preset.setMinimumContentsLength(10)

        grid = QGridLayout()
        pairs = [("&Data", self.dataset), ("&Model", self.model_kind), ("&Hidden", self.hidden),
                 ("Acti&vation", self.activation), ("&Init", self.init),
                 ("&Optimizer", self.optimizer), ("&Rates", self.rates), ("&Batch", self.batch),
                 ("&Epochs", self.epochs), ("S&harpness every", self.sharp_every)]
        for i, (text, widget) in enumerate(pairs):
            label = QLabel(text, self)
            label.setBuddy(widget)
            grid.addWidget(label, i // 5, 2 * (i % 5))
            grid.addWidget(widget, i // 5, 2 * (i % 5) + 1)
        self.rate_marks = RateMarks(self.rates, self)
        grid.addWidget(self.rate_marks, 2, 3)
        for changed in (self.dataset.currentIndexChanged, self.model_kind.currentTextChanged,
                        self.optimizer.currentTextChanged):
            changed.connect(self._refresh_rate_marks)
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.cancel_button)
        for text, slot in (("Open…", self._open_dialog), ("Save…", self._save_dialog),
                           ("Export losses…", self._export_dialog)):
            button = QPushButton(text, self)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addWidget(self.preset)
        buttons.addWidget(self.progress, 1)
        shown = QLabel("Boundary of", self)
        shown.setBuddy(self.shown_run)
        buttons.addWidget(shown)
        buttons.addWidget(self.shown_run)

        self.data_plot = pg.PlotWidget(self, title="Data")
        self.data_plot.setAspectLocked(False)
        self.heat = pg.ImageItem()
        self.data_plot.addItem(self.heat)
        self.train_points = pg.ScatterPlotItem(size=6, pen=None)
        self.test_points = pg.ScatterPlotItem(size=7, brush=None)
        self.data_plot.addItem(self.train_points)
        self.data_plot.addItem(self.test_points)
        self.fit_curves: list[pg.PlotDataItem] = []
        self.loss_plot = pg.PlotWidget(self, title="Loss")
        self.loss_plot.setLogMode(False, True)
        self.loss_plot.setLabel("bottom", "step")
        self.acc_plot = pg.PlotWidget(self, title="Accuracy")
        self.acc_plot.setLabel("bottom", "step")
        self.acc_plot.setYRange(0, 1)
        self.sharp_plot = pg.PlotWidget(self, title="Sharpness (top Hessian eigenvalue)")
        self.sharp_plot.setLabel("bottom", "step")
        self.loss_curves: list = []
        self.test_curves: list = []
        self.acc_curves: list = []
        self.sharp_curves: list = []
        self.limit_lines: list = []
        self.noise_view = NoiseView(self)

        for plot in (self.data_plot, self.loss_plot, self.acc_plot, self.sharp_plot):
            plot.setMinimumHeight(180)
        plots = QGridLayout()
        plots.addWidget(self.data_plot, 0, 0, 2, 1)
        plots.addWidget(self.loss_plot, 0, 1)
        plots.addWidget(self.sharp_plot, 1, 1)
        self.landscape = LandscapePanel(self, selected_run=lambda: self.selected_run)
        self.side_tabs = QTabWidget(self)
        self.side_tabs.addTab(self.landscape, "Loss surface")
        self.side_tabs.addTab(self.acc_plot, "Accuracy")
        self.scaling = ScalingView(self)
        self.side_tabs.addTab(self.scaling, "Feature scaling")
        side = QVBoxLayout()  # the noise plot joins the column when batches differ from the set
        side.addWidget(self.side_tabs, 2)
        side.addWidget(self.noise_view, 1)
        plots.addLayout(side, 0, 2, 2, 1)
        plots.setColumnStretch(0, 3)
        plots.setColumnStretch(1, 3)
        plots.setColumnStretch(2, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addWidget(self.banner)
        self.scrubber = RunScrubber(self)
        self.scrubber.step_chosen.connect(self._scrub)
        self.step_marks = StepMarks((self.loss_plot, self.sharp_plot, self.acc_plot))
        layout.addWidget(self.scrubber)
        layout.addLayout(plots, 1)
        for combo in (self.dataset, self.model_kind, self.activation, self.init, self.optimizer):
            combo.currentIndexChanged.connect(self._drop_held)
        for edit in (self.hidden, self.rates):
            edit.textChanged.connect(self._drop_held)
        for spin in (self.batch, self.epochs, self.sharp_every):
            spin.valueChanged.connect(self._drop_held)

    def _refresh_rate_marks(self, *_args) -> None:
        self.rate_marks.refresh(DataSpec(self.dataset.currentData()), self.model_kind.currentText(),
                                self.optimizer.currentText())

    # --- the experiment ---------------------------------------------------------------------
    def experiment(self) -> ModelExperiment:
        """The frozen experiment the controls describe; ``SpecError`` in plain words if not."""
        if self.held is not None:
            return self.held
        rates = parse_numbers(self.rates.text(), "learning rate")
        if len(rates) > 8:
            raise SpecError("At most 8 learning rates side by side.")
        kind = self.model_kind.currentText()
        hidden = parse_numbers(self.hidden.text(), "layer width", whole=True) \
            if kind == "mlp" else ()
        batch = self.batch.value() or None
        runs = tuple(ModelRunSpec(r, self.optimizer.currentText(), batch_size=batch)
                     for r in rates)
        spec = ModelExperiment(
            data=DataSpec(self.dataset.currentData()),
            model=ModelSpec(kind, hidden, self.activation.currentText(), self.init.currentText()),
            runs=runs, steps=None, epochs=self.epochs.value(),
            sharpness_every=self.sharp_every.value())
        try:
            spec.validate()
        except ValueError as exc:
            raise SpecError(str(exc)) from None
        return spec

    def set_experiment(self, spec: ModelExperiment) -> None:
        """Show ``spec``'s settings in the controls (runs share the first run's optimizer)."""
        self.dataset.setCurrentIndex(max(0, self.dataset.findData(spec.data.dataset)))
        self.model_kind.setCurrentText(spec.model.kind)
        self.hidden.setText(", ".join(str(h) for h in spec.model.hidden) or "16")
        self.activation.setCurrentText(spec.model.activation)
        self.init.setCurrentText(spec.model.init)
        self.optimizer.setCurrentText(spec.runs[0].optimizer)
        self.rates.setText(", ".join(f"{r.learning_rate:g}" for r in spec.runs))
        self.batch.setValue(spec.runs[0].batch_size or 0)
        if spec.epochs is not None:
            self.epochs.setValue(spec.epochs)
        self.sharp_every.setValue(spec.sharpness_every)

    def hold(self, spec: ModelExperiment, name: str = "") -> None:
        """Set up ``spec`` whole: the controls show what they can, Train trains all of it."""
        self._holding = True
        try:
            self.set_experiment(spec)
        finally:
            self._holding = False
        self.held = spec
        self.banner.setText(f"{name or 'The experiment'} is set up: press Train. (Changing a "
                            "control goes back to the settings the controls show.)")

    def _drop_held(self, *_args) -> None:
        if not self._holding:
            self.held = None

    def _preset_picked(self, index: int) -> None:
        key = self.preset.itemData(index)
        if key:
            self.hold(PRESETS[key], PRESET_TITLES[key])
        self.preset.setCurrentIndex(0)

    # --- files ------------------------------------------------------------------------------
    def save_to(self, path) -> bool:
        try:
            save_model_experiment(path, self.experiment())
        except (SpecError, ModelFileError) as exc:
            self.banner.setText(str(exc))
            return False
        self.banner.setText(f"Saved {path}.")
        return True

    def open_path(self, path) -> bool:
        """Show the model experiment in ``path`` and train it; the controls stay as they were
        if the file is not one."""
        try:
            spec = open_model_experiment(path)
        except ModelFileError as exc:
            self.banner.setText(str(exc))
            return False
        self.set_experiment(spec)
        return self.start()

    def export_to(self, path) -> bool:
        if self._snap is None:
            self.banner.setText("Train first: there are no losses to export yet.")
            return False
        try:
            export_losses(path, self._snap)
        except ModelFileError as exc:
            self.banner.setText(str(exc))
            return False
        self.banner.setText(f"Wrote the losses to {path}.")
        return True

    def _open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a model experiment", "",
                                              "Model experiments (*.json *.lrdesk);;All files (*)")
        if path:
            self.open_path(path)

    def _save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the model experiment", "model.json",
                                              "Model experiments (*.json)")
        if path:
            self.save_to(path)

    def _export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the losses", "losses.csv",
                                              "CSV (*.csv)")
        if path:
            self.export_to(path)

    # --- running ----------------------------------------------------------------------------
    def start(self) -> bool:
        try:
            spec = self.experiment()
        except SpecError as exc:
            self.banner.setText(str(exc))
            return False
        self._snap = None
        self.trained_spec = spec  # what the snapshots now on their way belong to
        self._clear_curves()
        self.scrubber.set_last_step(None)
        self.banner.setText("Training…")
        self.progress.setFormat("%p%")
        self._set_drawing(False)
        self.lane.start(train_job(spec, screen_free=lambda: not self._drawing))
        self._timer.start()
        return True

    def cancel(self) -> None:
        self.lane.stop()
        self._set_drawing(False)

    def shutdown(self) -> None:
        self._timer.stop()
        self.lane.shutdown(2.0)
        self.landscape.shutdown()
        self.scrubber.stop()

    def set_spec(self, _spec, _run) -> None:
        """The surfaces' experiment changed: a model experiment does not depend on it."""

    def closeEvent(self, event) -> None:  # Qt override
        self.shutdown()
        super().closeEvent(event)

    def snapshot(self) -> Snapshot | None:
        return self._snap

    def is_training(self) -> bool:
        return self.lane.is_busy()

    def _show_run(self, index: int) -> None:
        if index >= 0:
            self.selected_run = index
            if self._snap is not None:
                self._pending.append("_paint_data")
                self._paint(every_part=True)
                if self.scrubber.step() is not None:
                    self._scrub(self.scrubber.step())

    def _busy(self, busy: bool) -> None:
        self.train_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)

    def _take(self, snap: Snapshot) -> None:
        self._snap = snap
        self._pending = list(PARTS)
        self._set_drawing(True)

    def _set_drawing(self, drawing: bool) -> None:
        """While a snapshot is being drawn the training waits (see ``train_job``)."""
        with self.lane.condition:
            self._drawing = drawing
            self.lane.condition.notify_all()

    def _finished(self, snap: Snapshot) -> None:
        self._take(snap)
        self._paint(every_part=True)
        self._timer.stop()
        self.scrubber.set_last_step(max((int(s[-1]) for s in snap.path_steps if len(s)),
                                        default=None))
        self.banner.setText(self._verdict_text(snap))
        self.progress.setFormat("%p%" if snap.done else "cancelled at %p%")

    def _failed(self, exc: Exception) -> None:
        self._timer.stop()
        self.banner.setText(f"Training stopped: {exc}")

    def _verdict_text(self, snap: Snapshot) -> str:
        words = []
        for k, (lr, verdict) in enumerate(zip(snap.learning_rates, snap.verdicts, strict=True)):
            if verdict == "diverged":
                words.append(f"Run {k + 1} (rate {lr:g}) diverged: the loss blew up, the "
                             f"learning rate is too large for this model.")
            else:
                words.append(f"Run {k + 1} (rate {lr:g}): {verdict}.")
        if not snap.done:
            words.insert(0, f"Stopped at step {snap.step} of {snap.total}.")
        return " ".join(words)

    # --- painting ---------------------------------------------------------------------------
    def _clear_curves(self) -> None:
        for plot in (self.loss_plot, self.acc_plot, self.sharp_plot):
            plot.clear()
        for item in self.fit_curves:
            self.data_plot.removeItem(item)
        self.fit_curves = []
        self.loss_curves, self.test_curves, self.acc_curves = [], [], []
        self.sharp_curves, self.limit_lines = [], []
        self._pen_colors: list[str] = []
        self.heat.clear()
        self.noise_view.clear()

    def _color(self, snap: Snapshot, k: int) -> str:
        return DIVERGED_GREY if snap.verdicts[k] == "diverged" else RUN_COLORS[k % len(RUN_COLORS)]

    def _ensure_curves(self, snap: Snapshot) -> None:
        K = len(snap.learning_rates)
        if len(self.loss_curves) == K:
            return
        self._clear_curves()
        for k in range(K):
            color = RUN_COLORS[k % len(RUN_COLORS)]
            name = f"η = {snap.learning_rates[k]:g}"
            self.loss_curves.append(self.loss_plot.plot(pen=pg.mkPen(color, width=1.5), name=name))
            self.test_curves.append(self.loss_plot.plot(
                pen=pg.mkPen(color, width=1.5, style=Qt.PenStyle.DashLine)))
            self.acc_curves.append(self.acc_plot.plot(pen=pg.mkPen(color, width=1.5)))
            self.sharp_curves.append(self.sharp_plot.plot(pen=pg.mkPen(color, width=1.5)))
            line = pg.InfiniteLine(snap.thresholds[k], angle=0,
                                   pen=pg.mkPen(color, style=Qt.PenStyle.DotLine))
            self.sharp_plot.addItem(line)
            self.limit_lines.append(line)
        self._pen_colors = [RUN_COLORS[k % len(RUN_COLORS)] for k in range(K)]
        self.shown_run.blockSignals(True)
        self.shown_run.clear()
        self.shown_run.addItems([f"run {k + 1}: η = {lr:g}"
                                 for k, lr in enumerate(snap.learning_rates)])
        self.selected_run = min(self.selected_run, K - 1)
        self.shown_run.setCurrentIndex(self.selected_run)
        self.shown_run.blockSignals(False)
        self.data_plot.setTitle(f"Data ({'fit' if snap.task == 'regression' else 'classes'})")
        self.side_tabs.setTabVisible(self.side_tabs.indexOf(self.acc_plot), snap.task != "regression")
        # loss by epoch says something new when batches differ from the whole set
        self.noise_view.setVisible(snap.task == "regression" or any(
            per > 1 for per in snap.per_epoch))

    def _paint(self, every_part: bool = False) -> None:
        """Draw the newest snapshot: one view per timer tick (each frame stays short), or all."""
        snap = self._snap
        if snap is None or not self._pending:
            return
        self.repaints += 1
        clock = time.perf_counter()
        self._ensure_curves(snap)
        self._recolor(snap)
        parts = list(self._pending) if every_part else [self._pending[0]]
        for part in parts:
            self._pending.remove(part)
            getattr(self, part)(snap)
        if not self._pending:
            self._set_drawing(False)
        self.last_paint_ms = 1000 * (time.perf_counter() - clock)

    def _paint_progress(self, snap: Snapshot) -> None:
        self.progress.setRange(0, max(1, snap.total))
        self.progress.setValue(min(snap.step, snap.total))
        if any(v == "diverged" for v in snap.verdicts) and not snap.done:
            self.banner.setText(self._verdict_text(snap))

    def _recolor(self, snap: Snapshot) -> None:
        colors = [self._color(snap, k) for k in range(len(snap.learning_rates))]
        for k, color in enumerate(colors):
            if self._pen_colors[k] == color:
                continue
            self._pen_colors[k] = color
            for curve in (self.loss_curves[k], self.acc_curves[k], self.sharp_curves[k]):
                curve.setPen(pg.mkPen(color, width=1.5))
            self.test_curves[k].setPen(pg.mkPen(color, width=1.5, style=Qt.PenStyle.DashLine))

    def _paint_loss(self, snap: Snapshot) -> None:
        for k in range(len(snap.learning_rates)):
            loss = snap.train_loss[:, k]
            ok = np.isfinite(loss) & (loss > 0)
            self.loss_curves[k].setData(*thinned(snap.steps[ok], loss[ok]))
            ev = self._evaluations(snap, k)
            good = np.isfinite(ev[:, 3]) & (ev[:, 3] > 0)
            self.test_curves[k].setData(*thinned(ev[good, 0], ev[good, 3]))

    def _paint_accuracy(self, snap: Snapshot) -> None:
        for k in range(len(snap.learning_rates)):
            ev = self._evaluations(snap, k)
            acc = np.isfinite(ev[:, 4])
            self.acc_curves[k].setData(*thinned(ev[acc, 0], ev[acc, 4]))

    def _paint_sharpness(self, snap: Snapshot) -> None:
        for k in range(len(snap.learning_rates)):
            sh = np.array(snap.sharpness[k], dtype=float).reshape(-1, 2)
            fine = np.isfinite(sh[:, 1])
            self.sharp_curves[k].setData(*thinned(sh[fine, 0], sh[fine, 1]))

    def _scrub(self, step: int | None) -> None:
        """Show every view as it was at ``step`` of the finished training (None: its end)."""
        snap = self._snap
        if snap is None or snap.network is None:
            return
        self._paint_data(snap if step is None else snapshot_at(snap, step))
        self.step_marks.show(step)
        self.landscape.show_step(step)

    def _paint_landscape(self, snap: Snapshot) -> None:
        self.landscape.show_snapshot(snap, [self._color(snap, k) for k in
                                            range(len(snap.learning_rates))], self.selected_run)

    def _paint_noise(self, snap: Snapshot) -> None:
        self.noise_view.paint(snap)

    def _paint_noise_batches(self, snap: Snapshot) -> None:
        self.noise_view.paint_batches(snap)

    @staticmethod
    def _evaluations(snap: Snapshot, k: int) -> np.ndarray:
        return np.array(snap.evaluations[k], dtype=float).reshape(-1, 5)

    def _paint_data(self, snap: Snapshot) -> None:
        k = min(self.selected_run, len(snap.learning_rates) - 1)
        Xtr, Xte = snap.X_train, snap.X_test
        if Xtr.shape[1] >= 2:
            if snap.task == "regression":
                self._points(Xtr[:, 0], Xtr[:, 1], None, Xte[:, 0], Xte[:, 1], None)
            else:
                self._points(Xtr[:, 0], Xtr[:, 1], snap.y_train, Xte[:, 0], Xte[:, 1],
                             snap.y_test)
        else:
            self._points(Xtr[:, 0], snap.y_train, None, Xte[:, 0], snap.y_test, None)
        if snap.surface is not None:
            gx, gy = snap.grid_x, snap.grid_y
            value = np.nan_to_num(snap.surface[k], nan=0.5)
            classes = 2 if snap.task == "binary" else max(2, int(np.max(snap.y_train)) + 1)
            self.heat.setImage(value.T, levels=(0.0, classes - 1.0), opacity=0.45,
                               lut=_class_lut(classes))
            self.heat.setRect(gx[0], gy[0], gx[-1] - gx[0], gy[-1] - gy[0])
        if snap.curve_x is not None:
            K = len(snap.learning_rates)
            while len(self.fit_curves) < K:
                self.fit_curves.append(self.data_plot.plot())
            for j in range(K):
                yv = snap.curve_y[j]
                ok = np.isfinite(yv)
                self.fit_curves[j].setData(snap.curve_x[ok], yv[ok])
                self.fit_curves[j].setPen(pg.mkPen(self._color(snap, j), width=2))

    def _points(self, x, y, cls, tx, ty, tcls) -> None:
        def brushes(c):
            return [pg.mkBrush(CLASS_COLORS[int(v) % 3]) for v in c] if c is not None \
                else pg.mkBrush("#555555")

        def pens(c):
            return [pg.mkPen(CLASS_COLORS[int(v) % 3], width=1.5) for v in c] if c is not None \
                else pg.mkPen("#555555", width=1.5)

        if self.train_points.data.size != len(x):
            self.train_points.setData(x, y, brush=brushes(cls), pen=None)
            self.test_points.setData(tx, ty, pen=pens(tcls), brush=None)


def install(link, site) -> ModelView:
    """Put a ``ModelView`` in its hidden bottom dock, with a Tools menu action that shows it."""
    view = ModelView()
    install_docked(link, site, view, MODEL_TOOL)
    return view
