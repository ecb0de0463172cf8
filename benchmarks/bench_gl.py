"""How fast the 3-D view draws: frame time with a 150x150 mesh and 8 paths of 10,000 points.

Measured, under a virtual X display with Mesa's OpenGL (software rendering on a machine
without a GPU):
- rotating: each frame turns the camera by 2 degrees and draws the view;
- playing: each frame hands every run's path up to the playhead to the view (as the
  presenter does during playback), then draws it; the mesh is not rebuilt.
Each frame is drawn and finished (glFinish) before the next starts. Goal: 30 frames a second.

Usage: ``xvfb-run -a -s "-screen 0 1920x1080x24" env QT_QPA_PLATFORM=xcb
python benchmarks/bench_gl.py``. Prints a table and writes ``benchmarks/results/latest/gl.json`` (``--update-reference``: the committed figures).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _report import results_path  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

RESULTS = results_path("gl")  # results/latest/ unless --update-reference
RUNS, POINTS, FRAMES, SIZE = 8, 10_000, 120, (1024, 768)
GOAL_FPS = 30.0


def _paths(function) -> list[tuple[np.ndarray, np.ndarray]]:
    (x0, x1), (y0, y1) = function.view_box()
    t = np.linspace(0.0, 1.0, POINTS)
    paths = []
    for run in range(RUNS):
        angle = 2 * np.pi * run / RUNS
        x = (x0 + x1) / 2 + (x1 - x0) / 2 * 0.9 * np.cos(angle + 6 * t) * (1 - t)
        y = (y0 + y1) / 2 + (y1 - y0) / 2 * 0.9 * np.sin(angle + 6 * t) * (1 - t)
        positions = np.column_stack([x, y])
        paths.append((positions, function.value(np.asfortranarray(positions))))
    return paths


def _frame_times(app, view, before_frame) -> list[float]:
    from OpenGL import GL

    widget = view.gl_widget
    times = []
    for frame in range(FRAMES):
        start = time.perf_counter()
        before_frame(frame)
        widget.repaint()
        app.processEvents()
        widget.makeCurrent()
        GL.glFinish()
        widget.doneCurrent()
        times.append((time.perf_counter() - start) * 1000.0)
    return times


def _summary(times: list[float]) -> dict:
    median = statistics.median(times)
    return {
        "frames": len(times),
        "median_ms": round(median, 2),
        "p90_ms": round(float(np.percentile(times, 90)), 2),
        "fps_at_median": round(1000.0 / median, 1),
        "meets_goal": 1000.0 / median >= GOAL_FPS,
    }


def main() -> dict:
    app = QApplication(sys.argv[:1])
    from lrdesk.core.functions import make_function
    from lrdesk.gui.shared.palette import run_color
    from lrdesk.gui.surface3d.mesh import MESH_SAMPLES
    from lrdesk.gui.surface3d.view import Surface3DView

    view = Surface3DView()
    view.resize(*SIZE)
    view.show()
    app.processEvents()
    reason = view.unavailable_reason()
    if reason:
        raise SystemExit(f"bench_gl: {reason}")
    function = make_function("himmelblau", {}, "")
    view.set_function(function, (0.0, 0.0))
    view.set_runs([run_color(i) for i in range(RUNS)])
    paths = _paths(function)
    for run, (positions, losses) in enumerate(paths):
        view.set_run_path(run, positions, losses, np.arange(POINTS))
    for _ in range(5):
        app.processEvents()

    rotating = _frame_times(app, view, lambda frame: view.gl_widget.orbit(2.0, 0.0))
    view.reset_view()

    def play(frame: int) -> None:
        end = max(2, POINTS * (frame + 1) // FRAMES)
        for run, (positions, losses) in enumerate(paths):
            view.set_run_path(run, positions[:end], losses[:end], np.arange(end))

    playing = _frame_times(app, view, play)
    renderer = ""
    try:
        from OpenGL import GL

        view.gl_widget.makeCurrent()
        renderer = GL.glGetString(GL.GL_RENDERER).decode(errors="replace")
        view.gl_widget.doneCurrent()
    except Exception:  # the renderer's name is only a note in the results
        pass
    results = {
        "mesh": f"{MESH_SAMPLES}x{MESH_SAMPLES}",
        "paths": f"{RUNS} x {POINTS:,} points",
        "window": f"{SIZE[0]}x{SIZE[1]}",
        "renderer": renderer,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),  # a busy machine draws slower
        "rotating": _summary(rotating),
        "playing": _summary(playing),
        "goal_fps": GOAL_FPS,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    for name in ("rotating", "playing"):
        r = results[name]
        print(f"{name:9s} median {r['median_ms']:7.2f} ms  p90 {r['p90_ms']:7.2f} ms  "
              f"{r['fps_at_median']:6.1f} fps  (goal {GOAL_FPS:.0f})")
    print(f"renderer: {renderer}")
    view.close()
    return results


if __name__ == "__main__":
    main()
