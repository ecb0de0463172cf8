"""The model-training job that runs on a ``Lane``'s thread, and the snapshots it hands the GUI.

The job steps a ``Trainer`` in chunks and, at most every ``SEND_SECONDS``, sends a ``Snapshot``:
fresh copies of everything drawn (losses so far, evaluations, sharpness, the current decision
surface on a grid), which the job never touches again. It stops between chunks once the GUI no
longer wants it (Cancel, a new start, the window closing).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from lrdesk.core.models.spec import ModelExperiment
from lrdesk.core.models.training import Trainer

Array = np.ndarray

CHUNK = 25
SEND_SECONDS = 1 / 30
GRID = 48


@dataclass
class Snapshot:
    """What the views draw, as of ``step``; every array is a copy made for this snapshot."""

    step: int
    total: int
    steps: Array  # (rows,)
    train_loss: Array  # (rows, K)
    grad_norm: Array  # (rows, K)
    verdicts: list[str]
    reasons: list[str]
    evaluations: list[list[tuple]]
    sharpness: list[list[tuple[int, float]]]
    learning_rates: list[float]
    thresholds: list[float]  # the sharpness limit of each run: 2/eta, (2 + 2 mu)/eta with momentum
    task: str
    X_train: Array
    y_train: Array
    X_test: Array
    y_test: Array
    grid_x: Array | None = None  # (GRID,) for two-feature data
    grid_y: Array | None = None
    surface: Array | None = None  # (K, GRID, GRID): P(class 1) or the predicted class / value
    curve_x: Array | None = None  # one-feature regression: the fitted line per run
    curve_y: Array | None = None  # (K, n)
    done: bool = False
    events: list = field(default_factory=list)
    #: each run's recorded parameters (T, dim) and their steps (T,), for the loss landscape
    paths: list[Array] = field(default_factory=list)
    path_steps: list[Array] = field(default_factory=list)
    network: object = None  # the frozen ``Network``, shared: it is never written
    per_epoch: list[int] = field(default_factory=list)  # each run's steps per epoch
    schedules: list[str] = field(default_factory=list)  # each run's schedule, in words
    batches: list[int] = field(default_factory=list)  # each run's rows per step


def current_params(trainer: Trainer) -> Array:
    """Every run's parameters now (K, dim): its group's live row, or where it stopped."""
    P = np.array([p.copy() for p in trainer.final_params])
    for g in trainer.groups:
        if len(g.runs):
            P[g.runs] = g.P
    return P


def run_paths(trainer: Trainer) -> tuple[list[Array], list[Array]]:
    """Fresh copies of every run's recorded path: steps (T,) and parameters (T, dim)."""
    dim = trainer.network.dim
    steps = [np.array([t for t, _ in path], dtype=np.int64) for path in trainer.path]
    params = [np.array([p for _, p in path]).reshape(-1, dim) for path in trainer.path]
    return steps, params


def stability_limit(kind: str, learning_rate: float, hypers: dict[str, float]) -> float:
    """The sharpness above which plain or heavy-ball gradient descent on a quadratic diverges."""
    from lrdesk.core.optim.optimizers import resolve_hypers

    mu = resolve_hypers(kind, dict(hypers)).get("momentum", 0.0) if kind in (
        "momentum", "nesterov") else 0.0
    return (2.0 + 2.0 * mu) / learning_rate


def _surface(trainer: Trainer, P: Array, bounds) -> tuple[Array, Array, Array]:
    (x0, x1), (y0, y1) = bounds
    gx, gy = np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID)
    return gx, gy, decision_surface(trainer.network, P, gx, gy)


def decision_surface(net, P: Array, gx: Array, gy: Array) -> Array:
    """(K, len(gy), len(gx)): P(class 1), or the predicted class, of every run over the grid."""
    xx, yy = np.meshgrid(gx, gy)
    pts = np.column_stack([xx.ravel(), yy.ravel()])
    with np.errstate(all="ignore"):
        z = net.forward(np.ascontiguousarray(P), pts)[-1]
        if net.loss_kind == "bce":
            value = 1.0 / (1.0 + np.exp(-np.clip(z[..., 0], -60, 60)))
        else:
            value = net.decide(z)
    return value.reshape(len(P), len(gy), len(gx))


def snapshot(trainer: Trainer, spec: ModelExperiment, bounds, limits, done: bool) -> Snapshot:
    step = min(trainer.step, trainer.max_steps + 1)
    rows = slice(0, max(1, step))
    d = trainer.data
    snap = Snapshot(
        step, trainer.max_steps, np.arange(rows.stop), trainer.train_loss[rows].copy(),
        trainer.grad_norm[rows].copy(), trainer.verdict_names(), list(trainer.reason),
        [list(e) for e in trainer.evaluations], [list(s) for s in trainer.sharpness],
        [r.learning_rate for r in spec.runs], list(limits), d.task,
        d.X_train.copy(), d.y_train.copy(), d.X_test.copy(), d.y_test.copy(), done=done)
    snap.path_steps, snap.paths = run_paths(trainer)
    snap.network = trainer.network
    snap.per_epoch, snap.schedules, snap.batches = run_epochs(trainer)
    P = current_params(trainer)
    if d.n_features == 2 and d.task != "regression":
        snap.grid_x, snap.grid_y, snap.surface = _surface(trainer, P, bounds)
    elif d.n_features == 1:
        x = np.linspace(bounds[0][0], bounds[0][1], 60)
        with np.errstate(all="ignore"):
            snap.curve_x, snap.curve_y = x, trainer.network.predictions(P, x[:, None])
    return snap


def run_epochs(trainer: Trainer) -> tuple[list[int], list[str], list[int]]:
    """Each run's steps per epoch, its schedule in words and its rows per step."""
    per, words, rows = [1] * trainer.K, [""] * trainer.K, [trainer.data.n_train] * trainer.K
    for g in trainer.groups:
        for run in g.members:
            per[run], words[run] = g.per_epoch, g.schedule.describe()
            rows[run] = g.batch or trainer.data.n_train
    return per, words, rows


def data_bounds(X: Array) -> list[tuple[float, float]]:
    low, high = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * np.maximum(high - low, 1e-9)
    return [(float(a - p), float(b + p)) for a, b, p in zip(low, high, pad, strict=True)]


def train_job(spec: ModelExperiment, send_seconds: float = SEND_SECONDS, screen_free=None):
    """A ``Lane`` job training ``spec``; sends snapshots, returns the last one.

    ``screen_free()`` (called holding the lane's condition) is False while the GUI draws the last
    snapshot: the job then waits, because both threads need the interpreter and the screen
    comes first.
    """

    def job(task):
        trainer = Trainer(spec)
        d = trainer.data
        bounds = data_bounds(np.vstack([d.X_train, d.X_test]))
        limits = [stability_limit(r.optimizer, r.learning_rate, r.hyper_dict())
                  for r in spec.runs]
        last = time.perf_counter()
        task.send(snapshot(trainer, spec, bounds, limits, False))
        while not trainer.done and task.wanted():
            if screen_free is not None and not task.wait_until(screen_free):
                break
            trainer.advance(CHUNK)
            time.sleep(0)  # let the GUI thread take the interpreter between chunks
            now = time.perf_counter()
            if now - last >= send_seconds and not trainer.done:
                task.send(snapshot(trainer, spec, bounds, limits, False))
                last = now
        return snapshot(trainer, spec, bounds, limits, trainer.done)

    return job
