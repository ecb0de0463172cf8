"""The descent worker: runs a spec off the GUI thread, in chunks, and hands the GUI fresh arrays.

``SimulationRunner`` lives in the GUI thread and owns a ``Lane`` (``lrdesk.gui.shared.background``,
the one mechanism for work off the GUI thread). Each ``start(spec)`` gets a new generation: the
worker drops a computation as soon as its generation is no longer the latest (checked between
chunks), and the lane drops any chunk of an old generation that was already on its way. Nothing flows back to the worker except "new spec" and "stop".

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

import time
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, Signal

from lrdesk.core.experiment.simulation import Chunk, Simulation
from lrdesk.core.experiment.spec import ExperimentSpec
from lrdesk.gui.shared.background import Lane, Task

FIRST_CHUNK = 64
LAST_CHUNK = 4096
CHUNK_SECONDS = 0.008
MAX_IN_FLIGHT = 4


class _Pacing:
    """The chunks in flight and the GUI's busy count, guarded by the lane's condition."""

    def __init__(self, lane: Lane) -> None:
        self._lane = lane
        self._in_flight = 0
        self._gui_busy = 0  # how many GUI-thread tasks asked the worker to wait (they nest)

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def restart(self) -> None:
        """A new computation: chunks of the old one, still on their way, no longer count."""
        with self._lane.condition:
            self._in_flight = 0
            self._lane.condition.notify_all()

    def claim(self) -> bool:
        """Room for one more chunk (called holding the condition): claim it, or say False."""
        if self._in_flight < MAX_IN_FLIGHT and self._gui_busy == 0:
            self._in_flight += 1
            return True
        return False

    def taken(self) -> None:
        """The GUI took in one chunk of the current computation."""
        with self._lane.condition:
            if self._in_flight > 0:
                self._in_flight -= 1
                self._lane.condition.notify_all()

    def set_gui_busy(self, busy: bool) -> None:
        """One GUI task begins (True) or ends (False); the worker waits while any is under way."""
        with self._lane.condition:
            self._gui_busy = self._gui_busy + 1 if busy else max(0, self._gui_busy - 1)
            if self._gui_busy == 0:
                self._lane.condition.notify_all()


def _compute(spec: ExperimentSpec, task: Task, pacing: _Pacing) -> None:
    """The worker's job: ``spec`` in chunks, each sent once the GUI has room for it."""
    # The worker thins each run's rows itself (bounded memory), so the GUI thread only
    # appends rows it keeps: thinning 100,000-row runs there costs whole frames.
    simulation = Simulation(spec, keep_history=True)
    chunk_steps = FIRST_CHUNK
    while not simulation.done:
        if not task.wait_until(pacing.claim):
            return
        began = time.perf_counter()
        chunk = simulation.advance(chunk_steps)
        task.send(chunk)
        chunk_steps = _next_chunk_size(chunk_steps, time.perf_counter() - began)
        time.sleep(0)  # hand the interpreter to the GUI thread between chunks


def _next_chunk_size(steps: int, seconds: float) -> int:
    if seconds < CHUNK_SECONDS / 2:
        return min(steps * 2, LAST_CHUNK)
    if seconds > CHUNK_SECONDS * 2:
        return max(steps // 2, FIRST_CHUNK // 4)
    return steps


class SimulationRunner(QObject):
    """GUI-thread owner of the descent's lane: start specs, receive their chunks, shut down."""

    chunk_ready = Signal(object)  # Chunk of the current computation
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lane = Lane("lrdesk-descent-worker", self, keep_alive=True)
        self._pacing = _Pacing(self._lane)
        self._running = False
        self._lane.yielded.connect(self._deliver)
        self._lane.returned.connect(self._finished)
        self._lane.errored.connect(self._report_failure)

    @property
    def generation(self) -> int:
        return self._lane.generation

    def is_running(self) -> bool:
        """True while the current spec is still being computed."""
        return self._running

    def is_alive(self) -> bool:
        """True while the worker thread exists (from the first spec until ``shutdown``)."""
        return self._lane.is_alive()

    def start(self, spec: ExperimentSpec) -> int:
        """Drop whatever is being computed and compute ``spec`` from its first step."""
        pacing = self._pacing
        with self._lane.condition:  # one step: the old job cannot claim room in between
            pacing.restart()
            self._running = True
            return self._lane.start(lambda task: _compute(spec, task, pacing))

    def cancel(self) -> None:
        """Stop computing (the chunks already sent are dropped too)."""
        self._running = False
        self._lane.drop()

    def shutdown(self) -> None:
        """Stop the computation, end the thread and wait for it; safe to call twice.

        The job looks at its lane between chunks (each a few milliseconds), so this is short.
        """
        self._running = False
        self._lane.shutdown()

    def set_gui_busy(self, busy: bool) -> None:
        """A GUI task begins (True) or ends (False): calls pair up, like ``gui_busy()``."""
        self._pacing.set_gui_busy(busy)

    @contextmanager
    def gui_busy(self) -> Iterator[None]:
        """While this block runs (GUI work such as taking in a chunk), the worker starts no chunk."""
        self._pacing.set_gui_busy(True)
        try:
            yield
        finally:
            self._pacing.set_gui_busy(False)

    def _deliver(self, chunk: Chunk) -> None:
        self._pacing.taken()
        if chunk.done:
            self._running = False
        self.chunk_ready.emit(chunk)

    def _finished(self, _result: object) -> None:
        self._running = False  # also a computation dropped by its spec's own end

    def _report_failure(self, exc: Exception) -> None:
        self._running = False
        # a bad surface must not kill the thread: report it and wait for the next spec
        self.failed.emit(f"{type(exc).__name__}: {exc}")
