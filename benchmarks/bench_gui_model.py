"""Event-loop lateness while the Model training tool trains 8 runs of a 2-16-16-1 network flat out.

A 5 ms precise timer runs in the GUI thread for ``SECONDS``; its lateness (how much later than
5 ms each tick came) is what a student feels as a stuck window. The goal is a p99 under 30 ms.
The same timer with the view idle is the reference: what the loaded machine alone costs.
Writes ``benchmarks/results/latest/gui_model.json`` (with ``--update-reference``: the committed
figures). Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui_model.py``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
from _report import event_loop_lateness, results_path
from PySide6.QtWidgets import QApplication

from lrdesk.core.models.spec import DataSpec, ModelExperiment, ModelRunSpec, ModelSpec
from lrdesk.gui.models.model_view import ModelView

ROOT = Path(__file__).resolve().parents[1]
RESULTS = results_path("gui_model")  # results/latest/ unless --update-reference
TICK_MS = 5
SECONDS = 10.0
GOAL_MS = 30.0


def measure(train: bool = True) -> dict:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    view = ModelView()
    view.resize(1024, 768)
    view.show()
    rates = tuple(float(r) for r in np.geomspace(0.01, 3.0, 8))
    view.set_experiment(ModelExperiment(
        DataSpec("circle"), ModelSpec("mlp", (16, 16), "tanh"),
        tuple(ModelRunSpec(r) for r in rates), steps=None, epochs=20000, sharpness_every=0))
    app.processEvents()
    if train:
        view.start()
    lateness = event_loop_lateness(app, TICK_MS, SECONDS)
    snap = view.snapshot()
    view.shutdown()
    lat = np.array(lateness)
    return {
        "p50_ms": float(np.percentile(lat, 50)), "p99_ms": float(np.percentile(lat, 99)),
        "max_ms": float(lat.max()), "ticks": len(lat), "seconds": SECONDS,
        "steps_trained_per_run": int(snap.step) if snap is not None else 0,
        "runs": len(rates), "network": "2-16-16-1 tanh, circle data, full batch",
        "repaints": view.repaints, "last_paint_ms": view.last_paint_ms, "goal_p99_ms": GOAL_MS,
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "cpus": os.cpu_count(),
    }


def main() -> int:
    result = {"training": measure(True), "idle_reference": measure(False)}
    result["p99_ratio_to_idle"] = result["training"]["p99_ms"] / max(
        1e-3, result["idle_reference"]["p99_ms"])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
