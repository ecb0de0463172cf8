"""Engine speed and memory, each next to a hand-written reference measured in the same run.

1. Sweep throughput (run-steps/s): 10,000 learning rates x 1,000 Rosenbrock steps, plain SGD from
   (-1.5, 2), rates log-spaced 1e-6..1e-2; the engine's ``Batch`` next to a hand-written NumPy
   loop doing the same arithmetic and the same per-step verdict bookkeeping (divergence and
   convergence checks with first-step detection, reversal counting, best-loss tracking), and
   next to the bare update loop with no checks at all. A second sweep (1e-6..1e-4) in which no
   run ends early shows the ratio without the gain from dropping finished runs.
2. Single runs (K = 1) in steps/s on the parabola and on Rosenbrock: the engine (as the window
   drives it, recording every step), the same run forced onto the array path, and a plain
   Python float loop.
3. Peak memory of a 10-million-step single run with its history, in fresh processes: peak RSS,
   and tracemalloc's peak after 1 and 10 million steps (slow: skipped with --quick).

Timings are the best of several repeats (the machine may be shared); medians are in the JSON.
Usage: ``python benchmarks/bench_engine.py [--quick]``. Figures go to benchmarks/results/engine.json.
"""

from __future__ import annotations

import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _report import beside_goal, load_note, results_path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lrdesk.core.engine.batch import CONVERGED, DIVERGED, DIVERGENCE_FACTOR, VERDICTS, Batch  # noqa: E402
from lrdesk.core.functions import make_function  # noqa: E402
from lrdesk.core.optim.schedules import ScheduleSpec  # noqa: E402

RESULTS = results_path("engine")  # results/latest/ unless --update-reference
START = (-1.5, 2.0)
TOLERANCE = 1e-6


