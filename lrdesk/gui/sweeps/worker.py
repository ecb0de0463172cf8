"""A background thread for sweeps and maps: chunked work, partial results, cancel, clean stop.

``SweepRunner`` lives in the GUI thread and owns one QThread. A job is a plain function
``job(progress, cancel) -> result`` (the core's ``sweep_learning_rates`` and ``regime_map`` take
exactly these two callbacks). Every ``start`` gets a new generation number: the running job sees
``cancel()`` turn true between its blocks, and results of an old generation that were already on
their way are dropped. Partial results are passed on at most ``PARTIAL_INTERVAL`` apart, so a
fast job cannot flood the event loop; each is a fresh object the worker never touches again.
Shutdown: cancel, quit, wait; never ``terminate()``.

Also here: the Run / Cancel / progress bar that drives a runner, and the watcher that shuts a
runner down when the main window closes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from lrdesk.gui.shared.formatting import format_step

Job = Callable[..., object]

#: seconds between two partial results passed to the GUI
PARTIAL_INTERVAL = 0.1


class _Generation:
    """The number of the latest job and whether it was asked to stop, shared by both threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value = 0
        self._stopped = False

    def next(self) -> int:
        with self._lock:
            self._value += 1
            self._stopped = False
            return self._value

    def stop(self) -> None:
        with self._lock:
            self._stopped = True

    def should_run(self, generation: int) -> bool:
        with self._lock:
            return generation == self._value and not self._stopped


class _Worker(QObject):
    """Runs jobs in the worker thread; talks to the GUI only through signals."""

    partial = Signal(int, object)
    finished = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, generation: _Generation) -> None:
        super().__init__()
        self._generation = generation

    @Slot(int, object)
    def run(self, generation: int, job: Job) -> None:
        if not self._generation.should_run(generation):
            # replaced or cancelled before it began: say so, so the GUI stops waiting
            self.failed.emit(generation, "")
            return
        last = 0.0

        def progress(result) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= PARTIAL_INTERVAL:
                last = now
                self.partial.emit(generation, result)

        def cancel() -> bool:
            return not self._generation.should_run(generation)

        try:
            result = job(progress=progress, cancel=cancel)
        except MemoryError:
            self.failed.emit(generation, "not enough memory for this many runs: use fewer")
        except Exception as exc:  # a job's own error, reported in words, never a crash
            self.failed.emit(generation, str(exc) or type(exc).__name__)
        else:
            self.finished.emit(generation, result)


class SweepRunner(QObject):
    """Starts jobs on a worker thread and passes on the current job's results."""

    partial_result = Signal(object)
    result_ready = Signal(object)  # the last result of a job (complete, or cancelled)
    failed = Signal(str)
    busy_changed = Signal(bool)
    _request = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._generation = _Generation()
        self._current = 0
        self._busy = False
        self._thread: QThread | None = None
        self._worker: _Worker | None = None

    def is_busy(self) -> bool:
        return self._busy

    def start(self, job: Job) -> None:
        """Run ``job`` in the background; a job still running is cancelled."""
        self._ensure_thread()
        self._current = self._generation.next()
        self._set_busy(True)
        self._request.emit(self._current, job)

    def cancel(self) -> None:
        """Ask the running job to stop after its current block; it then hands over what it has
        (``result_ready`` with a cancelled result)."""
        self._generation.stop()

    def shutdown(self) -> None:
        """Cancel, let the thread finish its block, and wait for it. Safe to call twice."""
        self._generation.next()
        self._set_busy(False)
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
            self._worker.deleteLater()
            self._thread.deleteLater()
            self._thread = self._worker = None

    # ------------------------------------------------------------------------------------
    def _ensure_thread(self) -> None:
        if self._thread is not None:
            return
        self._thread = QThread()
        self._thread.setObjectName("lrdesk-sweep")
        self._worker = _Worker(self._generation)
        self._worker.moveToThread(self._thread)
        self._request.connect(self._worker.run)
        self._worker.partial.connect(self._on_partial)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._thread.start()

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    @Slot(int, object)
    def _on_partial(self, generation: int, result) -> None:
        if generation == self._current and self._generation.should_run(generation):
            self.partial_result.emit(result)

    @Slot(int, object)
    def _on_finished(self, generation: int, result) -> None:
        if generation == self._current:
            self._set_busy(False)
            self.result_ready.emit(result)

    @Slot(int, str)
    def _on_failed(self, generation: int, message: str) -> None:
        if generation == self._current:
            self._set_busy(False)
            if message:
                self.failed.emit(message)


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


class CloseWatcher(QObject):
    """Stops a view's thread when the window closes: docked widgets get no close event."""

    def __init__(self, view) -> None:
        super().__init__(view)
        self._view = view

    def eventFilter(self, watched, event) -> bool:  # Qt override
        if event.type() == QEvent.Type.Close:
            self._view.shutdown()
        return False
