"""How fast the main window draws, how responsive it stays, and how fast it starts.

Measured:
- frame time: one frame of the real window (the presenter sends every run's path and loss
  curve up to the playhead to the views, then the window repaints) with 8 runs of 100,000
  recorded points each, on a 1-D and a 2-D surface (budget: 16 ms, i.e. 60 frames a second);
- event-loop latency while the worker computes at full speed (8 runs, 4 optimizers, 10
  million steps) and playback follows it: a 5 ms QTimer in the GUI thread records how late
  each tick fires (budget: p99 under 30 ms);
- start time, from launching the process to the first painted window, next to a bare PySide6
  window holding one pyqtgraph plot (goal: within 1.3x), median of several launches taken in
  turn. LR Desk's modules are compiled to bytecode first, as ``pip install`` and the packaged
  build do (pyqtgraph and PySide6 already are): otherwise each launch would compile them anew
  when PYTHONDONTWRITEBYTECODE is set, and time the compiler rather than the start.

Usage: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui.py``. Prints a table and
writes ``benchmarks/results/gui.json``.
"""

from __future__ import annotations

import compileall
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _report import event_loop_lateness, load_note, results_path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QElapsedTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from lrdesk.core.experiment.simulation import Simulation  # noqa: E402
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec  # noqa: E402
from lrdesk.gui.app import create_app  # noqa: E402
from lrdesk.gui.live.playback import SPEEDS, Recording  # noqa: E402
from lrdesk.gui.window.main_window import MainWindow  # noqa: E402

RESULTS = results_path("gui")  # results/latest/ unless --update-reference
POINTS = 100_000
FRAMES = 60
FRAME_BUDGET_MS = 16.0
LATENCY_BUDGET_MS = 30.0
LATENCY_TICK_MS = 5
LATENCY_SECONDS = 6.0
START_LAUNCHES = 15
START_GOAL = 1.3

FRAME_SPECS = {
    "1-D parabola": ExperimentSpec(
        runs=tuple(RunSpec(0.0001 * (i + 1)) for i in range(8)), steps=POINTS, tolerance=0.0
    ),
    "2-D Rosenbrock": ExperimentSpec(
        function="rosenbrock", start=(-1.5, 2.0),
        runs=tuple(RunSpec(1e-5 * (i + 1)) for i in range(8)), steps=POINTS, tolerance=0.0,
    ),
}
LOAD_SPEC = ExperimentSpec(
    function="rosenbrock", start=(-1.5, 2.0),
    runs=tuple(RunSpec(1e-5 * (i + 1), kind) for i, kind in
               enumerate(["sgd", "momentum", "adam", "rmsprop"] * 2)),
    steps=10_000_000, tolerance=0.0,
)


def percentile(values, q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q))


# ------------------------------------------------------------------------------------------
# Frame time
# ------------------------------------------------------------------------------------------
def full_recording(spec: ExperimentSpec) -> Recording:
    """Every step of every run kept (no thinning): the heaviest the views can be asked to draw."""
    simulation = Simulation(spec, keep_history=False)
    recording = Recording(len(spec.runs), keep_first=POINTS + 1, capacity=POINTS + 1)
    while not simulation.done:
        recording.add(simulation.advance(8192))
    return recording


def frame_times(app, spec: ExperimentSpec) -> dict:
    window = MainWindow(settings=None, spec=spec)
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    window.runner.cancel()  # the window's own worker is not needed: the recording is given
    window.frames.stop()
    app.processEvents()
    recording = full_recording(spec)
    assert all(len(h) == POINTS + 1 for h in recording.histories)
    times, updates = [], []
    clock = QElapsedTimer()
    for i in range(FRAMES):
        step = POINTS - (FRAMES - i) * 17  # the playhead moves on every frame
        clock.start()
        window.presenter.show(step, recording, force_text=(i % 12 == 0))
        updates.append(clock.nsecsElapsed() / 1e6)
        app.processEvents()  # the plots repaint here
        times.append(clock.nsecsElapsed() / 1e6)
    window.close()
    app.processEvents()
    return {"median_ms": statistics.median(times), "p95_ms": percentile(times, 95),
            "views_update_median_ms": statistics.median(updates),
            "repaint_median_ms": statistics.median(np.subtract(times, updates)),
            "max_ms": max(times), "points_per_run": POINTS, "runs": len(spec.runs)}


