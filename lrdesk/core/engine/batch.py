"""The batched descent engine: K runs of one optimizer advanced together, judged as they go.

Runs advance in small blocks. Inside a block each step is a handful of whole-array NumPy
operations over the live runs, written into preallocated buffers; after the block, its losses,
gradients and updates are checked in a few vectorised passes (the block is sized so that these
passes stay in the processor's cache), so that each run's verdict is tied to the exact step that
proved it. Finished runs are dropped from the arrays as they accumulate. A single run is stepped
on plain Python floats instead, which is several times faster than NumPy on one point and gives
bit-for-bit the same numbers.

Verdicts (exactly one per run):

- ``converged``: the gradient's length and the length of the step that led there both fell to
  the tolerance, at a minimum (maybe a local one); a small gradient alone is not enough, since
  momentum or Adam can fly through a minimum with a large step;
- ``stalled``: the same, but where the surface curves down in some direction (a saddle);
- ``diverged``: the loss became infinite or NaN, or moved further than a bound from the minimum
  (``DIVERGENCE_FACTOR`` times the starting gap), or the budget ran out with the loss above its
  start and at its highest of the final stretch (still climbing);
- ``converged`` also when the budget ran out after the gap to the known minimum's value had
  shrunk by ``GAP_CLOSED`` (nine orders of magnitude) from the start: a run at the bottom of a
  narrow valley keeps a gradient above the tolerance long after it has arrived;
- ``slow``: the budget ran out while the loss was still going down;
- ``oscillating``: the budget ran out, the loss stayed bounded but stopped improving.

``oscillated`` says whether the steps reversed direction at least twice on the way;
``criterion`` which test decided (codes in ``lrdesk.core.engine.reasons``).
"""

from __future__ import annotations

import numpy as np

from lrdesk.core.engine import reasons
from lrdesk.core.engine.records import Block, LiveRuns, Recording, StepData, summary_block
from lrdesk.core.engine.scalar import run_scalar
from lrdesk.core.limits import learning_rates_problem
from lrdesk.core.optim.optimizers import make_batch_optimizer
from lrdesk.core.optim.schedules import ScheduleSpec
from lrdesk.core.surfaces import LossFunction

Array = np.ndarray

VERDICTS = ("converged", "slow", "oscillating", "diverged", "stalled")
CONVERGED, SLOW, OSCILLATING, DIVERGED, STALLED = range(5)
RUNNING = -1
DIVERGENCE_FACTOR = 1e3
#: reversals of direction that count as having oscillated on the way
OSCILLATION_REVERSALS = 2
#: runs × steps judged together: few enough for the block's arrays to stay in cache, enough
#: to spread the judge's fixed cost over several steps (measured: benchmarks/bench_engine.py)
CACHE_ELEMENTS = 1 << 17
#: steps per block however many runs there are: the judge's fixed cost per block grows with the
#: runs too, so that a block of a few steps over very many runs (a 200 x 200 map) spent more on
#: judging than on stepping (measured: benchmarks/bench_sweep.py); so long as the block stays
#: within ``MAX_BLOCK_ELEMENTS`` (its buffers about 20 MB): a million runs still take one step
MIN_BLOCK_ROWS = 12
MAX_BLOCK_ELEMENTS = 1 << 19
#: steps per block when a single run is stepped on plain floats
SCALAR_BLOCK = 1 << 14


