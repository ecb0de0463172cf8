"""Lessons: every bundled lesson loads, runs to the verdicts its answer relies on, and says so
with the real numbers; broken and hostile lesson files are refused with a clear message."""

from __future__ import annotations

import copy
import json
import math
import re
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import show_widget, window_fixture

from lrdesk.core.experiment.simulation import Simulation, run_experiment
from lrdesk.core.experiment.spec import RunSpec, to_dict
from lrdesk.core.optim.schedules import ScheduleSpec
from lrdesk.core.teaching.facts import RUN_FIELDS, THEORY_FIELDS, plain_number, plain_text
from lrdesk.core.teaching.lessons import (
    LessonError,
    LessonFacts,
    check_placeholders,
    load_lessons,
    parse_index,
    parse_lesson,
    render,
)

BOOK = load_lessons()
LESSONS = {lesson.key: lesson for lesson in BOOK.lessons}
TOPICS = (
    "update-rule", "too-small", "just-right", "too-large", "divergence",
    "ill-conditioning", "local-minima", "schedules", "momentum-adaptive",
)


def facts_of(key: str) -> LessonFacts:
    return LessonFacts.from_result(run_experiment(LESSONS[key].spec))


def rendered(key: str) -> str:
    lesson = LESSONS[key]
    return " ".join(lesson.render_answer(facts_of(key)))


# ------------------------------------------------------------------------------------------
# The bundled lessons
# ------------------------------------------------------------------------------------------
def test_every_bundled_lesson_loads_in_teaching_order():
    assert BOOK.problems == ()
    assert [lesson.key for lesson in BOOK.lessons] == list(TOPICS)
    for number, lesson in enumerate(BOOK.lessons, start=1):
        assert lesson.title.startswith(f"{number}.")
        assert 2 <= len(lesson.choices) <= 4
        assert 0 <= lesson.correct < len(lesson.choices)


@pytest.mark.parametrize("key", TOPICS)
def test_lesson_runs_to_the_verdicts_its_answer_relies_on(key):
    facts = facts_of(key)
    assert facts.finished
    assert LESSONS[key].surprises(facts) == []


@pytest.mark.parametrize("key", TOPICS)
def test_answer_is_filled_with_real_numbers(key):
    text = rendered(key)
    assert "{" not in text and "}" not in text
    assert "unknown" not in text
    assert "not a number" not in text


def test_lesson_texts_stay_short_enough_for_a_projector():
    for lesson in BOOK.lessons:
        sentences = sum(len(re.findall(r"[.!?](\s|$)", p)) for p in lesson.paragraphs)
        assert 2 <= sentences <= 6, (lesson.key, sentences)


def test_update_rule_answer_shows_the_arithmetic_of_the_first_step():
    facts = facts_of("update-rule")
    history = facts.histories[0]
    w, g, alpha = history.positions[0, 0], history.gradients[0, 0], history.learning_rates[0]
    assert history.positions[1, 0] == pytest.approx(w - alpha * g, rel=1e-15)
    lesson = LESSONS["update-rule"]
    assert lesson.choices[lesson.correct] == plain_text(w - alpha * g)
    assert f"lands on w = {plain_text(w - alpha * g)}" in rendered("update-rule")


def test_too_small_prediction_of_steps_needed_matches_a_longer_run():
    lesson = LESSONS["too-small"]
    facts = facts_of("too-small")
    predicted = RUN_FIELDS["steps_needed"][1](facts, 0)
    assert predicted is not None and predicted > lesson.spec.steps
    longer = run_experiment(replace(lesson.spec, steps=4 * predicted)).runs[0]
    assert longer.verdict == "converged"
    assert abs(longer.verdict_step - predicted) <= 1
    assert f"about {plain_text(predicted)} steps" in rendered("too-small")
    # the right choice says w is still above 4: check it against the run
    assert facts.histories[0].positions[-1, 0] > 4.0


def test_just_right_fastest_run_is_the_one_closest_to_the_best_rate():
    lesson, facts = LESSONS["just-right"], facts_of("just-right")
    best = facts.theory.lr_optimal
    steps = [o.verdict_step for o in facts.outcomes]
    rates = [r.learning_rate for r in lesson.spec.runs]
    fastest = steps.index(min(steps))
    assert fastest == min(range(len(rates)), key=lambda i: abs(rates[i] - best))
    assert all(rate < best for rate in rates)  # "none of them overshoots"
    assert plain_text(rates[fastest]) in lesson.choices[lesson.correct]


