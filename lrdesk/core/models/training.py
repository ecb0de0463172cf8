"""The batched trainer: many runs of one model on one dataset, stepped together and judged as they go.

Runs are grouped by optimizer, batch size and schedule (a run may have its own, else the
experiment's); each group's parameters are one (runs, dim) array
and every step is one batched forward and backward pass over the group (``networks``), one
optimizer update (``lrdesk.core.optim``, torch's rules), and the checks.

Minibatches, so that a run can be reproduced in PyTorch: with n training rows and batch size B,
an epoch has ceil(n / B) steps; epoch e (from 0) visits the rows in the order
``numpy.random.default_rng([seed, e]).permutation(n)`` (``seed``: the run's) and takes consecutive
slices of B rows of it, the last one smaller when B does not divide n. A full batch (no batch size,
or B >= n) uses every training row in order, every step. Step t (from 0) computes the loss and
gradient at the parameters θ_t, then applies the update that gives θ_{t+1}; ``train_loss[t]`` is
the loss of step t's batch at θ_t, up to t = the budget (one evaluation more than updates).

Verdicts are those of the surface engine (``lrdesk.core.engine.batch``), judged on the training
loss: ``diverged`` (the loss is NaN or infinite, rises above its start by DIVERGENCE_FACTOR times,
or ends above its start and still climbing), ``converged`` or ``stalled`` (the gradient and the
step that led there both at most the tolerance; stalled where the loss curves down somewhere),
``slow`` (still improving when the budget ran out), ``oscillating`` (bounded, no longer improving).

The trainer is driven in chunks: ``advance(k)`` takes up to k steps of every run and returns a
``TrainChunk`` of fresh arrays; a caller may stop between chunks at any time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from lrdesk.core.engine.batch import (
    CONVERGED,
    DIVERGED,
    DIVERGENCE_FACTOR,
    OSCILLATING,
    OSCILLATION_REVERSALS,
    RUNNING,
    SLOW,
    STALLED,
    VERDICTS,
)
from lrdesk.core.models.data_setup import make_data, make_model
from lrdesk.core.models.datasets import Dataset
from lrdesk.core.models.networks import ModelError, Network, Workspace
from lrdesk.core.models.sharpness import top_eigenvalues
from lrdesk.core.models.spec import ModelExperiment
from lrdesk.core.optim.decay import DECOUPLED, add_l2, base_optimizer, shrink
from lrdesk.core.optim.optimizers import make_batch_optimizer

Array = np.ndarray

#: at most this many evaluations of the test loss over a budget (per-epoch otherwise)
MAX_EVALUATIONS = 200


def steps_per_epoch(n_train: int, batch_size: int | None) -> int:
    return 1 if batch_size is None or batch_size >= n_train else -(-n_train // batch_size)


def batch_rows(n_train: int, batch_size: int | None, seed: int, step: int) -> Array | None:
    """Row indices of step ``step``'s minibatch (None: every row, the full batch)."""
    per = steps_per_epoch(n_train, batch_size)
    if per == 1:
        return None
    epoch, j = divmod(step, per)
    order = np.random.default_rng([seed, epoch]).permutation(n_train)
    return order[j * batch_size:(j + 1) * batch_size]


@dataclass
class TrainChunk:
    """What one ``advance`` produced: fresh arrays the trainer never writes again."""

    steps: Array  # (rows,) step numbers
    train_loss: Array  # (rows, K), NaN where a run had stopped
    grad_norm: Array
    events: list[tuple[int, str, int, str]] = field(default_factory=list)  # run, verdict, step, why
    done: bool = False
    #: what was recorded in this chunk, per run: lists as in ``Trainer`` (the params are copies)
    evaluations: list[list[tuple]] = field(default_factory=list)
    sharpness: list[list[tuple[int, float]]] = field(default_factory=list)
    path: list[list[tuple[int, Array]]] = field(default_factory=list)