class Batch:
    """K runs sharing one function, optimizer kind, schedule and budget.

    Per-run results (``verdict``, ``verdict_step``, ``final_loss``, ``final_grad_norm``,
    ``start_loss``, ``latest_loss``, ``oscillated``) are indexed like the inputs.
    """

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
        dim = function.dim
        P = np.array(starts, dtype=float).reshape(-1, dim)
        rates = np.array(learning_rates, dtype=float).reshape(-1)
        K = P.shape[0]
        if K == 0 or len(rates) != K or len(hypers) != K:
            raise ValueError(
                f"a batch needs one start, learning rate and set of settings per run "
                f"(got {K}, {len(rates)} and {len(hypers)})"
            )
        problem = learning_rates_problem(rates)
        if problem is not None:
            raise ValueError(f"every learning rate {problem}")
        if int(steps) < 0 or not tolerance >= 0:
            raise ValueError("the step budget and the tolerance cannot be negative")
        self.f = function
        self.K, self.steps, self.t = K, int(steps), 0
        self.schedule = schedule
        self.tolerance = float(tolerance)
        self.opt = make_batch_optimizer(optimizer, hypers, dim)
        self.window_start = max(0, self.steps - max(5, self.steps // 4))
        with np.errstate(all="ignore"):
            L0 = np.array(function.value_and_gradient(np.asfortranarray(P))[0], dtype=float)
        self.start_loss = L0
        self.latest_loss = L0.copy()
        self.verdict = np.full(K, RUNNING)
        self.verdict_step = np.full(K, -1)
        self.final_loss = np.full(K, np.nan)
        self.final_grad_norm = np.full(K, np.nan)
        self.reversals = np.zeros(K, dtype=np.int64)
        self.criterion = np.full(K, reasons.NONE)
        self._min_value = _known_min_value(function)
        self._live = LiveRuns(function, P, rates, L0, self._bounds(function, L0))
        self._sharing = _constants_shared(function, P)
        self._buffers: dict[tuple, Array] = {}

    @staticmethod
    def _bounds(function: LossFunction, L0: Array) -> tuple[Array, Array, Array]:
        """(lowest, highest) bearable loss per run, and the loss that counts as 'above the start'."""
        known = function.min_value()
        center = np.full_like(L0, known) if known is not None else L0
        gap = np.abs(L0 - center) if known is not None else np.abs(L0)
        bound = DIVERGENCE_FACTOR * np.maximum(gap, 1.0)
        with np.errstate(all="ignore"):
            return center - bound, center + bound, L0 + 1e-9 * np.maximum(gap, 1e-300)

    @property
    def done(self) -> bool:
        return self.t > self.steps or not self._live.alive.any()

    @property
    def running(self) -> int:
        """How many runs have no verdict yet."""
        return int(np.count_nonzero(self.verdict == RUNNING))

    @property
    def oscillated(self) -> Array:
        return self.reversals >= OSCILLATION_REVERSALS

    def advance(self, n: int, record: bool = True) -> Block | None:
        """Take up to ``n`` steps of every live run; the budget's last point is judged too."""
        if self.done:
            return None
        if int(n) < 1:
            raise ValueError("advance needs at least one step")
        rows = min(int(n), self.steps + 1 - self.t)
        final = self.t + rows - 1 == self.steps
        t_first, live = self.t, self._live
        out = Recording(rows, self.K, self.f.dim, self.opt.state_names) if record else None
        last_row = np.full(self.K, -1)
        events: list[tuple[int, int, int]] = []
        done = 0
        with np.errstate(all="ignore"):
            while done < rows and live.alive.any():
                b = self._block_rows(rows - done)
                is_last = final and done + b == rows
                data = self._run_steps(b, is_last, record)
                active = np.nonzero(live.alive)[0]
                stop_row = self._judge(data, b, is_last, events)
                last_row[live.slot[active]] = done + stop_row[active]
                if out is not None:
                    out.put(done, data, live.slot, active)
                self.t += b
                done += b
                if done == rows:
                    self._publish(data)
                self._compact()
        steps = t_first + np.arange(done)
        if out is not None:
            return out.block(done, steps, last_row, events)
        return summary_block(self, steps, last_row, events)

    def _publish(self, data: StepData) -> None:
        """Copy the runs still going into the per-run arrays (for progress reports)."""
        live = self._live
        if live.alive.all():
            # every slot still going: plain copies (the slots are all the runs until compacted)
            runs = slice(None) if len(live.slot) == self.K else live.slot
            self.latest_loss[runs] = data.losses[-1]
            self.reversals[runs] = live.reversals
            return
        runs = live.slot[live.alive]
        self.latest_loss[runs] = data.losses[-1, live.alive]
        self.reversals[runs] = live.reversals[live.alive]

    # --- stepping --------------------------------------------------------------------------
    def _block_rows(self, remaining: int) -> int:
        n = len(self._live.slot)
        if n == 1 and self._live.scalar_vg is not None:
            return min(remaining, SCALAR_BLOCK)
        return min(remaining, _block_rows(n))

    def _factors(self, count: int) -> Array | None:
        s = self.schedule
        if s.kind == "constant" and s.warmup_steps == 0:
            return None
        return s.factors(self.t, count)

    def _buffer(self, name: str, shape: tuple[int, ...]) -> Array:
        """Scratch arrays reused from block to block (fresh pages would cost page faults)."""
        key = (name, shape)
        if key not in self._buffers:
            self._buffers[key] = np.empty(shape)
        return self._buffers[key]

    def _run_steps(self, b: int, is_last: bool, record: bool) -> StepData:
        live = self._live
        if len(live.slot) == 1 and live.scalar_vg is not None:
            try:
                factors = self._factors(b - 1 if is_last else b)
                return run_scalar(live, self.opt, factors, self.t, b, is_last, record)
            except (ArithmeticError, ValueError):
                # Python raises where NumPy gives inf or NaN (0/0, cos(inf)): nothing has been
                # written back yet, so the array path redoes this block and takes over
                live.scalar_vg = None
        P, opt, f = live.P, self.opt, live.function
        n, dim = P.shape
        s = b - 1 if is_last else b
        size = _block_rows(n) if not record else b
        L = self._buffer("L", (size, n))[:b] if not record else np.empty((b, n))
        G = self._buffer("G", (size, dim, n))[:b] if not record else np.empty((b, dim, n))
        D = self._buffer("D", (size, dim, n))[:s] if not record else np.empty((s, dim, n))
        Gv, Dv = G.transpose(0, 2, 1), D.transpose(0, 2, 1)  # rows (n, dim), columns contiguous
        # two position arrays in turn: the block's starting points stay intact for the judge
        spare = live.spare if live.spare is not None else np.empty_like(P, order="F")
        data = StepData(L, G, D, P)
        if record:
            data.positions = np.empty((b, n, dim))
            data.rates = np.empty((s, n))
            data.states = {name: np.empty((s, n, dim)) for name in opt.state_names}
        factors = self._factors(s)
        t0 = self.t
        for r in range(b):
            if record:
                data.positions[r] = P
            f.value_and_gradient_into(P, L[r], Gv[r])
            if r == s:
                break
            neg_lr = live.neg_lr if factors is None else live.neg_lr * factors[r]
            opt.delta(Gv[r], neg_lr, t0 + r + 1, Dv[r])
            if r == 0:
                P = np.add(P, Dv[0], out=spare)
            else:
                P += Dv[r]
            if record:
                data.rates[r] = -neg_lr[:, 0]
                for name in opt.state_names:
                    data.states[name][r] = getattr(opt, name)
        if s:
            live.P, live.spare = P, data.start
        return data

    # --- judging ---------------------------------------------------------------------------
    def _judge(self, data: StepData, b: int, is_last: bool, events: list) -> Array:
        """Check a block's rows; finish the runs it decided. Returns each slot's last row.

        Whole-block passes are kept to the few every run needs (the gradient's length, each
        run's lowest and highest loss); the exact row a verdict became certain is then found
        only in the runs those passes flag, so a block where nothing happens costs little.
        """
        live, tol2 = self._live, self.tolerance**2
        L, G, D = data.losses, data.grads, data.updates
        s = len(D)
        n = G.shape[2]
        gn2 = _squared_norms(G, self._buffer("gradient norms", (b, n)),
                             self._buffer("norms scratch", (b, n)))
        # converged or stalled: flat here, and the step that led here small
        flat = gn2 <= tol2
        first = np.full(n, b)  # per slot, the first row that decides it (b: none)
        candidates = np.nonzero(flat.any(axis=0))[0]
        if len(candidates):  # the few runs flat somewhere: was the step that led there small?
            sub = flat[:, candidates]
            row0 = np.nonzero(sub[0])[0]
            if len(row0):  # the step before the block (none before the start: zero, small)
                before = live.prev_update[:, candidates[row0]]
                sub[0, row0] = _squared_norms(before[None])[0] <= tol2
            rows, k = np.nonzero(sub[1:])
            if len(rows):
                large = _squared_norms_at(D, rows, candidates[k]) > tol2
                sub[1 + rows[large], k[large]] = False
            hit = sub.any(axis=0)
            first[candidates[hit]] = sub[:, hit].argmax(axis=0)
        # out of bounds (NaN included): one lowest and one highest loss per run flags the runs
        lowest, highest = L.min(axis=0), L.max(axis=0)
        bad = ~(np.greater_equal(lowest, live.low) & np.less_equal(highest, live.high))
        diverged = np.zeros(n, dtype=bool)
        if bad.any():
            cols = np.nonzero(bad)[0]
            Lc = L[:, cols]
            out_of_bounds = ~(np.greater_equal(Lc, live.low[cols])
                              & np.less_equal(Lc, live.high[cols]))
            row = out_of_bounds.argmax(axis=0)
            diverged[cols] = row <= first[cols]
            first[cols] = np.minimum(first[cols], row)
        if not live.alive.all():
            first[~live.alive] = b
        reversed_ = _reversals(D, live.prev_update, self._buffer("dots", (b, n))[:s],
                               self._buffer("norms scratch", (b, n))[:s])
        counts = _count_rows(reversed_).astype(np.int64)
        stop_row = np.full(n, b - 1)
        idx = np.nonzero(first < b)[0]
        if len(idx):
            rows = first[idx]
            before = np.arange(s)[:, None] < rows[None, :]
            counts[idx] = _count_rows(reversed_[:, idx] & before)
            stop_row[idx] = rows
        live.reversals += counts
        if len(idx):
            self._finish_stopped(data, idx, stop_row[idx], diverged[idx], gn2, events)
        self._track_best(L, b, lowest, highest)
        if s:
            live.prev_update = D[s - 1].copy()
        if is_last:
            self._finish_budget(L, gn2, events)
        return stop_row

    def _track_best(self, L: Array, b: int, lowest: Array, highest: Array) -> None:
        live = self._live
        w = min(max(self.window_start - self.t, 0), b)
        if w == b:
            np.minimum(live.best_before, lowest, out=live.best_before)
            return
        if w == 0:
            np.minimum(live.best_window, lowest, out=live.best_window)
            np.maximum(live.worst_window, highest, out=live.worst_window)
            return
        np.minimum(live.best_before, L[:w].min(axis=0), out=live.best_before)
        np.minimum(live.best_window, L[w:].min(axis=0), out=live.best_window)
        np.maximum(live.worst_window, L[w:].max(axis=0), out=live.worst_window)

    def _finish_stopped(self, data, idx, rows, diverged, gn2, events) -> None:
        verdict = np.full(len(idx), DIVERGED)
        flat = ~diverged
        if flat.any():
            points = _points_at(data, idx[flat], rows[flat])
            verdict[flat] = np.where(self._curves_down(idx[flat], points), STALLED, CONVERGED)
        criterion = np.where(diverged, reasons.BLOW_UP, reasons.FLAT)
        self._finish(idx, verdict, self.t + rows, data.losses[rows, idx], gn2[rows, idx], events,
                     criterion)

    def _finish_budget(self, L: Array, gn2: Array, events: list) -> None:
        live = self._live
        idx = np.nonzero(live.alive)[0]
        if len(idx) == 0:
            return
        final = L[-1, idx]
        before = live.best_before[idx]
        margin = 1e-12 * np.maximum(1.0, np.abs(before))
        improving = (live.best_window[idx] < before - margin) & (final < before)
        climbing = (final > live.rise[idx]) & (final >= live.worst_window[idx])
        verdict = np.where(improving, SLOW, np.where(climbing, DIVERGED, OSCILLATING))
        criterion = np.where(improving, reasons.IMPROVING,
                             np.where(climbing, reasons.CLIMBING, reasons.STUCK))
        arrived = self._gap_closed(live.slot[idx], final) & (verdict != DIVERGED)
        verdict[arrived], criterion[arrived] = CONVERGED, reasons.GAP
        steps = np.full(len(idx), self.steps)
        self._finish(idx, verdict, steps, final, gn2[-1, idx], events, criterion)

    def _gap_closed(self, runs: Array, final: Array) -> Array:
        """Whether each run's loss came GAP_CLOSED of the way from its start to the minimum."""
        if self._min_value is None:
            return np.zeros(len(runs), dtype=bool)
        start_gap = self.start_loss[runs] - self._min_value
        with np.errstate(all="ignore"):
            gap = final - self._min_value
            return (start_gap > 0) & np.isfinite(gap) & (gap <= reasons.GAP_CLOSED * start_gap)

    def _finish(self, idx, verdict, steps, losses, gn2, events, criterion) -> None:
        live = self._live
        runs = live.slot[idx]
        self.verdict[runs] = verdict
        self.verdict_step[runs] = steps
        self.final_loss[runs] = losses
        self.latest_loss[runs] = losses
        self.final_grad_norm[runs] = np.sqrt(gn2)
        self.reversals[runs] = live.reversals[idx]
        self.criterion[runs] = criterion
        live.alive[idx] = False
        steps = np.broadcast_to(steps, runs.shape)
        events.extend(zip(runs.tolist(), verdict.tolist(), steps.tolist(), strict=True))

    def _curves_down(self, idx: Array, points: Array) -> Array:
        """Whether the surface curves down somewhere at these points: a saddle, not a minimum."""
        H = self._hessians(idx, points)
        out = np.zeros(len(idx), dtype=bool)
        finite = np.all(np.isfinite(H), axis=(1, 2))
        if finite.any():
            eig = np.linalg.eigvalsh(0.5 * (H[finite] + H[finite].transpose(0, 2, 1)))
            scale = np.maximum(1.0, np.abs(eig).max(axis=1))
            out[finite] = eig.min(axis=1) < -1e-9 * scale
        return out

    def _hessians(self, idx: Array, points: Array) -> Array:
        live = self._live
        if self._sharing == "shared":
            return live.function.hessian(np.asfortranarray(points))
        if self._sharing == "selectable":
            return live.function.for_runs(idx).hessian(np.asfortranarray(points))
        # constants differ per run and cannot be selected: ask for every slot, keep the ones asked
        P = live.P.copy(order="F")
        P[idx] = points
        return live.function.hessian(P)[idx]

    def _compact(self) -> None:
        """Drop finished runs once enough have piled up (or one run is left for the float path)."""
        live = self._live
        dead = int((~live.alive).sum())
        n = len(live.slot)
        if dead == 0 or dead == n or self._sharing == "fixed":
            return
        if dead * 8 < n and n - dead > 1:
            return
        keep = np.nonzero(live.alive)[0]
        live.take(keep)
        self.opt.take(keep)
        self._buffers.clear()


def _block_rows(runs: int) -> int:
    """Steps per block for ``runs`` runs in the arrays (see CACHE_ELEMENTS, MIN_BLOCK_ROWS)."""
    return max(1, CACHE_ELEMENTS // runs, min(MIN_BLOCK_ROWS, MAX_BLOCK_ELEMENTS // runs))


def _known_min_value(function: LossFunction) -> float | None:
    """The function's known lowest value, or None (unknown, or not one number for every run)."""
    try:
        with np.errstate(all="ignore"):
            value = function.min_value()
    except (ValueError, IndexError, TypeError, ArithmeticError):
        return None
    return float(value) if value is not None and np.isfinite(value) else None


def _constants_shared(function: LossFunction, P: Array) -> str:
    """'shared' (one surface for all runs), 'selectable' (per run, with ``for_runs``) or 'fixed'."""
    if type(function).for_runs is not LossFunction.for_runs:
        return "selectable"
    if len(P) == 1:
        return "shared"
    try:
        with np.errstate(all="ignore"):
            probe = np.shape(function.value(np.asfortranarray(P[:1])))
    except (ValueError, IndexError):
        return "fixed"
    return "shared" if probe == (1,) else "fixed"


def _squared_norms(A: Array, out: Array | None = None, scratch: Array | None = None) -> Array:
    """Σ over the middle (coordinate) axis of A², for arrays shaped (rows, dim, n), written
    into ``out`` (rows, n) when given, with ``scratch`` (the same shape) for the squares."""
    out = np.multiply(A[:, 0], A[:, 0], out=out)
    for i in range(1, A.shape[1]):
        out += np.multiply(A[:, i], A[:, i], out=scratch)
    return out


def _squared_norms_at(A: Array, rows: Array, cols: Array) -> Array:
    """``_squared_norms(A)[rows, cols]`` for a few entries, summed in the same order."""
    out = A[rows, 0, cols] * A[rows, 0, cols]
    for i in range(1, A.shape[1]):
        out += A[rows, i, cols] * A[rows, i, cols]
    return out


def _reversals(D: Array, previous: Array, dots: Array | None = None,
               scratch: Array | None = None) -> Array:
    """(s, n) bool: step r points against step r − 1 (the first against the block before's last).
    ``dots`` and ``scratch`` (each (s, n)) take the dot products and the partial products."""
    s = len(D)
    if dots is None:
        dots = np.empty((s, D.shape[2]))
    if s == 0:
        return dots.astype(bool)
    if scratch is None:
        scratch = np.empty_like(dots)
    np.multiply(D[0, 0], previous[0], out=dots[0])
    for i in range(1, D.shape[1]):
        dots[0] += np.multiply(D[0, i], previous[i], out=scratch[0])
    if s > 1:
        rest, part = dots[1:], scratch[1:]
        np.multiply(D[1:, 0], D[:-1, 0], out=rest)
        for i in range(1, D.shape[1]):
            rest += np.multiply(D[1:, i], D[:-1, i], out=part)
    return dots < 0


def _count_rows(mask: Array) -> Array:
    """Σ over rows of a (rows, n) bool array, counted in the narrowest integers that hold it."""
    rows = len(mask)
    if rows < 1 << 8:
        return np.add.reduce(mask.view(np.uint8), axis=0, dtype=np.uint8)
    if rows < 1 << 16:
        return np.add.reduce(mask.view(np.uint8), axis=0, dtype=np.uint16)
    return mask.sum(axis=0)


def _points_at(data: StepData, idx: Array, rows: Array) -> Array:
    """The points of slots ``idx`` at block rows ``rows``, rebuilt exactly when not recorded."""
    if data.positions is not None:
        return data.positions[rows, idx]
    points = data.start[idx].copy()
    for r in range(int(rows.max()) if len(rows) else 0):
        moving = rows > r
        points[moving] += data.updates[r][:, idx[moving]].T
    return points