def test_too_large_run_zigzags_in_and_the_one_at_factor_minus_one_bounces_forever():
    facts = facts_of("too-large")
    first, second = facts.outcomes
    assert first.verdict == "converged" and first.oscillated
    assert second.verdict == "oscillating" and second.oscillated
    assert RUN_FIELDS["step_factor"][1](facts, 1) == pytest.approx(-1.0)
    positions = facts.histories[1].positions[:, 0]
    assert set(abs(positions).round(12)) == {5.0}  # exactly between 5 and -5


def test_divergence_starts_exactly_at_two_over_lambda_max():
    lesson, facts = LESSONS["divergence"], facts_of("divergence")
    limit = facts.theory.lr_max_stable
    below, above = (run.learning_rate for run in lesson.spec.runs)
    assert facts.theory.exact and below < limit < above
    assert facts.outcomes[0].verdict != "diverged"
    assert facts.outcomes[1].verdict == "diverged"
    # the same holds as close to the limit as we care to look
    close = replace(lesson.spec, runs=(RunSpec(limit * 0.99), RunSpec(limit * 1.01)), steps=3000)
    result = run_experiment(close)
    assert result.runs[0].verdict == "converged"
    assert result.runs[1].verdict == "diverged"
    assert plain_text(limit) in rendered("divergence")


def test_ill_conditioning_steep_direction_sets_the_limit_flat_one_the_speed():
    lesson, facts = LESSONS["ill-conditioning"], facts_of("ill-conditioning")
    theory = facts.theory
    assert theory.condition_number == pytest.approx(10.0)
    near_best, too_big, careful = (run.learning_rate for run in lesson.spec.runs)
    assert too_big > theory.lr_max_stable > near_best
    # along the flat direction even the near-best rate keeps more than across it
    assert RUN_FIELDS["flat_factor"][1](facts, 0) > RUN_FIELDS["steep_factor"][1](facts, 0)
    assert careful < near_best
    assert [o.verdict for o in facts.outcomes] == ["converged", "diverged", "slow"]


def test_local_minima_medium_step_reaches_the_deeper_valley():
    facts = facts_of("local-minima")
    small, medium, _big = facts.outcomes
    function = facts.function
    deepest = function.minima()[0, 0]
    assert medium.final_loss < small.final_loss
    assert facts.histories[1].positions[-1, 0] == pytest.approx(deepest, abs=1e-5)
    assert facts.histories[0].positions[-1, 0] > 0 > deepest


def test_schedules_decay_settles_where_a_constant_rate_never_does():
    lesson, facts = LESSONS["schedules"], facts_of("schedules")
    assert facts.histories[1].positions[-1, 0] == pytest.approx(0.0, abs=1e-6)
    assert facts.histories[0].positions[-1, 0] > 1.0  # stuck in the first ripple
    constant = replace(lesson.spec, schedule=ScheduleSpec())
    assert run_experiment(constant).runs[1].verdict != "converged"  # the claim in the text
    rate = RUN_FIELDS["final_rate"][1](facts, 1)
    assert rate < lesson.spec.runs[1].learning_rate


def test_momentum_and_adam_arrive_where_plain_descent_crawls():
    facts = facts_of("momentum-adaptive")
    verdicts = [o.verdict for o in facts.outcomes]
    assert verdicts[1:3] == ["converged", "converged"]
    assert verdicts[0] != "converged" and verdicts[3] != "converged"
    assert {"exp_avg", "exp_avg_sq"} <= set(facts.histories[2].state)


def test_facts_from_window_events_match_facts_from_a_result():
    spec = LESSONS["divergence"].spec
    simulation = Simulation(spec)
    result = simulation.run_to_end()
    from_result = LessonFacts.from_result(result)
    from_events = LessonFacts.from_events(
        spec, simulation.function, simulation.theory, simulation.events, simulation.histories
    )
    assert from_events.outcomes == from_result.outcomes
    answer = LESSONS["divergence"].answer
    assert [render(p, from_events) for p in answer] == [render(p, from_result) for p in answer]


