"""Sweeps and maps off the GUI thread: chunked work, partial results, cancel, clean stop.

``SweepRunner`` lives in the GUI thread and owns a ``Lane`` (``lrdesk.gui.shared.background``,
the one mechanism for work off the GUI thread). A job is a plain function
``job(progress, cancel) -> result`` (the core's ``sweep_learning_rates`` and ``regime_map`` take
exactly these two callbacks). A new ``start`` replaces the running job, whose results still on
their way are dropped; ``cancel()`` turns true between a job's blocks, and the job then hands
over what it has. Partial results are passed on at most ``PARTIAL_INTERVAL`` apart, so a fast
job cannot flood the event loop; each is a fresh object the worker never touches again.

Also here: the Run / Cancel / progress bar that drives a runner.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from lrdesk.gui.shared.background import Lane, Task
from lrdesk.gui.shared.formatting import format_step

Job = Callable[..., object]

#: seconds between two partial results passed to the GUI
PARTIAL_INTERVAL = 0.1


def _run_job(job: Job, task: Task) -> object:
    """Run ``job`` with its two callbacks on the lane's thread."""
    last = 0.0

    def progress(result) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PARTIAL_INTERVAL:
            last = now
            task.send(result)

    return job(progress=progress, cancel=lambda: not task.wanted())


class SweepRunner(QObject):
    """Starts jobs off the GUI thread and passes on the current job's results."""

    partial_result = Signal(object)
    result_ready = Signal(object)  # the last result of a job (complete, or cancelled)
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lane = Lane("lrdesk-sweep", self, keep_alive=True)
        self._lane.yielded.connect(self.partial_result)
        self._lane.returned.connect(self.result_ready)
        self._lane.errored.connect(self._on_error)
        self._lane.busy_changed.connect(self.busy_changed)

    def is_busy(self) -> bool:
        return self._lane.is_busy()

    def start(self, job: Job) -> None:
        """Run ``job`` in the background; a job still running is cancelled."""
        self._lane.start(lambda task: _run_job(job, task))

    def cancel(self) -> None:
        """Ask the running job to stop after its current block; it then hands over what it has
        (``result_ready`` with a cancelled result)."""
        self._lane.stop()

    def shutdown(self) -> None:
        """Cancel, let the job finish its block, and wait for the thread. Safe to call twice."""
        self._lane.shutdown()

    def _on_error(self, exc: Exception) -> None:
        if isinstance(exc, MemoryError):
            self.failed.emit("not enough memory for this many runs: use fewer")
        else:  # a job's own error, reported in words, never a crash
            self.failed.emit(str(exc) or type(exc).__name__)


class RunBar(QWidget):
    """Run and Cancel buttons with a progress bar, shared by the sweep and map views."""

    run_clicked = Signal()
    cancel_clicked = Signal()

    def __init__(self, run_text: str, run_tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run_button = QPushButton(run_text, self)
        self.run_button.setToolTip(run_tip)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop the computation; what is done so far stays shown")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar(self)
        self.progress.setToolTip("Steps computed so far, out of the step budget")
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setFormat("ready")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.run_button)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.progress, 1)
        self.run_button.clicked.connect(self.run_clicked)
        self.cancel_button.clicked.connect(self._on_cancel)

    def set_busy(self, busy: bool) -> None:
        self.cancel_button.setEnabled(busy)

    def set_progress(self, done: int, total: int, cancelled: bool = False) -> None:
        """Show ``done`` of ``total`` steps, and whether the job was cancelled there."""
        self.progress.setValue(int(1000 * done / max(1, total)))
        if cancelled:
            self.progress.setFormat(f"cancelled at step {format_step(done)} of {format_step(total)}")
        elif done >= total:
            self.progress.setFormat(f"done: {format_step(total)} steps")
        else:
            self.progress.setFormat(f"step {format_step(done)} of {format_step(total)}")

    def _on_cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_clicked.emit()
