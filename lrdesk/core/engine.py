"""The batched descent engine: K runs of one optimizer advanced together, judged as they go.

Runs advance in blocks. Inside a block each step is a handful of whole-array NumPy operations
over all K runs; after the block the losses, gradients and updates of every step are checked in a
few vectorised passes, so that each run's verdict is tied to the exact step that proved it.

Verdicts (exactly one per run):

- ``converged``: the gradient's length fell to the tolerance at a minimum (maybe a local one);
- ``stalled``: the gradient vanished where the surface is not a minimum (a saddle or plateau);
- ``diverged``: the loss became infinite or NaN, or moved further than a bound from where it
  started (``DIVERGENCE_FACTOR`` times the starting gap);
- ``slow``: the budget ran out while the loss was still going down;
- ``oscillating``: the budget ran out, the loss stayed bounded but stopped improving.

``oscillated`` says whether the iterates reversed direction at least twice on the way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from lrdesk.core.functions import LossFunction
from lrdesk.core.optimizers import make_batch_optimizer
from lrdesk.core.schedules import ScheduleSpec

Array = np.ndarray

VERDICTS = ("converged", "slow", "oscillating", "diverged", "stalled")
CONVERGED, SLOW, OSCILLATING, DIVERGED, STALLED = range(5)
RUNNING = -1
DIVERGENCE_FACTOR = 1e3
#: reversals of direction that count as having oscillated on the way
OSCILLATION_REVERSALS = 2


@dataclass
class Block:
    """What a block of steps recorded: row r of each array is step ``steps[r]``.

    ``positions[r, k]`` is run k's point *before* step ``steps[r]`` is taken, with its loss and
    gradient; ``learning_rates`` and ``updates`` say what the step then did. ``last_row[k]`` is the
    last row that belongs to run k (−1: the run had already ended), so a run that ended inside
    the block ends at its verdict step.
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