def best_of(repeats: int, fn) -> tuple[float, float, object]:
    """(best seconds, median seconds, last result) of ``repeats`` calls."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times), out


# ------------------------------------------------------------------------------------------
# 1. Sweep
# ------------------------------------------------------------------------------------------
def engine_sweep(rates: np.ndarray, steps: int):
    batch = Batch(make_function("rosenbrock"), "sgd", [{}] * len(rates), rates,
                  [START] * len(rates), ScheduleSpec(), steps, TOLERANCE)
    while not batch.done:
        batch.advance(steps + 1, record=False)
    return batch.verdict, batch.verdict_step


def hand_sweep(rates: np.ndarray, steps: int):
    """What one would write by hand: the same formulas and per-step checks, no engine."""
    K = len(rates)
    x, y = np.full(K, START[0]), np.full(K, START[1])
    neg_lr = -rates
    r, d = y - x * x, 1.0 - x
    L0 = d * d + 100.0 * (r * r)
    bound = DIVERGENCE_FACTOR * np.maximum(np.abs(L0), 1.0)  # the minimum value is 0
    tol2 = TOLERANCE**2
    window_start = max(0, steps - max(5, steps // 4))
    live = np.ones(K, dtype=bool)
    verdict, verdict_step = np.full(K, -1), np.full(K, -1)
    final_loss = np.full(K, np.nan)
    reversals = np.zeros(K, dtype=np.int64)
    best_before, best_window = L0.copy(), np.full(K, np.inf)
    prev_dx, prev_dy, prev_small = np.zeros(K), np.zeros(K), np.ones(K, dtype=bool)
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
                verdict_step[idx] = t
                final_loss[idx] = L[idx]
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
    return verdict, verdict_step


def bare_sweep(rates: np.ndarray, steps: int):
    K = len(rates)
    x, y = np.full(K, START[0]), np.full(K, START[1])
    neg_lr = -rates
    with np.errstate(all="ignore"):
        for _ in range(steps):
            r = y - x * x
            d = 1.0 - x
            gy = 200.0 * r
            gx = -2.0 * d - 2.0 * x * gy
            x += neg_lr * gx
            y += neg_lr * gy
    return x


def sweep_figures(rates: np.ndarray, steps: int, repeats: int) -> dict:
    work = len(rates) * steps
    out = {"runs": len(rates), "steps": steps, "lr_min": float(rates[0]),
           "lr_max": float(rates[-1])}
    for name, fn in (("engine", engine_sweep), ("hand_loop", hand_sweep), ("bare_loop", bare_sweep)):
        best, median, result = best_of(repeats, lambda fn=fn: fn(rates, steps))
        out[name] = {"run_steps_per_s": work / best, "median_run_steps_per_s": work / median,
                     "seconds": best}
        if name == "engine":
            engine_result = result
        if name == "hand_loop":
            hand_result = result
    out["engine_over_hand_loop"] = out["engine"]["run_steps_per_s"] / out["hand_loop"]["run_steps_per_s"]
    diverged = engine_result[0] == DIVERGED
    out["diverged_runs"] = int(diverged.sum())
    out["same_divergence_steps_as_hand_loop"] = bool(
        np.array_equal(diverged, hand_result[0] == DIVERGED)
        and np.array_equal(engine_result[1][diverged], hand_result[1][diverged])
    )
    out["verdicts"] = {v: int(np.sum(engine_result[0] == i)) for i, v in enumerate(VERDICTS)}
    return out


# ------------------------------------------------------------------------------------------
# 2. Single runs
# ------------------------------------------------------------------------------------------
SINGLE = {"quadratic": ((5.0,), 1e-7), "rosenbrock": (START, 1e-5)}


def engine_single(key: str, steps: int, array_path: bool = False) -> None:
    start, rate = SINGLE[key]
    batch = Batch(make_function(key), "sgd", [{}], [rate], [start], ScheduleSpec(), steps, 0.0)
    if array_path:
        batch._live.scalar_vg = None  # what a single run costs without the float path
    while not batch.done:
        batch.advance(4096, record=True)


def python_single(key: str, steps: int) -> None:
    """The plainest loop: Python floats, the formula inline, no checks, nothing recorded."""
    start, rate = SINGLE[key]
    if key == "quadratic":
        (w,) = start
        for _ in range(steps):
            w -= rate * (2.0 * w)
        return
    x, y = start
    for _ in range(steps):
        r = y - x * x
        d = 1.0 - x
        gy = 200.0 * r
        gx = -2.0 * d - 2.0 * x * gy
        x -= rate * gx
        y -= rate * gy


def single_figures(steps: int, repeats: int) -> dict:
    out = {"steps": steps}
    for key in SINGLE:
        row = {}
        for name, fn in (
            ("engine", lambda k=key: engine_single(k, steps)),
            ("engine_array_path", lambda k=key: engine_single(k, steps // 10, array_path=True)),
            ("python_float_loop", lambda k=key: python_single(k, steps)),
        ):
            n = steps // 10 if name == "engine_array_path" else steps
            best, median, _ = best_of(repeats, fn)
            row[name] = {"steps_per_s": n / best, "median_steps_per_s": n / median}
        out[key] = row
    return out


# ------------------------------------------------------------------------------------------
# 3. Memory of a 10-million-step run (a fresh process, so the peak is its own)
# ------------------------------------------------------------------------------------------
_CHILD = """
import json, resource, sys, time, tracemalloc
sys.path.insert(0, {root!r})
from lrdesk.core.experiment.simulation import Simulation
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
spec = ExperimentSpec(function="rosenbrock", start=(-1.5, 2.0), runs=(RunSpec(1e-6),),
                      steps={steps}, tolerance=0.0)
simulation = Simulation(spec)
mode = {mode!r}
if mode == "tracemalloc":
    tracemalloc.start()
t0 = time.perf_counter()
rows = verdict = None
if mode != "idle":
    result = simulation.run_to_end(chunk_steps=4096)
    rows, verdict = len(result.runs[0].history), result.runs[0].verdict
seconds = time.perf_counter() - t0
traced = tracemalloc.get_traced_memory()[1] if mode == "tracemalloc" else None
print(json.dumps({{"peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "traced_peak_bytes": traced, "seconds": seconds, "rows_kept": rows,
                  "verdict": verdict}}))
