"""The model lessons: each file loads, its experiment reaches the verdicts its answer relies on,
and its answer fills every placeholder with the numbers of that run."""

from __future__ import annotations

import json

import pytest

from lrdesk.core.models.rate_finding import range_test
from lrdesk.core.models.training import Trainer
from lrdesk.core.teaching.lessons import LessonError
from lrdesk.core.teaching.model_facts import ModelFacts, ModelRun
from lrdesk.core.teaching.model_lessons import (
    load_model_lessons,
    model_lessons_folder,
    parse_model_lesson,
)

BOOK = load_model_lessons()


def facts_of(lesson) -> ModelFacts:
    """The facts as the tool gathers them, from the engine run alone."""
    if lesson.action == "range_test":
        return ModelFacts.from_runs(lesson.spec, [], range_test(lesson.spec, 1e-4, 10.0, 100))
    trainer = Trainer(lesson.spec).run_to_end()
    runs = [ModelRun(v, trainer.train_loss[:, k], tuple(trainer.evaluations[k]),
                     tuple(trainer.sharpness[k])) for k, v in enumerate(trainer.verdict_names())]
    return ModelFacts.from_runs(lesson.spec, runs)


def test_five_model_lessons_load():
    assert not BOOK.problems
    assert [lesson.key for lesson in BOOK.lessons] == [
        "feature-scaling", "standardised", "minibatch-noise", "range-test", "edge-of-stability"]


@pytest.mark.parametrize("lesson", BOOK.lessons, ids=lambda lesson: lesson.key)
def test_each_lesson_reaches_its_verdicts_and_quotes_its_run(lesson):
    facts = facts_of(lesson)
    assert facts.finished
    assert lesson.surprises(facts) == []
    answer = " ".join(lesson.render_answer(facts))
    assert "{" not in answer and "unknown" not in answer, answer


def test_the_answers_numbers_say_what_the_answers_claim():
    by_key = {lesson.key: lesson for lesson in BOOK.lessons}
    scaling = facts_of(by_key["feature-scaling"])
    assert scaling.value("theory", -1, "condition_number") > 1e6
    assert scaling.value("theory", -1, "scaled_condition_number") < 10
    assert scaling.value("run", 0, "final_above_best") > 10
    scaled = facts_of(by_key["standardised"])
    assert scaled.value("theory", -1, "raw_condition_number") > 1e6
    assert scaled.value("theory", -1, "condition_number") < 10
    limit = scaled.value("theory", -1, "lr_max_stable")
    assert scaled.spec.runs[1].learning_rate < limit < scaled.spec.runs[2].learning_rate
    noise = facts_of(by_key["minibatch-noise"])
    floors = [noise.value("run", k, "noise_floor") for k in range(3)]
    assert floors[0] > floors[1] > floors[2]
    assert noise.value("run", 4, "final_loss") < floors[0]
    rates = facts_of(by_key["range-test"])
    assert rates.value("range", -1, "blowup_over_limit") > 1
    limit = rates.value("theory", -1, "lr_max_stable")
    assert rates.value("range", -1, "valley") < limit and rates.value("range", -1, "minimum") < limit
    edge = facts_of(by_key["edge-of-stability"])
    for k in range(2):
        assert edge.value("run", k, "sharpness_start") < 0.6 * edge.value("run", k, "limit")
        assert 97 < edge.value("run", k, "late_share") < 103  # hovering at 2/η
    assert edge.value("run", 1, "sharpness_max") > edge.value("run", 1, "limit")  # the overshoot


def test_bad_model_lesson_files_are_named():
    lesson = json.loads((model_lessons_folder() / "range-test.json").read_text())
    lesson["answer"] = ["The valley is {range.nowhere}."]
    with pytest.raises(LessonError, match=r"a range has no field 'nowhere'"):
        parse_model_lesson(json.dumps(lesson), "bad")
    lesson["answer"] = ["{run2.verdict}"]
    with pytest.raises(LessonError, match="only 1 run"):
        parse_model_lesson(json.dumps(lesson), "bad")
    lesson["action"] = "dance"
    with pytest.raises(LessonError, match="action"):
        parse_model_lesson(json.dumps(lesson), "bad")
    lesson["format"] = "lrdesk-lesson"
    with pytest.raises(LessonError, match="a surface lesson"):
        parse_model_lesson(json.dumps(lesson), "bad")
