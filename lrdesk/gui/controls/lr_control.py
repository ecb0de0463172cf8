"""The learning-rate control: a log-scale slider, an exact spin box, x0.1 / x10, and the theory.

The slider moves log10 of the rate (Qt has no log slider) from 1e-5 to 10; the spin box takes
any positive number typed exactly, scientific notation too. Where the theory knows them, the
stable limit 2/λmax and the fastest rate 2/(λmin + λmax) are marked under the slider and set
in one click. ``value_changed`` fires only for the user's edits: while the slider is dragged
at most once every ``THROTTLE_MS`` (25 times a second, enough to follow the hand), and once more
on release; ``dragging()`` says a drag is under way, so the edit can be used at once.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from lrdesk.gui.controls.lr_widgets import (
    SLIDER_MAX,
    SLIDER_MIN,
    RateScale,
    RateSpinBox,
    mark_icon,
    rate_to_slider,
    slider_to_rate,
    tidy,
)
from lrdesk.gui.shared.formatting import format_number, format_rate
from lrdesk.gui.shared.palette import ALARM_COLOR, FASTEST_COLOR

#: at most one value_changed per this many milliseconds while the slider is dragged
THROTTLE_MS = 40
DEFAULT_RATE = 0.1
SPIN_TIP = (
    "The learning rate: how big a step to take compared with the slope. Type any number "
    "greater than zero, like 0.1, 0.000123 or 3e-4; the arrows go 1, 1.5, 2, 3, 5, 7, 10."
)


class LearningRateControl(QWidget):
    """Edits one learning rate; ``set_value`` and ``set_theory`` never emit."""

    value_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value = DEFAULT_RATE
        self._last_emitted = DEFAULT_RATE
        self._lr_max_stable: float | None = None
        self._lr_optimal: float | None = None
        self._throttle = QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.setInterval(THROTTLE_MS)
        self._throttle.timeout.connect(self._on_throttle_timeout)
        self._build()
        self._show_value()

    def _build(self) -> None:
        self.label = QLabel("&Learning rate", self)
        self.spin = RateSpinBox(self)
        self.label.setBuddy(self.spin)
        self.spin.setToolTip(SPIN_TIP)
        self.spin.rate_typed.connect(self._on_typed)
        self.spin.rate_refused.connect(self._on_refused)
        self.spin.rate_stepped.connect(self._on_stepped)
        self.slider = QSlider(self)
        self.slider.setOrientation(self.slider.orientation().Horizontal)
        self.slider.setRange(SLIDER_MIN, SLIDER_MAX)
        self.slider.setSingleStep(10)
        self.slider.setPageStep(100)
        self.slider.setToolTip(
            "Slide to change the learning rate from 0.00001 to 10. Each mark is ten times the "
            "one before. Red beyond the limit: plain gradient descent diverges there."
        )
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.slider.sliderReleased.connect(self._on_slider_released)
        self.scale = RateScale(self.slider, self)
        self.down_button = self._button(
            "×0.1", "Divide the learning rate by ten.", lambda: self._multiply(0.1), QToolButton
        )
        self.up_button = self._button(
            "×10", "Multiply the learning rate by ten.", lambda: self._multiply(10.0), QToolButton
        )
        self.fastest_button = self._button("", "", lambda: self._choose(self._lr_optimal))
        self.limit_button = self._button("", "", lambda: self._choose(self._lr_max_stable))
        # the same triangles as the marks under the slider tie each button to its mark
        self.fastest_button.setIcon(mark_icon(FASTEST_COLOR))
        self.limit_button.setIcon(mark_icon(ALARM_COLOR))
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ALARM_COLOR};")
        self.error_label.hide()
        self._layout()
        self.set_theory(None, None)

    def _layout(self) -> None:
        top = QHBoxLayout()  # the label has a row of its own: the panel stays narrow when zoomed
        for widget, stretch in (
            (self.spin, 1),
            (self.down_button, 0),
            (self.up_button, 0),
        ):
            top.addWidget(widget, stretch)
        theory = QHBoxLayout()
        theory.addWidget(self.fastest_button)
        theory.addWidget(self.limit_button)
        theory.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.label)
        column.addLayout(top)
        column.addSpacing(self.fontMetrics().height() // 3)
        column.addWidget(self.slider)
        column.addWidget(self.scale)
        column.addLayout(theory)
        column.addWidget(self.error_label)

    def _button(self, text: str, tip: str, slot, kind=QPushButton) -> QPushButton:
        button = kind(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        button.clicked.connect(slot)
        return button

    # --- public API ------------------------------------------------------------------------
    def value(self) -> float:
        return self._value

    def set_value(self, lr: float) -> None:
        """Show ``lr`` (any positive finite number); emits nothing."""
        lr = float(lr)
        if not (math.isfinite(lr) and lr > 0):
            return
        self._throttle.stop()
        self._value = self._last_emitted = lr
        self._clear_error()
        self._show_value()

    def set_theory(
        self, lr_max_stable: float | None, lr_optimal: float | None, limit_tip: str | None = None
    ) -> None:
        """Mark the stable limit and the fastest rate (None: not known here); emits nothing.

        ``limit_tip``: what the limit is, for an optimizer other than plain gradient descent.
        """
        self._lr_max_stable = _usable(lr_max_stable)
        self._lr_optimal = _usable(lr_optimal)
        self._label_theory_button(
            self.fastest_button,
            "Fastest",
            self._lr_optimal,
            "The learning rate that gets plain gradient descent to the minimum in the fewest "
            "steps here: 2 / (smallest + largest curvature).",
        )
        self._label_theory_button(
            self.limit_button,
            "Limit",
            self._lr_max_stable,
            limit_tip
            or "Above this learning rate plain gradient descent overshoots more at every step "
            "and diverges here: 2 / (largest curvature).",
        )
        self.scale.set_marks(self._lr_max_stable, self._lr_optimal)

    def dragging(self) -> bool:
        """True while the slider is held: its edits are already paced, use each one at once."""
        return self.slider.isSliderDown()

    def theory(self) -> tuple[float | None, float | None]:
        return self._lr_max_stable, self._lr_optimal

    # --- showing ---------------------------------------------------------------------------
    def _show_value(self) -> None:
        self.spin.set_rate(self._value)
        self.slider.blockSignals(True)
        self.slider.setValue(rate_to_slider(self._value))
        self.slider.blockSignals(False)
        self.down_button.setEnabled(self._value * 0.1 >= RateSpinBox.LOWEST)
        self.up_button.setEnabled(self._value * 10.0 <= RateSpinBox.HIGHEST)

    @staticmethod
    def _label_theory_button(button: QPushButton, name: str, rate: float | None, tip: str) -> None:
        button.setVisible(rate is not None)
        if rate is not None:
            button.setText(f"{name}: {format_number(rate, 3)}")
            button.setToolTip(f"{tip} Click to use {format_rate(tidy(rate, 12))}.")

    # --- the user's edits ------------------------------------------------------------------
    def _accept(self, lr: float, immediately: bool = True) -> None:
        self._value = lr
        self._clear_error()
        self._show_value()
        if immediately:
            self._throttle.stop()
            self._emit_if_changed()

    def _emit_if_changed(self) -> None:
        if self._value != self._last_emitted:
            self._last_emitted = self._value
            self.value_changed.emit(self._value)

    def _on_typed(self, lr: float) -> None:
        self._accept(lr)

    def _on_stepped(self, lr: float) -> None:
        self._accept(lr)

    def _on_refused(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.spin.set_error(True)
        self.spin.setToolTip(message)  # the message also where the eyes are
        self.spin.set_rate(self._value)

    def _clear_error(self) -> None:
        self.error_label.hide()
        self.spin.set_error(False)
        self.spin.setToolTip(SPIN_TIP)

    def _on_slider_moved(self, position: int) -> None:
        lr = slider_to_rate(position)
        self._value = lr
        self._clear_error()
        self.spin.set_rate(lr)
        self._update_multiply_buttons()
        # throttle: the first move emits at once, later ones at most every THROTTLE_MS
        if not self._throttle.isActive():
            self._emit_if_changed()
            self._throttle.start()

    def _on_throttle_timeout(self) -> None:
        if self._value != self._last_emitted:
            self._emit_if_changed()
            self._throttle.start()  # keep emissions at least THROTTLE_MS apart

    def _on_slider_released(self) -> None:
        self._throttle.stop()
        self._emit_if_changed()

    def _update_multiply_buttons(self) -> None:
        self.down_button.setEnabled(self._value * 0.1 >= RateSpinBox.LOWEST)
        self.up_button.setEnabled(self._value * 10.0 <= RateSpinBox.HIGHEST)

    def _multiply(self, factor: float) -> None:
        lr = tidy(self._value * factor, 12)
        if RateSpinBox.LOWEST <= lr <= RateSpinBox.HIGHEST:
            self._accept(lr)

    def _choose(self, lr: float | None) -> None:
        if lr is not None:
            self._accept(tidy(lr, 12))


def _usable(rate: float | None) -> float | None:
    if rate is None:
        return None
    rate = float(rate)
    return rate if math.isfinite(rate) and rate > 0 else None
