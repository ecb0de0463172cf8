"""Dragging the learning-rate slider: the canvas follows the hand, not a few times a second."""

from __future__ import annotations

import pytest
from helpers import close_windows, show_window
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionSlider

from lrdesk.gui.controls.lr_control import THROTTLE_MS

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")

MOVES = 20  # one second of a hand at 20 moves a second
MOVE_MS = 50  # more than THROTTLE_MS: each move may be used


@pytest.fixture
def window(qtbot):
    shown = show_window(qtbot, None, (1280, 800))
    yield shown
    close_windows([shown])


def _handle_centre(slider) -> QPoint:
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    rect = slider.style().subControlRect(
        QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, slider
    )
    return rect.center()


def _mouse(slider, kind: QEvent.Type, at: QPoint, buttons) -> None:
    local = QPointF(at)
    event = QMouseEvent(kind, local, slider.mapToGlobal(local), Qt.MouseButton.LeftButton,
                        buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(slider, event)


def settled(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.recording().all_ended, timeout=20_000)
    qtbot.waitUntil(lambda: not window.frames.is_pending(), timeout=20_000)


def test_dragging_the_rate_slider_redraws_the_canvas_at_every_paced_move(qtbot, window):
    assert THROTTLE_MS <= 50  # 20 updates a second at least
    settled(qtbot, window)
    slider = window.lr_control.slider
    specs: list[float] = []
    window.spec_changed.connect(lambda spec: specs.append(spec.runs[0].learning_rate))
    drawn: list[int] = []
    original = window.canvas.set_run_path

    def counting(run, positions, losses, steps):
        if run == 0:
            drawn.append(len(specs))  # which edit the canvas was showing
        original(run, positions, losses, steps)

    window.canvas.set_run_path = counting
    start = _handle_centre(slider)
    _mouse(slider, QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton)
    assert window.lr_control.dragging()
    for i in range(1, MOVES + 1):
        _mouse(slider, QEvent.Type.MouseMove, start + QPoint(3 * i, 0), Qt.MouseButton.LeftButton)
        qtbot.wait(MOVE_MS)
        # a hand no faster than the machine draws: each move is on the canvas before the next
        settled(qtbot, window)
    _mouse(slider, QEvent.Type.MouseButtonRelease, start + QPoint(3 * MOVES, 0), Qt.MouseButton.NoButton)
    settled(qtbot, window)
    # every move of the hand became a new experiment, at once, with a growing rate
    assert len(specs) >= MOVES
    assert specs == sorted(specs) and len(set(specs)) == len(specs)
    assert window.spec().runs[0].learning_rate == pytest.approx(window.lr_control.value())
    # and the canvas drew the selected run for every one of them, none held back by a timer
    assert set(range(1, MOVES + 1)) <= set(drawn)


def test_one_undo_takes_back_a_whole_drag_of_the_slider(qtbot, window):
    settled(qtbot, window)
    before = window.spec()
    slider = window.lr_control.slider
    start = _handle_centre(slider)
    _mouse(slider, QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton)
    for i in range(1, 6):
        _mouse(slider, QEvent.Type.MouseMove, start + QPoint(4 * i, 0), Qt.MouseButton.LeftButton)
        qtbot.wait(MOVE_MS)
        settled(qtbot, window)
    _mouse(slider, QEvent.Type.MouseButtonRelease, start + QPoint(20, 0), Qt.MouseButton.NoButton)
    qtbot.waitUntil(lambda: not window._edit_timer.isActive(), timeout=5_000)
    settled(qtbot, window)
    assert window.spec().runs[0].learning_rate != before.runs[0].learning_rate
    window.actions_.undo.trigger()
    assert window.spec() == before


def test_while_dragging_frames_draw_the_canvas_first_and_the_rest_catches_up(qtbot, window):
    from lrdesk.gui.window.drawing import DRAG_FRAME_SHARE

    settled(qtbot, window)
    window.set_step(window.spec().steps)  # whole paths: each rate draws another picture
    settled(qtbot, window)
    slider = window.lr_control.slider
    loss_updates: list[int] = []
    canvas_updates: list[int] = []
    shares: list[float] = []
    original_loss, original_canvas = window.loss_plot.set_run_losses, window.canvas.set_run_path

    def loss(run, steps, losses):
        loss_updates.append(run)
        original_loss(run, steps, losses)

    def canvas(run, positions, losses, steps):
        canvas_updates.append(run)
        shares.append(window.frames.share)
        original_canvas(run, positions, losses, steps)

    window.loss_plot.set_run_losses, window.canvas.set_run_path = loss, canvas
    start = _handle_centre(slider)
    _mouse(slider, QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton)
    for i in range(1, MOVES + 1):
        _mouse(slider, QEvent.Type.MouseMove, start + QPoint(3 * i, 0), Qt.MouseButton.LeftButton)
        qtbot.wait(MOVE_MS)
        qtbot.waitUntil(lambda: window.recording().all_ended, timeout=20_000)
        qtbot.waitUntil(lambda: not window.frames.is_finishing(), timeout=20_000)
    # the canvas was drawn for the moves in frames that may take more of the time; the loss
    # plot, a few times a second only
    assert shares and set(shares) == {DRAG_FRAME_SHARE}
    assert len(loss_updates) < len(canvas_updates)
    _mouse(slider, QEvent.Type.MouseButtonRelease, start + QPoint(3 * MOVES, 0),
           Qt.MouseButton.NoButton)
    settled(qtbot, window)
    qtbot.waitUntil(lambda: not window.drawing._catch_up.isActive())
    settled(qtbot, window)
    # let go: every view shows the last experiment
    step = window.current_step()
    assert step > 0
    for run, history in enumerate(window.histories()):
        index = history.row_at_or_before(step)
        assert window.loss_plot._runs[run].losses[-1] == history.losses[index]
        assert window.canvas._paths[run].y[-1] == history.losses[index]
