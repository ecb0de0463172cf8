"""How often the canvas shows a new learning rate while the rate slider is dragged.

A hand drags the slider of the default experiment (L = w^2, three runs) for a few seconds,
one mouse move every 16 ms, with the playhead at step 0 and at the end (the whole paths drawn); counted: the distinct edits the canvas drew for the dragged run,
per second (goal: at least 20). The same drag with the former pacing (200 ms between the
slider's edits, then 150 ms gathered by the window) is the reference.

Usage: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_slider.py``. Prints a line per
pacing and writes ``benchmarks/results/latest/slider.json`` (``--update-reference``: the committed figures).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _report import results_path  # noqa: E402
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionSlider  # noqa: E402

from lrdesk.gui.app import create_app  # noqa: E402
from lrdesk.gui.window.main_window import MainWindow  # noqa: E402

RESULTS = results_path("slider")  # results/latest/ unless --update-reference
SECONDS = 3.0
MOVE_MS = 16
GOAL = 20.0


def _mouse(slider, kind, at: QPoint, buttons) -> None:
    local = QPointF(at)
    QApplication.sendEvent(slider, QMouseEvent(kind, local, slider.mapToGlobal(local),
                                               Qt.MouseButton.LeftButton, buttons,
                                               Qt.KeyboardModifier.NoModifier))


def _wait(app, ms: float) -> None:
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)


def drag(app, former: bool, at_end: bool) -> float:
    window = MainWindow(settings=None)
    window.resize(1280, 800)
    window.show()
    _wait(app, 1500)
    if at_end:
        window.playback.set_step(window.spec().steps)  # the whole paths on screen, as after Play
    _wait(app, 300)
    control = window.lr_control
    if former:
        control._throttle.setInterval(200)
        control.dragging = lambda: False
    slider = control.slider
    drawn: set[float] = set()
    original = window.canvas.set_run_path

    def counting(run, positions, losses, steps):
        if run == 0:
            drawn.add(window.spec().runs[0].learning_rate)
        original(run, positions, losses, steps)

    window.canvas.set_run_path = counting
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    start = slider.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                          QStyle.SubControl.SC_SliderHandle, slider).center()
    _mouse(slider, QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton)
    drawn.clear()
    began = time.perf_counter()
    i = 0
    while time.perf_counter() - began < SECONDS:
        i += 1
        _mouse(slider, QEvent.Type.MouseMove, start + QPoint(i % 200, 0), Qt.MouseButton.LeftButton)
        _wait(app, MOVE_MS)
    elapsed = time.perf_counter() - began
    rate = len(drawn) / elapsed
    _mouse(slider, QEvent.Type.MouseButtonRelease, start, Qt.MouseButton.NoButton)
    _wait(app, 300)
    window.close()
    _wait(app, 300)
    return rate


def main() -> None:
    app = create_app([])
    results = {"machine": platform.platform(), "python": platform.python_version(),
               "cpus": os.cpu_count(), "load_average": os.getloadavg()[0],
               "seconds": SECONDS, "move_ms": MOVE_MS, "goal": GOAL}
    for name, at_end in (("playhead at step 0", False), ("playhead at the end", True)):
        now = drag(app, former=False, at_end=at_end)
        before = drag(app, former=True, at_end=at_end)
        print(f"{name}: canvas updates per second while dragging {now:.1f} "
              f"(goal >= {GOAL:.0f}); former pacing {before:.1f}; ratio {now / before:.1f}x")
        results[name] = {"canvas_updates_per_second": round(now, 1),
                         "former_canvas_updates_per_second": round(before, 1),
                         "ratio": round(now / before, 2), "met": now >= GOAL}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
