"""The lesson panel: a short text, "Set it up", a question to predict, and the answer after the run.

The panel never drives the window itself: it asks for a lesson's experiment through
``setup_requested`` and is told what the window holds through ``update_run``. ``install(window)``
makes those two connections, docks the panel and adds Help > Lessons (F1).
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from lrdesk.core.experiment.spec import ExperimentSpec
from lrdesk.core.teaching.lessons import Lesson, LessonBook, LessonFacts, load_lessons
from lrdesk.core.teaching.model_lessons import ModelLesson, with_model_lessons
from lrdesk.gui.lessons.choices import RIGHT_SHADES, WRONG_SHADES, ChoiceRow, readable
from lrdesk.gui.lessons.parts import (
    LessonProgress,
    paragraphs_html,
    push_button,
    scaled_font,
    text_label,
)

#: the panel's text is this much larger than the window's, for the back of a classroom
TEXT_SCALE = 1.15
TITLE_SCALE = 1.25
DONE_MARK = "  ✓"


class LessonPanel(QWidget):
    """One lesson at a time, with its question and, after the run, its answer."""

    setup_requested = Signal(object)  # the lesson's ExperimentSpec
    model_setup_requested = Signal(object)  # a ModelLesson, set up in the Model training tool

    def __init__(
        self,
        book: LessonBook | None = None,
        progress: LessonProgress | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.book = book if book is not None else with_model_lessons(load_lessons())
        self.progress = progress if progress is not None else LessonProgress()
        self.index = -1
        # the lesson's experiment as the window holds it, once set up
        self._live_spec: ExperimentSpec | None = None
        self._facts: LessonFacts | None = None
        self._spec_changed = False  # the window left the lesson's experiment after set-up
        self._checked = False
        self._build()
        last = self.book.index_of(self.progress.last())
        self.show_lesson(max(last, 0), remember=False)  # opening the panel is not a choice

    # --- building -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.picker = QComboBox()
        self.picker.setToolTip("Choose a lesson. A tick marks the ones you have answered.")
        # long lesson titles must not force the whole window wider than a laptop screen
        self.picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.picker.setMinimumContentsLength(8)
        self.picker.currentIndexChanged.connect(self._on_picked)
        self.previous_button = push_button("◀", "Go to the previous lesson", self._go_previous)
        self.next_button = push_button("&Next ▶", "Go to the next lesson", self._go_next)
        top = QHBoxLayout()  # the picker has the narrow side panel's whole width to itself
        top.addStretch(1)
        top.addWidget(self.previous_button)
        top.addWidget(self.next_button)

        self.title = text_label()
        self.body = text_label(rich=True)
        self.setup_button = push_button(
            "&Set it up", "Load this lesson's experiment. Then make your guess and press Play.",
            self._on_setup,
        )

        self.question_box = QGroupBox("Predict, then press Play")
        self.question_box.setToolTip("Choose what you think will happen before you run it.")
        self.question = text_label()
        self.choices = QButtonGroup(self)
        self.choices.idToggled.connect(lambda *_: self._update_controls())
        self.choice_layout = QVBoxLayout()
        self.choice_rows: list[ChoiceRow] = []
        self.check_button = push_button(
            "&Check my answer", "Compare your guess with what the runs really did.",
            self.check_answer,
        )
        self.status = text_label()
        self.status.setToolTip("What to do next")
        box = QVBoxLayout(self.question_box)
        box.addWidget(self.question)
        box.addLayout(self.choice_layout)
        box.addWidget(self.check_button, 0, Qt.AlignmentFlag.AlignLeft)
        box.addWidget(self.status)

        self.verdict = text_label(rich=True)
        self.answer = text_label(rich=True)
        self.answer.setFrameShape(QFrame.Shape.StyledPanel)
        self.answer.setContentsMargins(8, 8, 8, 8)
        self.problems = text_label()
        self.problems.setToolTip("Lesson files that could not be read")

        content = QWidget()
        column = QVBoxLayout(content)
        for widget in (self.title, self.body):
            column.addWidget(widget)
        column.addWidget(self.setup_button, 0, Qt.AlignmentFlag.AlignLeft)
        for widget in (self.question_box, self.verdict, self.answer, self.problems):
            column.addWidget(widget)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picker)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)

        self.problems.setText(
            "Some lessons could not be read:\n" + "\n".join(self.book.problems)
            if self.book.problems else ""
        )
        self.problems.setVisible(bool(self.book.problems))
        self._fill_picker()
        self._apply_fonts()

    def _apply_fonts(self) -> None:
        """Larger than the window's text, and following it when the window is zoomed."""
        font = scaled_font(QApplication.font(), TEXT_SCALE)
        self.setFont(font)
        title = scaled_font(font, TITLE_SCALE)
        title.setBold(True)
        self.title.setFont(title)

    def event(self, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.ApplicationFontChange:
            self._apply_fonts()  # a font set on the panel no longer follows the app's by itself
        return super().event(event)

    def _fill_picker(self) -> None:
        done = self.progress.completed()
        self.picker.blockSignals(True)
        self.picker.clear()
        for lesson in self.book.lessons:
            self.picker.addItem(lesson.title + (DONE_MARK if lesson.key in done else ""))
        self.picker.setCurrentIndex(self.index)
        self.picker.blockSignals(False)

    # --- showing a lesson ---------------------------------------------------------------------
    @property
    def lesson(self) -> Lesson | None:
        return self.book.lessons[self.index] if 0 <= self.index < len(self.book.lessons) else None

    def show_lesson(self, index: int, remember: bool = True) -> None:
        if not self.book.lessons:
            self.index = -1
            self.title.setText("No lessons could be loaded")
            for widget in (self.setup_button, self.question_box, self.picker, self.next_button,
                           self.previous_button):
                widget.setEnabled(False)
            return
        self.index = max(0, min(index, len(self.book.lessons) - 1))
        lesson = self.lesson
        if remember:
            self.progress.set_last(lesson.key)
        self.picker.blockSignals(True)
        self.picker.setCurrentIndex(self.index)
        self.picker.blockSignals(False)
        self.title.setText(lesson.title)
        self.body.setText(paragraphs_html(lesson.paragraphs))
        self.question.setText(lesson.question)
        self.question_box.setTitle("Predict, then run it in the Model tool" if self.is_model_lesson
                                   else "Predict, then press Play")
        self._set_choices(lesson.choices)
        self._live_spec, self._facts, self._checked = None, None, False
        self._spec_changed = False
        self.verdict.hide()
        self.answer.hide()
        self.previous_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index < len(self.book.lessons) - 1)
        self._update_controls()

    def _set_choices(self, choices: tuple[str, ...]) -> None:
        for row in self.choice_rows:
            self.choices.removeButton(row.button)
            self.choice_layout.removeWidget(row)
            row.hide()  # deleted later, when control returns to the event loop
            row.deleteLater()
        self.choice_rows = []
        for i, text in enumerate(choices):
            row = ChoiceRow(text)
            self.choices.addButton(row.button, i)
            self.choice_layout.addWidget(row)
            self.choice_rows.append(row)
            row.show()  # a layout only shows new children on the next event-loop turn

    def _on_picked(self, index: int) -> None:
        if index != self.index:
            self.show_lesson(index)

    def _go_previous(self) -> None:
        self.show_lesson(self.index - 1)

    def _go_next(self) -> None:
        self.show_lesson(self.index + 1)

    # --- the run ------------------------------------------------------------------------------
    def _on_setup(self) -> None:
        lesson = self.lesson
        if lesson is None:
            return
        self._live_spec, self._facts, self._checked = lesson.spec, None, False
        for row in self.choice_rows:
            row.setEnabled(True)
        self.verdict.hide()
        self.answer.hide()
        if self.is_model_lesson:
            self.model_setup_requested.emit(lesson)
        else:
            self.setup_requested.emit(lesson.spec)
        self._update_controls()

    @property
    def is_model_lesson(self) -> bool:
        """True for a lesson on a real model: the Model training tool runs it, not the window."""
        return isinstance(self.lesson, ModelLesson)

    def set_live_spec(self, spec: ExperimentSpec) -> None:
        """The lesson's experiment as the window holds it after setting it up."""
        if self._live_spec is not None:
            self._live_spec = spec

    def update_run(self, spec: ExperimentSpec, facts: LessonFacts | None, step: int) -> None:
        """What the window shows now: its spec, the facts once every run ended, the playhead."""
        ours = self._live_spec is not None and spec == self._live_spec
        finished = ours and facts is not None and facts.finished and self.lesson is not None
        # the learner has seen what the question asks about (by default: every run to its end)
        finished = finished and self.lesson.answerable(facts, step)
        self._facts = facts if finished else None
        self._spec_changed = self._live_spec is not None and not ours
        self._update_controls()

    def _update_controls(self) -> None:
        lesson_ready = self.lesson is not None
        picked = self.choices.checkedId() >= 0
        self.setup_button.setEnabled(lesson_ready)
        self.check_button.setEnabled(
            lesson_ready and not self._checked and self._facts is not None and picked
        )
        self.status.setText(self._next_step_hint(picked))

    def _next_step_hint(self, picked: bool) -> str:
        if self._checked:
            if self.index < len(self.book.lessons) - 1:
                return "Try other rates if you like, then go on with Next lesson."
            return "That was the last lesson. Try your own experiments now!"
        if self._live_spec is None:
            return "Press Set it up, make your guess, then press Play."
        if self._spec_changed:
            return "The experiment was changed. Press Set it up to bring the lesson's back."
        early = self.lesson is not None and self.lesson.answer_at_step is not None
        if self._facts is None and self.is_model_lesson:
            if self.lesson.action == "range_test":
                return "Make your guess, then press Run in the Model rate finder."
            return "Make your guess, then press Train in the Model training tool and wait."
        if self._facts is None:
            if early:
                return (f"Make your guess, then press Step until step "
                        f"{self.lesson.answer_at_step} shows.")
            return "Make your guess, then press Play and watch every run to its end."
        seen = "You have seen enough to answer" if early else "Every run has finished"
        if not picked:
            return f"{seen}. Pick an answer, then check it."
        return f"{seen}: check your answer."

    def check_answer(self) -> None:
        lesson, facts = self.lesson, self._facts
        if lesson is None or facts is None or self.choices.checkedId() < 0:
            return
        right = self.choices.checkedId() == lesson.correct
        correct_text = html.escape(lesson.choices[lesson.correct])
        background = self.verdict.palette().color(QPalette.ColorRole.Window)
        if right:
            head = f"<b style='color:{readable(RIGHT_SHADES, background)}'>Right!</b>"
        else:
            head = (f"<b style='color:{readable(WRONG_SHADES, background)}'>Not quite.</b> "
                    f"The answer is “{correct_text}”.")
        surprises = lesson.surprises(facts)
        note = (
            "<p><i>These runs did not end as the lesson expects ("
            + html.escape("; ".join(surprises)) + "), so read the numbers with care.</i></p>"
            if surprises else ""
        )
        self.verdict.setText(head)
        self.answer.setText(paragraphs_html(lesson.render_answer(facts)) + note)
        self.verdict.show()
        self.answer.show()
        self._checked = True
        for row in self.choice_rows:
            row.setEnabled(False)
        self.progress.mark_completed(lesson.key)
        self._fill_picker()
        self._update_controls()

    @property
    def answered(self) -> bool:
        return self._checked


