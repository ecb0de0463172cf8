"""A notice strip above the canvas: what just happened to a run, in big plain words.

Hidden while there is nothing to say. Each level has its colour and icon; the close button or
Esc hides it (and emits ``dismissed``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPalette, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from lrdesk.gui.shared.palette import LEVEL_COLORS, level_icon

LEVELS = ("alarm", "warning", "info")
#: the notice text is this much larger than the app font, to read from the back of a room
TEXT_SCALE = 1.3
LEVEL_NAMES = {"alarm": "Alarm", "warning": "Warning", "info": "Note"}


class NoticeBanner(QWidget):
    """One notice at a time; ``show_notice`` replaces the previous one."""

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._level = "info"
        self.icon_label = QLabel(self)
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text_label = QLabel(self)
        self.text_label.setWordWrap(True)
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Hide this notice (Esc)")
        self.close_button.setAccessibleName("Hide notice")
        self.close_button.clicked.connect(self._dismiss)
        layout = QHBoxLayout(self)
        layout.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.text_label, 1, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self._escape.setContext(Qt.ShortcutContext.WindowShortcut)
        self._escape.activated.connect(self._dismiss)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._apply_fonts()
        self.hide()

    # --- public API ------------------------------------------------------------------------
    def show_notice(self, level: str, text: str) -> None:
        """Show ``text``; ``level`` is 'alarm', 'warning' or 'info' (anything else: 'info')."""
        self._level = level if level in LEVELS else "info"
        self.text_label.setText(text)
        self.setAccessibleName(f"{LEVEL_NAMES[self._level]}: {text}")
        self._apply_fonts()
        self.show()
        self.update()

    def clear(self) -> None:
        """Hide the notice without emitting ``dismissed``."""
        self.text_label.clear()
        self.hide()

    def level(self) -> str:
        return self._level

    def text(self) -> str:
        return self.text_label.text()

    # --- look ------------------------------------------------------------------------------
    def _dismiss(self) -> None:
        if self.isVisible():
            self.clear()
            self.dismissed.emit()

    def _apply_fonts(self) -> None:
        font = self.font()
        size = font.pointSizeF()
        if size > 0:
            font.setPointSizeF(size * TEXT_SCALE)
        self.text_label.setFont(font)
        side = round(self.text_label.fontMetrics().height() * 1.4)
        self.icon_label.setPixmap(
            level_icon(self._level).pixmap(QSize(side, side), self.devicePixelRatioF())
        )
        self.icon_label.setFixedWidth(side + 4)
        close_font = self.font()
        if size > 0:
            close_font.setPointSizeF(size * TEXT_SCALE)
        self.close_button.setFont(close_font)

    def paintEvent(self, _event) -> None:  # Qt override: a tinted strip with a coloured edge
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        accent = QColor(LEVEL_COLORS[self._level])
        base = self.palette().color(QPalette.ColorRole.Window)
        tint = QColor(
            round(base.red() * 0.82 + accent.red() * 0.18),
            round(base.green() * 0.82 + accent.green() * 0.18),
            round(base.blue() * 0.82 + accent.blue() * 0.18),
        )
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(accent)
        painter.setBrush(tint)
        painter.drawRoundedRect(rect, 4, 4)
        stripe = max(4.0, self.fontMetrics().height() / 4)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(accent)
        painter.drawRoundedRect(QRectF(rect.left(), rect.top(), stripe, rect.height()), 2, 2)
        painter.end()

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._apply_fonts()
        elif event.type() == QEvent.Type.PaletteChange:
            self.update()
