"""Exports read back: PNG at the chosen width, SVG that parses, CSV rows equal to the runs, the
clipboard; failures leave old files alone; the File > Export menu in the real window."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from helpers import show_widget, window_fixture
from PIL import Image
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from lrdesk.core.experiment.simulation import Simulation
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.gui.export.dialogs import AnimationDialog, FigureExportDialog
from lrdesk.gui.export.render import (
    PNG_WIDTHS,
    ExportError,
    copy_figure,
    export_png,
    export_svg,
    image_bytes,
    runs_csv,
    write_file,
)
from lrdesk.gui.shared.dialogs import remembered_folder

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


SPEC = ExperimentSpec(
    function="rosenbrock", start=(-1.5, 2.0),
    runs=(RunSpec(0.001), RunSpec(0.001, "momentum"), RunSpec(2e-3 * 1.2)), steps=400,
)


@pytest.fixture
def plot(qtbot):
    """A real plot of a real run's loss, on screen at 600 x 400."""
    simulation = Simulation(SPEC)
    simulation.run_to_end()
    widget = pg.PlotWidget()
    for history in simulation.histories:
        log_loss = np.log10(np.maximum(history.losses, 1e-12))
        widget.plot(history.steps, log_loss, pen=pg.mkPen(width=2))
    widget.setLabel("bottom", "step")
    return show_widget(qtbot, widget, (600, 400))


@pytest.mark.parametrize("width", PNG_WIDTHS)
def test_png_has_the_chosen_width_and_the_figure_shape(plot, tmp_path, width):
    path = tmp_path / "figure.png"
    export_png(plot, path, width)
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.width == width
        assert abs(image.height - width * plot.height() / plot.width()) <= 1
        pixels = np.asarray(image.convert("L"))
    assert pixels.std() > 5  # a drawn figure, not a blank sheet


def test_png_width_out_of_range_is_refused(plot, tmp_path):
    for width in (0, 50, 100_000):
        with pytest.raises(ExportError, match="width must be"):
            export_png(plot, tmp_path / "x.png", width)
    assert not list(tmp_path.iterdir())


def test_svg_parses_as_xml_with_its_title(plot, tmp_path):
    path = tmp_path / "figure.svg"
    export_svg(plot, path, "LR Desk: loss <plot>")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    title = next(e for e in root.iter() if e.tag.endswith("title"))
    assert title.text == "LR Desk: loss <plot>"
    assert sum(1 for e in root.iter() if e.tag.endswith("polyline")) >= 3  # the curves


def test_copy_figure_puts_the_picture_on_the_clipboard(plot):
    QApplication.clipboard().clear()
    image = copy_figure(plot)
    pasted = QApplication.clipboard().image()
    assert not pasted.isNull()
    assert pasted.width() == image.width() == 2 * plot.width()


def test_hidden_figure_is_refused_in_plain_words(qtbot, tmp_path):
    hidden = pg.PlotWidget()
    qtbot.addWidget(hidden)
    hidden.resize(0, 0)
    with pytest.raises(ExportError, match="not on screen"):
        export_png(hidden, tmp_path / "x.png", 1280)


def test_write_file_replaces_whole_or_not_at_all(tmp_path):
    target = tmp_path / "keep.txt"
    target.write_text("old")
    write_file(target, b"new")
    assert target.read_bytes() == b"new"
    with pytest.raises(ExportError, match="Cannot write in"):
        write_file(tmp_path / "missing" / "x.txt", b"data")
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(ExportError, match="Cannot save"):
        write_file(folder, b"data")  # a folder cannot be replaced by a file
    assert folder.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-folder", "keep.txt"]


