"""The learning-rate control: exact typing, refusals, x0.1 / x10, theory marks, the slider."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from lrdesk.core.functions import make_function
from lrdesk.core.theory.hessian import local_theory
from lrdesk.gui.controls.lr_control import SPIN_TIP, LearningRateControl
from lrdesk.gui.controls.lr_widgets import (
    SLIDER_MAX,
    SLIDER_MIN,
    next_nice_rate,
    parse_rate_text,
    rate_to_slider,
    slider_to_rate,
)
from lrdesk.gui.shared.formatting import format_rate
from lrdesk.gui.shared.palette import ALARM_COLOR, FASTEST_COLOR, THEMES, apply_theme

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


@pytest.fixture
def control(qtbot):
    widget = LearningRateControl()
    qtbot.addWidget(widget)
    widget.resize(480, widget.sizeHint().height())
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def type_rate(qtbot, control: LearningRateControl, text: str) -> None:
    """Select all in the spin box, type ``text`` and press Enter, as a user does."""
    edit = control.spin.lineEdit()
    control.spin.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(control.spin, Qt.Key.Key_Return)


def emitted(control: LearningRateControl) -> list[float]:
    values: list[float] = []
    control.value_changed.connect(values.append)
    return values


# ------------------------------------------------------------------------------------------
# parsing and the slider's scale (no widgets)
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [("3e-4", 3e-4), ("0.000123", 0.000123), (" 1.1 ", 1.1), ("2,5", 2.5), ("1E-7", 1e-7)],
)
def test_typed_rates_are_read_exactly(text, value):
    assert parse_rate_text(text) == value


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("0", "greater than zero"),
        ("-1", "greater than zero"),
        ("nan", "not a number"),
        ("abc", "not a number"),
        ("inf", "finite"),
        ("", "empty"),
        ("1e9", "too large"),
    ],
)
def test_bad_rates_are_refused_in_plain_words(text, words):
    with pytest.raises(ValueError, match=words):
        parse_rate_text(text)


@given(st.floats(1e-5, 10.0))
def test_slider_positions_round_trip(rate):
    position = rate_to_slider(rate)
    assert SLIDER_MIN <= position <= SLIDER_MAX
    shown = slider_to_rate(position)
    assert abs(math.log10(shown) - math.log10(rate)) < 0.02  # within a tick and the rounding
    assert abs(rate_to_slider(shown) - position) <= 1
    assert shown == float(f"{shown:.3g}")  # a tidy number


def test_rates_beyond_the_slider_pin_it_to_its_ends():
    assert rate_to_slider(1e-9) == SLIDER_MIN
    assert rate_to_slider(500.0) == SLIDER_MAX
    assert slider_to_rate(SLIDER_MIN) == 1e-5 and slider_to_rate(SLIDER_MAX) == 10.0


def test_arrows_step_through_round_numbers():
    assert next_nice_rate(0.1, up=True) == 0.15
    assert next_nice_rate(0.7, up=True) == 1.0
    assert next_nice_rate(0.1, up=False) == 0.07
    assert next_nice_rate(0.13, up=True) == 0.15
    assert next_nice_rate(0.13, up=False) == 0.1


# ------------------------------------------------------------------------------------------
# the widget
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "value"), [("3e-4", 3e-4), ("0.000123", 0.000123)])
def test_typing_sets_the_exact_value_and_emits_once(qtbot, control, text, value):
    values = emitted(control)
    type_rate(qtbot, control, text)
    assert control.value() == value
    assert values == [value]
    assert control.spin.lineEdit().text() == format_rate(value)  # 3e-4 reads as 0.0003
    assert control.slider.value() == rate_to_slider(value)


@pytest.mark.parametrize("text", ["0", "-1", "nan", "abc", "inf", ""])
def test_bad_text_is_refused_and_the_value_kept(qtbot, control, text):
    control.set_value(0.05)
    values = emitted(control)
    type_rate(qtbot, control, text)
    assert control.value() == 0.05
    assert values == []
    assert control.spin.has_error()
    assert control.error_label.isVisible() and control.error_label.text()
    assert control.spin.toolTip() == control.error_label.text()
    assert control.spin.lineEdit().text() == "0.05"  # the previous value is back
    type_rate(qtbot, control, "0.2")  # a good value clears the red frame
    assert values == [0.2] and not control.spin.has_error()
    assert not control.error_label.isVisible() and control.spin.toolTip() == SPIN_TIP


def test_times_ten_and_a_tenth_stay_exact(qtbot, control):
    control.set_value(0.1)
    values = emitted(control)
    qtbot.mouseClick(control.up_button, Qt.MouseButton.LeftButton)
    assert control.value() == 1.0
    qtbot.mouseClick(control.down_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(control.down_button, Qt.MouseButton.LeftButton)
    assert control.value() == 0.01  # not 0.010000000000000002
    assert values == [1.0, 0.1, 0.01]
    control.set_value(2e5)
    assert not control.up_button.isEnabled()  # x10 would pass the largest rate


def test_set_value_and_set_theory_emit_nothing(qtbot, control):
    with qtbot.assertNotEmitted(control.value_changed):
        control.set_value(0.3)
        control.set_theory(1.0, 0.5)
        control.set_value(100.0)  # beyond the slider: the slider pins to its end
    assert control.value() == 100.0 and control.slider.value() == SLIDER_MAX
    assert control.spin.lineEdit().text() == "100"
    control.set_value(1e-8)
    assert control.value() == 1e-8 and control.slider.value() == SLIDER_MIN
    control.set_value(float("nan"))  # ignored, not shown
    assert control.value() == 1e-8


def test_theory_buttons_reach_the_rates_in_one_click(qtbot, control):
    function = make_function("ill_conditioned", {"condition": 4.0})
    theory = local_theory(function, function.default_start())
    control.set_theory(theory.lr_max_stable, theory.lr_optimal)
    assert theory.lr_max_stable == pytest.approx(0.5) and theory.lr_optimal == pytest.approx(0.4)
    assert control.fastest_button.isVisible() and control.limit_button.isVisible()
    assert control.fastest_button.text() == "Fastest: 0.4"
    assert control.limit_button.text() == "Limit: 0.5"
    values = emitted(control)
    qtbot.mouseClick(control.fastest_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(control.limit_button, Qt.MouseButton.LeftButton)
    assert values == pytest.approx([0.4, 0.5])
    control.set_theory(None, None)
    assert not control.fastest_button.isVisible() and not control.limit_button.isVisible()
    control.set_theory(float("nan"), -1.0)  # nonsense from a surface without a minimum
    assert not control.fastest_button.isVisible() and not control.limit_button.isVisible()


def test_the_marks_are_drawn_under_the_slider(qtbot, control):
    control.set_theory(1.0, 0.1)
    image = control.scale.grab().toImage()
    ratio = image.devicePixelRatio()

    def colour_at(rate: float) -> QColor:
        x = control.scale.x_of(rate_to_slider(rate))
        return image.pixelColor(round(x * ratio), round(2 * ratio))

    assert _close(colour_at(1.0), QColor(ALARM_COLOR))
    assert _close(colour_at(0.1), QColor(FASTEST_COLOR))
    # the x of each decade grows along the slider, inside the widget
    xs = [control.scale.x_of(p) for p in range(SLIDER_MIN, SLIDER_MAX + 1, 100)]
    assert xs == sorted(xs) and xs[0] >= 0 and xs[-1] <= control.scale.width()


def _close(a: QColor, b: QColor) -> bool:
    return max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue())) < 40


def test_arrow_keys_step_and_emit(qtbot, control):
    control.set_value(0.1)
    values = emitted(control)
    control.spin.setFocus()
    qtbot.keyClick(control.spin, Qt.Key.Key_Up)
    qtbot.keyClick(control.spin, Qt.Key.Key_Down)
    qtbot.keyClick(control.spin, Qt.Key.Key_Down)
    assert values == [0.15, 0.1, 0.07]


def test_dragging_the_slider_emits_a_few_times_and_once_on_release(qtbot, control):
    control.set_value(0.001)
    values = emitted(control)
    slider = control.slider
    slider.setSliderDown(True)  # as while the user holds the handle
    for position in range(-300, -99, 5):
        slider.setValue(position)
    assert values == [slider_to_rate(-295)]  # the first move at once, the rest held back
    with qtbot.waitSignal(control.value_changed, timeout=2000) as later:
        pass  # while still dragging, the newest value follows within the throttle interval
    assert later.args == [slider_to_rate(-100)]
    slider.setValue(-50)
    slider.setSliderDown(False)  # release: the final value at once
    assert values[-1] == slider_to_rate(-50) == control.value()
    assert len(values) == 3
    assert control.spin.lineEdit().text() == "0.315"


def test_keyboard_on_the_slider_changes_the_rate(qtbot, control):
    control.set_value(0.1)
    values = emitted(control)
    control.slider.setFocus()
    qtbot.keyClick(control.slider, Qt.Key.Key_PageUp)
    assert control.value() == 1.0 and values == [1.0]


@pytest.mark.parametrize("name", ["light", "dark"])
def test_screenshot_of_the_control(qtbot, qapp, control, name):
    from pathlib import Path

    apply_theme(qapp, THEMES[name])
    window_colour = QColor(THEMES[name].window)
    qtbot.waitUntil(lambda: control.palette().color(control.backgroundRole()) == window_colour)
    try:
        control.set_value(0.1)
        control.set_theory(1.0, 1.0)
        control.resize(460, control.sizeHint().height())
        folder = Path(__file__).resolve().parents[3] / "shots"
        folder.mkdir(exist_ok=True)
        assert control.grab().save(str(folder / f"lr_control_{name}.png"))
        type_rate(qtbot, control, "abc")
        control.resize(460, control.sizeHint().height())
        assert control.grab().save(str(folder / f"lr_control_refused_{name}.png"))
    finally:
        apply_theme(qapp, THEMES["light"])
