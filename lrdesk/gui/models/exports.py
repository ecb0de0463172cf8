"""Exports of a trained model experiment: each plot as PNG or SVG, the curves as CSV, and the
training as an animated GIF (the finished run scrubbed from its first step to its last).

The figures and GIF frames are drawn with ``gui.export`` (the surfaces' exports): files are
written whole and renamed into place, and a failure is a sentence, never an exception.
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QPushButton

from lrdesk.gui.export.animation import GifFrames, frame_durations, frame_steps
from lrdesk.gui.export.dialogs import AnimationOptions
from lrdesk.gui.export.render import ExportError, export_png, export_svg, write_file

#: the plots that can be exported, by the name the menu shows
FIGURES = {"Data": "data_plot", "Loss": "loss_plot", "Accuracy": "acc_plot",
           "Sharpness": "sharp_plot"}
FIGURE_WIDTH = 1600
GIF_FRAMES = 40
GIF_OPTIONS = AnimationOptions(frames=GIF_FRAMES, seconds=5.0, hold_seconds=2.0)


def export_figure(view, name: str, path: str | os.PathLike, width: int = FIGURE_WIDTH) -> None:
    """Save the plot ``name`` (a key of FIGURES) as SVG if ``path`` ends in .svg, else PNG."""
    plot = getattr(view, FIGURES[name])
    if os.fspath(path).lower().endswith(".svg"):
        export_svg(plot, path, title=f"LR Desk model: {name.lower()}")
    else:
        export_png(plot, path, width)


def export_training_gif(view, path: str | os.PathLike, frames: int = GIF_FRAMES) -> int:
    """The finished training as a looping GIF of the whole tool, from step 0 to the end (the
    data view's boundary or fit as it was, a line at the step on the plots); returns the number
    of frames. The views are back at the end afterwards."""
    snap = view.snapshot()
    if snap is None or not snap.done or snap.network is None:
        raise ExportError("Train to the end first: the GIF replays a finished training.")
    last = max((int(s[-1]) for s in snap.path_steps if len(s)), default=0)
    steps = frame_steps(last, frames)
    gif = None
    timeline = view.scrubber
    try:
        for step in steps:
            timeline.slider.setValue(step)  # every view as it was at ``step``
            QApplication.processEvents()
            image = view.grab().toImage()
            gif = gif or GifFrames(image)
            gif.add(image)
    finally:
        timeline.show_end()
    write_file(path, gif.encode(frame_durations(len(steps), GIF_OPTIONS)))
    return len(steps)


def export_button(view) -> QPushButton:
    """The tool's Export button: the losses as CSV, each plot as PNG/SVG, the training as GIF."""
    button = QPushButton("Export", view)
    button.setToolTip("Save the losses, a plot or the training as a file")
    menu = QMenu(button)
    menu.addAction("Losses as CSV…", view._export_dialog)
    for name in FIGURES:
        menu.addAction(f"{name} plot as PNG or SVG…", lambda n=name: _figure_dialog(view, n))
    menu.addAction("Training as GIF…", lambda: _gif_dialog(view))
    button.setMenu(menu)
    return button


def _figure_dialog(view, name: str) -> None:
    path, _ = QFileDialog.getSaveFileName(view, f"Export the {name.lower()} plot",
                                          f"model-{name.lower()}.png",
                                          "PNG picture (*.png);;SVG drawing (*.svg)")
    if path:
        _say(view, lambda: export_figure(view, name, path), f"Saved the {name.lower()} plot to {path}.")


def _gif_dialog(view) -> None:
    path, _ = QFileDialog.getSaveFileName(view, "Export the training", "training.gif",
                                          "Animated GIF (*.gif)")
    if path:
        _say(view, lambda: export_training_gif(view, path), f"Saved the training to {path}.")


def _say(view, export, done: str) -> bool:
    try:
        export()
    except ExportError as exc:
        view.banner.setText(str(exc))
        return False
    view.banner.setText(done)
    return True
