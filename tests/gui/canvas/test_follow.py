"""Divergence shown, not only announced: the canvas follows a run that swings away for its first
swings, then offers to go back to the minimum; the loss plot goes to log scale by itself."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from lrdesk.core.experiment.simulation import run_experiment
from lrdesk.core.experiment.spec import ExperimentSpec
from lrdesk.gui.canvas.follow import FOLLOW_SPAN_1D, eased, follow_limit, followed_extent
from lrdesk.gui.canvas.view import LossCanvas
from lrdesk.gui.canvas.view_follow import BACK_TEXT, FOLLOW_TEXT
from lrdesk.gui.live.loss_plot import LossPlot
from lrdesk.gui.shared.palette import run_color
from lrdesk.gui.shared.path_geometry import Box

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
SEED = ExperimentSpec()  # w² from w = 5 at 0.01, 0.1 and 1.1: the last one diverges
SHOTS = Path("/tmp/shots/live")


def _shown(qtbot, widget, width=820, height=620):
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _play_to(canvas: LossCanvas, result, step: int) -> None:
    for run in result.runs:
        h = run.history
        end = int(np.searchsorted(h.steps, step, side="right"))
        canvas.set_run_path(run.index, h.positions[:end], h.losses[:end], h.steps[:end])


def _seed_canvas(qtbot):
    result = run_experiment(SEED)
    canvas = _shown(qtbot, LossCanvas())
    canvas.set_function(result.function, SEED.start)
    canvas.set_runs([run_color(i) for i in range(len(SEED.runs))])
    return canvas, result


def _arrived(canvas: LossCanvas) -> bool:
    return canvas.view_at_rest()


def test_the_view_follows_the_diverging_run_for_its_first_swings(qtbot):
    canvas, result = _seed_canvas(qtbot)
    region = canvas.visible_box()
    _play_to(canvas, result, 0)
    assert canvas.target_box() == region and not canvas.view_button.isVisible()
    positions = result.runs[2].history.positions[:, 0]
    losses = result.runs[2].history.losses
    widths = []
    # from the second point outside the region on (a growing zig-zag, not one jump)
    for step in range(3, 9):
        _play_to(canvas, result, step)
        qtbot.waitUntil(lambda: _arrived(canvas))
        box = canvas.visible_box()
        # every swing so far is on screen: each point of the diverging run, on the curve
        w, loss = positions[: step + 1], losses[: step + 1]
        assert np.all(box.contains(w, loss)), step
        widths.append(box.width)
    assert all(b >= a for a, b in itertools.pairwise(widths))
    assert widths[-1] > 2 * region.width  # the view zoomed out
    # the curve L(w) is drawn out there too, not only over the region
    curve_x, _ = canvas._surface.curve.getData()
    assert curve_x.min() <= box.x_min and curve_x.max() >= box.x_max
    assert canvas.view_button.isVisible() and canvas.view_button.text() == BACK_TEXT


def test_the_view_moves_smoothly_and_stops_at_its_limit(qtbot):
    canvas, result = _seed_canvas(qtbot)
    region = canvas.visible_box()
    _play_to(canvas, result, 6)
    first = canvas.follower.shown_box()
    qtbot.waitUntil(lambda: canvas.follower.shown_box() != first)
    # one tick covers part of the way, not all of it
    assert region.width < canvas.follower.shown_box().width < canvas.target_box().width
    _play_to(canvas, result, SEED.steps)
    qtbot.waitUntil(lambda: _arrived(canvas))
    box = canvas.visible_box()
    limit = follow_limit(region, 1)
    assert box.width <= limit.width * 1.2  # the run went on; the view did not
    assert box.width > 0.3 * limit.width
    QApplication.processEvents()
    canvas.grab().save(str(SHOTS / "follow_seed_end.png"))


def test_back_to_the_minimum_and_out_again(qtbot):
    canvas, result = _seed_canvas(qtbot)
    region = canvas.visible_box()
    _play_to(canvas, result, SEED.steps)
    qtbot.waitUntil(lambda: _arrived(canvas))
    wide = canvas.visible_box()
    qtbot.mouseClick(canvas.view_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _arrived(canvas))
    assert canvas.visible_box().x_min == pytest.approx(region.x_min)
    assert canvas.visible_box().width == pytest.approx(region.width)
    assert canvas.view_button.text() == FOLLOW_TEXT
    # the runs restart (a slider edit): the view stays where the user put it
    canvas.set_runs([run_color(i) for i in range(len(SEED.runs))])
    _play_to(canvas, result, SEED.steps)
    assert canvas.target_box() == region
    qtbot.mouseClick(canvas.view_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _arrived(canvas))
    assert canvas.visible_box().width == pytest.approx(wide.width)
    # a new function starts from its own region, pinned no more
    canvas.set_function(result.function, SEED.start)
    assert canvas.visible_box().width == pytest.approx(region.width)
    assert canvas.view_button.text() == BACK_TEXT and not canvas.view_button.isVisible()


def test_runs_that_stay_in_the_region_keep_the_view(qtbot):
    canvas, result = _seed_canvas(qtbot)
    region = canvas.visible_box()
    canvas.set_runs([run_color(0), run_color(1)])
    for run in result.runs[:2]:
        h = run.history
        canvas.set_run_path(run.index, h.positions, h.losses, h.steps)
    assert canvas.target_box() == region and canvas.view_at_rest()


def test_followed_extent_stops_where_the_path_leaves_the_limit():
    region = Box(-1.0, 1.0, 0.0, 1.0)
    limit = follow_limit(region, 1)
    assert limit.width == pytest.approx(FOLLOW_SPAN_1D * region.width)
    x = np.array([0.5, -1.5, 3.0, -100.0, 2.0])
    y = x**2
    extent, escaped = followed_extent(x, y, region, limit)
    assert escaped and extent == Box(-1.5, 3.0, 0.25, 9.0)
    assert followed_extent(x[:1], y[:1], region, limit) == (None, False)
    assert followed_extent(np.array([0.0, np.inf]), np.array([0.0, np.inf]), region, limit)[1]
    box, arrived = eased(region, Box(-2.0, 2.0, 0.0, 1.0))
    assert not arrived and -2.0 < box.x_min < -1.0
    assert eased(region, region) == (region, True)


def test_the_loss_plot_turns_to_log_scale_by_itself_when_the_range_is_wide(qtbot):
    result = run_experiment(SEED)
    plot = _shown(qtbot, LossPlot(), 600, 300)
    plot.set_runs([run_color(i) for i in range(3)])

    def play_to(step):
        for run in result.runs:
            h = run.history
            end = int(np.searchsorted(h.steps, step, side="right"))
            plot.set_run_losses(run.index, h.steps[:end], h.losses[:end])

    play_to(2)
    assert not plot.is_log_y()  # losses of 25 to 50: linear is right
    play_to(SEED.steps)
    assert plot.is_log_y() and plot.log_check.isChecked()
    low, high = plot.y_range()
    assert low < 1e-6 and high > 1e3
    # the user can still choose: a click turns it off, and it stays off as rows arrive
    qtbot.mouseClick(plot.log_check, Qt.MouseButton.LeftButton)
    assert not plot.is_log_y()
    plot.set_runs([run_color(i) for i in range(3)])
    play_to(SEED.steps)
    assert not plot.is_log_y()


def test_one_jump_out_is_not_followed():
    """A run thrown out in one step (w⁴ - 3w² + w at 0.3) would only flatten the picture."""
    region = Box(-3.0, 3.0, -5.0, 30.0)
    limit = follow_limit(region, 1)
    x = np.array([2.0, -4.3, 300.0])
    assert followed_extent(x, x**2, region, limit) == (None, True)
    x = np.array([2.0, -4.3, 5.0, -7.0])
    extent, _ = followed_extent(x, x**2, region, limit)
    assert extent is not None and extent.x_min == -7.0