class _Group:
    """Runs sharing an optimizer kind, a batch size and a schedule: one parameter array."""

    def __init__(self, trainer: Trainer, runs: list[int]) -> None:
        spec = trainer.spec
        first = spec.runs[runs[0]]
        self.trainer, self.runs = trainer, np.array(runs)
        self.members = tuple(runs)  # every run the group began with (``runs``: those still going)
        self.kind, self.batch = first.optimizer, first.batch_size
        self.schedule = first.schedule if first.schedule is not None else spec.schedule
        n = trainer.data.n_train
        per = steps_per_epoch(n, self.batch)
        self.per_epoch = per
        self.steps = spec.steps if spec.steps is not None else spec.epochs * per
        if spec.eval_every is not None:
            self.eval_every = spec.eval_every
        else:
            self.eval_every = per * max(1, -(-self.steps // (per * MAX_EVALUATIONS)))
        self.seeds = [spec.runs[r].seed for r in runs]
        self.P = np.array([trainer.initial_params[r] for r in runs])
        dim = self.P.shape[1]
        self.opt = make_batch_optimizer(base_optimizer(self.kind),
                                        [spec.runs[r].hyper_dict() for r in runs], dim)
        self.decay = np.array([[spec.runs[r].decay()] for r in runs])
        self.decoupled = self.kind in DECOUPLED
        self.neg_lr = -np.array([[spec.runs[r].learning_rate] for r in runs])
        self.t = 0
        self.prev_small = np.ones(len(runs), dtype=bool)  # no step led to the start
        self.prev_update = np.zeros_like(self.P)
        self.scratch = np.empty_like(self.P)
        self.delta = np.empty_like(self.P)
        self.work = Workspace()

    @property
    def done(self) -> bool:
        return self.t > self.steps or len(self.runs) == 0

    def batch_of(self, step: int):
        d = self.trainer.data
        picks = [batch_rows(d.n_train, self.batch, s, step) for s in self.seeds]
        if picks[0] is None:
            return d.X_train, d.y_train
        if all(s == self.seeds[0] for s in self.seeds):
            return d.X_train[picks[0]], d.y_train[picks[0]]
        idx = np.stack(picks)
        return d.X_train[idx], d.y_train[idx]

    def take(self, keep: Array) -> None:
        self.runs = self.runs[keep]
        self.seeds = [self.seeds[i] for i in keep]
        for name in ("P", "decay", "neg_lr", "prev_small", "prev_update"):
            setattr(self, name, np.ascontiguousarray(getattr(self, name)[keep]))
        self.scratch, self.delta = np.empty_like(self.P), np.empty_like(self.P)
        self.work.clear()
        self.opt.take(keep)


class Trainer:
    """Every run of a model experiment; ``advance`` steps them, the arrays below record them.

    Per run (indexed like ``spec.runs``): ``verdict`` (codes of VERDICTS, RUNNING while going),
    ``verdict_step``, ``reason``, ``train_loss`` and ``grad_norm`` (steps + 1, K), ``evaluations``
    (lists of (step, train loss, train accuracy, test loss, test accuracy) on the whole sets),
    ``sharpness`` (lists of (step, top Hessian eigenvalue)), ``path`` (lists of (step, params)).
    """

    def __init__(self, spec: ModelExperiment, data: Dataset | None = None,
                 network: Network | None = None) -> None:
        spec.validate()
        self.spec = spec
        self.data = data if data is not None else make_data(spec.data)
        self.network = network if network is not None else make_model(spec.model, self.data)
        K = len(spec.runs)
        self.K = K
        self.initial_params = [self.network.initial_parameters(r.seed, spec.model.init)
                               for r in spec.runs]
        keys: dict[tuple, list[int]] = {}
        for i, r in enumerate(spec.runs):
            batch = r.batch_size if r.batch_size is not None and r.batch_size < self.data.n_train \
                else None
            keys.setdefault((r.optimizer, batch, r.schedule), []).append(i)
        _check_memory(self.network, [(len(runs), batch or self.data.n_train)
                                     for (_, batch, _), runs in keys.items()],
                      max(self.data.n_train, len(self.data.y_test)))
        self.groups = [_Group(self, runs) for runs in keys.values()]
        self.max_steps = max(g.steps for g in self.groups)
        self.run_steps = np.zeros(K, dtype=np.int64)
        for g in self.groups:
            self.run_steps[g.runs] = g.steps
        self.train_loss = np.full((self.max_steps + 1, K), np.nan)
        self.grad_norm = np.full((self.max_steps + 1, K), np.nan)
        self.verdict = np.full(K, RUNNING)
        self.verdict_step = np.full(K, -1)
        self.reason = [""] * K
        self.reversals = np.zeros(K, dtype=np.int64)
        self.final_params = [p.copy() for p in self.initial_params]
        self.evaluations: list[list[tuple]] = [[] for _ in range(K)]
        self.sharpness: list[list[tuple[int, float]]] = [[] for _ in range(K)]
        self.path: list[list[tuple[int, Array]]] = [[] for _ in range(K)]
        self.path_every = max(1, -(-self.max_steps // (spec.path_points - 1)))
        self.start_loss = np.full(K, np.nan)
        self._sharpness_work = Workspace()

    @property
    def done(self) -> bool:
        return all(g.done for g in self.groups)

    @property
    def step(self) -> int:
        return min((g.t for g in self.groups if not g.done), default=self.max_steps + 1)

    def verdict_names(self) -> list[str]:
        return [VERDICTS[v] if v >= 0 else "running" for v in self.verdict]

    @property
    def oscillated(self) -> Array:
        return self.reversals >= OSCILLATION_REVERSALS

    def advance(self, n: int) -> TrainChunk:
        """Up to ``n`` steps of every run still going."""
        if int(n) < 1:
            raise ValueError("advance needs at least one step")
        first = self.step
        events: list = []
        marks = [(len(e), len(h), len(p)) for e, h, p in
                 zip(self.evaluations, self.sharpness, self.path, strict=True)]
        with np.errstate(all="ignore"):
            for g in self.groups:
                for _ in range(int(n)):
                    if g.done:
                        break
                    self._step(g, events)
        last = min(first + int(n), self.max_steps + 1)
        rows = slice(first, max(first, last))
        return TrainChunk(
            np.arange(rows.start, rows.stop), self.train_loss[rows].copy(),
            self.grad_norm[rows].copy(), events, self.done,
            [list(self.evaluations[k][m[0]:]) for k, m in enumerate(marks)],
            [list(self.sharpness[k][m[1]:]) for k, m in enumerate(marks)],
            [[(t, p.copy()) for t, p in self.path[k][m[2]:]] for k, m in enumerate(marks)])

    def chunks(self, steps: int = 256):
        """Yield a ``TrainChunk`` every ``steps`` steps until done; stop iterating to cancel."""
        while not self.done:
            yield self.advance(steps)

    def run_to_end(self, chunk: int = 256, progress=None, cancelled=None) -> Trainer:
        """Advance until done; ``progress(done, total)`` after each chunk; stop if ``cancelled()``."""
        while not self.done:
            if cancelled is not None and cancelled():
                break
            self.advance(chunk)
            if progress is not None:
                progress(min(self.step, self.max_steps + 1), self.max_steps + 1)
        return self

    # --- one step of one group -------------------------------------------------------------
    def _step(self, g: _Group, events: list) -> None:
        t, net = g.t, self.network
        X, y = g.batch_of(t)
        loss, grad = net.loss_and_gradient(g.P, X, y, g.scratch, g.work)
        gnorm = np.sqrt(np.einsum("kd,kd->k", grad, grad))
        self.train_loss[t, g.runs] = loss
        self.grad_norm[t, g.runs] = gnorm
        if t == 0:
            self.start_loss[g.runs] = loss
        self._record(g, t, loss)
        stopped = self._judge(g, t, loss, gnorm, events)
        if t == g.steps:
            self._finish_budget(g, events, ~stopped)
            g.t += 1
            return
        if stopped.any():
            keep = np.nonzero(~stopped)[0]
            grad = grad[keep]
            g.take(keep)
            if not len(keep):
                g.t = g.steps + 1
                return
        self._update(g, grad, t)
        g.t += 1

    def _update(self, g: _Group, grad: Array, t: int) -> None:
        s = g.schedule
        neg_lr = g.neg_lr if s.kind == "constant" and not s.warmup_steps \
            else g.neg_lr * s.factor(t)
        if g.decoupled:
            shrink(g.P, neg_lr, g.decay)
        elif np.any(g.decay):
            grad = add_l2(grad, g.P, g.decay, np.empty_like(grad))
        D = g.opt.delta(grad, neg_lr, t + 1, g.delta)
        dots = np.einsum("kd,kd->k", D, g.prev_update)
        self.reversals[g.runs] += dots < 0
        g.P += D
        g.prev_small = np.einsum("kd,kd->k", D, D) <= self.spec.tolerance ** 2
        g.prev_update = D.copy()

    def _record(self, g: _Group, t: int, loss: Array) -> None:
        last = t == g.steps
        if t % g.eval_every == 0 or last:
            self._evaluate(g, t, loss)
        every = self.spec.sharpness_every
        if every and (t % every == 0 or last):
            values = top_eigenvalues(self.network, g.P, self.data.X_train, self.data.y_train,
                                     work=self._sharpness_work)
            for run, value in zip(g.runs, values, strict=True):
                self.sharpness[run].append((t, float(value)))
        if t % self.path_every == 0 or last:
            for run, p in zip(g.runs, g.P, strict=True):
                self.path[run].append((t, p.copy()))

    def _evaluate(self, g: _Group, t: int, step_loss: Array) -> None:
        d, net = self.data, self.network
        if g.batch is None:  # the step's own forward pass was over every training row
            train = step_loss
            z = g.work.get(f"z{len(net.shapes) - 1}", (len(g.runs), d.n_train, net.widths[-1]))
        else:
            train, z = net.loss_and_logits(g.P, d.X_train, d.y_train, g.work)
        train_acc = _accuracy(net, z, d.y_train, d.task)
        test = test_acc = None
        if len(d.y_test):
            test, z = net.loss_and_logits(g.P, d.X_test, d.y_test, g.work)
            test_acc = _accuracy(net, z, d.y_test, d.task)
        for i, run in enumerate(g.runs):
            self.evaluations[run].append((
                t, float(train[i]), None if train_acc is None else float(train_acc[i]),
                None if test is None else float(test[i]),
                None if test_acc is None else float(test_acc[i])))

    def _judge(self, g: _Group, t: int, loss: Array, gnorm: Array, events: list) -> Array:
        L0 = self.start_loss[g.runs]
        high = L0 + DIVERGENCE_FACTOR * np.maximum(np.abs(L0), 1.0)
        bad = ~np.isfinite(loss)
        high_hit = ~bad & (loss > high)
        tol = self.spec.tolerance
        flat = ~bad & ~high_hit & (gnorm <= tol) & g.prev_small
        stopped = bad | high_hit | flat
        for i in np.nonzero(stopped)[0]:
            run = int(g.runs[i])
            if bad[i]:
                self._finish(run, DIVERGED, t, g.P[i],
                             f"the training loss became {'NaN' if math.isnan(loss[i]) else 'infinite'} "
                             f"at step {t}", events)
            elif high_hit[i]:
                self._finish(run, DIVERGED, t, g.P[i], f"the training loss rose above "
                             f"{DIVERGENCE_FACTOR:g} times its start at step {t}", events)
        if flat.any():
            idx = np.nonzero(flat)[0]
            lowest = top_eigenvalues(self.network, g.P[idx], self.data.X_train,
                                     self.data.y_train, which="lowest")
            highest = top_eigenvalues(self.network, g.P[idx], self.data.X_train,
                                      self.data.y_train)
            for i, low, high_e in zip(idx, lowest, highest, strict=True):
                saddle = low < -1e-6 * max(1.0, abs(high_e))
                reason = ("flat, but the loss curves down in some direction: a saddle" if saddle
                          else f"the gradient and the last step fell below the tolerance {tol:g}")
                self._finish(int(g.runs[i]), STALLED if saddle else CONVERGED, t, g.P[i], reason,
                             events)
        return stopped

    def _finish_budget(self, g: _Group, events: list, alive: Array) -> None:
        """The surface engine's end-of-budget rule, on each run's training loss."""
        window = max(0, g.steps - max(5, g.steps // 4))
        for i in np.nonzero(alive)[0]:
            run = int(g.runs[i])
            L = self.train_loss[: g.steps + 1, run]
            final, L0 = L[-1], L[0]
            before = L[:max(window, 1)].min()  # the start counts as before the final stretch
            best_w, worst_w = L[window:].min(), L[window:].max()
            margin = 1e-12 * max(1.0, abs(before))
            rise = L0 + 1e-9 * max(abs(L0), 1e-300)
            if best_w < before - margin and final < before:
                code, why = SLOW, "the budget ran out while the training loss was still falling"
            elif final > rise and final >= worst_w:
                code, why = DIVERGED, ("the budget ran out with the training loss above its "
                                       "start and still climbing")
            else:
                code, why = OSCILLATING, "the training loss stayed bounded but stopped improving"
            self._finish(run, code, g.steps, g.P[i], why, events)

    def _finish(self, run: int, code: int, step: int, params: Array, reason: str,
                events: list) -> None:
        self.verdict[run] = code
        self.verdict_step[run] = step
        self.reason[run] = reason
        self.final_params[run] = params.copy()
        if not self.path[run] or self.path[run][-1][0] != step:
            self.path[run].append((step, params.copy()))
        events.append((run, VERDICTS[code], step, reason))


#: the most memory the work arrays of one trainer may take
MAX_WORK_BYTES = 2_000_000_000


def _check_memory(network: Network, groups: list[tuple[int, int]], eval_rows: int) -> None:
    """Refuse, in words, a trainer whose activations would not fit in memory."""
    width = sum(network.widths[1:])
    total = 0
    for runs, rows in groups:
        # z and the backward pass's two arrays per layer, for training and for evaluation
        total += 8 * runs * width * (3 * rows + eval_rows)
    if total > MAX_WORK_BYTES:
        raise ModelError(f"this needs about {total / 1e9:.1f} GB for the activations (at most "
                         f"{MAX_WORK_BYTES / 1e9:.0f} GB): use fewer runs, rows or units")


def _accuracy(net: Network, z: Array, y: Array, task: str) -> Array | None:
    """Share of rows classified right, from the logits; a squared-error network on 0/1 labels
    says 1 above ½."""
    if task == "regression":
        return None
    decided = net.decide(z)
    if net.loss_kind == "mse":
        decided = (decided > 0.5).astype(float)
    return (decided == y).mean(axis=1)


def train(spec: ModelExperiment, progress=None, cancelled=None) -> Trainer:
    """Train every run of ``spec`` to the end (or until ``cancelled()``)."""
    return Trainer(spec).run_to_end(progress=progress, cancelled=cancelled)