# ------------------------------------------------------------------------------------------
# Runs as CSV
# ------------------------------------------------------------------------------------------
def test_runs_csv_rows_equal_the_recorded_rows():
    simulation = Simulation(SPEC)
    simulation.run_to_end()
    histories = simulation.histories
    text = runs_csv(SPEC, histories, simulation.events)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == sum(len(h) for h in histories)
    assert list(rows[0]) == [
        "run", "optimizer", "base_learning_rate", "step", "x", "y", "loss",
        "gradient_x", "gradient_y", "learning_rate", "update_x", "update_y",
    ]
    for run, history in enumerate(histories):
        mine = [r for r in rows if int(r["run"]) == run + 1]
        assert len(mine) == len(history)
        assert {r["optimizer"] for r in mine} == {SPEC.runs[run].optimizer}
        np.testing.assert_array_equal([int(r["step"]) for r in mine], history.steps)
        np.testing.assert_array_equal([float(r["y"]) for r in mine], history.positions[:, 1])
        np.testing.assert_array_equal([float(r["loss"]) for r in mine], history.losses)
        taken = mine[:-1]
        np.testing.assert_array_equal(
            [float(r["update_x"]) for r in taken], history.updates[: len(taken), 0]
        )
        assert mine[-1]["learning_rate"] == "" and mine[-1]["update_y"] == ""


def test_runs_csv_of_a_diverged_run_keeps_its_huge_numbers():
    spec = ExperimentSpec(runs=(RunSpec(1.5),), steps=200)
    simulation = Simulation(spec)
    simulation.run_to_end()
    rows = list(csv.DictReader(io.StringIO(runs_csv(spec, simulation.histories))))
    assert simulation.events[0].verdict == "diverged"
    assert abs(float(rows[-1]["w"])) > 100
    assert all(r["loss"] for r in rows)


# ------------------------------------------------------------------------------------------
# Dialogs
# ------------------------------------------------------------------------------------------
def test_figure_dialog_offers_presets_and_any_width(qtbot, plot):
    dialog = FigureExportDialog({"Canvas": plot, "Sweep": plot}, "Sweep", "png")
    qtbot.addWidget(dialog)
    assert dialog.choice() == ("Sweep", "png", 1920)
    chooser = dialog.width_chooser
    chooser.combo.setCurrentIndex(2)
    assert dialog.choice()[2] == 3840
    assert "3840 ×" in dialog.size_label.text()
    chooser.combo.setCurrentIndex(chooser.combo.count() - 1)
    chooser.custom.setValue(777)
    assert dialog.choice()[2] == 777
    dialog.svg.setChecked(True)
    assert dialog.choice()[1] == "svg" and not chooser.isEnabled()
    assert dialog.findChild(QDialogButtonBox) is not None


def test_animation_dialog_returns_its_options(qtbot):
    dialog = AnimationDialog()
    qtbot.addWidget(dialog)
    dialog.frames.setValue(60)
    dialog.loss_plot.setChecked(False)
    options = dialog.options()
    assert options.frames == 60 and not options.with_loss_plot and options.width == 960


# ------------------------------------------------------------------------------------------
# In the main window
# ------------------------------------------------------------------------------------------
window = window_fixture(SPEC, (1280, 800))


def test_export_menu_and_copy_shortcut_are_installed(window):
    from lrdesk.gui.export import menu as export

    actions = export.install(window)
    texts = [a.text().replace("&", "") for a in actions.menu.actions() if not a.isSeparator()]
    assert texts == [
        "Canvas as PNG…", "Canvas as SVG…", "Loss plot as PNG…", "Loss plot as SVG…",
        "Any figure…", "Runs as CSV…", "Animation as GIF…",
    ]
    assert all(a.toolTip() for a in actions.menu.actions() if not a.isSeparator())
    assert actions.copy_action.shortcut() == QKeySequence("Ctrl+Shift+C")
    file_items = [a for a in window.menu("File").actions()]
    quit_at = next(i for i, a in enumerate(file_items) if a.text().replace("&", "") == "Quit")
    export_at = file_items.index(actions.menu.menuAction())
    assert export_at < quit_at  # the export group sits above Quit


