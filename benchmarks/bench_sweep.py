"""Sweep and regime-map speed, and how responsive the window stays while they run.

Measured:
- a 10,000-rate x 1,000-step Rosenbrock sweep (plain gradient descent from (-1.5, 2), rates
  log-spaced 1e-6..1e-2): wall time to the full result, in the core and through the sweep view;
- 200 x 200 regime maps (learning rate x momentum on Rosenbrock, learning rate x condition
  number of the narrow valley), 1,000 steps per cell: the same two times;
- for the condition map, the one-batch vectorised valley family against one batch per
  condition row (the alternative the design considered);
- run-steps between two partial results of the sweep (the engine's own blocks are inside);
- the GUI's event-loop latency while the worker runs: a 1 ms QTimer in the GUI thread records
  the gaps between its ticks (budget: p99 under 30 ms), pooled over several runs; the load
  average is recorded too, since other busy programs on the machine lengthen the gaps.

Usage: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_sweep.py``. Prints a table and
writes ``benchmarks/results/sweep.json``.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
from _report import beside_goal, load_note, mark, results_path
from hand_loop_rosenbrock import hand_sweep

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lrdesk.core.engine.batch import Batch  # noqa: E402
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec  # noqa: E402
from lrdesk.core.functions import make_function  # noqa: E402
from lrdesk.core.optim.schedules import ScheduleSpec  # noqa: E402
from lrdesk.core.sweeps.regime import MapAxis, axis_values, regime_map  # noqa: E402
from lrdesk.core.sweeps.sweep import block_steps, log_spaced_rates, sweep_learning_rates  # noqa: E402

RESULTS = results_path("sweep")  # results/latest/ unless --update-reference
ROSENBROCK = ExperimentSpec(function="rosenbrock", start=(-1.5, 2.0), runs=(RunSpec(1e-3),),
                            steps=1000)
MOMENTUM_MAP = ExperimentSpec(function="rosenbrock", start=(-1.5, 2.0),
                              runs=(RunSpec(1e-3, "momentum"),), steps=1000)
VALLEY = ExperimentSpec(function="ill_conditioned", start=(-4.0, 3.0), runs=(RunSpec(0.1),),
                        steps=1000)
SWEEP_RATES = (1e-6, 1e-2, 10_000)
MAP_SIDE = 200
GUI_REPEATS = 5
MAP_GOAL_S = 0.5
LATENCY_GOAL_MS = 30.0
#: run-steps/s of a fused compiled loop for this Rosenbrock update on this machine: the ceiling
FUSED_CEILING = 3.9e9


def best_of(repeats: int, work, clock=time.perf_counter) -> float:
    times = []
    for _ in range(repeats):
        t = clock()
        work()
        times.append(clock() - t)
    return min(times)


def rosenbrock_sweep(progress=None, cancel=None, chunk_steps=None):
    f = ROSENBROCK.validate()
    return sweep_learning_rates(f, (-1.5, 2.0), "sgd", {}, log_spaced_rates(*SWEEP_RATES), 1000,
                                1e-6, chunk_steps=chunk_steps, progress=progress, cancel=cancel)


def map_axes(kind: str):
    if kind == "momentum":
        return (MOMENTUM_MAP, MapAxis("lr", axis_values("lr", MAP_SIDE, 1e-6, 1e-2)),
                MapAxis("momentum", axis_values("momentum", MAP_SIDE, 0.0, 0.99)))
    return (VALLEY, MapAxis("lr", axis_values("lr", MAP_SIDE, 1e-4, 3.0)),
            MapAxis("condition", axis_values("condition", MAP_SIDE, 1.0, 1000.0)))


def core_figures() -> dict:
    out = {}
    result = rosenbrock_sweep()
    out["sweep_core_s"] = best_of(3, rosenbrock_sweep)
    out["sweep_run_steps_per_s"] = 10_000 * 1000 / out["sweep_core_s"]
    rates = log_spaced_rates(*SWEEP_RATES)
    out["hand_loop_s"] = best_of(3, lambda: hand_sweep(rates, 1000))
    out["sweep_speed_over_hand_loop"] = out["hand_loop_s"] / out["sweep_core_s"]
    out["sweep_counts"] = result.counts()
    for kind in ("momentum", "condition"):
        spec, x, y = map_axes(kind)
        out[f"map_{kind}_core_s"] = best_of(2, lambda s=spec, a=x, b=y: regime_map(s, a, b))
        # processor time too: on a shared machine the wall time counts other programs' turns
        out[f"map_{kind}_core_cpu_s"] = best_of(2, lambda s=spec, a=x, b=y: regime_map(s, a, b),
                                                time.process_time)
    out["map_condition_by_rows_s"] = best_of(1, condition_map_by_rows)
    out["sweep_block_sizes_s"] = block_size_figures()
    return out


def condition_map_by_rows() -> None:
    """The alternative: one batch of 200 rates per condition number (200 batches)."""
    _spec, x, y = map_axes("condition")
    for kappa in y.values:
        f = make_function("ill_conditioned", {"condition": kappa})
        batch = Batch(f, "sgd", [{}] * len(x.values), x.values, [(-4.0, 3.0)] * len(x.values),
                      ScheduleSpec(), 1000, 1e-6)
        while not batch.done:
            batch.advance(500, record=False)


def block_size_figures() -> dict:
    """The sweep's time with each budget of run-steps between partial results (the core's
    default: 1,000,000)."""
    out = {}
    for budget in (100_000, 400_000, 1_000_000, 4_000_000):
        steps = block_steps(SWEEP_RATES[2], budget)
        out[str(budget)] = best_of(2, lambda s=steps: rosenbrock_sweep(chunk_steps=s))
    return out


# ------------------------------------------------------------------------------------------
# Through the GUI
# ------------------------------------------------------------------------------------------
class GapRecorder:
    """A 1 ms timer in the GUI thread; the gaps between its ticks show how late events run."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.gaps: list[float] = []
        self._last = None
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def summary(self) -> dict:
        gaps = np.array(self.gaps) * 1000.0
        self.gaps = []
        return {
            "ticks": len(gaps),
            "p50_ms": float(np.percentile(gaps, 50)) if len(gaps) else None,
            "p99_ms": float(np.percentile(gaps, 99)) if len(gaps) else None,
            "max_ms": float(gaps.max()) if len(gaps) else None,
        }

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now


