"""Which code the GUI thread was running while the event loop stalled: a sampling watchdog.

A Python thread looks at the GUI thread's stack every few milliseconds while the heartbeat is
late (``sys._current_frames``). Each stall keeps the frames of its samples, so a report can say
where the time went and whether it was the app's own code or the machine (a stall whose samples
show the GUI thread idle in the event loop is the machine not giving it a core).
"""

from __future__ import annotations

import collections
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field

APP_PACKAGE = f"{__package__.split('.')[0]}" if __package__ else "lrdesk"


@dataclass
class Stall:
    """One heartbeat that came late: how late, and the GUI thread's stacks meanwhile."""

    started: float
    length_ms: float = 0.0
    work_ms: float = 0.0  # the GUI thread's CPU time during the stall (not waiting for a core)
    stacks: list[tuple[str, ...]] = field(default_factory=list)

    def app_frames(self) -> collections.Counter:
        """How often each innermost frame of the app's own code was seen (file:line function)."""
        seen = collections.Counter()
        for stack in self.stacks:
            inner = [frame for frame in stack if "/lrdesk/" in frame]
            if inner:
                seen[inner[-1]] += 1
        return seen

    def share_in_app(self) -> float:
        """The fraction of samples in which the GUI thread was inside the app's code."""
        if not self.stacks:
            return 0.0
        return sum(any("/lrdesk/" in f for f in s) for s in self.stacks) / len(self.stacks)


class StallSampler:
    """Samples the GUI thread's stack while ``beat()`` has not been called for ``after_ms``."""

    def __init__(self, after_ms: float = 60.0, every_ms: float = 5.0) -> None:
        self.after_s, self.every_s = after_ms / 1000.0, every_ms / 1000.0
        self.stalls: list[Stall] = []
        self._gui_thread = threading.get_ident()
        self._last_beat = time.monotonic()
        self._current: Stall | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="stall-sampler", daemon=True)

    def start(self) -> None:
        self._last_beat, self._last_cpu = time.monotonic(), time.thread_time()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def beat(self) -> None:
        """Called by the heartbeat on the GUI thread: the event loop is running."""
        now, cpu = time.monotonic(), time.thread_time()
        current = self._current
        if current is not None:
            current.length_ms = 1000.0 * (now - self._last_beat)
            current.work_ms = 1000.0 * (cpu - self._last_cpu)
            self._current = None
        self._last_beat, self._last_cpu = now, cpu

    def _watch(self) -> None:
        while not self._stop.wait(self.every_s):
            last = self._last_beat
            if time.monotonic() - last < self.after_s:
                continue
            frame = sys._current_frames().get(self._gui_thread)
            if frame is None:
                continue
            stack = tuple(f"{fs.filename}:{fs.lineno} {fs.name}"
                          for fs in traceback.extract_stack(frame))
            current = self._current
            if current is None or current.started != last:
                current = Stall(started=last)
                self._current = current
                self.stalls.append(current)
            current.stacks.append(stack)

    def summary(self, over_ms: float, top: int = 12) -> str:
        """The innermost app frames seen in the stalls longer than ``over_ms``, most seen first."""
        seen = collections.Counter()
        long_ones = [s for s in self.stalls if s.length_ms > over_ms]
        for stall in long_ones:
            seen.update(stall.app_frames())
        lines = [f"{len(long_ones)} stalls over {over_ms:.0f} ms; app frames most sampled:"]
        lines += [f"  {count:4d}  {where}" for where, count in seen.most_common(top)]
        return "\n".join(lines)

    def dump(self, path: str) -> None:
        """Write every stall (length, samples, each sample's stack) as JSON, for a closer look."""
        import json

        with open(path, "w", encoding="utf-8") as out:
            json.dump([{"length_ms": s.length_ms, "work_ms": s.work_ms, "stacks": s.stacks}
                       for s in self.stalls], out)
