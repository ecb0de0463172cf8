"""The yardstick for ``lrdesk sweep``: a hand-written NumPy loop doing the same arithmetic.

Plain gradient descent on Rosenbrock (a = 1, b = 100) for ``--num`` learning rates log-spaced
from ``--lr-min`` to ``--lr-max``, all from (-1.5, 2), for ``--steps`` steps, with the verdict
bookkeeping a sweep needs (divergence beyond 1,000 x the starting gap, convergence when the
gradient and the step that led there are both within 1e-6, reversals, best losses); it prints
the verdict counts. Only NumPy is imported, so timing it as a whole process against

    lrdesk sweep --function rosenbrock --start=-1.5,2 --lr-min 1e-6 --lr-max 1e-2 \
        --num 10000 --steps 1000

compares like with like (start-up included). Usage:
``python benchmarks/hand_loop_rosenbrock.py [--num 10000] [--steps 1000]``.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

START = (-1.5, 2.0)
TOLERANCE = 1e-6
DIVERGENCE_FACTOR = 1e3
CONVERGED, SLOW, OSCILLATING, DIVERGED = 0, 1, 2, 3


def hand_sweep(rates: np.ndarray, steps: int) -> np.ndarray:
    K = len(rates)
    x, y = np.full(K, START[0]), np.full(K, START[1])
    neg_lr = -rates
    r, d = y - x * x, 1.0 - x
    L0 = d * d + 100.0 * (r * r)
    bound = DIVERGENCE_FACTOR * np.maximum(np.abs(L0), 1.0)  # the minimum value is 0
    tol2 = TOLERANCE**2
    window_start = max(0, steps - max(5, steps // 4))
    live = np.ones(K, dtype=bool)
    verdict = np.full(K, -1)
    reversals = np.zeros(K, dtype=np.int64)
    best_before, best_window = L0.copy(), np.full(K, np.inf)
    prev_dx, prev_dy, prev_small = np.zeros(K), np.zeros(K), np.ones(K, dtype=bool)
    L = L0
    with np.errstate(all="ignore"):
        for t in range(steps + 1):
            r = y - x * x
            d = 1.0 - x
            L = d * d + 100.0 * (r * r)
            gy = 200.0 * r
            gx = -2.0 * d - 2.0 * x * gy
            ok = np.greater_equal(L, -bound) & np.less_equal(L, bound)
            hit = (((gx * gx + gy * gy) <= tol2) & prev_small | ~ok) & live
            if hit.any():
                idx = np.nonzero(hit)[0]
                verdict[idx] = np.where(ok[idx], CONVERGED, DIVERGED)
                live[idx] = False
            if t < window_start:
                np.minimum(best_before, L, out=best_before)
            else:
                np.minimum(best_window, L, out=best_window)
            if t == steps:
                break
            dx, dy = neg_lr * gx, neg_lr * gy
            x += dx
            y += dy
            reversals += ((dx * prev_dx + dy * prev_dy) < 0) & live
            prev_small = dx * dx + dy * dy <= tol2
            prev_dx, prev_dy = dx, dy
    rest = live
    improving = (best_window < best_before) & (best_before > L)
    verdict[rest] = np.where(improving[rest], SLOW, OSCILLATING)
    return verdict


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--lr-min", type=float, default=1e-6)
    parser.add_argument("--lr-max", type=float, default=1e-2)
    args = parser.parse_args(argv)
    verdict = hand_sweep(np.geomspace(args.lr_min, args.lr_max, args.num), args.steps)
    names = ("converged", "slow", "oscillating", "diverged")
    print(", ".join(f"{name} {int((verdict == i).sum())}" for i, name in enumerate(names)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
