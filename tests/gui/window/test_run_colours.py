"""One colour per run, the same in the runs table, on the canvas, in the loss plot and in exports;
a state such as diverged only adds a style (dashes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import close_windows, show_window
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor

from lrdesk.gui.export.render import figure_image
from lrdesk.gui.live.playback import SPEEDS
from lrdesk.gui.shared.palette import ALARM_COLOR, run_color

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
SHOTS = Path("/tmp/shots/live")


@pytest.fixture
def played(qtbot):
    """The first picture played to the end: runs 1 and 2 go on, run 3 diverged."""
    window = show_window(qtbot, None, settings=None)
    window.playback_bar.speed_slider.setValue(len(SPEEDS) - 1)
    window.play()
    qtbot.waitUntil(
        lambda: window.playback.at_end() and window.revealed_events() == window.events(),
        timeout=20_000,
    )
    qtbot.waitUntil(lambda: not window.frames.is_pending())
    yield window
    close_windows([window])


def _chip_colour(window, run: int) -> QColor:
    model = window.runs_table.model
    icon = model.data(model.index(run, 0), Qt.ItemDataRole.DecorationRole)
    image = icon.pixmap(QSize(32, 32)).toImage()
    return image.pixelColor(image.width() // 2, image.height() // 2)


def test_each_run_has_one_colour_in_every_view(played):
    window = played
    verdicts = {run: event.verdict for run, event in window.revealed_events().items()}
    assert verdicts[2] == "diverged"
    for run in range(len(window.spec().runs)):
        colour = QColor(run_color(run))
        dashed = verdicts.get(run) == "diverged"
        assert _chip_colour(window, run) == colour, run
        path = window.canvas._paths[run]
        pens = [path.line.opts["pen"], path.fresh.opts["pen"]]
        brushes = [path.dots.opts["brush"], path.head.opts["brush"], path.alarm.opts["brush"]]
        curve = window.loss_plot._curves[run]
        pens.append(curve.opts["pen"])
        brushes.append(window.loss_plot._ends[run].opts["symbolBrush"])
        for pen in pens:
            assert pen.color() == colour, run
            assert (pen.style() == Qt.PenStyle.DashLine) == dashed, run
        for brush in brushes:
            assert brush.color() == colour, run


def test_exported_figures_draw_each_run_in_its_colour(qtbot, played):
    window = played
    window.canvas.view_button.click()  # back to the minimum, where every run is
    qtbot.waitUntil(window.canvas.view_at_rest)
    for name, view in (("canvas", window.canvas.plot_widget),
                       ("loss", window.loss_plot.plot_widget)):
        image = figure_image(view, 1200)
        image.save(str(SHOTS / f"export_{name}.png"))
        counts: dict[int, int] = {}
        for y in range(0, image.height(), 2):
            for x in range(0, image.width(), 2):
                rgb = image.pixel(x, y) & 0xFFFFFF
                counts[rgb] = counts.get(rgb, 0) + 1
        for run in range(3):
            assert counts.get(QColor(run_color(run)).rgb() & 0xFFFFFF, 0) > 20, (name, run)
        assert counts.get(QColor(ALARM_COLOR).rgb() & 0xFFFFFF, 0) == 0, name
