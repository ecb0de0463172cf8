"""A run's recorded path with bounded memory: the first steps in full, then every stride-th.

When the thinned part fills up, the stride doubles and every other thinned row is dropped, so a
10-million-step run keeps at most ``keep_first + capacity`` rows plus its pinned events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Array = np.ndarray


@dataclass
class RunRows:
    """Consecutive recorded steps of one run (fresh arrays, never written again)."""

    run: int
    steps: Array  # (n,) int
    positions: Array  # (n, dim): the point before the step
    losses: Array  # (n,)
    gradients: Array  # (n, dim)
    learning_rates: Array  # (n,) the rate used for the step (NaN on a final point)
    updates: Array  # (n, dim) what the step added to the point
    state: dict[str, Array] = field(default_factory=dict)  # optimizer state after the step
    pinned: Array | None = None  # (n,) bool: rows that must never be thinned out

    def __len__(self) -> int:
        return len(self.steps)

    def take(self, index) -> RunRows:
        return RunRows(
            self.run,
            self.steps[index],
            self.positions[index],
            self.losses[index],
            self.gradients[index],
            self.learning_rates[index],
            self.updates[index],
            {k: v[index] for k, v in self.state.items()},
            None if self.pinned is None else self.pinned[index],
        )


_FIELDS = ("steps", "positions", "losses", "gradients", "learning_rates", "updates")


class RunHistory:
    """Growable, thinning storage of one run's rows."""

    def __init__(self, keep_first: int = 2000, capacity: int = 8000) -> None:
        self.keep_first = keep_first
        self.capacity = capacity
        self.stride = 1
        self._n = 0
        self._buf: dict[str, Array] = {}
        self._state: dict[str, Array] = {}
        self._pinned = np.zeros(0, dtype=bool)

    def __len__(self) -> int:
        return self._n

    def append(self, rows: RunRows) -> RunRows:
        """Add rows, thinning as needed; returns the rows actually kept."""
        pinned = rows.pinned if rows.pinned is not None else np.zeros(len(rows), bool)
        keep = (rows.steps < self.keep_first) | (rows.steps % self.stride == 0) | pinned
        kept = rows.take(keep) if not keep.all() else rows
        kept.pinned = pinned[keep]
        self._extend(kept)
        while self._n - self._count_first() > self.capacity and self._thin():
            pass
        return kept

    def _count_first(self) -> int:
        return int(np.searchsorted(self._buf["steps"][: self._n], self.keep_first))

    def _extend(self, rows: RunRows) -> None:
        n, m = self._n, len(rows)
        if not self._buf:
            for name in _FIELDS:
                a = getattr(rows, name)
                self._buf[name] = np.empty((max(64, m), *a.shape[1:]), dtype=a.dtype)
            for name, a in rows.state.items():
                self._state[name] = np.empty((max(64, m), *a.shape[1:]), dtype=a.dtype)
            self._pinned = np.zeros(max(64, m), dtype=bool)
        if n + m > len(self._pinned):
            size = max(2 * len(self._pinned), n + m)
            for store in (self._buf, self._state):
                for name, a in store.items():
                    grown = np.empty((size, *a.shape[1:]), dtype=a.dtype)
                    grown[:n] = a[:n]
                    store[name] = grown
            grown = np.zeros(size, dtype=bool)
            grown[:n] = self._pinned[:n]
            self._pinned = grown
        for name in _FIELDS:
            self._buf[name][n : n + m] = getattr(rows, name)
        for name, a in rows.state.items():
            self._state[name][n : n + m] = a
        self._pinned[n : n + m] = rows.pinned
        self._n = n + m

    def _thin(self) -> bool:
        """Double the stride and drop the rows it no longer keeps; False if none could go."""
        self.stride *= 2
        n = self._n
        steps = self._buf["steps"][:n]
        keep = (steps < self.keep_first) | (steps % self.stride == 0) | self._pinned[:n]
        m = int(keep.sum())
        if m == n and self.stride > int(steps[-1]):
            return False  # only kept-first and pinned rows are left
        for store in (self._buf, self._state):
            for a in store.values():
                a[:m] = a[:n][keep]
        self._pinned[:m] = self._pinned[:n][keep]
        self._n = m
        return True

    # --- read access: fresh views of the kept rows --------------------------------------------
    def __getattr__(self, name: str) -> Array:
        if name in _FIELDS:
            if not self._buf:
                return np.empty(0)
            return self._buf[name][: self._n]
        raise AttributeError(name)

    @property
    def state(self) -> dict[str, Array]:
        return {k: v[: self._n] for k, v in self._state.items()}

    def row_at_or_before(self, step: int) -> int:
        """Index of the last kept row whose step is <= ``step`` (-1 if none)."""
        return int(np.searchsorted(self.steps, step, side="right")) - 1
