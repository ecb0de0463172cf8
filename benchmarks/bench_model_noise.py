"""Event-loop lateness while the Model tools work flat out on minibatches: the minibatch-noise
preset training (five runs, down to batch 1: thousands of small steps, every snapshot drawing the
noise plot too) and the rate finder's rate × batch-size map (48 runs) on the same data.

A 5 ms precise timer runs in the GUI thread for ``SECONDS``; its lateness is what a student feels
as a stuck window (goal: p99 under 30 ms, as for the Model training tool). The same timer with
nothing running is the reference. Writes ``benchmarks/results/latest/model_noise.json``
(``--update-reference``: the committed figures). Run:
``QT_QPA_PLATFORM=offscreen python benchmarks/bench_model_noise.py``.
"""

from __future__ import annotations

import os
import sys

import numpy as np
from _report import event_loop_lateness, write_results
from PySide6.QtWidgets import QApplication

from lrdesk.core.models.presets import MINIBATCH_NOISE
from lrdesk.gui.models.model_view import ModelView
from lrdesk.gui.models.rate_finder import RateFinderView

TICK_MS = 5
SECONDS = 8.0
GOAL_MS = 30.0


def _figures(lateness: list[float], **extra) -> dict:
    lat = np.array(lateness)
    return {"p50_ms": float(np.percentile(lat, 50)), "p99_ms": float(np.percentile(lat, 99)),
            "max_ms": float(lat.max()), "ticks": len(lat), "seconds": SECONDS,
            "goal_p99_ms": GOAL_MS, **extra,
            "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
            "cpus": os.cpu_count()}


def measure(what: str) -> dict:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    view = ModelView()
    view.resize(1024, 520)
    view.show()
    view.hold(MINIBATCH_NOISE, "Minibatch noise")
    finder = RateFinderView(view.experiment)
    finder.show()
    app.processEvents()
    if what == "training":
        view.start()
    elif what == "regime_map":
        finder.set_mode("map")
        finder.low.setText("0.01")
        finder.high.setText("3")
        finder.count.setValue(12)
        finder.run()
    lateness = event_loop_lateness(app, TICK_MS, SECONDS)
    snap = view.snapshot()
    extra = {"steps_trained": int(snap.step) if snap is not None else 0,
             "repaints": view.repaints, "last_paint_ms": view.last_paint_ms,
             "finder_progress": finder.progress.value() / 1000}
    view.shutdown()
    finder.shutdown()
    return _figures(lateness, **extra)


def main() -> int:
    result = {what: measure(what) for what in ("training", "regime_map", "idle_reference")}
    idle = max(1e-3, result["idle_reference"]["p99_ms"])
    for what in ("training", "regime_map"):
        result[f"{what}_p99_ratio_to_idle"] = result[what]["p99_ms"] / idle
    write_results("model_noise", result)
    for what in ("training", "regime_map", "idle_reference"):
        r = result[what]
        print(f"{what:15s} p99 {r['p99_ms']:6.1f} ms (goal {GOAL_MS:g})  max {r['max_ms']:6.1f} ms"
              f"  load {r['load_average']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
