"""Run under a virtual X display (see test_gui_landscape_gl.py): the Model tool's loss surface
in 3-D, for the exact bowl and for a slice; reports what the pixels show as JSON on the last
line, {"skip": reason} when OpenGL cannot draw."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "gui" / "surface3d"))
from gl_checks import pixels, share_near  # the 3-D view's own pixel helpers


def wait(app, busy, seconds=120.0) -> None:
    end = time.monotonic() + seconds
    while busy() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)
    for _ in range(5):
        app.processEvents()


def main(out_dir: str) -> dict:
    app = QApplication(sys.argv[:1])
    from lrdesk.core.models.spec import DataSpec, ModelExperiment, ModelRunSpec, ModelSpec
    from lrdesk.gui.models.model_view import ModelView
    from lrdesk.gui.shared.palette import RUN_COLORS

    view = ModelView()
    view.resize(1400, 800)
    view.show()
    app.processEvents()
    panel = view.landscape
    view.set_experiment(ModelExperiment(DataSpec("line"), ModelSpec("linear", ()),
                                        (ModelRunSpec(0.1), ModelRunSpec(0.9)), steps=None,
                                        epochs=40))
    view.start()
    wait(app, view.is_training)
    panel.three_d.setChecked(True)
    wait(app, lambda: False)
    reason = panel.view3d.unavailable_reason()
    if reason:
        return {"skip": reason}
    gl = panel.view3d.gl_widget
    bowl = pixels(gl.grabFramebuffer())
    background = panel.view3d._theme.background
    lifted = panel.view3d.path_points(0)
    out = {
        "bowl_not_background": 1.0 - share_near(bowl, background, 6),
        "bowl_run_color": share_near(bowl, RUN_COLORS[0], 50),
        "bowl_path_points": len(lifted),
        "bowl_path_finite": bool(np.isfinite(panel.view3d.path_points(1)).all()),
        "bowl_path_rises_to_start": bool(lifted[0, 2] > lifted[-1, 2]),
    }
    panel.view3d.export_png(f"{out_dir}/bowl3d.png", 800)
    view.grab().save(f"{out_dir}/bowl_tool.png")
    view.set_experiment(ModelExperiment(DataSpec("circle"), ModelSpec("mlp", (8,), "tanh"),
                                        (ModelRunSpec(0.3), ModelRunSpec(3.0)), steps=None,
                                        epochs=60))
    view.start()
    wait(app, view.is_training)
    empty = panel.view3d._mesh is None or panel._surface is None
    panel.resolution = 31
    panel.compute_slice()
    wait(app, panel.is_slicing)
    wait(app, lambda: False)
    sliced = pixels(gl.grabFramebuffer())
    whole = len(panel.view3d.path_points(0))
    view.scrubber.slider.setValue(view.scrubber.slider.maximum() // 2)
    wait(app, lambda: False)
    scrubbed = pixels(gl.grabFramebuffer())
    half = len(panel.view3d.path_points(0))
    view.scrubber.show_end()
    wait(app, lambda: False)
    panel.view3d.export_png(f"{out_dir}/slice3d.png", 800)
    view.grab().save(f"{out_dir}/slice_tool.png")
    out.update({
        "slice_forgot_old_surface": bool(empty),
        "slice_not_background": 1.0 - share_near(sliced, background, 6),
        "slice_run_color": share_near(sliced, RUN_COLORS[1], 50),
        "slice_paths": [len(panel.view3d.path_points(k)) for k in range(2)],
        "scrubbed_path_points": [whole, half],
        "scrub_moves_picture": float((np.abs(scrubbed - sliced).max(axis=2) > 30).mean()),
    })
    view.shutdown()
    view.close()
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
