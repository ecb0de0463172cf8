"""Lessons on real models: read from ``resources/model_lessons``, set up in the Model training tool.

A model lesson file (format ``lrdesk-model-lesson``) is a lesson like the surface ones (title,
paragraphs, question, choices, the right choice, answer, expected verdicts) whose experiment is a
model experiment (the ``"kind": "model"`` file format) and whose ``action`` says what the
learner watches: ``"train"`` (every run trained in the tool) or ``"range_test"`` (the range test
of the experiment's first run, in the Model rate finder). Answers quote that run through
placeholders naming the fields of ``model_facts`` (``{run1.noise_floor}``, ``{theory.
condition_number}``, ``{range.valley}``); nothing in a file is evaluated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from lrdesk.core.engine.batch import VERDICTS
from lrdesk.core.experiment.spec import SpecError
from lrdesk.core.models.spec import ModelExperiment, model_from_dict
from lrdesk.core.teaching.facts import plain_text
from lrdesk.core.teaching.lessons import (
    LESSON_FORMAT,
    LIMITS,
    LessonBook,
    LessonError,
    _Fields,
    _parse_json,
    _read,
    parse_index,
)
from lrdesk.core.teaching.model_facts import RANGE_FIELDS, RUN_FIELDS, THEORY_FIELDS, ModelFacts

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

MODEL_LESSON_FORMAT = "lrdesk-model-lesson"
ACTIONS = ("train", "range_test")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_FIELD = re.compile(r"(run([1-9][0-9]?)|theory|range)\.([a-z_]+)")


@dataclass(frozen=True)
class ModelLesson:
    key: str
    title: str
    paragraphs: tuple[str, ...]
    spec: ModelExperiment
    question: str
    choices: tuple[str, ...]
    correct: int
    answer: tuple[str, ...]
    verdicts: tuple[tuple[str, ...], ...]  # per run (empty for a range test)
    action: str = "train"
    answer_at_step: int | None = None  # as surface lessons: answered once the runs end

    def answerable(self, facts: ModelFacts, step: int = 0) -> bool:
        return facts.finished

    def render_answer(self, facts: ModelFacts) -> list[str]:
        return [render(p, facts) for p in self.answer]

    def surprises(self, facts: ModelFacts) -> list[str]:
        """Runs (or a range test) that did not end as the lesson expects."""
        if self.action == "range_test":
            r = facts.range
            return [] if r is not None and r.stopped_at is not None and r.valley is not None \
                else ["the range test did not reach the rate where the loss blows up"]
        out = []
        for i, expected in enumerate(self.verdicts):
            got = facts.verdict(i)
            if got not in expected:
                out.append(f"run {i + 1} {got or 'did not finish'}, the lesson expects "
                           + " or ".join(expected))
        return out


def model_lessons_folder() -> Traversable:
    return resources.files("lrdesk.resources") / "model_lessons"


def load_model_lessons(folder: Traversable | None = None) -> LessonBook:
    """Every model lesson listed in the folder's ``index.json``; broken files are reported."""
    folder = folder if folder is not None else model_lessons_folder()
    try:
        names = parse_index(_read(folder / "index.json", "index.json"))
    except LessonError as exc:
        return LessonBook((), (str(exc),))
    lessons, problems = [], []
    for name in names:
        try:
            lessons.append(parse_model_lesson(_read(folder / name, name),
                                              name.removesuffix(".json")))
        except LessonError as exc:
            problems.append(str(exc))
    return LessonBook(tuple(lessons), tuple(problems))


def with_model_lessons(book: LessonBook, folder: Traversable | None = None) -> LessonBook:
    """``book`` followed by the model lessons (after the surfaces, in teaching order)."""
    models = load_model_lessons(folder)
    return LessonBook(book.lessons + models.lessons, book.problems + models.problems)


def parse_model_lesson(text: str | bytes, key: str) -> ModelLesson:
    where = f"{key}.json"
    data = _parse_json(text, where)
    fields = _Fields(data, where)
    if isinstance(data, dict) and data.get("format") == LESSON_FORMAT:
        raise LessonError(f"{where}: format: a surface lesson, not a model lesson")
    fields.expect_format(MODEL_LESSON_FORMAT)
    try:
        spec = model_from_dict(fields.get("experiment", dict))
    except SpecError as exc:
        raise LessonError(f"{where}: experiment.{exc}") from None
    action = fields.data.get("action", "train")
    if action not in ACTIONS:
        raise LessonError(f"{where}: action: one of {', '.join(ACTIONS)}, not {action!r}")
    choices = fields.texts("choices", LIMITS["choices"], LIMITS["choice"])
    correct = fields.get("correct", int)
    if not 0 <= correct < len(choices):
        raise LessonError(f"{where}: correct: must pick one of the {len(choices)} choices")
    runs = len(spec.runs)
    raw = fields.get("verdicts", list)
    if len(raw) != (0 if action == "range_test" else runs):
        raise LessonError(f"{where}: verdicts: one per run ({runs}); none for a range test")
    verdicts = []
    for i, entry in enumerate(raw):
        accepted = tuple(entry) if isinstance(entry, list) else (entry,)
        if not accepted or any(v not in VERDICTS for v in accepted):
            raise LessonError(f"{where}: verdicts[{i}]: {entry!r} is not a verdict")
        verdicts.append(accepted)
    lesson = ModelLesson(
        key, fields.text("title", LIMITS["title"]),
        fields.texts("text", LIMITS["paragraphs"], LIMITS["paragraph"]), spec,
        fields.text("question", LIMITS["question"]), choices, correct,
        fields.texts("answer", LIMITS["answer"], LIMITS["paragraph"]), tuple(verdicts), action)
    for i, paragraph in enumerate(lesson.answer):
        check_placeholders(paragraph, runs, f"{where}: answer[{i}]")
    for i, paragraph in enumerate(lesson.paragraphs + lesson.choices):
        if _PLACEHOLDER.search(paragraph):
            raise LessonError(f"{where}: text or choices [{i}]: placeholders belong in the answer")
    return lesson


def check_placeholders(template: str, runs: int, where: str) -> None:
    if template.count("{") != template.count("}"):
        raise LessonError(f"{where}: a '{{' or '}}' has no partner")
    for match in _PLACEHOLDER.finditer(template):
        _resolve(match.group(1), runs, where)


def _resolve(name: str, runs: int, where: str) -> tuple[str, int, str]:
    field = _FIELD.fullmatch(name)
    if field is None:
        raise LessonError(f"{where}: {{{name}}} is not a placeholder (use run1.FIELD, "
                          "theory.FIELD or range.FIELD)")
    group, run, attr = field.groups()
    if run is not None:
        index, table, kind = int(run) - 1, RUN_FIELDS, "run"
        if index >= runs:
            raise LessonError(f"{where}: {{{name}}}: the experiment has only {runs} run(s)")
    else:
        index, kind = -1, group
        table = THEORY_FIELDS if group == "theory" else RANGE_FIELDS
    if attr not in table:
        raise LessonError(f"{where}: {{{name}}}: a {kind} has no field '{attr}' "
                          f"(its fields: {', '.join(sorted(table))})")
    return kind, index, attr


def render(template: str, facts: ModelFacts) -> str:
    def fill(match: re.Match) -> str:
        kind, index, attr = _resolve(match.group(1), len(facts.spec.runs), "answer")
        try:
            return plain_text(facts.value(kind, index, attr))
        except (IndexError, ValueError, ZeroDivisionError):
            return "unknown"

    return _PLACEHOLDER.sub(fill, template)
