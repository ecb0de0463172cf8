"""Self-check of a frozen LR Desk: modules import, lessons load, the icon renders, GIFs write,
and the 3-D view's OpenGL libraries load (and, on a display with OpenGL, draw the surface).

Run the bundle with LRDESK_BUNDLE_CHECK=1 (and QT_QPA_PLATFORM=offscreen without a display):
it prints one JSON report and exits 0 if nothing is missing, 1 otherwise. This catches what
freezing typically loses: a lazily imported module, a data file, a Qt plugin.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys

CHECK_VARIABLE = "LRDESK_BUNDLE_CHECK"


def check_requested() -> bool:
    return os.environ.get(CHECK_VARIABLE, "") not in ("", "0")


def import_every_module(package_name: str) -> tuple[list[str], dict[str, str]]:
    """Import the package and all its sub-modules: (imported names, {name: error})."""
    package = importlib.import_module(package_name)
    imported, errors = [package_name], {}
    for module in pkgutil.walk_packages(package.__path__, package_name + "."):
        if module.name.rpartition(".")[2] == "__main__":
            continue  # importing it would run the program
        try:
            importlib.import_module(module.name)
            imported.append(module.name)
        except Exception as error:  # report every failure, not just the first
            errors[module.name] = f"{type(error).__name__}: {error}"
    return imported, errors


def lesson_report() -> dict:
    from lrdesk.core.teaching.lessons import lessons_folder, load_lessons

    book = load_lessons()
    return {
        "folder": str(lessons_folder()),
        "count": len(book.lessons),
        "titles": [lesson.title for lesson in book.lessons],
        "problems": list(book.problems),
    }


def window_icon_report() -> dict:
    """Whether the application's window icon is set and renders (needs Qt's SVG plugins)."""
    from lrdesk.gui.app import create_app

    app = create_app()
    image = app.windowIcon().pixmap(64, 64).toImage()
    opaque = sum(
        1 for y in range(image.height()) for x in range(image.width())
        if image.pixelColor(x, y).alpha() > 0
    )
    area = image.width() * image.height()
    return {"size": [image.width(), image.height()], "opaque_share": opaque / area if area else 0.0}


def typed_function_report() -> dict:
    """A typed formula goes through sympy, which is imported lazily (a classic freezing miss)."""
    import numpy as np

    from lrdesk.core.expressions.custom import build_custom_function

    function = build_custom_function("x**2 + 3*y**2")
    gradient = function.gradient(np.asfortranarray([[1.0, 2.0]]))
    return {"gradient_at_1_2": [float(g) for g in gradient[0]]}


def animated_gif_report() -> dict:
    """Animations are written by Pillow's GIF encoder (some of Pillow's codecs are left out)."""
    import io

    from PIL import Image

    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], loop=0)
    buffer.seek(0)
    with Image.open(buffer) as written:
        return {"frames": written.n_frames}


def surface3d_report() -> dict:
    """PyOpenGL picks its platform module at run time (a classic freezing miss): load it, and
    where the display offers OpenGL, draw a surface and count what the pixels show."""
    import OpenGL
    import OpenGL.GL
    import pyqtgraph.opengl  # noqa: F401
    from PySide6.QtGui import QColor, QImage

    from lrdesk.core.functions import make_function
    from lrdesk.gui.app import create_app
    from lrdesk.gui.surface3d.view import Surface3DView

    app = create_app()
    view = Surface3DView()
    view.resize(480, 360)
    view.show()
    app.processEvents()
    report: dict = {"pyopengl": OpenGL.__version__, "platform": app.platformName()}
    reason = view.unavailable_reason()
    if reason:  # the offscreen platform: no OpenGL to draw with, which is not a fault
        view.close()
        return {**report, "drawn": False, "reason": reason}
    view.set_function(make_function("himmelblau", {}, ""), (0.0, 0.0))
    for _ in range(3):
        app.processEvents()
    image = view.gl_widget.grabFramebuffer().convertToFormat(QImage.Format.Format_RGB32)
    background = QColor(view._theme.background).rgb() & 0xFFFFFF
    width, height = image.width(), image.height()
    samples = [image.pixel(x, y) & 0xFFFFFF for y in range(0, height, 4) for x in range(0, width, 4)]
    view.close()
    drawn = sum(1 for rgb in samples if rgb != background) / max(len(samples), 1)
    return {**report, "drawn": True, "size": [width, height], "surface_share": drawn,
            "colours": len(set(samples))}


def run_checks() -> dict:
    from lrdesk._version import __version__

    modules, module_errors = import_every_module("lrdesk")
    report: dict = {
        "frozen": bool(getattr(sys, "frozen", False)),
        "version": __version__,
        "modules": len(modules),
        "module_errors": module_errors,
    }
    for key, probe in (("lessons", lesson_report), ("window_icon", window_icon_report),
                       ("typed_function", typed_function_report),
                       ("animated_gif", animated_gif_report),
                       ("surface3d", surface3d_report)):
        try:
            report[key] = probe()
        except Exception as error:
            report[key] = {"error": f"{type(error).__name__}: {error}"}
    report["problems"] = problems_in(report)
    return report


def problems_in(report: dict) -> list[str]:
    problems = [f"module {name}: {error}" for name, error in report["module_errors"].items()]
    for key in ("lessons", "window_icon", "typed_function", "animated_gif", "surface3d"):
        if "error" in report[key]:
            problems.append(f"{key}: {report[key]['error']}")
    lessons = report["lessons"]
    if "error" not in lessons and (lessons["count"] == 0 or lessons["problems"]):
        problems.append(f"lessons: {lessons['count']} loaded, problems: {lessons['problems']}")
    icon = report["window_icon"]
    if "error" not in icon and icon["opaque_share"] < 0.5:
        problems.append("window icon: missing or not rendered")
    gif = report["animated_gif"]
    if "error" not in gif and gif["frames"] != 3:
        problems.append(f"animated GIF: {gif['frames']} frames written instead of 3")
    surface = report["surface3d"]
    if surface.get("drawn") and (surface["surface_share"] < 0.2 or surface["colours"] < 16):
        problems.append(f"3-D view: the surface was not drawn ({surface['surface_share']:.0%} of "
                        f"the frame, {surface['colours']} colours)")
    return problems


def main() -> int:
    report = run_checks()
    print(json.dumps(report, indent=2), flush=True)
    return 1 if report["problems"] else 0
