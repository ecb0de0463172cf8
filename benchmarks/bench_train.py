"""Training speed: 32 learning rates of a 2-16-16-1 tanh network, and the memory of long runs.

Measured:
- the app's batched trainer (``lrdesk.core.models``) on 500 points of the circle data (all of
  them training rows), binary cross-entropy, 32 learning rates log-spaced 1e-3..1, 1,000
  full-batch steps of plain gradient descent;
- the same arithmetic in a hand-written NumPy loop, (a) one run after another, (b) batched over
  the 32 runs with stacked matrix products, (c) the same with every large array allocated once
  and reused (fresh multi-megabyte arrays each step cost page faults);
- peak memory (resident set) of 64 runs x 10,000 steps of the app's trainer, recording
  everything it records (its per-step arrays are (steps + 1) x runs; paths are bounded).

Each part can run alone in a fresh process, so that whole-process times can be compared from
outside: ``python benchmarks/bench_train.py app|single|batched|batched_buffers|memory``. Without an argument it
runs them in turn (each in a subprocess), prints a table and writes
``benchmarks/results/train.json``.
"""

from __future__ import annotations

import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _report import results_path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = results_path("train")  # results/latest/ unless --update-reference
RUNS, STEPS, POINTS, HIDDEN = 32, 1000, 500, (16, 16)
RATES = np.geomspace(1e-3, 1.0, RUNS)


def _spec(runs: int, steps: int):
    from lrdesk.core.models.spec import DataSpec, ModelExperiment, ModelRunSpec, ModelSpec

    return ModelExperiment(
        data=DataSpec("circle", points=POINTS, train_fraction=1.0),
        model=ModelSpec("mlp", HIDDEN, "tanh"),
        runs=tuple(ModelRunSpec(float(r)) for r in np.geomspace(1e-3, 1.0, runs)),
        steps=steps, tolerance=0.0)


def app() -> float:
    from lrdesk.core.models.training import Trainer

    trainer = Trainer(_spec(RUNS, STEPS)).run_to_end(chunk=STEPS + 1)
    return float(np.nansum(trainer.train_loss[-1]))


def _problem():
    from lrdesk.core.models.datasets import make_dataset
    from lrdesk.core.models.networks import Network

    data = make_dataset("circle", points=POINTS, train_fraction=1.0)
    net = Network((2, *HIDDEN, 1), "bce", "tanh")
    P = np.array([net.initial_parameters(0) for _ in range(RUNS)])
    return data.X_train, data.y_train, P


def _unpack(p):
    """One run's flat vector as matrices (W row by row, then b; the app's order)."""
    W1, b1 = p[:32].reshape(2, 16), p[32:48]
    W2, b2 = p[48:304].reshape(16, 16), p[304:320]
    W3, b3 = p[320:336].reshape(16, 1), p[336:337]
    return W1, b1, W2, b2, W3, b3


def single() -> float:
    """Hand-written: one run after another."""
    X, y, P = _problem()
    n = len(y)
    total = 0.0
    for k in range(RUNS):
        p = P[k].copy()
        W1, b1, W2, b2, W3, b3 = _unpack(p)  # views: updating p updates them
        g = np.empty_like(p)
        gW1, gb1, gW2, gb2, gW3, gb3 = _unpack(g)
        for _ in range(STEPS + 1):
            a1 = np.tanh(X @ W1 + b1)
            a2 = np.tanh(a1 @ W2 + b2)
            z = (a2 @ W3 + b3)[:, 0]
            loss = np.mean(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z))))
            dz = ((1 / (1 + np.exp(-z)) - y) / n)[:, None]
            gW3[...] = a2.T @ dz
            gb3[...] = dz.sum(axis=0)
            d2 = (dz @ W3.T) * (1 - a2 * a2)
            gW2[...] = a1.T @ d2
            gb2[...] = d2.sum(axis=0)
            d1 = (d2 @ W2.T) * (1 - a1 * a1)
            gW1[...] = X.T @ d1
            gb1[...] = d1.sum(axis=0)
            p -= RATES[k] * g
        total += loss
    return total


