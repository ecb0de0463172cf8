"""Lesson answers that say what a student would wonder about, and questions answered in time."""

from __future__ import annotations

import json

import pytest

from lrdesk.core.experiment.simulation import run_experiment
from lrdesk.core.teaching.lessons import LessonError, LessonFacts, load_lessons, parse_lesson

LESSONS = {lesson.key: lesson for lesson in load_lessons().lessons}


def test_lesson_7_quotes_negative_losses_and_says_why_that_is_fine():
    lesson = LESSONS["local-minima"]
    facts = LessonFacts.from_result(run_experiment(lesson.spec))
    assert facts.outcome(1).final_loss < 0  # the deeper valley's bottom, quoted in the answer
    text = " ".join(lesson.render_answer(facts))
    assert "below zero" in text and "slope" in text


def test_answer_at_step_is_checked_against_the_run_length():
    lesson = LESSONS["update-rule"]
    assert lesson.answer_at_step == 1
    assert LESSONS["divergence"].answer_at_step is None
    from lrdesk.core.experiment.spec import to_dict

    data = {
        "format": "lrdesk-lesson", "version": 1, "title": lesson.title,
        "text": list(lesson.paragraphs), "experiment": to_dict(lesson.spec),
        "question": lesson.question, "choices": list(lesson.choices), "correct": lesson.correct,
        "answer": list(lesson.answer), "verdicts": ["converged"],
    }
    for bad in (-1, lesson.spec.steps + 1):
        with pytest.raises(LessonError, match="answer_at_step"):
            parse_lesson(json.dumps({**data, "answer_at_step": bad}), "x")
    with pytest.raises(LessonError, match="answer_at_step: expected a whole number"):
        parse_lesson(json.dumps({**data, "answer_at_step": "1"}), "x")
