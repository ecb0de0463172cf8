"""Presentation mode (F5, View > Present; Esc leaves): the window as a class sees it.

Full screen, the canvas over most of it and the loss plot large under it, one slim strip with
playback and the learning-rate slider, type zoomed for the back of the room (plots follow the
font: thicker lines, larger tick labels). The menus, the status bar, the runs table and the side
panel step aside; F9 brings the side panel back. A lesson is presented step by step: PageDown and
PageUp walk through its paragraphs and its question in a large caption beside the loss plot.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QSlider,
    QWidget,
)

from lrdesk.gui.controls.lr_widgets import SLIDER_MAX, SLIDER_MIN, slider_to_rate
from lrdesk.gui.shared.formatting import format_rate

#: the zoom makes the screen about this many average characters wide (larger type on a big screen)
PRESENT_CHARS = 125
MAX_PRESENT_ZOOM = 2.0
#: share of the central height for the row with the loss plot and the lesson caption
LOSS_ROW_SHARE = 0.26
#: the canvas keeps at least this share of the screen when a long banner takes room
CANVAS_SHARE = 0.62
#: the caption's type against the window's
CAPTION_SCALE = 1.35


@dataclass(frozen=True)
class LessonStep:
    """One step of a lesson as presented: its rich text, and whether it sets the lesson up."""

    html: str
    sets_up: bool = False


def lesson_steps(lesson) -> list[LessonStep]:
    """The title with each paragraph in turn, then the question with its choices."""
    title = f"<b>{html.escape(lesson.title)}</b>"
    steps = [LessonStep(f"{title}<br>{html.escape(p)}", sets_up=i == 0)
             for i, p in enumerate(lesson.paragraphs)] or [LessonStep(title, sets_up=True)]
    letters = "ABCDEFGH"
    choices = "&nbsp;&nbsp;&nbsp;".join(
        f"<b>{letters[i]}</b>&nbsp;{html.escape(c)}" for i, c in enumerate(lesson.choices[:8]))
    if lesson.question:
        steps.append(LessonStep(f"{title}<br>{html.escape(lesson.question)}<br>{choices}"))
    return steps


class RateStrip(QWidget):
    """A slim learning-rate slider for the presenting strip. It moves the selected run's own
    slider (``source``), so an edit takes the same way as one made in the side panel."""

    def __init__(self, source: QSlider, rate: Callable[[], float], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source, self._rate = source, rate
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 0)
        self.label = QLabel("Learning rate α")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(SLIDER_MIN, SLIDER_MAX)
        self.slider.setSingleStep(source.singleStep())
        self.slider.setPageStep(source.pageStep())
        self.slider.setToolTip(source.toolTip())
        self.slider.setAccessibleName("Learning rate of the selected run")
        self.slider.setMinimumWidth(self.fontMetrics().averageCharWidth() * 22)
        self.slider.setMaximumWidth(self.fontMetrics().averageCharWidth() * 28)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)  # the timeline
        # takes the rest of the strip
        self.value_label = QLabel()
        for widget in (self.label, self.slider, self.value_label):
            layout.addWidget(widget)
        self.slider.valueChanged.connect(self._moved)
        self.slider.sliderPressed.connect(lambda: source.setSliderDown(True))
        self.slider.sliderReleased.connect(lambda: source.setSliderDown(False))
        source.valueChanged.connect(lambda _v: self.follow())
        self.follow()

    def _moved(self, position: int) -> None:
        self._source.setValue(position)
        self.value_label.setText(f"= {format_rate(slider_to_rate(position))}")

    def follow(self) -> None:
        """Show the selected run's rate (emits nothing)."""
        self.slider.blockSignals(True)
        self.slider.setValue(self._source.value())
        self.slider.blockSignals(False)
        self.value_label.setText(f"= {format_rate(self._rate())}")
        self.value_label.setMinimumWidth(self.value_label.fontMetrics().horizontalAdvance("= 0.000001"))


