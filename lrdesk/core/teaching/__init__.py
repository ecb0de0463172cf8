"""Teaching: lessons read from resources, the facts they quote from a run, and plain-words
explanations of verdicts.

Public names (imported from their module on first use, so start-up stays lazy):

- ``lessons``: ``Lesson``, ``LessonBook``, ``LessonError``, ``load_lessons``
- ``facts``: ``LessonFacts``
- ``explain``: ``explain_event``, ``severity``
- ``model_lessons``: ``ModelLesson``, ``load_model_lessons``
- ``model_facts``: ``ModelFacts``, ``ModelRun``
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {
    "Lesson": "lessons", "LessonBook": "lessons", "LessonError": "lessons", "load_lessons":
    "lessons", "LessonFacts": "facts", "explain_event": "explain", "severity": "explain",
    "ModelLesson": "model_lessons", "load_model_lessons": "model_lessons",
    "ModelFacts": "model_facts", "ModelRun": "model_facts",
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
