"""Scrubbing a finished model run: what every view shows at an earlier step.

The trainer records each run's parameters every few steps (``Trainer.path``); at a chosen step
each run is shown at its last recorded point not after it, and the data view's decision surface
or fitted line is recomputed from those parameters. ``RunScrubber`` is the timeline under the
controls: a slider over the steps, enabled once training has finished, and Replay, which moves
it from the start to the end in about ``REPLAY_SECONDS``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from lrdesk.gui.models.training_job import Snapshot, decision_surface

Array = np.ndarray

REPLAY_SECONDS = 5.0
REPLAY_MS = 33  # about 30 frames a second


def recorded_index(path_steps: Array, step: int) -> int:
    """The index of the last recorded step at or before ``step`` (0 before the first)."""
    return max(0, int(np.searchsorted(path_steps, step, side="right")) - 1)


def params_at(snap: Snapshot, step: int) -> Array:
    """Every run's parameters at ``step`` (K, dim): its last recorded point not after it."""
    return np.array([snap.paths[k][recorded_index(snap.path_steps[k], step)]
                     for k in range(len(snap.paths))])


def snapshot_at(snap: Snapshot, step: int) -> Snapshot:
    """``snap`` with the data view's surface or fitted lines of the runs as they were at
    ``step``; the losses stay whole (the loss plot marks the step instead)."""
    P = params_at(snap, step)
    net = snap.network
    if snap.surface is not None:
        return replace(snap, surface=decision_surface(net, P, snap.grid_x, snap.grid_y))
    if snap.curve_x is not None:
        with np.errstate(all="ignore"):
            return replace(snap, curve_y=net.predictions(P, snap.curve_x[:, None]))
    return snap


class RunScrubber(QWidget):
    """A timeline over a finished run's steps; ``step_chosen`` as it moves, ``None`` on Live."""

    step_chosen = Signal(object)  # the step, or None: back to the end of training

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setToolTip("Drag to see every view as it was at an earlier step")
        self.slider.valueChanged.connect(self._moved)
        self.label = QLabel("Train, then drag to look back", self)
        self.replay_button = QPushButton("Replay", self)
        self.replay_button.setToolTip("Play the finished training again, from the first step")
        self.replay_button.clicked.connect(self.replay)
        self._timer = QTimer(self)
        self._timer.setInterval(REPLAY_MS)
        self._timer.timeout.connect(self._advance)
        self.end_button = QPushButton("End", self)
        self.end_button.setToolTip("Show the end of training again")
        self.end_button.clicked.connect(self.show_end)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        scrub = QLabel("Step", self)
        scrub.setBuddy(self.slider)
        row.addWidget(scrub)
        row.addWidget(self.slider, 1)
        row.addWidget(self.label)
        row.addWidget(self.replay_button)
        row.addWidget(self.end_button)
        self.set_last_step(None)

    def set_last_step(self, last: int | None) -> None:
        """Enable the timeline over steps 0..last (None: nothing to scrub yet); at the end."""
        self._timer.stop()
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, last or 0))
        self.slider.setValue(self.slider.maximum())
        self.slider.blockSignals(False)
        on = last is not None
        for widget in (self.slider, self.end_button, self.replay_button):
            widget.setEnabled(on)
        self.label.setText(f"step {last} of {last}" if on else "Train, then drag to look back")

    def step(self) -> int | None:
        """The step shown, or None at the end."""
        value = self.slider.value()
        return None if value >= self.slider.maximum() else value

    def show_end(self) -> None:
        self._timer.stop()
        self.slider.setValue(self.slider.maximum())

    def replay(self) -> None:
        """Move from step 0 to the end, a few steps a frame (a second click stops)."""
        if self._timer.isActive():
            self._timer.stop()
            return
        self.slider.setValue(0)
        self._timer.start()

    def is_replaying(self) -> bool:
        return self._timer.isActive()

    def stop(self) -> None:
        self._timer.stop()

    def _advance(self) -> None:
        frames = REPLAY_SECONDS * 1000 / REPLAY_MS
        stride = max(1, round(self.slider.maximum() / frames))
        value = min(self.slider.maximum(), self.slider.value() + stride)
        self.slider.setValue(value)
        if value >= self.slider.maximum():
            self._timer.stop()

    def _moved(self, value: int) -> None:
        self.label.setText(f"step {value} of {self.slider.maximum()}")
        self.step_chosen.emit(self.step())


class StepMarks:
    """A vertical line at the scrubbed step on each plot over steps (hidden at the end)."""

    def __init__(self, plots) -> None:
        import pyqtgraph as pg

        self.plots = list(plots)
        # grey and dashed: no run's colour, seen on a dark or a light plot
        pen = pg.mkPen("#8A8A8A", width=1.5, style=Qt.PenStyle.DashLine)
        self.lines = [pg.InfiniteLine(angle=90, pen=pen) for _ in self.plots]

    def show(self, step: int | None) -> None:
        for plot, line in zip(self.plots, self.lines, strict=True):
            if line not in plot.getPlotItem().items:  # plots are cleared by a new training
                plot.addItem(line, ignoreBounds=True)
            line.setVisible(step is not None)
            if step is not None:
                line.setValue(step)
