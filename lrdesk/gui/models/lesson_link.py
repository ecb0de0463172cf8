"""Model lessons in the window: set up in the Model training tool (or its rate finder), answered
from the run the learner watched there.

The lesson panel asks for a model lesson through ``model_setup_requested``; this link holds the
lesson's experiment in the tool, opens the tool (and the rate finder for a range-test lesson),
and, when a training or a range test ends, tells the panel what it found (``update_run``) as
``ModelFacts``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from lrdesk.core.teaching.model_facts import ModelFacts, ModelRun
from lrdesk.core.teaching.model_lessons import ModelLesson
from lrdesk.gui.lessons.panel import LessonPanel
from lrdesk.gui.models.tool import MODEL_TOOL, RATE_FINDER_TOOL

#: the range test every range-test lesson runs, as the rate finder's controls say it
RANGE = ("1e-4", "10", 100)


def facts_of_snapshot(spec, snap) -> ModelFacts:
    runs = [ModelRun(verdict, snap.train_loss[:, k], tuple(snap.evaluations[k]),
                     tuple(snap.sharpness[k])) for k, verdict in enumerate(snap.verdicts)]
    return ModelFacts.from_runs(spec, runs)


class ModelLessonLink(QObject):
    def __init__(self, panel: LessonPanel, site) -> None:
        super().__init__(panel)
        self.panel, self.site = panel, site
        self._watching: set[int] = set()
        panel.model_setup_requested.connect(self.set_up)

    def _open(self, tool):
        dock = self.site.find_dock(tool.dock_name)
        dock.property("tool_action").trigger()
        return dock.widget()

    def set_up(self, lesson: ModelLesson) -> None:
        view = self._open(MODEL_TOOL)
        view.cancel()
        view.hold(lesson.spec, lesson.title.split(". ", 1)[-1])
        if id(view) not in self._watching:
            self._watching.add(id(view))
            view.lane.returned.connect(lambda snap: self._trained(view, snap))
        if lesson.action == "range_test":
            finder = self._open(RATE_FINDER_TOOL)
            finder.cancel()
            finder.set_mode("range")
            finder.low.setText(RANGE[0])
            finder.high.setText(RANGE[1])
            finder.count.setValue(RANGE[2])
            if id(finder) not in self._watching:
                self._watching.add(id(finder))
                finder.finished.connect(self._found)
        self.panel.set_live_spec(lesson.spec)
        self.panel.update_run(lesson.spec, None, 0)

    def _lesson(self, action: str) -> ModelLesson | None:
        lesson = self.panel.lesson
        return lesson if isinstance(lesson, ModelLesson) and lesson.action == action else None

    def _trained(self, view, snap) -> None:
        if self._lesson("train") is None:
            return
        spec = view.trained_spec  # the experiment this training began with
        facts = facts_of_snapshot(spec, snap) if spec is not None and snap.done else None
        self.panel.update_run(spec, facts, snap.step)

    def _found(self, finding) -> None:
        lesson = self._lesson("range_test")
        if lesson is None:
            return
        facts = None if finding.cancelled else ModelFacts.from_runs(finding.spec, [],
                                                                   finding.result)
        self.panel.update_run(finding.spec, facts, 0)


def install(window) -> ModelLessonLink | None:
    """Link the window's lesson panel to its Model training tool and rate finder."""
    panel = window.findChild(LessonPanel)
    if panel is None or window.dock_site.find_dock(MODEL_TOOL.dock_name) is None:
        return None
    panel._model_link = ModelLessonLink(panel, window.dock_site)
    return panel._model_link