class Batch:
    """K runs sharing one function, optimizer kind, schedule and budget."""

    def __init__(
        self,
        function: LossFunction,
        optimizer: str,
        hypers: list[dict[str, float]],
        learning_rates,
        starts,
        schedule: ScheduleSpec,
        steps: int,
        tolerance: float,
    ) -> None:
        self.f = function
        self.P = np.array(starts, dtype=float, order="F").reshape(-1, function.dim)
        K = self.P.shape[0]
        self.K = K
        self.base_lr = np.array(learning_rates, dtype=float).reshape(K, 1)
        self.opt = make_batch_optimizer(optimizer, hypers, function.dim)
        self.schedule = schedule
        self.steps = int(steps)
        self.tol2 = float(tolerance) ** 2
        self.t = 0
        self.slot = np.arange(K)  # original run index of each live slot
        self.verdict = np.full(K, RUNNING)
        self.verdict_step = np.full(K, -1)
        self.final_loss = np.full(K, np.nan)
        self.final_grad_norm = np.full(K, np.nan)
        self.reversals = np.zeros(K, dtype=np.int64)
        self.window_start = max(0, self.steps - max(5, self.steps // 4))
        with np.errstate(all="ignore"):
            L0 = function.value(self.P)
        known = function.min_value()
        self.center = np.full(K, known) if known is not None else L0.copy()
        self.bound = DIVERGENCE_FACTOR * np.maximum(np.abs(L0 - self.center), 1.0)
        self.start_loss = L0.copy()
        self.best_before = np.full(K, np.inf)
        self.best_window = np.full(K, np.inf)
        self._prev_update: Array | None = None

    @property
    def done(self) -> bool:
        return self.t > self.steps or len(self.slot) == 0

    def advance(self, n: int, record: bool = True) -> Block | None:
        """Take up to ``n`` steps of every live run; the budget's last point is judged too."""
        if self.done:
            return None
        # rows t .. t+n-1 take steps; row == self.steps is the final point (no step taken)
        rows = min(n, self.steps + 1 - self.t)
        final_row = self.t + rows - 1 == self.steps
        losses, grads, updates, lrs, pos, states = [], [], [], [], [], []
        factors = self.schedule.factors(self.t, rows)
        f, P, opt = self.f, self.P, self.opt
        with np.errstate(all="ignore"):
            for r in range(rows):
                L, G = f.value_and_gradient(P)
                losses.append(L)
                grads.append(G)
                if record:
                    pos.append(P.copy())
                if final_row and r == rows - 1:
                    break
                lr = self.base_lr * factors[r]
                D = opt.delta(G, lr, self.t + r + 1)
                P = P + D
                updates.append(D)
                if record:
                    lrs.append(lr[:, 0])
                    states.append(opt.state())
            self.P = P
            block = self._judge(rows, final_row, losses, grads, updates)
        if not record:
            self.t += rows
            return block
        block.positions = np.stack(pos)
        block.learning_rates = _pad(lrs, rows, (self.K,))
        block.updates = _pad(updates, rows, (self.K, f.dim))
        block.state = {
            name: _pad([s[name] for s in states], rows, (self.K, f.dim))
            for name in opt.state_names
        }
        self.t += rows
        return block

    # ------------------------------------------------------------------------------------
    def _judge(self, rows, final_row, losses, grads, updates) -> Block:
        t0 = self.t
        L = np.stack(losses)  # (rows, K)
        G = np.stack(grads)
        gn2 = np.einsum("rkd,rkd->rk", G, G)
        live = self.verdict == RUNNING
        bad = ~(np.abs(L - self.center) <= self.bound)
        small = gn2 <= self.tol2
        hit = (bad | small) & live
        any_hit = hit.any(axis=0)
        first = np.where(any_hit, hit.argmax(axis=0), rows)  # first row of an event, per run
        last_row = np.where(live, np.minimum(first, rows - 1), -1)

        # reversals of direction, counted only up to each run's last row
        if updates:
            U = np.stack(updates)
            if self._prev_update is not None:
                U_prev = np.concatenate([self._prev_update[None], U[:-1]])
            else:
                U_prev = np.concatenate([np.zeros_like(U[:1]), U[:-1]])
            dots = np.einsum("rkd,rkd->rk", U, U_prev)
            upto = np.arange(len(U))[:, None] < first[None, :]
            self.reversals += ((dots < 0) & upto & live).sum(axis=0)
            self._prev_update = U[-1]

        # running best loss before and inside the final window (up to each run's last row)
        step_of_row = t0 + np.arange(rows)[:, None]
        within = np.arange(rows)[:, None] <= last_row[None, :]
        masked = np.where(within & np.isfinite(L), L, np.inf)
        before = step_of_row < self.window_start
        self.best_before = np.minimum(self.best_before, np.where(before, masked, np.inf).min(axis=0))
        self.best_window = np.minimum(self.best_window, np.where(before, np.inf, masked).min(axis=0))

        events = []
        K = self.K
        for k in np.nonzero(any_hit & live)[0]:
            r = int(first[k])
            verdict = self._classify_stop(k, bad[r, k], self.P[k] if not bad[r, k] else None)
            self._finish(k, verdict, t0 + r, L[r, k], gn2[r, k])
            events.append((int(self.slot[k]), verdict, t0 + r))
        if final_row:
            for k in np.nonzero(self.verdict == RUNNING)[0]:
                verdict = self._classify_budget(k, L[-1, k])
                self._finish(k, verdict, self.steps, L[-1, k], gn2[-1, k])
                events.append((int(self.slot[k]), verdict, self.steps))
        # freeze finished runs where they ended
        self.base_lr[self.verdict != RUNNING] = 0.0
        empty = np.empty((0, K))
        return Block(
            steps=t0 + np.arange(rows), positions=empty, losses=L, gradients=G,
            learning_rates=empty, updates=empty, state={}, last_row=last_row, events=events,
        )

    def _classify_stop(self, k: int, is_bad: bool, point: Array | None) -> int:
        if is_bad:
            return DIVERGED
        H = self.f.hessian(np.asfortranarray(point[None, :]))[0]
        eig = np.linalg.eigvalsh(0.5 * (H + H.T)) if np.all(np.isfinite(H)) else np.array([0.0])
        scale = max(1.0, float(np.max(np.abs(eig))))
        return STALLED if eig.min() < -1e-9 * scale else CONVERGED

    def _classify_budget(self, k: int, final_loss: float) -> int:
        improving = self.best_window[k] < self.best_before[k] - 1e-12 * max(1.0, abs(self.best_before[k]))
        if improving and final_loss < self.best_before[k]:
            return SLOW
        return OSCILLATING

    def _finish(self, k: int, verdict: int, step: int, loss: float, gn2: float) -> None:
        self.verdict[k] = verdict
        self.verdict_step[k] = step
        self.final_loss[k] = loss
        self.final_grad_norm[k] = math.sqrt(gn2) if gn2 >= 0 else float("nan")

    @property
    def oscillated(self) -> Array:
        return self.reversals >= OSCILLATION_REVERSALS


def _pad(rows_list: list[Array], rows: int, shape: tuple[int, ...]) -> Array:
    """Stack per-step arrays; the final point, where no step is taken, gets NaN."""
    out = np.full((rows, *shape), np.nan)
    if rows_list:
        out[: len(rows_list)] = np.stack(rows_list)
    return out
