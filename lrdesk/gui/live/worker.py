"""The descent worker: runs a spec in a QThread, in chunks, and hands the GUI fresh arrays.

``SimulationRunner`` lives in the GUI thread and owns the thread. Each ``start(spec)`` gets a
new generation number: the worker drops a computation as soon as its generation is no longer
the latest (checked between chunks), and the runner drops any chunk of an old generation that
was already on its way. Nothing flows back to the worker except "new spec" and "stop".

The worker computes ahead as fast as it can, but never more than ``MAX_IN_FLIGHT`` chunks
ahead of what the GUI has taken in, so a slow screen cannot make memory pile up. Chunks grow
from ``FIRST_CHUNK`` steps while each takes less than ``CHUNK_SECONDS``, so the first steps
show at once and long runs go at full speed, and a new spec never waits long for the old one.

Both threads run Python, and only one can hold the interpreter at a time: a busy worker would
make every repaint take about twice as long, as the two threads take turns every few
milliseconds. So while the GUI works on a frame (from its data update to the end of the
repaint it causes) or takes in a chunk, it marks itself busy and the worker starts no new
chunk; the screen comes first, the computation uses the time in between.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, QThread, Signal, Slot

from lrdesk.core.experiment.simulation import Chunk, Simulation
from lrdesk.core.experiment.spec import ExperimentSpec

FIRST_CHUNK = 64
LAST_CHUNK = 4096
CHUNK_SECONDS = 0.008
MAX_IN_FLIGHT = 4


class _Control:
    """What the two threads share: the latest generation, the chunks in flight, the stop flag."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._generation = 0
        self._in_flight = 0
        self._stopping = False
        self._gui_busy = 0  # how many GUI-thread tasks asked the worker to wait (they nest)

    def begin(self) -> int:
        with self._condition:
            self._generation += 1
            self._in_flight = 0
            self._condition.notify_all()
            return self._generation

    def cancel(self) -> None:
        """Make every computation stale (a later ``begin`` starts a fresh one)."""
        self.begin()

    def stop(self) -> None:
        with self._condition:
            self._stopping = True
            self._generation += 1
            self._condition.notify_all()

    def is_current(self, generation: int) -> bool:
        with self._condition:
            return generation == self._generation and not self._stopping

    def wait_for_room(self, generation: int) -> bool:
        """Block until the GUI has room for another chunk; False once the work is stale."""
        with self._condition:
            self._condition.wait_for(
                lambda: (self._in_flight < MAX_IN_FLIGHT and self._gui_busy == 0)
                or generation != self._generation
                or self._stopping
            )
            if generation != self._generation or self._stopping:
                return False
            self._in_flight += 1
            return True

    def set_gui_busy(self, busy: bool) -> None:
        """One GUI task begins (True) or ends (False); the worker waits while any is under way."""
        with self._condition:
            self._gui_busy = self._gui_busy + 1 if busy else max(0, self._gui_busy - 1)
            if self._gui_busy == 0:
                self._condition.notify_all()

    def taken(self, generation: int) -> None:
        """The GUI took in one chunk of ``generation``."""
        with self._condition:
            if generation == self._generation and self._in_flight > 0:
                self._in_flight -= 1
                self._condition.notify_all()


class _Worker(QObject):
    """Runs in the worker thread; never touches a widget."""

    chunk_ready = Signal(int, object)  # generation, Chunk
    failed = Signal(int, str)  # generation, message

    def __init__(self, control: _Control) -> None:
        super().__init__()
        self._control = control

    @Slot(int, object)
    def run(self, generation: int, spec: ExperimentSpec) -> None:
        if not self._control.is_current(generation):
            return
        try:
            # The worker thins each run's rows itself (bounded memory), so the GUI thread only
            # appends rows it keeps: thinning 100,000-row runs there costs whole frames.
            simulation = Simulation(spec, keep_history=True)
            self._compute(generation, simulation)
        except Exception as exc:  # a bad surface must not kill the thread: report and wait
            self.failed.emit(generation, f"{type(exc).__name__}: {exc}")

    def _compute(self, generation: int, simulation: Simulation) -> None:
        chunk_steps = FIRST_CHUNK
        while not simulation.done:
            if not self._control.wait_for_room(generation):
                return
            began = time.perf_counter()
            chunk = simulation.advance(chunk_steps)
            self.chunk_ready.emit(generation, chunk)
            chunk_steps = _next_chunk_size(chunk_steps, time.perf_counter() - began)
            time.sleep(0)  # hand the interpreter to the GUI thread between chunks


def _next_chunk_size(steps: int, seconds: float) -> int:
    if seconds < CHUNK_SECONDS / 2:
        return min(steps * 2, LAST_CHUNK)
    if seconds > CHUNK_SECONDS * 2:
        return max(steps // 2, FIRST_CHUNK // 4)
    return steps


class SimulationRunner(QObject):
    """GUI-thread owner of the worker thread: start specs, receive their chunks, shut down."""

    chunk_ready = Signal(object)  # Chunk of the current computation
    failed = Signal(str)
    _run_requested = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._control = _Control()
        self._generation = 0
        self._busy = False
        self._thread = QThread()
        self._thread.setObjectName("lrdesk-descent-worker")
        self._worker = _Worker(self._control)
        self._worker.moveToThread(self._thread)
        self._run_requested.connect(self._worker.run)
        self._worker.chunk_ready.connect(self._deliver)
        self._worker.failed.connect(self._report_failure)
        self._thread.start()

    @property
    def generation(self) -> int:
        return self._generation

    def is_running(self) -> bool:
        """True while the current spec is still being computed."""
        return self._busy

    def worker_thread(self) -> QThread:
        """The thread the descent runs in (for shutdown checks)."""
        return self._thread

    def start(self, spec: ExperimentSpec) -> int:
        """Drop whatever is being computed and compute ``spec`` from its first step."""
        self._generation = self._control.begin()
        self._busy = True
        self._run_requested.emit(self._generation, spec)
        return self._generation

    def cancel(self) -> None:
        """Stop computing (the chunks already sent are dropped too)."""
        self._control.cancel()
        self._generation = -1
        self._busy = False

    def shutdown(self) -> None:
        """Stop the computation, end the thread and wait for it; safe to call twice."""
        self._busy = False
        self._control.stop()
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()

    def set_gui_busy(self, busy: bool) -> None:
        """A GUI task begins (True) or ends (False): calls pair up, like ``gui_busy()``."""
        self._control.set_gui_busy(busy)

    @contextmanager
    def gui_busy(self) -> Iterator[None]:
        """While this block runs (GUI work such as taking in a chunk), the worker starts no chunk."""
        self._control.set_gui_busy(True)
        try:
            yield
        finally:
            self._control.set_gui_busy(False)

    @Slot(int, object)
    def _deliver(self, generation: int, chunk: Chunk) -> None:
        self._control.taken(generation)
        if generation != self._generation:
            return
        if chunk.done:
            self._busy = False
        self.chunk_ready.emit(chunk)

    @Slot(int, str)
    def _report_failure(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self._busy = False
            self.failed.emit(message)