def batched() -> float:
    """Hand-written: the 32 runs at once, stacked matrix products (K, n, width)."""
    X, y, P = _problem()
    n, K = len(y), RUNS
    W1, b1 = P[:, :32].reshape(K, 2, 16).copy(), P[:, 32:48].copy()
    W2, b2 = P[:, 48:304].reshape(K, 16, 16).copy(), P[:, 304:320].copy()
    W3, b3 = P[:, 320:336].reshape(K, 16, 1).copy(), P[:, 336:337].copy()
    lr = RATES[:, None]
    for _ in range(STEPS + 1):
        a1 = np.tanh(np.matmul(X, W1) + b1[:, None, :])
        a2 = np.tanh(np.matmul(a1, W2) + b2[:, None, :])
        z = (np.matmul(a2, W3) + b3[:, None, :])[..., 0]
        loss = np.mean(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z))), axis=1)
        dz = ((1 / (1 + np.exp(-z)) - y) / n)[..., None]
        gW3, gb3 = np.matmul(a2.transpose(0, 2, 1), dz), dz.sum(axis=1)
        d2 = np.matmul(dz, W3.transpose(0, 2, 1)) * (1 - a2 * a2)
        gW2, gb2 = np.matmul(a1.transpose(0, 2, 1), d2), d2.sum(axis=1)
        d1 = np.matmul(d2, W2.transpose(0, 2, 1)) * (1 - a1 * a1)
        gW1, gb1 = np.matmul(X.T, d1), d1.sum(axis=1)
        W1 -= lr[..., None] * gW1
        b1 -= lr * gb1
        W2 -= lr[..., None] * gW2
        b2 -= lr * gb2
        W3 -= lr[..., None] * gW3
        b3 -= lr * gb3
    return float(np.sum(loss))


def batched_buffers() -> float:
    """Hand-written, batched, and every (K, n, width) array allocated once and reused."""
    X, y, P = _problem()
    n, K = len(y), RUNS
    W1, b1 = P[:, :32].reshape(K, 2, 16).copy(), P[:, 32:48].copy()
    W2, b2 = P[:, 48:304].reshape(K, 16, 16).copy(), P[:, 304:320].copy()
    W3, b3 = P[:, 320:336].reshape(K, 16, 1).copy(), P[:, 336:337].copy()
    lr = RATES[:, None]
    a1, a2, d, s = (np.empty((K, n, 16)) for _ in range(4))
    z = np.empty((K, n, 1))
    ones = np.ones(n)
    for _ in range(STEPS + 1):
        np.matmul(X, W1, out=a1)
        a1 += b1[:, None, :]
        np.tanh(a1, out=a1)
        np.matmul(a1, W2, out=a2)
        a2 += b2[:, None, :]
        np.tanh(a2, out=a2)
        np.matmul(a2, W3, out=z)
        z += b3[:, None, :]
        zz = z[..., 0]
        loss = np.mean(np.maximum(zz, 0) - y * zz + np.log1p(np.exp(-np.abs(zz))), axis=1)
        dz = ((1 / (1 + np.exp(-zz)) - y) / n)[..., None]
        gW3, gb3 = np.matmul(a2.transpose(0, 2, 1), dz), np.matmul(ones, dz)
        np.matmul(dz, W3.transpose(0, 2, 1), out=d)
        np.multiply(a2, a2, out=s)
        np.subtract(1.0, s, out=s)
        d *= s
        gW2, gb2 = np.matmul(a1.transpose(0, 2, 1), d), np.matmul(ones, d)
        np.matmul(d, W2.transpose(0, 2, 1), out=a2)
        np.multiply(a1, a1, out=s)
        np.subtract(1.0, s, out=s)
        a2 *= s
        gW1, gb1 = np.matmul(X.T, a2), np.matmul(ones, a2)
        W1 -= lr[..., None] * gW1
        b1 -= lr * gb1
        W2 -= lr[..., None] * gW2
        b2 -= lr * gb2
        W3 -= lr[..., None] * gW3
        b3 -= lr * gb3
    return float(np.sum(loss))


def memory() -> float:
    from lrdesk.core.models.training import Trainer

    trainer = Trainer(_spec(64, 10_000)).run_to_end(chunk=500)
    return float(np.nansum(trainer.train_loss[-1]))


PARTS = {"app": app, "single": single, "batched": batched, "batched_buffers": batched_buffers,
         "memory": memory}


def _child(name: str) -> dict:
    out = subprocess.run([sys.executable, __file__, name], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    if argv:
        t = time.perf_counter()
        value = PARTS[argv[0]]()
        seconds = time.perf_counter() - t
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"part": argv[0], "seconds": seconds, "peak_mb": peak_mb,
                          "check": value}))
        return 0
    figures = {name: _child(name) for name in PARTS}
    app_s = figures["app"]["seconds"]
    report = {
        "machine": platform.platform(), "python": platform.python_version(),
        "numpy": np.__version__,
        "work": f"{RUNS} rates x {STEPS} full-batch steps, 2-16-16-1 tanh, {POINTS} points",
        "app_seconds": app_s,
        "hand_single_seconds": figures["single"]["seconds"],
        "hand_batched_seconds": figures["batched"]["seconds"],
        "app_over_hand_batched": app_s / figures["batched"]["seconds"],
        "app_over_hand_single": app_s / figures["single"]["seconds"],
        "hand_batched_buffers_seconds": figures["batched_buffers"]["seconds"],
        "app_over_hand_batched_buffers": app_s / figures["batched_buffers"]["seconds"],
        "memory_64x10000_seconds": figures["memory"]["seconds"],
        "memory_64x10000_peak_mb": figures["memory"]["peak_mb"],
    }
    for key, value in report.items():
        print(f"{key:>28}: {value:.3f}" if isinstance(value, float) else f"{key:>28}: {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
