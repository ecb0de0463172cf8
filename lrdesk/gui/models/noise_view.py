"""The minibatch-noise plot of the Model training tool: every run's loss by epoch, and its floor.

Runs with different batch sizes take different numbers of steps per epoch, so they share an axis
of epochs here: each minibatch's loss faintly (the noise), the loss on the whole training set at
each evaluation boldly, and, once a run has settled, its noise floor as a dashed line (see
``lrdesk.core.models.noise``). The readout names each run's floor in numbers.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from lrdesk.core.models.noise import epochs_of, noise_floor
from lrdesk.gui.shared.palette import RUN_COLORS

MAX_POINTS = 400  # minibatch losses drawn per run (every n-th): the band's shape, not each point


def run_label(snap, k: int) -> str:
    """'batch 8', 'full batch', with the schedule when it is not constant."""
    full = snap.per_epoch[k] == 1
    text = "full batch" if full else f"batch {snap.batches[k]}"
    schedule = snap.schedules[k]
    if schedule and schedule != "Constant":
        text += f", {schedule[0].lower()}{schedule[1:]}"
    return text


class NoiseView(QWidget):
    """Loss by epoch for every run (minibatch and whole-set), with each settled run's floor."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget(self, title="Minibatch noise: loss by epoch")
        self.plot.setLogMode(False, True)
        self.plot.setLabel("bottom", "epoch")
        self.plot.getPlotItem().getViewBox().enableAutoRange(y=False)
        self.readout = QLabel("", self)
        self.readout.setWordWrap(True)
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setToolTip("Where each run's loss on the whole training set settles: the "
                                "mean over its last half of epochs")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.readout)
        self.batch_curves: list = []
        self.whole_curves: list = []
        self.floor_lines: list = []
        self.floors: list = []
        self._drawn_rows: list[int] = []  # finite minibatch losses drawn per run

    def clear(self) -> None:
        self.plot.clear()
        self.batch_curves, self.whole_curves, self.floor_lines, self.floors = [], [], [], []
        self._drawn_rows = []
        self.readout.setText("")

    def _ensure(self, snap) -> None:
        if len(self.whole_curves) == len(snap.learning_rates):
            return
        self.clear()
        for k in range(len(snap.learning_rates)):
            color = pg.mkColor(RUN_COLORS[k % len(RUN_COLORS)])
            faint = pg.mkColor(color)
            faint.setAlpha(40)
            self.batch_curves.append(self.plot.plot(pen=pg.mkPen(faint, width=1)))
            self.whole_curves.append(self.plot.plot(pen=pg.mkPen(color, width=2.5)))
            line = pg.InfiniteLine(angle=0, pen=pg.mkPen(color, width=1.5,
                                                         style=Qt.PenStyle.DashLine))
            line.setVisible(False)
            self.plot.addItem(line)
            self.floor_lines.append(line)
        self._drawn_rows = [-1] * len(snap.learning_rates)

    def paint_batches(self, snap) -> None:
        """The faint minibatch losses: redrawn only for runs with new rows since the last time."""
        if not snap.per_epoch:
            return
        self._ensure(snap)
        for k in range(len(snap.learning_rates)):
            loss = snap.train_loss[:, k]
            ok = np.isfinite(loss) & (loss > 0)
            steps = snap.steps[ok]
            if len(steps) == self._drawn_rows[k]:
                continue  # a finished run, or nothing new
            self._drawn_rows[k] = len(steps)
            keep = np.unique(np.append(np.arange(0, len(steps), max(1, -(-len(steps) //
                                                                   MAX_POINTS))),
                                       len(steps) - 1)) if len(steps) else slice(0, 0)
            self.batch_curves[k].setData(epochs_of(steps[keep], snap.per_epoch[k]),
                                         loss[ok][keep])

    def paint(self, snap) -> None:
        """The whole-set losses by epoch, the floors and the readout."""
        if not snap.per_epoch:
            return
        self._ensure(snap)
        self.floors = []
        words = []
        whole: list[float] = []
        for k in range(len(snap.learning_rates)):
            ev = [e for e in snap.evaluations[k] if e[1] is not None and np.isfinite(e[1])
                  and e[1] > 0]
            self.whole_curves[k].setData(epochs_of([e[0] for e in ev], snap.per_epoch[k]),
                                         [e[1] for e in ev])
            whole += [e[1] for e in ev]
            verdict = snap.verdicts[k]
            floor = noise_floor(ev) if verdict not in ("running", "diverged") else None
            self.floors.append(floor)
            self.floor_lines[k].setVisible(floor is not None and verdict != "slow")
            if floor is None:
                continue
            chip = f"<span style='color:{RUN_COLORS[k % len(RUN_COLORS)]}'>■</span>"
            name = html.escape(run_label(snap, k))
            if verdict == "slow":
                words.append(f"{chip} {name}: still falling, {floor.final:.4g}")
            else:
                self.floor_lines[k].setValue(np.log10(floor.floor))
                words.append(f"{chip} {name}: settles at {floor.floor:.4g}")
        self.readout.setText("<br>".join(words))
        if whole:  # the whole-set losses decide the scale; single minibatches stray far below
            low, high = np.log10(min(whole)), np.log10(max(whole))
            pad = max(0.05, 0.1 * (high - low))
            self.plot.setYRange(low - pad, high + pad, padding=0)