def gui_figures() -> dict:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from lrdesk.gui.sweeps.map_view import MapView
    from lrdesk.gui.sweeps.sweep_view import SweepView

    app = QApplication.instance() or QApplication([])
    recorder = GapRecorder()

    def timed(start, finished) -> tuple[float, dict]:
        """Median wall time of GUI_REPEATS runs; event-loop gaps pooled over all of them."""
        walls = []
        for _ in range(GUI_REPEATS):
            loop = QEventLoop()
            finished.connect(loop.quit)
            QTimer.singleShot(300_000, loop.quit)
            recorder.start()
            t = time.perf_counter()
            start()
            loop.exec()
            walls.append(time.perf_counter() - t)
            recorder.stop()
            finished.disconnect(loop.quit)
        return float(np.median(walls)), recorder.summary()

    out = {}
    sweep = SweepView()
    sweep.resize(1000, 600)
    sweep.show()
    sweep.set_spec(ROSENBROCK)
    sweep.set_count(SWEEP_RATES[2])
    sweep.set_range(*SWEEP_RATES[:2])
    app.processEvents()
    out["sweep_gui_s"], out["sweep_gui_latency"] = timed(sweep.run_sweep, sweep.sweep_finished)
    sweep.shutdown()
    sweep.close()

    view = MapView()
    view.resize(1000, 650)
    view.show()
    for kind in ("momentum", "condition"):
        spec, x, y = map_axes(kind)
        view.set_spec(spec)
        view.set_axis(kind)
        view.set_cells(MAP_SIDE, MAP_SIDE)
        view.set_lr_range(x.values[0], x.values[-1])
        view.set_y_range(y.values[0], y.values[-1])
        app.processEvents()
        wall, latency = timed(view.run_map, view.map_finished)
        out[f"map_{kind}_gui_s"] = wall
        out[f"map_{kind}_gui_latency"] = latency
    view.shutdown()
    view.close()
    return out


def main() -> int:
    figures = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "numpy": np.__version__, "load_average_before": os.getloadavg()[0]},
        "core": core_figures(),
    }
    figures["gui"] = gui_figures()
    figures["machine"]["load_average_after"] = os.getloadavg()[0]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print_table(figures)
    return 0


def print_table(f: dict) -> None:
    core, gui = f["core"], f["gui"]
    rows = [
        ("10,000 rates x 1,000 steps, Rosenbrock (core)", f"{core['sweep_core_s']:.2f} s",
         f"{core['sweep_run_steps_per_s'] / 1e6:.0f} M run-steps/s "
         f"({core['sweep_run_steps_per_s'] / FUSED_CEILING:.1%} of a fused loop's ~3.9 G)"),
        ("  hand-written NumPy loop, same arithmetic", f"{core['hand_loop_s']:.2f} s",
         "speed vs it " + beside_goal(core["sweep_speed_over_hand_loop"], 1.0, "x",
                                       higher_is_better=True)),
        ("  same, through the sweep view", f"{gui['sweep_gui_s']:.2f} s",
         _latency(gui["sweep_gui_latency"])),
    ]
    for kind in ("momentum", "condition"):
        seconds = core[f"map_{kind}_core_s"]
        rows.append((f"200 x 200 map, rate x {kind}, 1,000 steps (core)",
                     f"{seconds:.2f} s", f"goal <= {MAP_GOAL_S} s  {mark(seconds, MAP_GOAL_S)}"))
        cpu = core.get(f"map_{kind}_core_cpu_s")
        if cpu is not None:
            rows.append(("  same, processor time", f"{cpu:.2f} s",
                         f"goal <= {MAP_GOAL_S} s  {mark(cpu, MAP_GOAL_S)}"))
        rows.append(("  same, through the map view", f"{gui[f'map_{kind}_gui_s']:.2f} s",
                     _latency(gui[f"map_{kind}_gui_latency"])))
    rows.append(("  condition map as 200 batches of one row each",
                 f"{core['map_condition_by_rows_s']:.2f} s", "(the design not taken)"))
    for budget, seconds in core["sweep_block_sizes_s"].items():
        rows.append((f"  sweep with {int(budget):,} run-steps per partial result",
                     f"{seconds:.2f} s", ""))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'wall time':>10}  event-loop gaps (budget p99 < 30 ms)")
    for name, wall, extra in rows:
        print(f"{name:<{width}}  {wall:>10}  {extra}")
    machine = f["machine"]
    print(f"\nGUI rows: median of {GUI_REPEATS} runs, gaps pooled over them. Load average "
          f"{machine['load_average_before']:.1f} before, {machine['load_average_after']:.1f} "
          f"after, on {machine['cpus']} CPUs (other programs running inflate the gaps).")
    print(load_note())
    print(f"written to {RESULTS.relative_to(ROOT)}")


def _latency(d: dict) -> str:
    return (f"p50 {d['p50_ms']:.1f} ms, p99 {d['p99_ms']:.1f} ms "
            f"{mark(d['p99_ms'], LATENCY_GOAL_MS)}, max {d['max_ms']:.1f} ms")


if __name__ == "__main__":
    sys.exit(main())
