"""The playback strip: play, step, reset and jump buttons, the speed, and the timeline."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from lrdesk.gui.live.playback import DEFAULT_SPEED, SPEEDS, speed_text


class PlaybackBar(QWidget):
    """Buttons for the Run menu's actions, a speed slider and a timeline to scrub."""

    speed_changed = Signal(float)
    scrubbed = Signal(int)

    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        self.buttons: list[QToolButton] = []
        self._words_shown = True
        self._widths = (0, 0)  # least width with icons alone, with words too (see _measure)
        self._icons_only = False
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setAutoRaise(True)
            layout.addWidget(button)
            self.buttons.append(button)
        layout.addSpacing(12)
        layout.addWidget(self._make_speed())
        self.speed_label = QLabel()
        self.speed_label.setToolTip("How fast playback goes")
        self._fit_speed_label()
        layout.addWidget(self.speed_label)
        layout.addSpacing(12)
        layout.addWidget(self._make_timeline(), 1)
        self.step_label = QLabel()
        self.step_label.setToolTip("The step shown, out of the steps budget")
        layout.addWidget(self.step_label)
        self._last_step = -1
        self.set_speed(DEFAULT_SPEED)
        self.set_step(0, 1)
        self._measure()

    def _fit_speed_label(self) -> None:
        """Room for the longest speed, in the font of the moment (zoom included)."""
        metrics = self.speed_label.fontMetrics()
        self.speed_label.setMinimumWidth(metrics.horizontalAdvance("100,000 steps a second") + 2)

    def _make_speed(self) -> QSlider:
        self.speed_slider = QSlider(Qt.Orientation.Horizontal)
        self.speed_slider.setRange(0, len(SPEEDS) - 1)
        self.speed_slider.setPageStep(1)
        self.speed_slider.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 12)
        self.speed_slider.setToolTip(
            "Playback speed: from one step a second to as fast as the computer goes"
        )
        self.speed_slider.setAccessibleName("Playback speed")
        self.speed_slider.valueChanged.connect(self._on_speed_slider)
        return self.speed_slider

    def _make_timeline(self) -> QSlider:
        self.timeline = QSlider(Qt.Orientation.Horizontal)
        self.timeline.setToolTip("The timeline: drag to show any step that has been computed")
        self.timeline.setAccessibleName("Timeline")
        self.timeline.valueChanged.connect(self._on_timeline)
        return self.timeline

    def _on_speed_slider(self, index: int) -> None:
        speed = SPEEDS[index]
        self.speed_label.setText(speed_text(speed))
        self.speed_changed.emit(speed)

    def _on_timeline(self, value: int) -> None:
        self.scrubbed.emit(value)

    def set_speed(self, speed: float) -> None:
        """Show the nearest offered speed (emits nothing)."""
        index = min(range(len(SPEEDS)), key=lambda i: abs(_log(SPEEDS[i]) - _log(speed)))
        self.speed_slider.blockSignals(True)
        self.speed_slider.setValue(index)
        self.speed_slider.blockSignals(False)
        self.speed_label.setText(speed_text(SPEEDS[index]))

    def speed(self) -> float:
        return SPEEDS[self.speed_slider.value()]

    def set_step(self, step: int, last_step: int) -> None:
        """Show the playhead (emits nothing)."""
        self.timeline.blockSignals(True)
        self.timeline.setRange(0, max(1, last_step))
        self.timeline.setPageStep(max(1, last_step // 20))
        self.timeline.setValue(step)
        self.timeline.blockSignals(False)
        self.step_label.setText(f"Step {step:,} of {last_step:,}")
        if last_step != self._last_step:  # room for the longest text, so nothing jiggles
            self._last_step = last_step
            widest = self.step_label.fontMetrics().horizontalAdvance(f"Step {last_step:,} of {last_step:,}")
            self.step_label.setMinimumWidth(widest + 4)


    def minimumSizeHint(self) -> QSize:  # Qt override
        """As narrow as the buttons without their words: a zoomed strip still fits 1024 px."""
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self._widths[0]), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        self._show_words(event.size().width() >= self._widths[1] and not self._icons_only)

    def set_icons_only(self, icons_only: bool) -> None:
        """True: the buttons show their icons alone whatever the room (a slim strip to present)."""
        self._icons_only = icons_only
        self._show_words(self.width() >= self._widths[1] and not icons_only)

    def _iconic(self) -> list[QToolButton]:
        return [b for b in self.buttons if b.text() and not b.icon().isNull()]

    def _measure(self) -> None:
        """The strip's least width with the buttons' icons alone, and with their words too."""
        widths = []
        for style in (Qt.ToolButtonStyle.ToolButtonIconOnly, Qt.ToolButtonStyle.ToolButtonTextBesideIcon):
            for button in self._iconic():
                button.setToolButtonStyle(style)
            self.layout().invalidate()
            widths.append(super().minimumSizeHint().width())
        self._widths = (widths[0], widths[1])
        self._words_shown = True
        self._show_words(self.width() >= self._widths[1] and not self._icons_only)

    def _show_words(self, shown: bool) -> None:
        """The buttons' words where there is room, their icons alone (tooltips say what) if not."""
        if shown == self._words_shown:
            return
        self._words_shown = shown
        style = (Qt.ToolButtonStyle.ToolButtonTextBesideIcon if shown
                 else Qt.ToolButtonStyle.ToolButtonIconOnly)
        for button in self._iconic():
            button.setToolButtonStyle(style)

    def words_shown(self) -> bool:
        return self._words_shown

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # zoom: make room for the larger text again
            last_step, self._last_step = self._last_step, -1
            self.set_step(self.timeline.value(), max(last_step, 1))
            self._fit_speed_label()
            side = self.fontMetrics().height()  # icons grow with the zoom too
            for button in self.buttons:
                button.setIconSize(QSize(side, side))
            QTimer.singleShot(0, self, self._measure)  # once every button has its new font
            self.updateGeometry()


def _log(speed: float) -> float:
    return 1e9 if math.isinf(speed) else math.log10(speed)