def test_unfinished_runs_are_named_in_surprises():
    spec = LESSONS["just-right"].spec
    simulation = Simulation(spec)
    simulation.advance(10)
    facts = LessonFacts.from_events(
        spec, simulation.function, simulation.theory, simulation.events, simulation.histories
    )
    assert not facts.finished
    assert any("has not finished" in s for s in LESSONS["just-right"].surprises(facts))


# ------------------------------------------------------------------------------------------
# Numbers as a learner reads them
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "text"),
    [
        (50945.7, "50,946"), (0.998, "0.998"), (4.09283, "4.093"), (25.0, "25"), (0.0, "0"),
        (-0.8, "\u22120.8"), (1.8e-13, "1.8 \u00d7 10\u207b\u00b9\u00b3"),
        (-4.136e-8, "\u22124.136 \u00d7 10\u207b\u2078"), (3.2e9, "3.2 \u00d7 10\u2079"),
        (math.nan, "not a number"), (math.inf, "infinity"),
    ],
)
def test_plain_number(value, text):
    assert plain_number(value) == text


def test_plain_text_of_other_values():
    assert plain_text(8051) == "8,051"
    assert plain_text(None) == "unknown"
    assert plain_text(True) == "yes"
    assert plain_text((0.5, -2.0)) == "(0.5, \u22122)"
    assert plain_text("converged") == "converged"


# ------------------------------------------------------------------------------------------
# Broken and hostile lesson files
# ------------------------------------------------------------------------------------------
def good_lesson() -> dict:
    lesson = LESSONS["divergence"]
    return {
        "format": "lrdesk-lesson",
        "version": 1,
        "title": lesson.title,
        "text": list(lesson.paragraphs),
        "experiment": to_dict(lesson.spec),
        "question": lesson.question,
        "choices": list(lesson.choices),
        "correct": lesson.correct,
        "answer": list(lesson.answer),
        "verdicts": [list(v) for v in lesson.verdicts],
    }


def refused(data, expected: str) -> str:
    text = data if isinstance(data, (str, bytes)) else json.dumps(data)
    with pytest.raises(LessonError) as info:
        parse_lesson(text, "broken")
    message = str(info.value)
    assert message.startswith("broken.json: ")
    assert expected in message, message
    return message


def test_a_good_lesson_round_trips_through_json():
    lesson = parse_lesson(json.dumps(good_lesson()), "copy")
    assert lesson.spec == LESSONS["divergence"].spec
    assert lesson.answer == LESSONS["divergence"].answer


@pytest.mark.parametrize(
    "field", ["title", "text", "experiment", "question", "choices", "correct", "answer", "verdicts"]
)
def test_a_missing_field_is_named(field):
    data = good_lesson()
    del data[field]
    refused(data, f"{field}: missing")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(format="lrdesk-experiment"), "format: expected 'lrdesk-lesson'"),
        (lambda d: d.update(version=2), "newer LR Desk"),
        (lambda d: d.update(title=7), "title: expected text"),
        (lambda d: d.update(title="   "), "title: is empty"),
        (lambda d: d.update(title="x" * 500), "title: too long"),
        (lambda d: d.update(choices=["only one"]), "choices: needs 2 to 4 entries"),
        (lambda d: d.update(choices=["a", "b", "c", "d", "e"]), "choices: needs 2 to 4"),
        (lambda d: d.update(correct=4), "correct: must pick one of the 4 choices"),
        (lambda d: d.update(correct=True), "correct: expected a whole number"),
        (lambda d: d.update(text=[]), "text: needs 1 to 6 entries"),
        (lambda d: d.update(text=["fine", 3]), "text[1]: expected text"),
        (lambda d: d.update(verdicts=["converged"]), "verdicts: give one expected verdict per run"),
        (lambda d: d.update(verdicts=["converged", "exploded"]), "verdicts[1]: 'exploded'"),
        (lambda d: d["experiment"]["runs"][0].update(learning_rate=-1), "experiment.runs[1]"),
        (lambda d: d["experiment"].update(steps="many"), "experiment.steps"),
        (lambda d: d["experiment"]["function"].update(name="nope"), "unknown function 'nope'"),
        (lambda d: d.update(answer=["It is {theory.nope}."]), "a theory has no field 'nope'"),
        (lambda d: d.update(answer=["{run3.verdict}"]), "the experiment has only 2 run(s)"),
        (lambda d: d.update(answer=["{run1.__class__}"]), "a run has no field '__class__'"),
        (lambda d: d.update(answer=["{run1.verdict.__class__}"]), "is not a placeholder"),
        (lambda d: d.update(answer=["{0.__class__.__mro__}"]), "is not a placeholder"),
        (lambda d: d.update(answer=["{}"]), "is not a placeholder"),
        (lambda d: d.update(answer=["half {run1.verdict"]), "has no partner"),
        (lambda d: d.update(question=None), "question: expected text"),
        (lambda d: d.update(text=["It took {run1.verdict_step} steps."]), "answer only"),
    ],
)
def test_a_bad_field_is_refused_with_its_name(change, expected):
    data = copy.deepcopy(good_lesson())
    change(data)
    refused(data, expected)


