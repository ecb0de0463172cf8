"""The Model rate finder: a learning-rate sweep, the range test and a rate × batch-size regime map
of the Model training tool's experiment, computed off the GUI thread with progress and Cancel.

The experiment comes from the tool (``source()``, the same frozen experiment Train would train);
the job runs a function of ``lrdesk.core.models.rate_finding`` on a ``Lane`` and sends its
progress; the result, a fresh frozen object, is drawn when it arrives.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import SimpleNamespace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lrdesk.core.engine.batch import VERDICTS
from lrdesk.core.models.data_setup import make_data
from lrdesk.core.models.rate_finding import range_test, rate_batch_map, rate_sweep
from lrdesk.core.models.spec import ModelExperiment
from lrdesk.core.models.theory import linear_theory
from lrdesk.gui.shared.background import Lane
from lrdesk.gui.shared.palette import VERDICT_COLORS

MODES = {"range": "Range test", "sweep": "Rate sweep", "map": "Regime map (rate × batch size)"}
MAX_CELLS = 256  # runs in one sweep or map: enough for a picture, short enough to wait for


#: the regime map's colours in words, for its readout (VERDICT_COLORS)
_COLOR_WORDS = {"converged": "green", "slow": "blue", "oscillating": "orange",
                "diverged": "red", "stalled": "grey"}


class FinderError(ValueError):
    """A setting of the rate finder that is not one, in words."""


@dataclass(frozen=True)
class Finding:
    """What a finished (or cancelled) job found, with the experiment it ran on."""

    mode: str
    spec: ModelExperiment
    result: object  # RangeTest or SweepResult
    lr_max_stable: float | None  # exact for linear regression, else None
    cancelled: bool = False


def _positive(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FinderError(f"'{text}' is not a number: type the {what} like 1e-4") from None
    if not math.isfinite(value) or value <= 0:
        raise FinderError(f"The {what} must be a positive number, not {text}.")
    return value


def parse_batches(text: str) -> list[int | None]:
    """'1, 8, 64, full' -> [1, 8, 64, None]."""
    sizes: list[int | None] = []
    for part in [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]:
        if part.lower() in ("full", "all"):
            sizes.append(None)
            continue
        if not part.isdigit() or int(part) < 1:
            raise FinderError(f"'{part}' is not a batch size: type whole numbers or 'full'.")
        sizes.append(int(part))
    if not sizes:
        raise FinderError("Type at least one batch size, like 1, 8, 64, full.")
    return sizes


def _stable_rate(spec: ModelExperiment) -> float | None:
    if spec.model.kind != "linear":
        return None
    data = make_data(spec.data)
    return linear_theory(data).lr_max_stable if data.task == "regression" else None


def finder_job(mode: str, spec: ModelExperiment, low: float, high: float, count: int,
               batches: list[int | None]):
    """A ``Lane`` job: sends (done, total) fractions as it goes, returns a ``Finding``."""

    def job(task):
        sent = [-1.0]

        def progress(fraction: float) -> None:
            if fraction - sent[0] >= 0.01 or fraction >= 1:
                sent[0] = fraction
                task.send(fraction)

        def cancelled() -> bool:
            return not task.wanted()

        rates = np.geomspace(low, high, count)
        if mode == "range":
            result = range_test(spec, low, high, count, cancelled=cancelled,
                                progress=lambda done, total: progress(done / total))
            stopped = len(result.losses) < count and result.stopped_at is None
        elif mode == "sweep":
            result = rate_sweep(spec, rates, cancelled=cancelled, progress=progress)
            stopped = len(result.verdicts) < count or not task.wanted()
        else:
            result = rate_batch_map(spec, rates, batches, cancelled=cancelled, progress=progress)
            stopped = not task.wanted()
        return Finding(mode, spec, result, _stable_rate(spec), stopped)

    return job


class RateFinderView(QWidget):
    """Mode, range and batch sizes; Run and Cancel; a progress bar; the picture and a readout."""

    finished = Signal(object)  # the Finding, once drawn

    def __init__(self, source: Callable[[], ModelExperiment], parent: QWidget | None = None,
                 train_at: Callable[[ModelExperiment, float], None] | None = None):
        super().__init__(parent)
        self.source = source
        self.train_at = train_at  # trains the experiment at a suggested rate, in the tool
        self.finding: Finding | None = None
        self.lane = Lane("model-rate-finder", self)
        self.lane.yielded.connect(self._progress)
        self.lane.returned.connect(self._done)
        self.lane.errored.connect(self._failed)
        self.lane.busy_changed.connect(self._busy)
        self.mode = QComboBox(self)
        for key, title in MODES.items():
            self.mode.addItem(title, key)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.low = QLineEdit("1e-4", self)
        self.high = QLineEdit("10", self)
        self.count = QSpinBox(self)
        self.count.setRange(2, 1000)
        self.count.setValue(100)
        self.count.setToolTip("Steps of the range test, or rates of a sweep or map")
        self.batches = QLineEdit("1, 8, 64, full", self)
        self.batches.setToolTip("The regime map's rows: batch sizes, 'full' for every row")
        self.run_button = QPushButton("&Run", self)
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.use_button = QPushButton("Train at the &valley", self)
        self.use_button.setToolTip("Train the experiment's first run at the range test's "
                                   "valley suggestion in the Model training tool")
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self.train_at_valley)
        self.run_bar = SimpleNamespace(run_button=self.run_button)  # focused when the dock opens
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setFormat("ready")
        self.readout = QLabel("Pick what to find, then Run. It uses the Model training tool's "
                              "experiment (its first run's optimizer and batch size).", self)
        self.readout.setWordWrap(True)
        self.plot = pg.PlotWidget(self)
        self.plot.setMinimumHeight(200)
        row = QHBoxLayout()
        for text, widget in (("&Find", self.mode), ("F&rom rate", self.low),
                             ("&To", self.high), ("&Steps / rates", self.count),
                             ("&Batch sizes", self.batches)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
        row.addStretch(1)
        buttons = QHBoxLayout()  # a second line: the window must still fit 1024 pixels
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.progress, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addLayout(buttons)
        layout.addWidget(self.readout)
        layout.addWidget(self.plot, 1)
        self._mode_changed()

    # --- running ----------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        self.mode.setCurrentIndex(self.mode.findData(mode))

    def _mode_changed(self, *_args) -> None:
        mode = self.mode.currentData()
        self.batches.setEnabled(mode == "map")
        self.count.setValue(100 if mode == "range" else 12)

    def run(self) -> bool:
        try:
            spec = self.source()
            mode = self.mode.currentData()
            low = _positive(self.low.text(), "smallest rate")
            high = _positive(self.high.text(), "largest rate")
            if not low < high:
                raise FinderError("The smallest rate must be below the largest.")
            batches = parse_batches(self.batches.text()) if mode == "map" else [None]
            count = self.count.value()
            if mode == "range" and count < 10:
                raise FinderError("The range test needs at least 10 steps.")
            if mode != "range" and count * len(batches) > MAX_CELLS:
                raise FinderError(f"At most {MAX_CELLS} runs at once: use fewer rates or sizes.")
        except ValueError as exc:  # FinderError, and the tool's own SpecError
            self.readout.setText(str(exc))
            return False
        self.progress.setFormat("%p%")
        self.progress.setValue(0)
        self.readout.setText(f"{MODES[mode]}…")
        self.lane.start(finder_job(mode, spec, low, high, count, batches))
        return True

    def cancel(self) -> None:
        self.lane.stop()

    def valley(self) -> float | None:
        finding = self.finding
        return finding.result.valley if finding is not None and finding.mode == "range" else None

    def train_at_valley(self) -> None:
        if self.train_at is not None and self.valley() is not None:
            self.train_at(self.finding.spec, self.valley())

    def shutdown(self) -> None:
        self.lane.shutdown(2.0)

    def closeEvent(self, event) -> None:  # Qt override
        self.shutdown()
        super().closeEvent(event)

    def is_running(self) -> bool:
        return self.lane.is_busy()

    def _busy(self, busy: bool) -> None:
        self.run_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)

    def _progress(self, fraction: float) -> None:
        self.progress.setValue(round(1000 * fraction))

    def _failed(self, exc: Exception) -> None:
        self.progress.setFormat("stopped")
        self.readout.setText(f"The rate finder stopped: {exc}")

    def _done(self, finding: Finding) -> None:
        self.finding = finding
        self.use_button.setEnabled(self.train_at is not None and self.valley() is not None)
        if finding.cancelled:
            self.progress.setFormat("cancelled at %p%")
        else:
            self.progress.setValue(1000)
        draw = {"range": self._draw_range, "sweep": self._draw_sweep, "map": self._draw_map}
        self.plot.clear()
        draw[finding.mode](finding)
        self.finished.emit(finding)

    # --- drawing ----------------------------------------------------------------------------
    def _limit_line(self, finding: Finding) -> str:
        if finding.lr_max_stable is None:
            return ""
        self.plot.addItem(pg.InfiniteLine(math.log10(finding.lr_max_stable), angle=90,
                                          pen=pg.mkPen("#E4002B", style=Qt.PenStyle.DashLine),
                                          label="2/λmax", labelOpts={"position": 0.9}))
        return f" Theory: 2/λmax = {finding.lr_max_stable:.3g}."

    def _draw_range(self, finding: Finding) -> None:
        r = finding.result
        self.plot.setLogMode(True, True)
        self.plot.setLabel("bottom", "learning rate")
        self.plot.setLabel("left", "smoothed loss")
        ok = np.isfinite(r.smoothed) & (r.smoothed > 0)
        self.plot.plot(r.learning_rates[ok], r.smoothed[ok], pen=pg.mkPen("#0072B2", width=2))
        words = []
        for name, value, color in (("valley", r.valley, "#009E73"), ("steep", r.steep, "#E69F00")):
            if value is not None:
                self.plot.addItem(pg.InfiniteLine(math.log10(value), angle=90,
                                                  pen=pg.mkPen(color, width=1.5), label=name))
                words.append(f"{name} {value:.3g}")
        blew = "" if r.stopped_at is None else \
            f" The loss blew up at rate {r.learning_rates[r.stopped_at]:.3g}."
        said = ", ".join(words) or "none (the curve is too short)"
        self.readout.setText(f"Range test over {len(r.losses)} steps. Suggestions: {said}."
                             + blew + self._limit_line(finding))

    def _draw_sweep(self, finding: Finding) -> None:
        r = finding.result
        self.plot.setLogMode(True, True)
        self.plot.setLabel("bottom", "learning rate")
        self.plot.setLabel("left", "final training loss")
        n = len(r.verdicts)
        ok = np.isfinite(r.final_train_loss) & (r.final_train_loss > 0)
        brushes = [pg.mkBrush(VERDICT_COLORS.get(v, "#9a9a9a")) for v in r.verdicts]
        keep = np.nonzero(ok)[0]
        self.plot.plot(r.learning_rates[:n][keep], r.final_train_loss[keep], pen=None,
                       symbol="o", symbolBrush=[brushes[i] for i in keep], symbolSize=9)
        best = None
        good = [i for i in keep if r.verdicts[i] != "diverged"]
        if good:
            best = min(good, key=lambda i: r.final_train_loss[i])
        text = f"{n} rates trained in full."
        if best is not None:
            text += (f" Lowest final loss {r.final_train_loss[best]:.4g} at rate "
                     f"{r.learning_rates[best]:.3g} ({r.verdicts[best]}).")
        diverged = [r.learning_rates[i] for i in range(n) if r.verdicts[i] == "diverged"]
        if diverged:
            text += f" From {min(diverged):.3g} up, runs diverged."
        self.readout.setText(text + self._limit_line(finding))

    def _draw_map(self, finding: Finding) -> None:
        r = finding.result
        self.plot.setLogMode(False, False)
        self.plot.setLabel("bottom", "learning rate (log10)")
        self.plot.setLabel("left", "batch size (row)")
        if not r.verdicts or not isinstance(r.verdicts[0], list):
            self.readout.setText("The map was cancelled before it was finished.")
            return
        codes = np.array([[VERDICTS.index(v) for v in row] for row in r.verdicts], dtype=float)
        colors = [VERDICT_COLORS.get(v, "#9a9a9a") for v in VERDICTS]
        lut = np.array([pg.mkColor(c).getRgb() for c in colors], dtype=np.ubyte)
        image = pg.ImageItem(codes.T, levels=(0, len(VERDICTS) - 1), lut=lut)
        logs = np.log10(r.learning_rates)
        step = (logs[-1] - logs[0]) / max(1, len(logs) - 1)
        image.setRect(logs[0] - step / 2, -0.5, step * len(logs), len(r.batch_sizes))
        self.plot.addItem(image)
        axis = self.plot.getAxis("left")
        axis.setTicks([[(i, "full" if b is None else str(b))
                        for i, b in enumerate(r.batch_sizes)]])
        rows = []
        for i, b in enumerate(r.batch_sizes):
            fine = [r.learning_rates[j] for j, v in enumerate(r.verdicts[i]) if v != "diverged"]
            name = "full batch" if b is None else f"batch {b}"
            rows.append(f"{name}: stable up to {max(fine):.3g}" if fine else
                        f"{name}: every rate diverged")
        key = ", ".join(f"{_COLOR_WORDS[v]} {v}"
                        for v in VERDICTS if v in _COLOR_WORDS)
        spec = finding.spec
        budget = f"{spec.epochs:,} epochs" if spec.epochs is not None else \
            f"{spec.steps:,} steps (smaller batches see less of the data: give epochs to compare)"
        self.readout.setText("; ".join(rows) + "." + self._limit_line(finding)
                             + f" Each cell trained for {budget}. Colours: {key}.")


def model_view(site):
    """The Model training tool's view, built now if its dock has not been opened yet."""
    from lrdesk.gui.models.model_view import ModelView
    from lrdesk.gui.models.tool import MODEL_TOOL

    dock = site.find_dock(MODEL_TOOL.dock_name)
    if dock is None:
        return None
    if not isinstance(dock.widget(), ModelView):
        dock.widget().build()
    return dock.widget()


def install(link, site) -> RateFinderView:
    """The rate finder in its hidden bottom dock, working on the Model training tool's experiment."""
    from lrdesk.gui.models.tool import MODEL_TOOL, RATE_FINDER_TOOL
    from lrdesk.gui.sweeps.common import install_docked

    def source() -> ModelExperiment:
        view = model_view(site)
        if view is None:
            raise FinderError("There is no Model training tool in this window.")
        return view.experiment()

    def train_at(spec: ModelExperiment, rate: float) -> None:
        view = model_view(site)
        view.hold(spec.with_runs([replace(spec.runs[0], learning_rate=float(f"{rate:.3g}"))]),
                  "The range test's valley rate")
        site.find_dock(MODEL_TOOL.dock_name).show()
        view.start()

    finder = RateFinderView(source, train_at=train_at)
    finder.set_spec = lambda _spec, _run: None  # the surfaces' experiment does not matter here
    install_docked(link, site, finder, RATE_FINDER_TOOL)
    return finder