# ------------------------------------------------------------------------------------------
# Event-loop latency while the worker runs flat out
# ------------------------------------------------------------------------------------------
def latency_under_load(app, speed: float) -> dict:
    window = MainWindow(settings=None, spec=LOAD_SPEC)
    window.resize(1280, 800)
    window.show()
    window.playback_bar.speed_slider.setValue(SPEEDS.index(speed))
    window.play()
    state: dict = {}

    def read_state() -> None:
        state.update(
            steps=len(window.histories()[0]), computed=window.recording().frontier(),
            busy=window.runner.is_running(), failure=window.recording().failure,
            frame=window.frames.last_cost_ms,
        )

    # app.quit() at the end: Qt 6 closes the window there, so the shutdown path runs too
    lateness = event_loop_lateness(app, LATENCY_TICK_MS, LATENCY_SECONDS, read_state)
    window.close()
    app.processEvents()
    return {
        "p50_ms": percentile(lateness, 50), "p99_ms": percentile(lateness, 99),
        "max_ms": max(lateness), "ticks": len(lateness), "seconds": LATENCY_SECONDS,
        "steps_computed": int(state["computed"]), "rows_kept_per_run": state["steps"],
        "worker_still_busy_at_end": state["busy"], "worker_failure": state["failure"],
        "playback_speed": speed if math.isfinite(speed) else "as fast as computed",
        "last_frame_cost_ms": state["frame"],
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


# ------------------------------------------------------------------------------------------
# Start time
# ------------------------------------------------------------------------------------------
FIRST_PAINT = '''
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
class FirstPaint(QObject):
    """Notes the time once the first paint of the window has been delivered, then ``after``."""
    seen = False
    after = staticmethod(lambda: QApplication.quit())
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not self.seen and obj.isWidgetType():
            self.seen = True
            QTimer.singleShot(0, lambda: (print(time.time()), self.after()))
        return False
watcher = FirstPaint()
'''
OURS = FIRST_PAINT + '''
import lrdesk.cli
from lrdesk.gui.app import create_app
from lrdesk.gui.window.main_window import MainWindow
from lrdesk.gui.settings import Settings
app = create_app()
window = MainWindow(settings=Settings())
def runs_drawn():  # the first frame with the runs' start points on the canvas, repainted
    head = window.canvas._paths[0].head
    if window.frames.is_held() or window.frames.is_finishing() or not head.isVisible():
        return
    print("runs", time.time())
    poll.stop()
    QApplication.quit()
poll = QTimer()
poll.timeout.connect(runs_drawn)
watcher.after = lambda: (app.removeEventFilter(watcher), poll.start(1))
app.installEventFilter(watcher)
window.show()
app.exec()
window.close()
'''
BARE = FIRST_PAINT + '''
from PySide6.QtWidgets import QApplication, QMainWindow
import pyqtgraph as pg
app = QApplication(sys.argv[:1])
window = QMainWindow()
plot = pg.PlotWidget()
plot.plot([0, 1, 2, 3], [25, 16, 9, 4])
window.setCentralWidget(plot)
window.resize(1280, 800)
app.installEventFilter(watcher)
window.show()
app.exec()
'''


def start_seconds(code: str, config: str) -> tuple[float, float | None]:
    """Seconds from launch to the first paint, and to the runs' first frame (LR Desk only)."""
    env = {**os.environ, "XDG_CONFIG_HOME": config, "PYTHONPATH": str(ROOT)}
    began = time.time()
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    lines = done.stdout.split("\n")
    painted = float(next(line for line in lines if line.strip()[:1].isdigit()))
    runs = next((float(line.split()[1]) for line in lines if line.startswith("runs ")), None)
    return painted - began, None if runs is None else runs - began


def start_times() -> dict:
    compileall.compile_dir(ROOT / "lrdesk", quiet=1)
    with tempfile.TemporaryDirectory() as config:
        ours, drawn, bare = [], [], []
        for _ in range(START_LAUNCHES):  # interleaved, so a busy moment hits both alike
            painted, runs = start_seconds(OURS, config)
            ours.append(painted)
            drawn.append(runs)
            bare.append(start_seconds(BARE, config)[0])
    ratio = statistics.median(ours) / statistics.median(bare)
    return {"lrdesk_median_s": statistics.median(ours), "bare_median_s": statistics.median(bare),
            "lrdesk_runs_drawn_median_s": statistics.median(drawn),
            "lrdesk_first_s": ours[0], "bare_first_s": bare[0], "ratio": ratio,
            "launches": START_LAUNCHES}


# ------------------------------------------------------------------------------------------
def main() -> int:
    app = create_app()
    app.setQuitOnLastWindowClosed(False)
    results = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": QApplication.platformName()},
        "frames": {name: frame_times(app, spec) for name, spec in FRAME_SPECS.items()},
        "latency": {
            "playing at 20 steps a second": latency_under_load(app, 20),
            "playing as fast as the worker computes": latency_under_load(app, math.inf),
        },
        "start": start_times(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    return 0


def print_table(results: dict) -> None:
    def verdict(ok: bool) -> str:
        return "PASS" if ok else "SHORT"

    print(f"{'measure':<52} {'value':>12}   budget")
    for name, f in results["frames"].items():
        label = f"frame, 8 runs x {f['points_per_run']:,} points, {name}"
        print(f"{label + ' (median)':<52} {f['median_ms']:>9.1f} ms   "
              f"{FRAME_BUDGET_MS:.0f} ms: {verdict(f['median_ms'] <= FRAME_BUDGET_MS)}")
        print(f"{'   p95 / max':<52} {f['p95_ms']:>9.1f} ms   max {f['max_ms']:.1f} ms")
        print(f"{'   of which: views given the data / Qt repaint':<52} "
              f"{f['views_update_median_ms']:>9.1f} ms   / {f['repaint_median_ms']:.1f} ms")
    for name, lat in results["latency"].items():
        print(f"event-loop lateness, worker at full speed, {name}:")
        print(f"{'   p50':<52} {lat['p50_ms']:>9.2f} ms")
        print(f"{'   p99':<52} {lat['p99_ms']:>9.2f} ms   "
              f"{LATENCY_BUDGET_MS:.0f} ms: {verdict(lat['p99_ms'] < LATENCY_BUDGET_MS)}")
        print(f"{'   steps computed meanwhile (8 runs)':<52} {lat['steps_computed']:>12,}")
    start = results["start"]
    print(f"{'start to first paint, LR Desk (median)':<52} {start['lrdesk_median_s']:>10.2f} s")
    print(f"{'start to the runs drawn, LR Desk (median)':<52} "
          f"{start['lrdesk_runs_drawn_median_s']:>10.2f} s")
    print(f"{'start to first paint, bare PySide6 + pyqtgraph':<52} {start['bare_median_s']:>10.2f} s")
    print(f"{'   ratio':<52} {start['ratio']:>11.2f}x   "
          f"{START_GOAL}x: {verdict(start['ratio'] <= START_GOAL)}")
    print(load_note())
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