# ------------------------------------------------------------------------------------------
class _WindowLink:
    """Carries lesson set-ups to the window and the window's results back to the panel."""

    def __init__(self, window, panel: LessonPanel) -> None:
        self.window, self.panel = window, panel
        panel.setup_requested.connect(self.set_up)
        window.spec_changed.connect(self.report)
        window.history_updated.connect(self.report)
        window.step_changed.connect(self.report)

    def set_up(self, spec: ExperimentSpec) -> None:
        window = self.window
        window.pause()
        window.set_spec(spec)
        window.reset()
        self.panel.set_live_spec(window.spec())
        self.report()

    def report(self, *_args) -> None:
        if self.panel.is_model_lesson:
            return  # the Model training tool reports those runs itself
        window = self.window
        spec = window.spec()
        events = window.events()
        facts = None
        if len(events) >= len(spec.runs):
            facts = LessonFacts.from_events(
                spec, window.function(), window.theory(), events, window.histories()
            )
        self.panel.update_run(spec, facts, window.current_step())


def install(window) -> LessonPanel:
    """Dock the lesson panel in ``window`` and add Help > Lessons (F1)."""
    panel = LessonPanel(parent=window)
    dock = window.add_panel(panel, "Lessons", Qt.DockWidgetArea.RightDockWidgetArea)
    panel._link = _WindowLink(window, panel)  # kept alive as long as the panel
    action = QAction("&Lessons", window)
    action.setShortcut(QKeySequence(Qt.Key.Key_F1))
    action.setToolTip("Show the guided lessons")
    action.setStatusTip("Show the guided lessons")

    def show_lessons() -> None:
        dock.show()
        dock.raise_()
        panel.picker.setFocus()

    action.triggered.connect(show_lessons)
    help_menu = window.menu("Help")
    first = help_menu.actions()[0] if help_menu.actions() else None
    help_menu.insertAction(first, action)  # Lessons first, About last
    panel.lessons_action = action
    return panel
