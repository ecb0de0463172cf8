"""The model lessons in the real window: Set it up puts the lesson's experiment in the Model
training tool (or its rate finder), the run reaches the verdicts the answer relies on, and
"Check my answer" quotes that run."""

from __future__ import annotations

import html
import os

import pytest
from helpers import close_windows

from lrdesk.core.teaching.model_lessons import load_model_lessons
from lrdesk.gui.lessons.panel import LessonPanel
from lrdesk.gui.window.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
SHOTS = os.environ.get("LRDESK_SHOTS")
KEYS = [lesson.key for lesson in load_model_lessons().lessons]


@pytest.fixture
def window(qtbot):
    made = MainWindow(settings=None)
    qtbot.addWidget(made)
    made.resize(1024, 768)
    made.show()
    qtbot.waitExposed(made)
    yield made
    close_windows([made])


def dock_widget(window, name):
    dock = window.dock_site.find_dock(name)
    return dock, dock.widget()


@pytest.mark.parametrize("key", KEYS)
def test_a_model_lesson_is_set_up_run_and_answered_in_the_tool(qtbot, window, key):
    panel = window.findChild(LessonPanel)
    panel.show_lesson(panel.book.index_of(key))
    lesson = panel.lesson
    assert panel.is_model_lesson and lesson.key == key
    panel.setup_button.click()
    dock, view = dock_widget(window, "dock_model_training")
    assert dock.isVisible() and view.held == lesson.spec == view.experiment()
    assert "Model" in panel.status.text()
    panel.choices.button(lesson.correct).setChecked(True)
    assert not panel.check_button.isEnabled()  # nothing watched yet
    if lesson.action == "range_test":
        finder_dock, finder = dock_widget(window, "dock_model_rate_finder")
        assert finder_dock.isVisible() and finder.mode.currentData() == "range"
        with qtbot.waitSignal(finder.finished, timeout=120_000):
            finder.run_button.click()
    else:
        view.train_button.click()
        qtbot.waitUntil(lambda: not view.is_training(), timeout=240_000)
        assert view.snapshot().done
    qtbot.waitUntil(panel.check_button.isEnabled, timeout=10_000)
    facts = panel._facts
    assert lesson.surprises(facts) == []  # the verdicts the answer relies on
    panel.check_button.click()
    assert "Right!" in panel.verdict.text()
    answer = panel.answer.text()
    assert "did not end as the lesson expects" not in answer and "unknown" not in answer
    # the answer quotes the run that was watched
    if lesson.action == "range_test":
        quoted = facts.value("range", -1, "valley")
        assert quoted == finder.finding.result.valley
    else:
        quoted = facts.value("run", 0, "verdict")
        assert quoted == view.snapshot().verdicts[0]
    for paragraph in lesson.render_answer(facts):
        assert html.escape(paragraph) in answer
    if SHOTS:
        window.grab().save(os.path.join(SHOTS, f"lesson-{key}-1024.png"))
        panel.resize(460, 900)
        panel.answer.parentWidget().parentWidget().parentWidget().ensureWidgetVisible(
            panel.answer)
        panel.grab().save(os.path.join(SHOTS, f"lesson-{key}-panel.png"))


def test_leaving_the_lessons_experiment_withholds_the_answer(qtbot, window):
    panel = window.findChild(LessonPanel)
    panel.show_lesson(panel.book.index_of("feature-scaling"))
    panel.setup_button.click()
    view = window.dock_site.find_dock("dock_model_training").widget()
    view.rates.setText("1e-7")  # the learner's own experiment now
    assert view.held is None
    view.train_button.click()
    qtbot.waitUntil(lambda: not view.is_training(), timeout=60_000)
    panel.choices.button(0).setChecked(True)
    assert not panel.check_button.isEnabled()
    assert "changed" in panel.status.text()
    # a surface lesson next: the window's own runs answer it again
    panel.show_lesson(0)
    assert not panel.is_model_lesson


def test_a_run_started_before_the_set_up_does_not_answer_the_lesson(qtbot, window):
    panel = window.findChild(LessonPanel)
    panel.show_lesson(panel.book.index_of("feature-scaling"))
    lesson = panel.lesson
    view = window.dock_site.find_dock("dock_model_training")
    panel.setup_button.click()
    view = view.widget()
    own = lesson.spec.with_runs(lesson.spec.runs[:1])
    view.hold(own, "My own")
    assert view.start()
    panel.setup_button.click()  # the lesson again, while the learner's run still trains
    assert view.held == lesson.spec
    qtbot.waitUntil(lambda: not view.is_training(), timeout=60_000)
    panel.choices.button(lesson.correct).setChecked(True)
    assert not panel.check_button.isEnabled()  # what finished was the learner's own run
