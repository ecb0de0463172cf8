"""The engine's data: the runs still in the arrays (``LiveRuns``), one block's raw numbers
(``StepData``), and what ``Batch.advance`` hands out (a recorded ``Block``, filled in through
``Recording``, or the one-row summary of an unrecorded block).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Array = np.ndarray


@dataclass
class Block:
    """What one ``advance`` recorded: row r of each array is step ``steps[r]``.

    ``positions[r, k]`` is run k's point *before* step ``steps[r]`` is taken, with its loss and
    gradient; ``learning_rates`` and ``updates`` say what the step then did (NaN on the budget's
    final point, where no step is taken). ``last_row[k]`` is the last row that belongs to run k
    (−1: the run had already ended); rows after it mean nothing.

    With ``record=False`` only one summary row is returned: ``losses[0, k]`` is run k's latest
    loss (its final loss once it has a verdict) and the other arrays are NaN.
    """

    steps: Array
    positions: Array
    losses: Array
    gradients: Array
    learning_rates: Array
    updates: Array
    state: dict[str, Array]
    last_row: Array
    events: list[tuple[int, int, int]] = field(default_factory=list)  # (run, verdict, step)


class LiveRuns:
    """The working set: one slot per run still in the arrays (``slot`` maps to the run)."""

    def __init__(self, function, P, rates, L0, bounds) -> None:
        K, dim = P.shape
        self.function = function
        self.P = np.asfortranarray(P)
        self.spare: Array | None = None  # a second position array, see Batch._run_steps
        self.neg_lr = -rates.reshape(K, 1)
        self.slot = np.arange(K)
        self.alive = np.ones(K, dtype=bool)
        self.low, self.high, self.rise = bounds
        self.best_before = L0.copy()  # the start counts as "before the final stretch"
        self.best_window = np.full(K, np.inf)
        self.worst_window = np.full(K, -np.inf)
        self.prev_update = np.zeros((dim, K))  # no step led to the start: none, so small
        self.reversals = np.zeros(K, dtype=np.int64)
        self.scalar_vg = function.scalar_value_and_gradient() if K == 1 else None

    def take(self, keep: Array) -> None:
        for name in ("neg_lr", "slot", "alive", "low", "high", "rise", "best_before",
                     "best_window", "worst_window", "reversals"):
            setattr(self, name, getattr(self, name)[keep])
        self.P = np.asfortranarray(self.P[keep])
        self.spare = None
        self.prev_update = np.ascontiguousarray(self.prev_update[:, keep])
        self.function = self.function.for_runs(keep)
        if len(keep) == 1:
            self.scalar_vg = self.function.scalar_value_and_gradient()


@dataclass
class StepData:
    """The raw numbers of one block for the live slots: b rows, s = b or b − 1 steps taken."""

    losses: Array  # (b, n)
    grads: Array  # (b, dim, n)
    updates: Array  # (s, dim, n)
    start: Array  # (n, dim): the points of row 0
    positions: Array | None = None  # (b, n, dim), when recorded
    rates: Array | None = None  # (s, n), when recorded
    states: dict[str, Array] | None = None  # name -> (s, n, dim), when recorded


class Recording:
    """The arrays of a recorded Block, filled block by block, NaN where nothing happened."""

    def __init__(self, rows: int, K: int, dim: int, state_names) -> None:
        self.positions = np.full((rows, K, dim), np.nan)
        self.losses = np.full((rows, K), np.nan)
        self.gradients = np.full((rows, K, dim), np.nan)
        self.learning_rates = np.full((rows, K), np.nan)
        self.updates = np.full((rows, K, dim), np.nan)
        self.state = {name: np.full((rows, K, dim), np.nan) for name in state_names}

    def put(self, r0: int, data: StepData, slot: Array, active: Array) -> None:
        b, s = len(data.losses), len(data.updates)
        runs = slot[active]
        self.positions[r0 : r0 + b, runs] = data.positions[:, active]
        self.losses[r0 : r0 + b, runs] = data.losses[:, active]
        self.gradients[r0 : r0 + b, runs] = data.grads.transpose(0, 2, 1)[:, active]
        self.learning_rates[r0 : r0 + s, runs] = data.rates[:, active]
        self.updates[r0 : r0 + s, runs] = data.updates.transpose(0, 2, 1)[:, active]
        for name, values in data.states.items():
            self.state[name][r0 : r0 + s, runs] = values[:, active]

    def block(self, rows: int, steps: Array, last_row: Array, events: list) -> Block:
        cut = slice(0, rows)
        return Block(
            steps, self.positions[cut], self.losses[cut], self.gradients[cut],
            self.learning_rates[cut], self.updates[cut],
            {k: v[cut] for k, v in self.state.items()}, last_row, events,
        )


def summary_block(batch, steps: Array, last_row: Array, events: list) -> Block:
    K, dim = batch.K, batch.f.dim
    return Block(
        steps=steps[-1:],
        positions=np.full((1, K, dim), np.nan),
        losses=batch.latest_loss[None, :].copy(),
        gradients=np.full((1, K, dim), np.nan),
        learning_rates=np.full((1, K), np.nan),
        updates=np.full((1, K, dim), np.nan),
        state={},
        last_row=np.where(last_row >= 0, 0, -1),
        events=events,
    )
