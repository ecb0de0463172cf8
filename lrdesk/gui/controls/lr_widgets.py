"""The parts of the learning-rate control: text parsing, the exact spin box, the slider's scale."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QIcon,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
    QValidator,
)
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QSizePolicy,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QWidget,
)

from lrdesk.core.limits import MAX_LEARNING_RATE, learning_rate_problem
from lrdesk.gui.shared.formatting import format_rate
from lrdesk.gui.shared.palette import ALARM_COLOR, FASTEST_COLOR

#: slider positions are 100 x log10(rate): 1e-5 .. 10
SLIDER_MIN, SLIDER_MAX = -500, 100
TICKS_PER_DECADE = 100
#: the round numbers the spin box's arrows step through, in each decade
NICE_MANTISSAS = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)
DECADE_LABELS = {-5: "1e-5", -4: "1e-4", -3: "0.001", -2: "0.01", -1: "0.1", 0: "1", 1: "10"}
EXAMPLE = "Type a number greater than zero, like 0.1 or 3e-4."


def tidy(value: float, digits: int) -> float:
    """``value`` rounded to ``digits`` significant digits (0.004265795 -> 0.0043 for 2)."""
    return float(f"{value:.{digits}g}")


def slider_to_rate(position: int) -> float:
    """The rate at a slider position, rounded to a tidy number (1.05, 0.0035, 0.2).

    Two significant digits, plus halves of the second one: fine enough near 1 (where a tick
    is about 2 %), and numbers a student can read aloud.
    """
    rate = 10.0 ** (position / TICKS_PER_DECADE)
    decade = 10.0 ** math.floor(math.log10(rate))
    return tidy(round(rate / decade * 20.0) / 20.0 * decade, 12)


def rate_to_slider(rate: float) -> int:
    """The slider position of ``rate``; rates beyond the slider pin it to its end."""
    if not (math.isfinite(rate) and rate > 0):
        return SLIDER_MIN
    position = round(TICKS_PER_DECADE * math.log10(rate))
    return max(SLIDER_MIN, min(SLIDER_MAX, position))


def parse_rate_text(text: str) -> float:
    """A typed learning rate: any finite number above zero; ValueError says what is wrong."""
    cleaned = text.strip().replace("−", "-").replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # a decimal comma
    if not cleaned:
        raise ValueError(f"The learning rate is empty. {EXAMPLE}")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"“{text.strip()}” is not a number. {EXAMPLE}") from None
    if math.isnan(value):
        raise ValueError(f"“{text.strip()}” is not a number. {EXAMPLE}")
    problem = learning_rate_problem(value)
    if problem is not None:
        raise ValueError(f"The learning rate {problem}. {EXAMPLE}")
    return value


def next_nice_rate(rate: float, up: bool) -> float:
    """The next round number above (or below) ``rate``: 1, 1.5, 2, 3, 5, 7, 10, ..."""
    decade = math.floor(math.log10(rate))
    candidates = sorted(
        tidy(m * 10.0**d, 12) for d in (decade - 1, decade, decade + 1) for m in NICE_MANTISSAS
    )
    if up:
        return next(c for c in candidates if c > rate * (1 + 1e-9))
    return next(c for c in reversed(candidates) if c < rate * (1 - 1e-9))


def mark_icon(color: str) -> QIcon:
    """The triangle that marks a theory rate under the slider, as a button icon."""
    pixmap = QPixmap(32, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    painter.drawPolygon(QPolygonF([QPointF(16, 3), QPointF(30, 28), QPointF(2, 28)]))
    painter.end()
    return QIcon(pixmap)


class RateSpinBox(QAbstractSpinBox):
    """A spin box holding any positive rate exactly as typed; refuses bad text with a message."""

    LOWEST = 1e-12  # the arrows and x0.1 stop here; typing may go lower
    HIGHEST = MAX_LEARNING_RATE

    rate_typed = Signal(float)
    rate_refused = Signal(str)
    rate_stepped = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rate = 0.1
        self._error = False
        self.setKeyboardTracking(False)
        self.setAccelerated(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.editingFinished.connect(self._on_editing_finished)
        self.lineEdit().textEdited.connect(lambda _text: self.set_error(False))
        self.set_rate(self._rate)

    def rate(self) -> float:
        return self._rate

    def set_rate(self, rate: float) -> None:
        self._rate = rate
        self.lineEdit().setText(format_rate(rate))

    def set_error(self, on: bool) -> None:
        """Frame the box in red while its text has been refused."""
        if on != self._error:
            self._error = on
            self.update()

    def paintEvent(self, event) -> None:  # Qt override: the normal box, plus the red frame
        super().paintEvent(event)
        if not self._error:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = max(2.0, self.fontMetrics().height() / 8)
        painter.setPen(QPen(QColor(ALARM_COLOR), width))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        inset = width / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(inset, inset, -inset, -inset), 3, 3)
        painter.end()

    def has_error(self) -> bool:
        return self._error

    # every keystroke is allowed: text is judged when editing ends, with a readable message
    def validate(self, text: str, pos: int) -> QValidator.State:  # Qt override
        return QValidator.State.Acceptable

    def fixup(self, text: str) -> str:  # Qt override
        return text

    def _on_editing_finished(self) -> None:
        text = self.lineEdit().text()
        if text == format_rate(self._rate):
            return
        try:
            rate = parse_rate_text(text)
        except ValueError as exc:
            self.rate_refused.emit(str(exc))
            return
        self._rate = rate
        self.rate_typed.emit(rate)

    def stepBy(self, steps: int) -> None:  # Qt override
        rate = self._rate
        for _ in range(abs(steps)):
            rate = next_nice_rate(rate, up=steps > 0)
        rate = min(max(rate, self.LOWEST), self.HIGHEST)
        if rate != self._rate:
            self.set_rate(rate)
            self.rate_stepped.emit(rate)

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:  # Qt override
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if self._rate < self.HIGHEST:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        if self._rate > self.LOWEST:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return flags

    def sizeHint(self) -> QSize:  # Qt override: the base class knows no text to measure
        hint = super().sizeHint()
        width = self.fontMetrics().horizontalAdvance("0.000123456") + 3 * hint.height()
        return QSize(max(hint.width(), width), hint.height())

    def minimumSizeHint(self) -> QSize:  # Qt override
        return self.sizeHint()


class RateScale(QWidget):
    """Drawn under the slider: decades, the stable limit (red zone beyond) and the fastest rate."""

    def __init__(self, slider: QSlider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slider = slider
        self.limit: float | None = None
        self.fastest: float | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip(
            "Learning rates along the slider. Red triangle and zone: at and beyond the stable "
            "limit. Green triangle: the fastest rate."
        )

    def set_marks(self, limit: float | None, fastest: float | None) -> None:
        self.limit, self.fastest = limit, fastest
        self.update()

    def sizeHint(self) -> QSize:  # Qt override
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance("0.001") * 8, metrics.height() + self._tick() * 3)

    def minimumSizeHint(self) -> QSize:  # Qt override
        return QSize(0, self.sizeHint().height())

    def _tick(self) -> int:
        return max(4, self.fontMetrics().height() // 3)

    def x_of(self, position: int) -> float:
        """The x (in this widget) under the slider handle's centre at ``position``."""
        option = QStyleOptionSlider()
        self.slider.initStyleOption(option)
        style = self.slider.style()
        groove = style.subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, self.slider
        )
        handle = style.subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self.slider
        )
        span = max(1, groove.width() - handle.width())
        offset = QStyle.sliderPositionFromValue(SLIDER_MIN, SLIDER_MAX, position, span)
        x_in_slider = groove.x() + handle.width() / 2 + offset
        return self.mapFromGlobal(self.slider.mapToGlobal(QPoint(0, 0))).x() + x_in_slider

    def paintEvent(self, _event) -> None:  # Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        try:
            self._paint_zone(painter)
            self._paint_decades(painter)
            for rate, color in ((self.fastest, FASTEST_COLOR), (self.limit, ALARM_COLOR)):
                if rate is not None and rate_to_slider(rate) == round(100 * math.log10(rate)):
                    self._paint_mark(painter, rate, color)
        finally:
            painter.end()

    def _paint_zone(self, painter: QPainter) -> None:
        if self.limit is None or rate_to_slider(self.limit) >= SLIDER_MAX:
            return
        left = self.x_of(rate_to_slider(self.limit))
        right = self.x_of(SLIDER_MAX)
        zone = QColor(ALARM_COLOR)
        zone.setAlphaF(0.18)
        painter.fillRect(QRectF(left, 0, max(0.0, right - left), self._tick() * 2), zone)

    def _paint_decades(self, painter: QPainter) -> None:
        text_color = self.palette().color(QPalette.ColorRole.WindowText)
        tick_color = QColor(text_color)
        tick_color.setAlphaF(0.55)
        tick = self._tick()
        for decade in range(SLIDER_MIN // TICKS_PER_DECADE, SLIDER_MAX // TICKS_PER_DECADE + 1):
            for mantissa in range(1, 10):
                position = round(TICKS_PER_DECADE * (decade + math.log10(mantissa)))
                if position > SLIDER_MAX:
                    break
                x = self.x_of(position)
                painter.setPen(tick_color if mantissa > 1 else text_color)
                painter.drawLine(QPointF(x, 0), QPointF(x, tick * (1.6 if mantissa == 1 else 0.8)))
        metrics = self.fontMetrics()
        painter.setPen(text_color)
        last_right = -math.inf
        for decade, label in DECADE_LABELS.items():
            x = self.x_of(decade * TICKS_PER_DECADE)
            width = metrics.horizontalAdvance(label)
            left = min(max(0.0, x - width / 2), self.width() - width)
            if left < last_right + metrics.horizontalAdvance(" "):
                continue  # too narrow for every label: skip the ones that would overlap
            painter.drawText(QPointF(left, tick * 2 + metrics.ascent()), label)
            last_right = left + width

    def _paint_mark(self, painter: QPainter, rate: float, color: str) -> None:
        x = self.x_of(rate_to_slider(rate))
        size = self._tick() * 1.4
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(color))
        painter.drawPolygon(
            QPolygonF(
                [
                    QPointF(x, 0),
                    QPointF(x + size * 0.7, size * 1.2),
                    QPointF(x - size * 0.7, size * 1.2),
                ]
            )
        )

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self.updateGeometry()
            self.update()
