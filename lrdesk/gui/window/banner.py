"""A notice strip above the canvas: what just happened to a run, in big plain words.

Hidden while there is nothing to say, but its room is kept: a notice that comes or goes while
the runs play must not move the plots below it. The room is at least ``RESERVED_LINES`` lines of
text and only grows (for a longer notice, or one announced with ``reserve_room`` before it is
due) until the width or the font changes. Each level has
its colour and icon; the close button or Esc hides it (and emits ``dismissed``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPalette, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from lrdesk.gui.shared.palette import LEVEL_COLORS, level_icon

LEVELS = ("alarm", "warning", "info")
#: the notice text is this much larger than the app font, to read from the back of a room
TEXT_SCALE = 1.3
LEVEL_NAMES = {"alarm": "Alarm", "warning": "Warning", "info": "Note"}
#: the banner keeps room for this many lines of notice text, shown or not
RESERVED_LINES = 1
#: room kept for notices still to come is at most this share of the window's height
ROOM_AHEAD_SHARE = 0.13


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
        self._ruler = QLabel()  # never shown: measures notices to come, wrapped as the text is
        self._ruler.setWordWrap(True)
        self._ruler.setTextFormat(Qt.TextFormat.PlainText)
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
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        self._base_point_size = self.font().pointSizeF()  # before any zoom
        self._apply_fonts()
        self._keep_room(self._floor())
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

    def reserve_room(self, text: str) -> None:
        """Keep room for ``text`` too (a notice to come), so that it will not move the plots."""
        width = self.text_label.width()
        if width <= 0 or not text:
            return
        ruler = self._ruler
        ruler.setFont(self.text_label.font())
        ruler.setText(text)
        margins = self.layout().contentsMargins()
        controls = max(self.icon_label.sizeHint().height(), self.close_button.sizeHint().height())
        height = margins.top() + margins.bottom() + max(ruler.heightForWidth(width), controls)
        # room kept ahead is taken from the canvas: at most a share of the window's height, and
        # none when the type is zoomed up (presenting), where the canvas needs every line
        if self.font().pointSizeF() > self._base_point_size * 1.05:
            return
        self._keep_room(min(height, round(ROOM_AHEAD_SHARE * self.window().height())))

    def level(self) -> str:
        return self._level

    def text(self) -> str:
        return self.text_label.text()

    # --- room ------------------------------------------------------------------------------
    def _keep_room(self, height: int) -> None:
        """Keep at least ``height`` pixels (a minimum height: Qt's layouts ask a widget with a
        layout of its own that layout, not the widget, how tall it wants to be)."""
        if height > self.minimumHeight():
            self.setMinimumHeight(height)

    def _floor(self) -> int:
        margins = self.layout().contentsMargins()
        text = self.text_label.fontMetrics().lineSpacing() * RESERVED_LINES
        controls = max(self.icon_label.sizeHint().height(), self.close_button.sizeHint().height())
        return margins.top() + margins.bottom() + max(text, controls)

    def _measure_again(self) -> None:
        """A new width or font: the room is the floor, or what the notice shown needs."""
        self.setMinimumHeight(0)
        needed = self.layout().totalHeightForWidth(self.width()) if self.text() else 0
        self._keep_room(max(self._floor(), needed))

    def resizeEvent(self, event) -> None:  # Qt override
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._measure_again()
            QTimer.singleShot(0, self, self._measure_again)  # once the text's layout follows

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
            self._measure_again()
            QTimer.singleShot(0, self, self._measure_again)  # once the text's layout follows
        elif event.type() == QEvent.Type.PaletteChange:
            self.update()
