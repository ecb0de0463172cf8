"""One way to run work off the GUI thread: a ``Lane``, one daemon thread where the newest job wins.

A job is a plain function ``job(task) -> result`` that runs on the lane's thread. Through its
``Task`` it hands partial results to the GUI (``task.send``), learns whether it is still wanted
(``task.wanted``) and waits for something the GUI thread changes (``task.wait_until``). Every
``start`` gets a new generation number; the GUI thread drops whatever an older generation still
sends, so a view never sees a stale answer. Results cross by queued signals, each a fresh object
the job never touches again; the job never touches a widget.

Stopping: ``stop()`` asks the job to finish early (its own last result still arrives), ``drop()``
also throws away whatever it still sends. ``shutdown(timeout)`` stops, wakes the job and waits at
most ``timeout`` seconds: the thread is a daemon, so a job that cannot be interrupted (a long
symbolic build) neither freezes the window nor keeps the program from exiting.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot

Job = Callable[["Task"], object]
_YIELDED, _RETURNED, _ERRORED, _SKIPPED = range(4)


class Task:
    """A running job's handle on its lane (used on the lane's thread)."""

    def __init__(self, lane: Lane, generation: int) -> None:
        self._lane = lane
        self.generation = generation

    def wanted(self) -> bool:
        """False once the job was stopped, replaced or its lane shut down."""
        with self._lane.condition:
            return self._lane._wanted(self.generation)

    def send(self, value: object) -> None:
        """Hand a partial result to the GUI thread (``Lane.yielded``)."""
        self._lane._relay_out(_YIELDED, self.generation, value)

    def wait_until(self, ready: Callable[[], bool]) -> bool:
        """Block until ``ready()`` is true (it is called holding ``Lane.condition``, so it may
        claim what it tests); False as soon as the job is no longer wanted."""
        lane = self._lane
        with lane.condition:
            lane.condition.wait_for(lambda: not lane._wanted(self.generation) or ready())
            return lane._wanted(self.generation)


class Lane(QObject):
    """Runs one job at a time on its own daemon thread; lives in (and signals to) the GUI thread.

    ``keep_alive=False``: the thread ends when no job waits and a new one starts with the next
    job. ``keep_alive=True``: it waits for jobs until ``shutdown``. Code in the GUI thread that
    changes what a job's ``wait_until`` tests holds ``condition`` and calls ``notify_all()``.
    """

    yielded = Signal(object)  # a partial result of the current job
    returned = Signal(object)  # the current job's result
    errored = Signal(object)  # the exception the current job raised
    busy_changed = Signal(bool)
    _relay = Signal(int, int, object)  # kind, generation, value: from the thread to the GUI

    def __init__(self, name: str, parent: QObject | None = None, keep_alive: bool = False) -> None:
        super().__init__(parent)
        self.name = name
        self.condition = threading.Condition()  # reentrant: callers may hold it around start()
        self._keep_alive = keep_alive
        self._generation = 0
        self._stopped = False
        self._closed = False
        self._pending: tuple[int, Job] | None = None
        self._thread: threading.Thread | None = None
        self._busy = False
        self._relay.connect(self._on_relay, Qt.ConnectionType.QueuedConnection)

    @property
    def generation(self) -> int:
        """The number of the latest job started (or dropped)."""
        return self._generation

    def is_busy(self) -> bool:
        """True from ``start`` until the job's result (or error) has reached the GUI thread."""
        return self._busy

    def is_alive(self) -> bool:
        """True while the lane's thread exists."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self, job: Job) -> int:
        """Run ``job(task)`` on the lane's thread, replacing the job that runs or waits; returns
        the new generation number."""
        with self.condition:
            self._generation += 1
            self._stopped = self._closed = False
            self._pending = (self._generation, job)
            self.condition.notify_all()
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
                self._thread.start()
            generation = self._generation
        self._set_busy(True)
        return generation

    def stop(self) -> None:
        """Ask the current job to finish early; its last result still arrives, partials do not."""
        with self.condition:
            self._stopped = True
            self.condition.notify_all()

    def drop(self) -> None:
        """Stop the current job and throw away everything it still sends."""
        with self.condition:
            self._generation += 1
            self._pending = None
            self.condition.notify_all()
        self._set_busy(False)

    def shutdown(self, timeout: float | None = None) -> bool:
        """Drop the work, end the thread and wait for it at most ``timeout`` seconds (None: until
        it ends). True when the thread has ended. Safe to call twice; ``start`` reopens."""
        with self.condition:
            self._closed = True
            self._generation += 1
            self._pending = None
            self.condition.notify_all()
            thread = self._thread
        self._set_busy(False)
        if thread is None or thread is threading.current_thread():
            return True
        thread.join(timeout)
        return not thread.is_alive()

    # --- the lane's thread ----------------------------------------------------------------
    def _wanted(self, generation: int) -> bool:
        return generation == self._generation and not self._stopped and not self._closed

    def _loop(self) -> None:
        me = threading.current_thread()
        while True:
            with self.condition:
                while self._pending is None and self._keep_alive and not self._closed:
                    self.condition.wait()
                if self._pending is None or self._closed:
                    if self._thread is me:  # under the lock: ``start`` makes a new thread
                        self._thread = None
                    return
                generation, job = self._pending
                self._pending = None
                wanted = self._wanted(generation)
            if not wanted:  # stopped before it began: say so, so that the GUI stops waiting
                self._relay_out(_SKIPPED, generation, None)
                continue
            try:
                result = job(Task(self, generation))
            except Exception as exc:  # a job's error is an answer too, never a dead thread
                self._relay_out(_ERRORED, generation, exc)
            else:
                self._relay_out(_RETURNED, generation, result)

    def _relay_out(self, kind: int, generation: int, value: object) -> None:
        with contextlib.suppress(RuntimeError):  # the lane was deleted: nobody is waiting
            self._relay.emit(kind, generation, value)

    # --- the GUI thread ---------------------------------------------------------------------
    @Slot(int, int, object)
    def _on_relay(self, kind: int, generation: int, value: object) -> None:
        if generation != self._generation:
            return
        if kind == _YIELDED:
            if not self._stopped:
                self.yielded.emit(value)
            return
        self._set_busy(False)
        if kind == _RETURNED:
            self.returned.emit(value)
        elif kind == _ERRORED:
            self.errored.emit(value)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