def test_window_exports_figures_runs_and_copy(qtbot, window, tmp_path):
    from lrdesk.gui.export import menu as export

    actions = export.install(window)
    qtbot.waitUntil(lambda: len(window.events()) == len(window.spec().runs), timeout=20_000)
    window.set_step(10**9)
    figures = export.find_figures(window)
    assert list(figures)[:2] == ["Canvas", "Loss plot"]
    for name in ("Canvas", "Loss plot"):
        png = tmp_path / f"{name}.png"
        actions.export_figure(name, "png", str(png), 1280)
        with Image.open(png) as image:
            assert image.width == 1280
        svg = tmp_path / f"{name}.svg"
        actions.export_figure(name, "svg", str(svg))
        assert ET.parse(svg).getroot().tag.endswith("svg")
    runs = tmp_path / "runs.csv"
    actions.export_runs(str(runs))
    rows = list(csv.DictReader(io.StringIO(runs.read_text())))
    assert len(rows) == sum(len(h) for h in window.histories())
    window.canvas.plot_widget.setFocus()
    actions.copy()
    assert QApplication.clipboard().image().width() == 2 * window.canvas.plot_widget.width()


def test_figures_in_docks_can_be_exported_too(qtbot, window, tmp_path):
    from lrdesk.gui.export import menu as export

    extra = pg.PlotWidget()
    extra.plot([1, 2, 3], [3, 1, 2])
    window.add_panel(extra, "Sweep of rates")
    actions = export.install(window)
    qtbot.waitUntil(lambda: extra.width() > 0)
    assert "Sweep of rates" in export.find_figures(window)
    path = tmp_path / "sweep.png"
    actions.export_figure("Sweep of rates", "png", str(path), 1280)
    with Image.open(path) as image:
        assert image.width == 1280


def test_export_screenshots_for_slides(qtbot, window):
    """Pictures for slides: the text must grow with the picture (look at the files)."""
    from lrdesk.gui.export.animation import show_step_now

    qtbot.waitUntil(lambda: len(window.events()) == len(window.spec().runs), timeout=20_000)
    show_step_now(window, 10**9)
    shots = Path(__file__).resolve().parents[3] / "shots"
    shots.mkdir(exist_ok=True)
    export_png(window.canvas.plot_widget, shots / "export_canvas_1920.png", 1920)
    export_png(window.loss_plot.plot_widget, shots / "export_loss_1280.png", 1280)


def test_menu_entries_ask_then_save(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from lrdesk.gui.export import menu as export

    actions = export.install(window)
    qtbot.waitUntil(lambda: len(window.events()) == len(window.spec().runs), timeout=20_000)
    answers = iter([str(tmp_path / "canvas"), str(tmp_path / "runs.csv"), ""])
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kw: (next(answers), "")))
    monkeypatch.setattr(FigureExportDialog, "exec", lambda self: 1)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: warnings.append(a[2])))
    entries = {a.text().replace("&", ""): a for a in actions.menu.actions()}
    entries["Canvas as PNG…"].trigger()
    with Image.open(tmp_path / "canvas.png") as image:  # the suffix is added
        assert image.width == 1920
    assert remembered_folder() == str(tmp_path)
    entries["Runs as CSV…"].trigger()
    assert (tmp_path / "runs.csv").read_text().startswith("run,optimizer")
    entries["Loss plot as SVG…"].trigger()  # cancelled in the file dialog: nothing happens
    assert sorted(p.name for p in tmp_path.iterdir()) == ["canvas.png", "runs.csv"]
    assert warnings == []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **kw: (str(tmp_path / "no" / "x.csv"), "")))
    entries["Runs as CSV…"].trigger()
    assert len(warnings) == 1 and "Cannot write in" in warnings[0]


def test_big_pictures_thicken_curves_only_while_drawing(qtbot, tmp_path):
    widget = pg.PlotWidget(background="w")
    x = np.linspace(0, 10, 200)
    curve = widget.plot(x, np.sin(x), pen=pg.mkPen("r", width=2))
    show_widget(qtbot, widget, (600, 400))
    small = export_png(widget, tmp_path / "small.png", 600)  # the size on screen
    big = export_png(widget, tmp_path / "big.png", 3000)
    assert curve.curve.opts["pen"].widthF() == 2  # restored afterwards

    def red_share(image) -> float:
        rgb = np.asarray(Image.open(io.BytesIO(image_bytes(image))).convert("RGB")).astype(int)
        red = (rgb[..., 0] > 150) & (rgb[..., 1] < 110) & (rgb[..., 2] < 110)
        return float(red.mean())

    # five times wider and five times thicker: the curve covers about the same share
    assert red_share(big) == pytest.approx(red_share(small), rel=0.3)
