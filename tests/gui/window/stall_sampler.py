"""Which code the GUI thread was running while the event loop stalled: a sampling watchdog.

A Python thread looks at the GUI thread's stack every few milliseconds while the heartbeat is
late (``sys._current_frames``). Each stall keeps the frames of its samples and the GUI thread's
CPU time during it, so a report can say where the time went and whether it was the app's work
or the machine (a long stall with little work is the GUI thread waiting for a core). The same
thread reads the process's resident memory every 50 ms, for its peak.
"""

from __future__ import annotations

import collections
import os
import resource
import sys
import threading
import time
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
        self.start_rss_mb = self.peak_rss_mb = _rss_mb()
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
        memory_every = max(1, round(0.05 / self.every_s))
        ticks = 0
        while not self._stop.wait(self.every_s):
            ticks += 1
            if ticks % memory_every == 0:
                self.peak_rss_mb = max(self.peak_rss_mb, _rss_mb())
            last = self._last_beat
            if time.monotonic() - last < self.after_s:
                continue
            frame = sys._current_frames().get(self._gui_thread)
            if frame is None:
                continue
            stack = _stack_of(frame)
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


def _rss_mb() -> float:
    """The process's resident memory now (Linux), else its peak so far, in MB."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _stack_of(frame) -> tuple[str, ...]:
    """The stack, outermost first, as 'file:line function' (no source read: the sampler must
    not hold up the thread it watches)."""
    where = []
    while frame is not None:
        code = frame.f_code
        where.append(f"{code.co_filename}:{frame.f_lineno} {code.co_name}")
        frame = frame.f_back
    return tuple(reversed(where))
