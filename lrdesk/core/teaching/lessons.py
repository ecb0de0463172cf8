"""Guided lessons: loading and checking the bundled lesson files, and filling in their answers.

A lesson file (``resources/lessons/NAME.json``, format ``lrdesk-lesson``) holds a title, a few
short paragraphs, one experiment in the ``lrdesk-experiment`` format, a question with 2-4
choices, the index of the right choice, the answer's paragraphs and the verdict each run is
expected to reach. ``index.json`` lists the files in teaching order.

Answers speak with the numbers the learner has just seen: placeholders such as
``{run2.verdict_step}`` or ``{theory.lr_max_stable}`` are filled from the real run. They are
matched by a strict pattern against the fixed tables of fields in ``lesson_facts``; nothing in
a file is evaluated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from lrdesk.core.engine.batch import VERDICTS
from lrdesk.core.experiment.spec import ExperimentSpec, SpecError, from_dict
from lrdesk.core.teaching.facts import (
    EXPERIMENT_FIELDS,
    RUN_FIELDS,
    THEORY_FIELDS,
    LessonFacts,
    plain_text,
)

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = [
    "Lesson", "LessonBook", "LessonError", "LessonFacts",
    "check_placeholders", "load_lessons", "parse_index", "parse_lesson", "plain_text", "render",
]

LESSON_FORMAT = "lrdesk-lesson"
INDEX_FORMAT = "lrdesk-lessons"
VERSION = 1
MAX_LESSON_BYTES = 64_000
MAX_LESSONS = 100
_FILE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}\.json")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_FIELD = re.compile(r"(run([1-9][0-9]?)|theory|experiment)\.([a-z_]+)")

#: limits that keep a lesson short enough for a projector and a student alone
LIMITS = {
    "title": 80,
    "paragraph": 700,
    "paragraphs": (1, 6),
    "question": 300,
    "choice": 160,
    "choices": (2, 4),
    "answer": (1, 4),
}


class LessonError(ValueError):
    """A lesson file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Lesson:
    key: str  # the file name without ".json"
    title: str
    paragraphs: tuple[str, ...]
    spec: ExperimentSpec
    question: str
    choices: tuple[str, ...]
    correct: int  # index into choices
    answer: tuple[str, ...]  # paragraphs with placeholders
    verdicts: tuple[tuple[str, ...], ...]  # per run, the verdicts its answer agrees with
    #: the playhead step from which the question can be answered (None: once every run ended)
    answer_at_step: int | None = None

    @property
    def reads_step_table(self) -> bool:
        """Whether the lesson sends the learner to the step table (its set-up then shows it)."""
        return any("step table" in text.lower() for text in (*self.paragraphs, self.question))

    def answerable(self, facts: LessonFacts, step: int) -> bool:
        """Whether the learner at playhead ``step`` has seen what the question asks about."""
        if self.answer_at_step is not None:
            return step >= self.answer_at_step
        return step >= max(outcome.verdict_step for outcome in facts.outcomes)

    def render_answer(self, facts: LessonFacts) -> list[str]:
        """The answer's paragraphs with every placeholder filled from ``facts``."""
        return [render(paragraph, facts) for paragraph in self.answer]

    def surprises(self, facts: LessonFacts) -> list[str]:
        """Runs whose verdict differs from what the lesson expects (empty when all agree)."""
        out = []
        for i, expected in enumerate(self.verdicts):
            outcome = facts.outcome(i)
            if outcome is None:
                out.append(f"run {i + 1} has not finished")
            elif outcome.verdict not in expected:
                wanted = " or ".join(expected)
                out.append(f"run {i + 1} {outcome.verdict}, the lesson expects {wanted}")
        return out


@dataclass(frozen=True)
class LessonBook:
    """The lessons that loaded, in order, and a plain message for each file that did not."""

    lessons: tuple[Lesson, ...]
    problems: tuple[str, ...]

    def index_of(self, key: str) -> int:
        """Position of the lesson called ``key`` (-1 if there is none)."""
        return next((i for i, lesson in enumerate(self.lessons) if lesson.key == key), -1)


# ------------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------------
def lessons_folder() -> Traversable:
    """The bundled lessons, wherever the package lives (checkout, installed or frozen)."""
    return resources.files("lrdesk.resources") / "lessons"


def load_lessons(folder: Traversable | None = None) -> LessonBook:
    """Every lesson listed in ``index.json``; a broken file is reported, never raised."""
    return load_book(folder if folder is not None else lessons_folder(), parse_lesson)


