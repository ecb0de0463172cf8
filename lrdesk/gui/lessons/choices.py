"""A lesson's answer choices: rows that wrap their text and take a click anywhere on them,
and the colours of "Right!" and "Not quite." chosen to read on a projector in either theme.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QRadioButton, QSizePolicy, QWidget

#: WCAG 2 contrast wanted for text a class reads from the back of a room
MIN_CONTRAST = 4.5
#: the verdict words in a light-theme and a dark-theme shade of the same hue
RIGHT_SHADES = ("#00704F", "#3DDBA8")  # bluish green
WRONG_SHADES = ("#A13F00", "#FFB54D")  # orange


class ChoiceRow(QWidget):
    """A radio button with a word-wrapped label; a click anywhere on the row picks it."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.button = QRadioButton(self)
        self.button.setAccessibleName(text)
        self.button.setToolTip("Your prediction")
        self.label = QLabel(text, self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        # the row takes the clicks, so the words and the space beside them count too
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setToolTip("Your prediction")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # Qt override
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            if self.isEnabled():
                self.button.setChecked(True)
                self.button.setFocus()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # Qt override
        event.accept()  # the release picks the choice


def contrast_ratio(foreground: QColor, background: QColor) -> float:
    """WCAG 2 contrast ratio of two opaque colours, from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF())
            + 0.0722 * channel(color.blueF()))


def readable(shades: tuple[str, str], background: QColor) -> str:
    """The shade (light-theme, dark-theme) that contrasts more with ``background``."""
    return max(shades, key=lambda shade: contrast_ratio(QColor(shade), background))
