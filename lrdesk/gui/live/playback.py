"""Playback on the GUI side: what has been computed so far, and a playhead that moves over it.

``Recording`` keeps each run's rows (a bounded ``RunHistory``) and the verdicts reached; the
worker fills it chunk by chunk. ``Playback`` owns the playhead: a step number that a timer
(at most 60 ticks a second) moves forward by speed × elapsed time, never past what has been
computed. Views draw each run up to the playhead.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal

from lrdesk.core.experiment.history import RunHistory
from lrdesk.core.experiment.simulation import Chunk, RunEvent

#: steps per second offered by the speed control; infinity follows the newest computed step
SPEEDS: tuple[float, ...] = (
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 5_000, 20_000, 100_000, math.inf
)
DEFAULT_SPEED = 20
TICK_MS = 16  # about 60 frames a second
BAD_VERDICTS = ("diverged", "oscillating")


def speed_text(speed: float) -> str:
    if math.isinf(speed):
        return "As fast as possible"
    return "1 step a second" if speed == 1 else f"{speed:,.0f} steps a second"


class Recording:
    """Everything computed so far for one spec."""

    def __init__(self, run_count: int, keep_first: int = 2000, capacity: int = 8000) -> None:
        self.histories = [RunHistory(keep_first, capacity) for _ in range(run_count)]
        self.events: dict[int, RunEvent] = {}
        self.done = False
        self.failure: str | None = None
        self._computed = -1

    def add(self, chunk: Chunk) -> None:
        for rows in chunk.rows:
            self.histories[rows.run].append(rows)
        for event in chunk.events:
            self.events[event.run] = event
        self.done = chunk.done
        # a chunk of a live run holds rows up to ``chunk.step - 1``; the last one ends at ``step``
        self._computed = chunk.step if chunk.done else chunk.step - 1

    @property
    def all_ended(self) -> bool:
        return self.done or len(self.events) == len(self.histories)

    def end_step(self) -> int | None:
        """The last step anything happens at, once every run has its verdict (else None)."""
        if not self.all_ended:
            return None
        return max((event.step for event in self.events.values()), default=max(self._computed, 0))

    def frontier(self) -> int:
        """The furthest step the playhead may show now (-1 before the first chunk)."""
        end = self.end_step()
        return end if end is not None else self._computed

    def next_step(self, step: int) -> int | None:
        """The nearest recorded step after ``step`` in any run, if computed."""
        found = []
        for history in self.histories:
            index = history.row_at_or_before(step) + 1
            if index < len(history):
                found.append(int(history.steps[index]))
        nearest = min(found, default=None)
        return nearest if nearest is not None and nearest <= self.frontier() else None

    def previous_step(self, step: int) -> int | None:
        """The nearest recorded step before ``step`` in any run."""
        found = []
        for history in self.histories:
            index = history.row_at_or_before(step - 1)
            if index >= 0:
                found.append(int(history.steps[index]))
        return max(found, default=None)

    def first_bad_step(self) -> int | None:
        """The earliest step at which a run diverged or was judged oscillating."""
        steps = [e.step for e in self.events.values() if e.verdict in BAD_VERDICTS]
        return min(steps, default=None)


class Playback(QObject):
    """The playhead and the timer that moves it."""

    step_changed = Signal(int)
    playing_changed = Signal(bool)
    reached_end = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._step = 0
        self._last_step = 0  # the budget: the playhead never goes past it
        self._frontier = -1
        self._end: int | None = None
        self._speed: float = DEFAULT_SPEED
        self._carry = 0.0  # fractions of a step not yet shown at slow speeds
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    # --- state ---------------------------------------------------------------------------
    def step(self) -> int:
        return self._step

    def is_playing(self) -> bool:
        return self._timer.isActive()

    def speed(self) -> float:
        return self._speed

    def set_speed(self, steps_per_second: float) -> None:
        self._speed = float(steps_per_second)

    def at_end(self) -> bool:
        return self._end is not None and self._step >= self._end

    def set_limits(self, last_step: int, frontier: int, end: int | None) -> None:
        """``last_step``: the budget; ``frontier``: computed so far; ``end``: known last step."""
        self._last_step, self._frontier, self._end = last_step, frontier, end
        if end is not None and self._step > end:
            self.set_step(end)
        elif self._step > last_step:
            self.set_step(last_step)

    # --- commands ------------------------------------------------------------------------
    def play(self) -> None:
        if self.is_playing():
            return
        if self.at_end():
            self.set_step(0)
        self._carry = 0.0
        self._clock.start()
        self._timer.start()
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if not self.is_playing():
            return
        self._timer.stop()
        self.playing_changed.emit(False)

    def toggle(self) -> None:
        if self.is_playing():
            self.pause()
        else:
            self.play()

    def set_step(self, step: int) -> None:
        step = max(0, min(int(step), self._last_step))
        if self._end is not None:
            step = min(step, self._end)
        if step != self._step:
            self._step = step
            self.step_changed.emit(step)

    def stop(self) -> None:
        """Stop the timer for good (window closing)."""
        self._timer.stop()

    # --- the timer -----------------------------------------------------------------------
    def _tick(self) -> None:
        elapsed = self._clock.restart() / 1000.0
        if math.isinf(self._speed):
            target = self._frontier
        else:
            self._carry += self._speed * elapsed
            whole = int(self._carry)
            self._carry -= whole
            target = min(self._step + whole, self._frontier)
            if self._step + whole > self._frontier:
                self._carry = 0.0  # waiting for the worker: do not save up a jump
        if target > self._step:
            self.set_step(target)
        if self.at_end():
            self.pause()
            self.reached_end.emit()