def load_book(folder: Traversable, parse: Callable[[bytes, str], object]) -> LessonBook:
    """Every file listed in ``folder``'s ``index.json``, read by ``parse(data, key)``; a broken
    file is reported in ``problems``, never raised."""
    try:
        names = parse_index(_read(folder / "index.json", "index.json"))
    except LessonError as exc:
        return LessonBook((), (str(exc),))
    lessons, problems = [], []
    for name in names:
        try:
            lessons.append(parse(_read(folder / name, name), name.removesuffix(".json")))
        except LessonError as exc:
            problems.append(str(exc))
    return LessonBook(tuple(lessons), tuple(problems))


def _read(path: Traversable, name: str) -> bytes:
    try:
        if not path.is_file():
            raise LessonError(f"{name}: the file is missing")
        data = path.read_bytes()
    except OSError as exc:
        raise LessonError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_LESSON_BYTES:
        raise LessonError(f"{name}: larger than {MAX_LESSON_BYTES // 1000} kB, not a lesson")
    return data


def _parse_json(text: str | bytes, name: str) -> Any:
    if len(text) > MAX_LESSON_BYTES:
        raise LessonError(f"{name}: larger than {MAX_LESSON_BYTES // 1000} kB, not a lesson")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise LessonError(f"{name}: not valid JSON ({exc})") from None


def _reject_constant(name: str):
    raise ValueError(f"{name} is not allowed")


def parse_index(text: str | bytes) -> list[str]:
    """The lesson file names listed in ``index.json``, in order."""
    fields = _Fields(_parse_json(text, "index.json"), "index.json")
    fields.expect_format(INDEX_FORMAT)
    names = fields.get("lessons", list)
    if not 1 <= len(names) <= MAX_LESSONS:
        raise LessonError(f"index.json: lessons: list 1 to {MAX_LESSONS} files")
    for name in names:
        if not isinstance(name, str) or not _FILE_NAME.fullmatch(name) or name == "index.json":
            # only plain names: an index must never reach outside the lessons folder
            raise LessonError(f"index.json: lessons: {name!r} is not a plain lesson file name")
    if len(set(names)) != len(names):
        raise LessonError("index.json: lessons: a file is listed twice")
    return names


def parse_lesson(text: str | bytes, key: str) -> Lesson:
    """Parse and check one lesson file's text; raises LessonError naming the field."""
    where = f"{key}.json"
    fields = _Fields(_parse_json(text, where), where)
    fields.expect_format(LESSON_FORMAT)
    spec = _experiment(fields.get("experiment", dict), where)
    runs = len(spec.runs)
    choices = fields.texts("choices", LIMITS["choices"], LIMITS["choice"])
    correct = fields.get("correct", int)
    if not 0 <= correct < len(choices):
        raise LessonError(
            f"{where}: correct: must pick one of the {len(choices)} choices "
            f"(0 to {len(choices) - 1}), not {correct}"
        )
    lesson = Lesson(
        key=key,
        title=fields.text("title", LIMITS["title"]),
        paragraphs=fields.texts("text", LIMITS["paragraphs"], LIMITS["paragraph"]),
        spec=spec,
        question=fields.text("question", LIMITS["question"]),
        choices=choices,
        correct=correct,
        answer=fields.texts("answer", LIMITS["answer"], LIMITS["paragraph"]),
        verdicts=_verdicts(fields.get("verdicts", list), runs, where),
        answer_at_step=_answer_at_step(fields, spec.steps),
    )
    for i, paragraph in enumerate(lesson.answer):
        check_placeholders(paragraph, runs, f"{where}: answer[{i}]")
    for name, texts in (("text", lesson.paragraphs), ("choices", lesson.choices)):
        for i, paragraph in enumerate(texts):
            if _PLACEHOLDER.search(paragraph):
                # before the run there are no numbers to fill in
                raise LessonError(f"{where}: {name}[{i}]: placeholders belong in the answer only")
    return lesson


def _experiment(data: dict, where: str) -> ExperimentSpec:
    try:
        return from_dict(data)
    except SpecError as exc:
        raise LessonError(f"{where}: experiment.{exc}") from None
    except ImportError:
        raise LessonError(
            f"{where}: experiment.function: typed functions cannot be read by this version"
        ) from None


def _answer_at_step(fields: _Fields, steps: int) -> int | None:
    """The optional ``answer_at_step``: a question about step s is answered once step s shows."""
    if "answer_at_step" not in fields.data:
        return None
    step = fields.get("answer_at_step", int)
    if not 0 <= step <= steps:
        raise LessonError(
            f"{fields.where}: answer_at_step: must be a step of the run (0 to {steps}), not {step}"
        )
    return step


