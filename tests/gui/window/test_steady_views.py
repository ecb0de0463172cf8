"""What the class sees while the runs play: plots that stay put, and every view at one step."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import close_windows, show_window
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication

from lrdesk.gui.live.playback import SPEEDS

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
SHOTS = Path("/tmp/shots/live")


@pytest.fixture
def window(qtbot):
    window = show_window(qtbot, None, settings=None)
    yield window
    close_windows([window])


def _rect(widget, window) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def _on_every_frame(window, check) -> None:
    """Call ``check()`` after each frame's drawing (the frame pacer's paint)."""
    paint = window.frames._paint

    def painted() -> None:
        paint()
        check()

    window.frames._paint = painted


@pytest.mark.parametrize("size", [(1024, 768), (1920, 1080)])
def test_banners_do_not_move_the_plots_during_play(qtbot, window, size):
    window.resize(*size)
    qtbot.waitUntil(lambda: window.banner.isVisible() and "Play" in window.banner.text())
    qtbot.waitUntil(lambda: window.recording().all_ended, timeout=20_000)
    qtbot.waitUntil(lambda: not window.frames.is_pending())  # at rest, before Play
    QApplication.processEvents()
    canvas, loss = window.canvas.plot_widget, window.loss_plot.plot_widget
    seen: set[tuple] = set()
    banners: list[tuple[bool, str]] = []

    def measure() -> None:
        # the loss plot's height and top: what a banner would move (its width follows the
        # runs table beside it, which fits its columns to the numbers shown)
        loss_rect = _rect(loss, window)
        seen.add((_rect(canvas, window).getRect(), (loss_rect.top(), loss_rect.height())))
        banners.append((window.banner.isVisible(), window.banner.level()))

    _on_every_frame(window, measure)
    measure()
    if size == (1024, 768):
        window.grab().save(str(SHOTS / "banner_hint_1024.png"))
    window.playback_bar.speed_slider.setValue(SPEEDS.index(10))  # frames between the notices
    window.play()
    qtbot.waitUntil(
        lambda: window.banner.isVisible() and window.banner.level() == "alarm", timeout=30_000
    )
    QApplication.processEvents()
    measure()
    window.grab().save(str(SHOTS / f"banner_alarm_{size[0]}.png"))
    # the hint went, nothing was shown for a while, then the alarm came: the plots never moved
    assert (False, "info") in banners and banners[-1] == (True, "alarm")
    assert len(seen) == 1, seen


def test_every_view_shows_the_same_step_in_every_frame(qtbot, window):
    recording = window.recording
    mismatches: list[tuple] = []
    frames: list[int] = []

    def check() -> None:
        step = window.current_step()
        frames.append(step)
        if window.loss_plot.playhead.value() != step:
            mismatches.append(("playhead", step, window.loss_plot.playhead.value()))
        for run, history in enumerate(recording().histories):
            index = history.row_at_or_before(step)
            if index < 0:
                continue
            wanted = int(history.steps[index])
            on_canvas = window.canvas._paths[run].steps
            on_plot = window.loss_plot._runs[run].steps
            got = (int(on_canvas[-1]) if len(on_canvas) else None,
                   int(on_plot[-1]) if len(on_plot) else None)
            if got != (wanted, wanted):
                mismatches.append((step, run, wanted, got))

    paint = window.frames._paint

    def slow_frame() -> None:
        window.frames.last_cost_ms = 40.0  # as on a slow machine: frames that cost 40 ms
        paint()
        check()

    window.frames._paint = slow_frame
    qtbot.waitUntil(lambda: recording().all_ended, timeout=20_000)
    window.playback_bar.speed_slider.setValue(SPEEDS.index(10))
    window.play()
    qtbot.waitUntil(lambda: window.current_step() >= 30, timeout=20_000)
    window.pause()
    assert len(set(frames)) >= 4
    assert not mismatches, mismatches[:5]
