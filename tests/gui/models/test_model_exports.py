"""Exports of a model experiment in the real window: each plot as PNG and SVG, the training as GIF."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import close_windows, show_window
from PIL import Image
from PySide6.QtGui import QImage

from lrdesk.core.models.spec import DataSpec, ModelExperiment, ModelRunSpec, ModelSpec
from lrdesk.gui.models.exports import FIGURES, export_button, export_figure, export_training_gif
from lrdesk.gui.models.model_view import ModelView

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
SHOTS = Path(__file__).resolve().parents[3] / "shots"
CIRCLE = ModelExperiment(DataSpec("circle", points=100), ModelSpec("mlp", (6,)),
                         (ModelRunSpec(0.3), ModelRunSpec(3.0)), steps=None, epochs=50,
                         sharpness_every=10)


@pytest.fixture
def view(qtbot):
    window = show_window(qtbot, size=(1024, 768))
    next(a for a in window.menu("Tools").actions() if a.text() == "Model training").trigger()
    made = window.dock_site.find_dock("dock_model_training").widget()
    assert isinstance(made, ModelView)
    yield made
    close_windows([window])


def trained(qtbot, view: ModelView, spec=CIRCLE):
    view.hold(spec)
    assert view.start()
    qtbot.waitUntil(lambda: view.snapshot() is not None and view.snapshot().done
                    and not view.is_training() and view.is_drawn(), timeout=120_000)
    return view.snapshot()


def test_the_export_menu_offers_csv_every_plot_and_the_gif(view):
    button = next(b for b in view.findChildren(type(export_button(view))) if b.text() == "Export")
    titles = [a.text() for a in button.menu().actions()]
    assert titles == ["Losses as CSV…", "Data plot as PNG or SVG…", "Loss plot as PNG or SVG…",
                      "Accuracy plot as PNG or SVG…", "Sharpness plot as PNG or SVG…",
                      "Training as GIF…"]


def test_each_plot_exports_as_png_and_svg(qtbot, view, tmp_path):
    trained(qtbot, view)
    view.side_tabs.setCurrentWidget(view.acc_plot)  # a plot in a hidden tab has no size
    for name in FIGURES:
        png, svg = tmp_path / f"{name}.png", tmp_path / f"{name}.svg"
        export_figure(view, name, png)
        image = QImage(str(png))
        assert image.width() == 1600 and image.height() > 200, name
        export_figure(view, name, svg)
        text = svg.read_text()
        assert "<svg" in text and f"LR Desk model: {name.lower()}" in text
        assert "<path" in text or "<polyline" in text
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_the_training_exports_as_a_gif_from_the_first_step_to_the_end(qtbot, view, tmp_path):
    from lrdesk.gui.export.render import ExportError

    with pytest.raises(ExportError, match="Train to the end first"):
        export_training_gif(view, tmp_path / "early.gif")
    assert not (tmp_path / "early.gif").exists()
    snap = trained(qtbot, view)
    path = tmp_path / "training.gif"
    frames = export_training_gif(view, path, frames=12)
    assert frames == 12
    with Image.open(path) as gif:
        assert gif.n_frames == 12
        assert gif.size == (view.width(), view.height())
        gif.seek(0)
        first = gif.convert("RGB")
        gif.seek(11)
        last = gif.convert("RGB")
    assert first.tobytes() != last.tobytes()  # the boundary and the step line moved
    SHOTS.mkdir(exist_ok=True)
    first.save(SHOTS / "model_gif_first_frame.png")
    last.save(SHOTS / "model_gif_last_frame.png")
    assert view.scrubber.step() is None  # the views are back at the end of training
    assert view.snapshot() is snap