def _verdicts(raw: list, runs: int, where: str) -> tuple[tuple[str, ...], ...]:
    """One entry per run: a verdict, or a list of verdicts the answer is equally true for."""
    if len(raw) != runs:
        raise LessonError(
            f"{where}: verdicts: give one expected verdict per run ({runs}), not {len(raw)}"
        )
    out = []
    for i, entry in enumerate(raw):
        accepted = tuple(entry) if isinstance(entry, list) else (entry,)
        if not accepted or any(v not in VERDICTS for v in accepted):
            raise LessonError(
                f"{where}: verdicts[{i}]: {entry!r} is not one of: {', '.join(VERDICTS)}"
            )
        out.append(accepted)
    return tuple(out)


# ------------------------------------------------------------------------------------------
# Placeholders
# ------------------------------------------------------------------------------------------
def check_placeholders(template: str, runs: int, where: str) -> None:
    """Every ``{...}`` in ``template`` must name a known field of an existing run."""
    if template.count("{") != template.count("}"):
        raise LessonError(f"{where}: a '{{' or '}}' has no partner")
    for match in _PLACEHOLDER.finditer(template):
        _resolve(match.group(1), runs, where)


def _resolve(name: str, runs: int, where: str) -> tuple[str, int, str]:
    field = _FIELD.fullmatch(name)
    if field is None:
        raise LessonError(
            f"{where}: {{{name}}} is not a placeholder (use run1.FIELD, theory.FIELD "
            "or experiment.FIELD)"
        )
    group, run, attr = field.group(1), field.group(2), field.group(3)
    if run is not None:
        index = int(run) - 1
        if index >= runs:
            raise LessonError(f"{where}: {{{name}}}: the experiment has only {runs} run(s)")
        table, kind = RUN_FIELDS, "run"
    else:
        index, table, kind = -1, THEORY_FIELDS if group == "theory" else EXPERIMENT_FIELDS, group
    if attr not in table:
        raise LessonError(
            f"{where}: {{{name}}}: a {kind} has no field '{attr}' "
            f"(its fields: {', '.join(sorted(table))})"
        )
    return kind, index, attr


def render(template: str, facts: LessonFacts) -> str:
    """Fill every placeholder of a checked template from the facts of a finished run."""

    def fill(match: re.Match) -> str:
        kind, index, attr = _resolve(match.group(1), len(facts.spec.runs), "answer")
        return facts.text(kind, index, attr)

    return _PLACEHOLDER.sub(fill, template)


# ------------------------------------------------------------------------------------------
class _Fields:
    """Typed access to one JSON object, with errors that name the file and the field."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise LessonError(f"{where}: expected a JSON object")
        self.data, self.where = data, where

    def expect_format(self, name: str) -> None:
        if self.data.get("format") != name:
            raise LessonError(f"{self.where}: format: expected '{name}'")
        version = self.get("version", int)
        if version > VERSION:
            raise LessonError(
                f"{self.where}: version: written for a newer LR Desk (format {version}); "
                "please update LR Desk"
            )
        if version < 1:
            raise LessonError(f"{self.where}: version: {version} is not a valid version")

    def get(self, key: str, kind: type) -> Any:
        if key not in self.data:
            raise LessonError(f"{self.where}: {key}: missing")
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, kind):
            wanted = {int: "a whole number", list: "a list", dict: "an object", str: "text"}
            raise LessonError(
                f"{self.where}: {key}: expected {wanted.get(kind, kind.__name__)}, "
                f"not {type(value).__name__}"
            )
        return value

    def text(self, key: str, limit: int) -> str:
        return _clean(self.get(key, str), limit, f"{self.where}: {key}")

    def texts(self, key: str, count: tuple[int, int], limit: int) -> tuple[str, ...]:
        items = self.get(key, list)
        low, high = count
        if not low <= len(items) <= high:
            raise LessonError(
                f"{self.where}: {key}: needs {low} to {high} entries, not {len(items)}"
            )
        out = []
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise LessonError(f"{self.where}: {key}[{i}]: expected text")
            out.append(_clean(item, limit, f"{self.where}: {key}[{i}]"))
        return tuple(out)


def _clean(text: str, limit: int, where: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise LessonError(f"{where}: is empty")
    if len(text) > limit:
        raise LessonError(f"{where}: too long ({len(text)} characters, at most {limit})")
    return text
