"""Lesson text a class can read at 1024x768: choices wrap inside the dock, a click anywhere on
a choice's row picks it, and "Right!" / "Not quite." contrast with the panel in both themes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import no_qthread_left, window_fixture  # noqa: F401 (a fixture)
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QScrollArea

from lrdesk.core.experiment.simulation import run_experiment
from lrdesk.core.teaching.lessons import LessonFacts, load_lessons
from lrdesk.gui.lessons.choices import MIN_CONTRAST, contrast_ratio
from lrdesk.gui.lessons.panel import LessonPanel
from lrdesk.gui.shared.palette import THEMES, apply_theme, current_theme

SHOTS = Path("/tmp/shots/words")
BOOK = load_lessons()
KEYS = [lesson.key for lesson in BOOK.lessons]
qt_only = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")

window = window_fixture(size=(1024, 768))


def lesson_panel(window) -> LessonPanel:
    panel = window.findChild(LessonPanel)
    assert panel is not None
    return panel


def right_edge_in_viewport(widget, scroll: QScrollArea) -> int:
    viewport = scroll.viewport()
    return widget.mapTo(viewport, QPoint(widget.width(), 0)).x()


@qt_only
@pytest.mark.parametrize("key", ["too-large", "ill-conditioning", "schedules"])
def test_lesson_text_and_choices_stay_inside_the_dock_at_1024x768(qtbot, window, key):
    panel = lesson_panel(window)
    panel.show_lesson(KEYS.index(key))
    QApplication.processEvents()
    scroll = panel.findChild(QScrollArea)
    qtbot.waitUntil(lambda: all(row.isVisible() for row in panel.choice_rows))
    assert scroll.horizontalScrollBar().maximum() == 0  # nothing wider than the dock
    width = scroll.viewport().width()
    for widget in (panel.title, panel.body, panel.question, *panel.choice_rows,
                   *(row.label for row in panel.choice_rows)):
        assert right_edge_in_viewport(widget, scroll) <= width, widget
    for row in panel.choice_rows:
        # the words are all there, wrapped on as many lines as they need
        assert row.label.text() in panel.lesson.choices
        assert row.label.height() >= row.label.heightForWidth(row.label.width()) - 1
    assert window.grab().save(str(SHOTS / f"lesson_{key}_1024.png"))


@qt_only
def test_a_click_beside_a_short_choice_picks_it(qtbot, window):
    panel = lesson_panel(window)
    panel.show_lesson(KEYS.index("update-rule"))  # choices 4.9, 4, 0.5: short words
    QApplication.processEvents()
    qtbot.waitUntil(lambda: all(row.isVisible() for row in panel.choice_rows))
    row = panel.choice_rows[1]
    beside = QPoint(row.width() - 4, row.height() // 2)  # far right of the short text
    assert row.label.fontMetrics().horizontalAdvance(row.label.text()) + 40 < beside.x()
    qtbot.mouseClick(row, Qt.MouseButton.LeftButton, pos=beside)
    assert panel.choices.checkedId() == 1
    qtbot.mouseClick(panel.choice_rows[2].label, Qt.MouseButton.LeftButton)  # on the words
    assert panel.choices.checkedId() == 2


def verdict_color(panel) -> QColor:
    match = re.search(r"color:\s*(#[0-9A-Fa-f]{6})", panel.verdict.text())
    assert match, panel.verdict.text()
    return QColor(match.group(1))


@qt_only
@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("right", [False, True])
def test_right_and_not_quite_read_on_a_projector_in_both_themes(qtbot, theme, right):
    app = QApplication.instance()
    before = current_theme()
    apply_theme(app, THEMES[theme])
    try:
        panel = LessonPanel()
        qtbot.addWidget(panel)
        panel.resize(460, 700)
        panel.show()
        lesson = panel.lesson
        panel.setup_button.click()
        facts = LessonFacts.from_result(run_experiment(lesson.spec))
        panel.update_run(lesson.spec, facts, 10**9)
        pick = lesson.correct if right else (lesson.correct + 1) % len(lesson.choices)
        panel.choices.button(pick).setChecked(True)
        panel.check_answer()
        assert ("Right!" if right else "Not quite.") in panel.verdict.text()
        background = panel.verdict.palette().color(QPalette.ColorRole.Window)
        assert contrast_ratio(verdict_color(panel), background) >= MIN_CONTRAST
        QApplication.processEvents()
        panel.grab().save(str(SHOTS / f"verdict_{theme}_{'right' if right else 'wrong'}.png"))
    finally:
        apply_theme(app, before)


def test_contrast_ratio_matches_the_wcag_examples():
    assert contrast_ratio(QColor("#000000"), QColor("#FFFFFF")) == pytest.approx(21.0)
    assert contrast_ratio(QColor("#777777"), QColor("#FFFFFF")) == pytest.approx(4.48, abs=0.01)
    # the old "Not quite." orange on the light panel: too faint
    assert contrast_ratio(QColor("#E69F00"), QColor(THEMES["light"].window)) < 2.5


@qt_only
def test_a_question_about_step_one_is_answered_at_step_one(qtbot):
    panel = LessonPanel()
    qtbot.addWidget(panel)
    lesson = panel.lesson
    assert lesson.key == "update-rule" and lesson.answer_at_step == 1
    panel.setup_button.click()
    facts = LessonFacts.from_result(run_experiment(lesson.spec))
    last = max(o.verdict_step for o in facts.outcomes)
    assert last > 5  # the run goes on well past the step asked about
    panel.choices.button(lesson.correct).setChecked(True)
    panel.update_run(lesson.spec, facts, 0)
    assert not panel.check_button.isEnabled()  # step 1 not yet on screen
    panel.update_run(lesson.spec, facts, 1)
    assert panel.check_button.isEnabled()
    assert "seen enough" in panel.status.text()
    panel.check_button.click()
    assert "Right!" in panel.verdict.text()
