"""Run under a virtual X display (see test_gl.py): draws the 3-D view and reports what the
pixels show, as JSON on the last line. Prints {"skip": reason} when OpenGL cannot draw."""

from __future__ import annotations

import json
import sys

import numpy as np
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication


def pixels(image) -> np.ndarray:
    image = image.convertToFormat(image.Format.Format_RGB888)
    data = np.frombuffer(image.constBits(), dtype=np.uint8)
    return data.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 3].reshape(
        image.height(), image.width(), 3).astype(int)


def share_near(array: np.ndarray, color: str, tolerance: int = 40) -> float:
    c = QColor(color)
    target = np.array([c.red(), c.green(), c.blue()])
    return float((np.abs(array - target).max(axis=2) <= tolerance).mean())


def main(out_dir: str) -> dict:
    app = QApplication(sys.argv[:1])
    from lrdesk.core.functions import make_function
    from lrdesk.gui.surface3d.view import Surface3DView

    view = Surface3DView()
    view.resize(640, 480)
    view.show()
    app.processEvents()
    reason = view.unavailable_reason()
    if reason:
        return {"skip": reason}
    function = make_function("himmelblau", {}, "")
    view.set_function(function, (0.0, 0.0))
    view.set_runs(["#0072B2", "#D55E00"])
    t = np.linspace(0.0, 1.0, 300)
    path = np.column_stack([-4.0 + 7.0 * t, -4.0 + 6.0 * t])
    losses = function.value(np.asfortranarray(path))
    view.set_run_path(0, path, losses, np.arange(300))
    blown = path * np.r_[np.ones(200), np.full(100, 1e200)][:, None]
    view.set_run_path(1, blown, np.r_[losses[:200], np.full(100, 1e300)], np.arange(300))
    for _ in range(3):
        app.processEvents()
    first = pixels(view.gl_widget.grabFramebuffer())
    background = view._theme.background
    mesh_item = view._mesh_item
    view.set_run_path(0, path[:150], losses[:150], np.arange(150))  # a new frame: lines only
    same_mesh = view._mesh_item is mesh_item
    view.floor_box.setChecked(True)
    view.gl_widget.orbit(90, 10)
    app.processEvents()
    turned = pixels(view.gl_widget.grabFramebuffer())
    view.reset_view()
    app.processEvents()
    again = pixels(view.gl_widget.grabFramebuffer())
    view.export_png(f"{out_dir}/export.png", 900)
    from PySide6.QtGui import QImage

    exported = QImage(f"{out_dir}/export.png")
    return {
        "not_background": 1.0 - share_near(first, background, 6),
        "run_color": share_near(first, "#0072B2", 50),
        "turned_differs": float((np.abs(turned - first).max(axis=2) > 30).mean()),
        "reset_matches": float((np.abs(again - first).max(axis=2) > 30).mean()),
        "same_mesh": same_mesh,
        "diverged_points_finite": bool(np.isfinite(view.path_points(1)).all()),
        "export_size": [exported.width(), exported.height()],
        "export_not_background": 1.0 - share_near(pixels(exported), background, 6),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