class LessonCaption(QLabel):
    """The step of the lesson being presented, in large type."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("presentationCaption")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMargin(8)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.setToolTip("PageDown: next step of the lesson; PageUp: the step before")
        self._apply_font()

    def _apply_font(self) -> None:
        font = QFont(QApplication.font())
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * CAPTION_SCALE)
        self.setFont(font)

    def event(self, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.ApplicationFontChange:
            self._apply_font()  # its own font: it follows the zoom by hand
        return super().event(event)


class PresentationMode(QObject):
    """Enters and leaves presentation mode in ``window``.

    It gets the window (Qt's own QMainWindow API: full screen, menu and status bars), the
    layout's parts, the look (zoom), the selected run's rate control, the playback strip and a
    way to reach the lesson panel (``lessons()``, None when there is none).
    """

    presenting_changed = Signal(bool)
    message = Signal(str, int)

    def __init__(self, window: QMainWindow, layout_parts, look, rate_control, playback_bar,
                 lessons: Callable[[], object | None]) -> None:
        super().__init__(window)
        self._window, self._parts, self._look = window, layout_parts, look
        self._playback_bar = playback_bar
        self._rate_control, self._lessons = rate_control, lessons
        self._presenting = False
        self._saved: dict = {}
        self._put_away: list[QDockWidget] = []
        self._strip: QAction | None = None  # the rate slider's place in the playback strip
        self._rate_strip: RateStrip | None = None
        self.caption = LessonCaption()
        self.caption.hide()
        self._steps: list[LessonStep] = []
        self._step = -1
        self._shortcuts: list[QShortcut] = []
        self._muted: list[QShortcut] = []  # others' Esc, silent while Esc leaves presenting
        for key, slot in ((Qt.Key.Key_Escape, self.leave), (Qt.Key.Key_PageDown, self.next_step),
                          (Qt.Key.Key_PageUp, self.previous_step)):
            shortcut = QShortcut(QKeySequence(key), window)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.setEnabled(False)
            shortcut.activated.connect(slot)
            self._shortcuts.append(shortcut)

    def is_presenting(self) -> bool:
        return self._presenting

    def follow_rate(self) -> None:
        """The selected run or its rate changed: the strip's slider shows it."""
        if self._rate_strip is not None and self._presenting:
            self._rate_strip.follow()

    def toggle(self) -> None:
        self.leave() if self._presenting else self.enter()

    # --- entering and leaving -----------------------------------------------------------------
    def enter(self) -> None:
        if self._presenting:
            return
        window, parts = self._window, self._parts
        self._presenting = True
        side = parts.side_panel
        self._saved = {
            "zoom": self._look.zoom_index, "maximized": window.isMaximized(),
            "full_screen": window.isFullScreen(), "geometry": window.saveGeometry(),
            "side_held": side.held, "side_shown": side.is_shown(),
            "middle": parts.middle.sizes(), "bottom": parts.bottom.sizes(),
        }
        parts.table_room.active = parts.rows_room.active = False
        side.held = True
        side.fold()
        self._put_away = [d for d in window.findChildren(QDockWidget)  # the sweep, the map...
                          if d.toggleViewAction().isChecked() and not d.isFloating()]
        for dock in self._put_away:
            dock.hide()
        window.menuBar().hide()
        window.statusBar().hide()
        parts.runs_table.hide()
        self._add_rate_strip()
        self._playback_bar.set_icons_only(True)
        parts.bottom.addWidget(self.caption)
        self._show_lesson_steps()
        window.showFullScreen()
        window.installEventFilter(self)
        parts.middle.installEventFilter(self)
        self._zoom_for(window.screen().size().width())
        for shortcut in self._shortcuts:
            shortcut.setEnabled(True)
        self._muted = [s for s in window.findChildren(QShortcut)  # Esc is ours while presenting
                       if s not in self._shortcuts and s.isEnabled()
                       and s.key() == QKeySequence(Qt.Key.Key_Escape)
                       and s.context() in (Qt.ShortcutContext.WindowShortcut,
                                           Qt.ShortcutContext.ApplicationShortcut)]
        for shortcut in self._muted:
            shortcut.setEnabled(False)
        QTimer.singleShot(0, self, lambda: self._fit_width(self._window.width()))
        self.presenting_changed.emit(True)
        self.message.emit("Presenting: Esc leaves, PageDown and PageUp step through the lesson, "
                          "F9 shows the settings", 4000)

    def leave(self) -> None:
        if not self._presenting:
            return
        window, parts, saved = self._window, self._parts, self._saved
        self._presenting = False
        for shortcut in self._shortcuts:
            shortcut.setEnabled(False)
        for shortcut in self._muted:
            shortcut.setEnabled(True)
        self._muted = []
        window.removeEventFilter(self)
        parts.middle.removeEventFilter(self)
        self._look.zoom_by(saved["zoom"] - self._look.zoom_index)
        self._playback_bar.set_icons_only(False)
        if self._strip is not None:
            self._strip.setVisible(False)
        self.caption.hide()
        parts.runs_table.show()
        window.menuBar().show()
        window.statusBar().show()
        if saved["full_screen"]:
            window.showFullScreen()
        elif saved["maximized"]:
            window.showMaximized()
        else:
            window.showNormal()
            window.restoreGeometry(saved["geometry"])
        side = parts.side_panel
        side.held = saved["side_held"]
        if saved["side_shown"]:
            side.unfold()
        for dock in self._put_away:
            dock.show()
        self._put_away = []
        parts.table_room.active = parts.rows_room.active = True
        parts.middle.setSizes(saved["middle"])
        parts.bottom.setSizes(saved["bottom"])
        self.presenting_changed.emit(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.Resize and self._presenting:
            if watched is self._window:
                width = event.size().width()
                QTimer.singleShot(0, self, lambda: self._fit_width(width))
            else:  # the banner grew or shrank: the canvas keeps its share
                self.fit()
        return False

    def _fit_width(self, width: int) -> None:
        """The window changed size (full screen on another screen): type and rows follow."""
        if self._presenting:
            self._zoom_for(width)
            self.fit()

    def _zoom_for(self, screen_width: int) -> None:
        """Zoom so the screen is about ``PRESENT_CHARS`` characters wide, never smaller than now."""
        look = self._look
        base = look.base_font_char_width()
        wanted = min(MAX_PRESENT_ZOOM, screen_width / (PRESENT_CHARS * base)) if base > 0 else 1.0
        steps = [i for i, z in enumerate(look.steps()) if z <= wanted]
        index = max([self._saved["zoom"], *steps[-1:]])
        if index != look.zoom_index:
            look.zoom_by(index - look.zoom_index)

    def _add_rate_strip(self) -> None:
        """The rate slider joins the playback strip: one slim row at the top."""
        if self._strip is None:
            control = self._rate_control
            self._rate_strip = RateStrip(control.slider, control.value)
            self._strip = self._parts.playback_toolbar.addWidget(self._rate_strip)
        self._rate_strip.follow()
        self._strip.setVisible(True)

    def fit(self) -> None:
        """The canvas over most of the screen; the loss plot and the caption share the row under it."""
        if not self._presenting:
            return
        parts, window = self._parts, self._window
        total, width = sum(parts.middle.sizes()), max(parts.middle.width(), 1)
        canvas_least = CANVAS_SHARE * window.width() * window.height() / width
        least_row = parts.bottom.minimumSizeHint().height()
        row = max(least_row, min(int(total * LOSS_ROW_SHARE), int(total - canvas_least)))
        if abs(parts.middle.sizes()[-1] - row) > 2:
            parts.middle.setSizes([total - row, row])
        width = sum(parts.bottom.sizes())
        if self.caption.isVisible():
            parts.bottom.setSizes([width * 9 // 20, 0, width - width * 9 // 20])

    # --- a lesson, step by step ---------------------------------------------------------------
    def _show_lesson_steps(self) -> None:
        panel = self._lessons()
        lesson = getattr(panel, "lesson", None)
        self._steps = lesson_steps(lesson) if lesson is not None else []
        self._step = -1
        self.caption.setVisible(bool(self._steps))
        if self._steps:
            self.caption.setText(f"<i>PageDown presents the lesson “{html.escape(lesson.title)}” "
                                 "step by step, PageUp goes back. F9 shows the settings; "
                                 "Esc stops presenting.</i>")

    def next_step(self) -> None:
        if self._step + 1 < len(self._steps):
            self._go(self._step + 1)
        elif self._move_lesson(+1):
            self._go(0)

    def previous_step(self) -> None:
        if self._step > 0:
            self._go(self._step - 1)
        elif self._move_lesson(-1):
            self._go(len(self._steps) - 1)

    def step(self) -> int:
        """The step of the lesson shown in the caption (-1: none yet)."""
        return self._step

    def steps(self) -> list[LessonStep]:
        return list(self._steps)

    def _move_lesson(self, by: int) -> bool:
        panel = self._lessons()
        if panel is None or not 0 <= panel.index + by < len(panel.book.lessons):
            return False
        panel.show_lesson(panel.index + by)
        self._steps = lesson_steps(panel.lesson)
        return bool(self._steps)

    def _go(self, step: int) -> None:
        self._step = step
        shown = self._steps[step]
        self.caption.setText(shown.html)
        self.caption.show()
        panel = self._lessons()
        if shown.sets_up and panel is not None and panel.setup_button.isEnabled():
            panel.setup_button.click()  # the lesson's own runs on the canvas
        self.fit()