"""


def _child(steps: int, mode: str) -> dict:
    code = _CHILD.format(root=str(ROOT), steps=steps, mode=mode)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def memory_figures(steps: int, traced: bool) -> dict:
    """Peak RSS of a process running ``steps`` steps, against one that only builds the run.

    With ``traced``, also tracemalloc's peak (every NumPy and Python allocation; it slows the
    run several times over) at a tenth of the steps and at all of them: flat means bounded.
    """
    idle, busy = _child(steps, "idle"), _child(steps, "rss")
    out = {
        "steps": steps,
        "seconds": busy["seconds"],
        "steps_per_s": steps / busy["seconds"],
        "history_rows_kept": busy["rows_kept"],
        "verdict": busy["verdict"],
        "peak_rss_mb": busy["peak_rss_kb"] / 1024,
        "peak_rss_without_the_run_mb": idle["peak_rss_kb"] / 1024,
        "peak_rss_increase_mb": (busy["peak_rss_kb"] - idle["peak_rss_kb"]) / 1024,
    }
    if traced:
        for n in (steps // 10, steps):
            out[f"traced_peak_mb_at_{n}_steps"] = _child(n, "tracemalloc")["traced_peak_bytes"] / 1e6
    return out


# ------------------------------------------------------------------------------------------
def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    repeats = 3 if quick else 7
    figures = {
        "machine": {"python": platform.python_version(), "numpy": np.__version__,
                    "processor": platform.processor() or platform.machine()},
        "sweep": sweep_figures(np.geomspace(1e-6, 1e-2, 10_000), 1000, repeats),
        "sweep_no_early_stops": sweep_figures(np.geomspace(1e-6, 1e-4, 10_000), 1000, repeats),
        "single_run": single_figures(200_000 if quick else 1_000_000, 3),
        "memory_10M_steps": memory_figures(1_000_000 if quick else 10_000_000, traced=not quick),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print_table(figures)
    print(load_note())
    print(f"\nfigures written to {RESULTS.relative_to(ROOT)}")
    return 0


def print_table(f: dict) -> None:
    for key, title in (("sweep", "Sweep: 10,000 rates (1e-6..1e-2) x 1,000 Rosenbrock steps"),
                       ("sweep_no_early_stops", "Same, rates 1e-6..1e-4 (no run ends early)")):
        s = f[key]
        print(f"\n{title}")
        print(f"  {'':34s}{'M run-steps/s':>15s}{'median':>10s}")
        for name, label in (("engine", "engine (Batch, record=False)"),
                            ("hand_loop", "hand NumPy loop, same checks"),
                            ("bare_loop", "bare update loop, no checks")):
            print(f"  {label:34s}{s[name]['run_steps_per_s'] / 1e6:15.1f}"
                  f"{s[name]['median_run_steps_per_s'] / 1e6:10.1f}")
        print(f"  engine / hand loop: {beside_goal(s['engine_over_hand_loop'], 0.8, higher_is_better=True)}"
              f"   ({s['diverged_runs']:,} runs diverged; divergence steps equal to "
              f"the hand loop's: {'yes' if s['same_divergence_steps_as_hand_loop'] else 'NO'})")
    s = f["single_run"]
    print(f"\nSingle run (K = 1), steps/s over {s['steps']:,} steps")
    print(f"  {'':14s}{'engine':>12s}{'array path':>12s}{'Python floats':>15s}")
    for key in SINGLE:
        row = s[key]
        print(f"  {key:14s}{row['engine']['steps_per_s']:12,.0f}"
              f"{row['engine_array_path']['steps_per_s']:12,.0f}"
              f"{row['python_float_loop']['steps_per_s']:15,.0f}")
    m = f["memory_10M_steps"]
    print(f"\n{m['steps']:,}-step single run (Rosenbrock, with history): {m['seconds']:.1f} s, "
          f"{m['history_rows_kept']:,} rows kept, peak RSS {m['peak_rss_mb']:.0f} MB "
          f"(+{m['peak_rss_increase_mb']:.1f} MB over the same process without the run)")
    for key, value in m.items():
        if key.startswith("traced_peak_mb_at_"):
            steps = int(key.rsplit("_", 2)[-2])
            print(f"  tracemalloc peak after {steps:,} steps: {value:.2f} MB")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