def test_bad_json_and_odd_files_are_refused():
    refused("{not json", "not valid JSON")
    refused('{"format": NaN}', "not valid JSON")
    refused("[1, 2, 3]", "expected a JSON object")
    refused("[" * 100_000 + "]" * 100_000, "larger than 64 kB")
    refused("[" * 30_000 + "]" * 30_000, "not valid JSON")


def test_a_hostile_expression_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "was-run"
    data = good_lesson()
    data["experiment"]["function"] = {
        "name": "custom",
        "params": {},
        "expression": f"__import__('os').system('touch {marker}')",
    }
    message = refused(data, "experiment.function")
    assert not marker.exists()
    assert "Traceback" not in message


def test_index_accepts_only_plain_file_names():
    good = {"format": "lrdesk-lessons", "version": 1, "lessons": ["a.json", "b-2.json"]}
    assert parse_index(json.dumps(good)) == ["a.json", "b-2.json"]
    for name in ("../secret.json", "/etc/passwd", "sub/a.json", "a.txt", ".hidden.json", 3):
        bad = dict(good, lessons=[name])
        with pytest.raises(LessonError, match="is not a plain lesson file name"):
            parse_index(json.dumps(bad))
    with pytest.raises(LessonError, match="listed twice"):
        parse_index(json.dumps(dict(good, lessons=["a.json", "a.json"])))
    with pytest.raises(LessonError, match="format: expected 'lrdesk-lessons'"):
        parse_index(json.dumps(dict(good, format="other")))


def write_folder(folder: Path, lessons: dict[str, object], order: list[str]) -> Path:
    folder.mkdir()
    index = {"format": "lrdesk-lessons", "version": 1, "lessons": order}
    (folder / "index.json").write_text(json.dumps(index))
    for name, content in lessons.items():
        text = content if isinstance(content, str) else json.dumps(content)
        (folder / name).write_text(text)
    return folder


def test_a_broken_lesson_is_reported_and_the_others_still_load(tmp_path):
    folder = write_folder(
        tmp_path / "lessons",
        {"good.json": good_lesson(), "broken.json": "{oops"},
        ["good.json", "broken.json", "missing.json"],
    )
    book = load_lessons(folder)
    assert [lesson.key for lesson in book.lessons] == ["good"]
    assert len(book.problems) == 2
    assert book.problems[0].startswith("broken.json: not valid JSON")
    assert book.problems[1] == "missing.json: the file is missing"


def test_a_broken_index_is_reported_not_raised(tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "index.json").write_text("nonsense")
    book = load_lessons(folder)
    assert book.lessons == ()
    assert book.problems[0].startswith("index.json: not valid JSON")
    assert load_lessons(tmp_path / "nowhere").problems == ("index.json: the file is missing",)


def test_placeholder_tables_document_every_field():
    for table in (RUN_FIELDS, THEORY_FIELDS):
        for name, (help_text, read) in table.items():
            assert re.fullmatch(r"[a-z_]+", name) and help_text and callable(read)
    check_placeholders("{run1.verdict} {theory.lr_max_stable} {experiment.steps}", 1, "x")


# ------------------------------------------------------------------------------------------
# The lesson panel
# ------------------------------------------------------------------------------------------
SHOTS = Path(__file__).resolve().parents[3] / "shots"
qt_only = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def panel(qtbot):
    from lrdesk.gui.lessons.panel import LessonPanel

    return show_widget(qtbot, LessonPanel(), (460, 760))


