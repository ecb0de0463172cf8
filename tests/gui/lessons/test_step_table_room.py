"""The step table at 1024x768: Adam's 17 columns (the moments lesson 9 points to) all readable,
and the table beside a lesson, not behind it."""

from __future__ import annotations

import pytest
from helpers import close_windows, show_window
from PySide6.QtWidgets import QDockWidget

from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.gui.lessons.step_table import StepTable

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

ADAM = ExperimentSpec(function="rosenbrock", start=(-1.5, 2.0), runs=(RunSpec(0.05, "adam"),),
                      steps=300)


@pytest.fixture
def window(qtbot):
    shown = show_window(qtbot, ADAM, (1024, 768))
    yield shown
    close_windows([shown])


def _dock(window, title: str) -> QDockWidget:
    return next(d for d in window.findChildren(QDockWidget) if d.windowTitle() == title)


def test_every_adam_column_fits_and_reads_at_1024(qtbot, window):
    qtbot.waitUntil(lambda: len(window.events()) == len(window.spec().runs), timeout=20_000)
    steps = _dock(window, "Steps")
    steps.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: window.findChild(StepTable) is not None)
    table = window.findChild(StepTable)
    qtbot.waitUntil(lambda: steps.height() > 0.25 * window.height())  # the dock has its room
    window.set_step(60)
    qtbot.waitUntil(lambda: table.model.rowCount() > 50)
    view, model = table.view, table.model
    assert model.columnCount() == 17
    headers = [model.headerData(c, view.horizontalHeader().orientation()) for c in range(17)]
    assert {"m (x)", "m (y)", "v (x)", "v (y)"} <= set(headers)
    metrics = view.fontMetrics()

    def readable() -> bool:  # the columns are fitted a moment after the rows come
        return all(view.columnWidth(c) >= metrics.horizontalAdvance(text)
                   for c, text in enumerate(model.widest_texts()))

    qtbot.waitUntil(readable)
    total = sum(view.columnWidth(c) for c in range(17))
    assert total <= view.viewport().width(), (total, view.viewport().width())
    for column in range(17):
        assert view.columnWidth(column) >= view.horizontalHeader().sectionSizeHint(column)


def test_a_lesson_and_the_step_table_show_together(qtbot, window):
    lessons, steps = _dock(window, "Lessons"), _dock(window, "Steps")
    steps.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: steps.isVisible() and window.findChild(StepTable) is not None)
    assert steps not in window.tabifiedDockWidgets(lessons)
    assert lessons.isVisible() and not lessons.visibleRegion().isEmpty()
    assert not steps.visibleRegion().isEmpty()
    assert not lessons.geometry().intersects(steps.geometry())