def finish_run(panel, key: str | None = None, step: int = 10**9) -> LessonFacts:
    lesson = panel.lesson if key is None else LESSONS[key]
    facts = LessonFacts.from_result(run_experiment(lesson.spec))
    panel.update_run(lesson.spec, facts, step)
    return facts


@qt_only
def test_panel_opens_the_first_lesson_and_lists_them_all(panel):
    assert panel.index == 0
    # the surface lessons, then the five on real models
    assert panel.picker.count() == len(TOPICS) + 5
    assert panel.picker.itemText(len(TOPICS)).startswith("10. House prices")
    assert panel.title.text() == LESSONS["update-rule"].title
    assert len(panel.choices.buttons()) == len(LESSONS["update-rule"].choices)
    assert not panel.previous_button.isEnabled() and panel.next_button.isEnabled()
    for widget in (panel.picker, panel.setup_button, panel.check_button, panel.next_button):
        assert widget.toolTip()


@qt_only
def test_check_waits_for_set_up_a_finished_run_the_playhead_and_a_choice(qtbot, panel):
    requested = []
    panel.setup_requested.connect(requested.append)
    panel.show_lesson(TOPICS.index("divergence"))
    lesson = panel.lesson
    assert not panel.check_button.isEnabled()
    assert "Set it up" in panel.status.text()
    panel.setup_button.click()
    assert requested == [lesson.spec]
    facts = LessonFacts.from_result(run_experiment(lesson.spec))
    last = max(o.verdict_step for o in facts.outcomes)
    panel.update_run(lesson.spec, facts, last - 1)  # computed, but not yet watched to the end
    assert not panel.check_button.isEnabled()
    panel.update_run(lesson.spec, facts, last)
    assert not panel.check_button.isEnabled()  # no choice yet
    assert "Pick an answer" in panel.status.text()
    panel.choices.button(lesson.correct).setChecked(True)
    assert panel.check_button.isEnabled()
    panel.check_button.click()
    assert panel.answered
    assert "Right!" in panel.verdict.text()
    assert plain_text(facts.theory.lr_max_stable) in panel.answer.text()
    assert not any(b.isEnabled() for b in panel.choices.buttons())
    assert not panel.check_button.isEnabled()


@qt_only
def test_a_wrong_answer_names_the_right_one(panel):
    panel.show_lesson(TOPICS.index("too-large"))
    panel.setup_button.click()
    finish_run(panel)
    wrong = (panel.lesson.correct + 1) % len(panel.lesson.choices)
    panel.choices.button(wrong).setChecked(True)
    panel.check_answer()
    assert "Not quite" in panel.verdict.text()
    assert panel.lesson.choices[panel.lesson.correct] in panel.verdict.text()


@qt_only
def test_a_changed_experiment_is_noticed(panel):
    panel.setup_button.click()
    other = replace(panel.lesson.spec, steps=50)
    panel.update_run(other, LessonFacts.from_result(run_experiment(other)), 10**9)
    assert "changed" in panel.status.text()
    panel.choices.button(0).setChecked(True)
    assert not panel.check_button.isEnabled()


@qt_only
def test_progress_is_remembered_between_sessions(qtbot, panel):
    from lrdesk.gui.lessons.panel import DONE_MARK, LessonPanel

    panel.show_lesson(TOPICS.index("too-small"))
    panel.setup_button.click()
    finish_run(panel)
    panel.choices.button(0).setChecked(True)
    panel.check_answer()
    assert panel.picker.itemText(panel.index).endswith(DONE_MARK)
    panel.next_button.click()
    assert panel.lesson.key == "just-right"
    later = LessonPanel()  # a new session
    qtbot.addWidget(later)
    assert later.lesson.key == "just-right"
    assert later.progress.completed() == {"too-small"}
    assert later.picker.itemText(TOPICS.index("too-small")).endswith(DONE_MARK)
    assert not later.picker.itemText(0).endswith(DONE_MARK)


@qt_only
def test_garbled_settings_start_afresh(qtbot):
    from lrdesk.gui.lessons.panel import LessonPanel, LessonProgress
    from lrdesk.gui.settings import settings_store

    store = settings_store()
    store.setValue("lessons/completed", "{not json")
    store.setValue("lessons/last", "no-such-lesson")
    assert LessonProgress().completed() == set()
    panel = LessonPanel()
    qtbot.addWidget(panel)
    assert panel.index == 0
    store.setValue("lessons/completed", '[1, "update-rule", null]')
    assert LessonProgress().completed() == {"update-rule"}


@qt_only
def test_a_book_with_broken_lessons_shows_what_failed(qtbot, tmp_path):
    from lrdesk.gui.lessons.panel import LessonPanel

    folder = write_folder(tmp_path / "lessons", {"good.json": good_lesson(), "bad.json": "{"},
                          ["good.json", "bad.json"])
    panel = LessonPanel(load_lessons(folder))
    qtbot.addWidget(panel)
    assert panel.picker.count() == 1
    assert panel.problems.isVisibleTo(panel)
    assert "bad.json" in panel.problems.text()
    empty = LessonPanel(load_lessons(tmp_path / "nowhere"))
    qtbot.addWidget(empty)
    assert empty.lesson is None and not empty.setup_button.isEnabled()
    assert empty.title.text() == "No lessons could be loaded"


@qt_only
def test_screenshots_of_a_question_before_and_after_the_run(panel):
    from PySide6.QtWidgets import QApplication

    panel.show_lesson(TOPICS.index("divergence"))
    SHOTS.mkdir(exist_ok=True)
    QApplication.processEvents()  # let the layout take in the new choices
    assert all(button.isVisible() for button in panel.choices.buttons())
    assert panel.grab().save(str(SHOTS / "lesson_before.png"))
    panel.setup_button.click()
    finish_run(panel)
    panel.choices.button(3).setChecked(True)
    panel.check_answer()
    QApplication.processEvents()
    assert panel.answer.isVisible()
    assert panel.grab().save(str(SHOTS / "lesson_after.png"))


# --- in the main window -------------------------------------------------------------------
window = window_fixture(size=(1400, 900))


@qt_only
def test_lesson_set_up_runs_in_the_window_and_is_answered(qtbot, window):
    from PySide6.QtGui import QKeySequence

    from lrdesk.gui.lessons import panel as lesson_panel

    panel = lesson_panel.install(window)
    help_actions = window.menu("Help").actions()
    assert help_actions[0] is panel.lessons_action
    assert panel.lessons_action.shortcut() == QKeySequence("F1")
    panel.show_lesson(TOPICS.index("divergence"))
    panel.setup_button.click()
    assert window.spec() == LESSONS["divergence"].spec
    assert window.current_step() == 0
    panel.choices.button(LESSONS["divergence"].correct).setChecked(True)
    qtbot.waitUntil(lambda: len(window.events()) == 2, timeout=20_000)
    assert not panel.check_button.isEnabled()  # not watched yet
    window.set_step(10**9)  # jump to the end, as the learner may
    qtbot.waitUntil(panel.check_button.isEnabled, timeout=5_000)
    panel.check_button.click()
    text = panel.answer.text()
    assert plain_text(window.events()[1].step) in text
    assert plain_text(window.theory().lr_max_stable) in text
    window.set_spec(replace(window.spec(), steps=200))  # trying more after answering is fine
    assert panel.answer.isVisible() and "Next lesson" in panel.status.text()
    panel.lessons_action.trigger()
    assert panel.isVisible()


@qt_only
def test_panel_text_follows_the_window_zoom(panel):
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from lrdesk.gui.lessons.panel import TEXT_SCALE

    original = QFont(QApplication.font())
    before = panel.font().pointSizeF()
    assert before == pytest.approx(original.pointSizeF() * TEXT_SCALE)
    try:
        bigger = QFont(original)
        bigger.setPointSizeF(original.pointSizeF() * 2)
        QApplication.setFont(bigger)
        QApplication.processEvents()  # Qt posts the font change to every widget
        assert panel.font().pointSizeF() == pytest.approx(2 * before)
        assert panel.title.font().pointSizeF() > panel.font().pointSizeF()
        assert panel.title.font().bold()
    finally:
        QApplication.setFont(original)
        QApplication.processEvents()
    assert panel.font().pointSizeF() == pytest.approx(before)
