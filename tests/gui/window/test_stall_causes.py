"""What made the event loop stall, each pinned by the behaviour that removed it.

A stall found by the soak's sampler is fixed by doing less in the GUI thread; these tests say
what that "less" is (items kept, work done elsewhere), so that it cannot quietly come back.
"""

from __future__ import annotations

import pytest
from helpers import close_windows, show_window
from PySide6.QtGui import QColor

from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.gui.shared.palette import run_color

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def window(qtbot):
    shown = show_window(qtbot, ExperimentSpec(runs=(RunSpec(0.1), RunSpec(0.3), RunSpec(0.5))))
    yield shown
    close_windows([shown])


def _plot_items(plot_widget) -> list:
    return list(plot_widget.getPlotItem().items)


def _finished(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.recording().all_ended, timeout=20_000)
    window.set_step(window.spec().steps)
    qtbot.waitUntil(lambda: not window.frames.is_pending())


def _curve_colors(window) -> list[str]:
    curves = [c for c in window.loss_plot.plot_widget.getPlotItem().listDataItems()
              if c.opts["pen"] is not None]
    return [QColor(c.opts["pen"].color()).name().lower() for c in curves]


def test_adding_a_run_keeps_the_other_runs_items(qtbot, window):
    _finished(qtbot, window)
    canvas_before = set(map(id, _plot_items(window.canvas.plot_widget)))
    losses_before = set(map(id, _plot_items(window.loss_plot.plot_widget)))
    window.add_run(RunSpec(0.05))
    canvas_after = set(map(id, _plot_items(window.canvas.plot_widget)))
    losses_after = set(map(id, _plot_items(window.loss_plot.plot_widget)))
    # only the new run's items are made: the three others' are kept, emptied
    assert canvas_before < canvas_after and losses_before < losses_after
    assert len(losses_after) - len(losses_before) == 2  # its loss curve and its end marker
    assert all(c.xData is None or len(c.xData) == 0
               for c in window.loss_plot.plot_widget.getPlotItem().listDataItems())
    _finished(qtbot, window)
    drawn = [c for c in window.loss_plot.plot_widget.getPlotItem().listDataItems()
             if c.opts["pen"] is not None and c.xData is not None and len(c.xData)]
    assert len(drawn) == 4  # every run, kept or new, is drawn again
    assert _curve_colors(window) == [QColor(run_color(i)).name().lower() for i in range(4)]


def test_removing_a_run_drops_only_the_last_runs_items(qtbot, window):
    _finished(qtbot, window)
    canvas_before = _plot_items(window.canvas.plot_widget)
    losses_before = _plot_items(window.loss_plot.plot_widget)
    window.runs_table.view.selectRow(0)
    window.runs_table.remove_button.click()
    assert [run.learning_rate for run in window.spec().runs] == [0.3, 0.5]
    canvas_after = _plot_items(window.canvas.plot_widget)
    losses_after = _plot_items(window.loss_plot.plot_widget)
    assert set(map(id, canvas_after)) < set(map(id, canvas_before))
    assert len(losses_before) - len(losses_after) == 2
    _finished(qtbot, window)
    # the colours follow the place in the table, as everywhere else
    assert _curve_colors(window) == [QColor(run_color(i)).name().lower() for i in range(2)]


def test_the_runs_table_fits_its_columns_a_few_times_a_second_not_on_every_number(qtbot):
    from helpers import show_widget

    from lrdesk.gui.live.runs_table import FIT_INTERVAL_MS, RESULT, STEP, RunsTable

    table = show_widget(qtbot, RunsTable(), (900, 300))
    table.set_runs([RunSpec(0.1), RunSpec(0.2)], [run_color(0), run_color(1)])
    view, header = table.view, table.view.horizontalHeader()
    fitted = [header.sectionSize(c) >= view.sizeHintForColumn(c) for c in range(RESULT)]
    assert all(fitted)  # new runs: fitted at once
    narrow = header.sectionSize(STEP)
    resized = []
    header.sectionResized.connect(lambda *args: resized.append(args))
    for step in range(100_000_000, 100_000_050):  # a frame's live numbers, many times
        table.update_live_rows({0: (step, 0.5, 0.1, 0.1), 1: (step, 0.25, 0.1, 0.2)})
        table.set_verdict(1, "diverged", False, "")
    assert not resized  # nothing measured in the frame that changed the numbers
    qtbot.waitUntil(lambda: header.sectionSize(STEP) > narrow, timeout=4 * FIT_INTERVAL_MS)
    assert header.sectionSize(STEP) >= view.sizeHintForColumn(STEP)
    assert len(resized) <= RESULT  # one fitting, at most one resize per column


def test_the_step_table_fits_a_burst_of_new_runs_once_after_the_burst(qtbot):
    from helpers import show_widget

    from lrdesk.core.experiment.simulation import Simulation
    from lrdesk.gui.lessons.step_table import FIT_DELAY_MS, StepTable

    spec = ExperimentSpec(function="rosenbrock", start=(-1.5, 2.0), steps=400,
                          runs=(RunSpec(0.001), RunSpec(1e-7, "adam")))
    simulation = Simulation(spec)
    simulation.run_to_end()
    table = show_widget(qtbot, StepTable(), (1100, 420))
    table.set_run(0, spec.runs[0], simulation.histories[0], 2)
    fittings = []
    original = table.view.resizeColumnsToContents
    table.view.resizeColumnsToContents = lambda: (fittings.append(1), original())[1]
    for _ in range(10):  # a dragged rate: the same run many times a second
        table.set_run(1, spec.runs[1], simulation.histories[1], 2)
    assert fittings == []  # not in the frame that brought the rows
    qtbot.waitUntil(lambda: bool(fittings), timeout=10 * FIT_DELAY_MS)
    assert fittings == [1]  # once for the burst
    header = table.view.horizontalHeader()
    for column in range(table.model.columnCount()):
        assert table.view.columnWidth(column) >= header.sectionSizeHint(column)


def test_contours_of_several_levels_at_once_are_each_levels_own_in_the_order_given():
    import numpy as np

    from lrdesk.gui.canvas.contours import contour_segments

    xs = np.linspace(-2.0, 2.0, 90)
    grid_x, grid_y = np.meshgrid(xs, xs, indexing="ij")
    values = np.sin(3 * grid_x) * np.cos(2 * grid_y) + 0.1 * grid_x
    values[40:50, 10:20] = np.nan
    levels = [0.3, -0.2, 0.3, 0.0, 0.9]  # unsorted, one twice
    together = contour_segments(values, levels)
    alone = [contour_segments(values, [level]) for level in levels]
    assert len(together[0]) > 0
    for axis in (0, 1):
        assert np.array_equal(together[axis], np.concatenate([one[axis] for one in alone]))


def test_the_runs_table_fits_new_runs_at_once_and_restarted_ones_with_the_live_numbers(qtbot):
    from helpers import show_widget

    from lrdesk.gui.live.runs_table import FIT_INTERVAL_MS, OPTIMIZER, RunsTable

    table = show_widget(qtbot, RunsTable(), (900, 300))
    colors = [run_color(0), run_color(1)]
    table.set_runs([RunSpec(0.1, "adam")], colors[:1])
    header = table.view.horizontalHeader()
    resized = []
    header.sectionResized.connect(lambda column, *_: resized.append(column))
    table.set_runs([RunSpec(0.1, "adam"), RunSpec(0.2, "nesterov")], colors)
    assert OPTIMIZER in resized  # a new run: fitted at once
    resized.clear()
    table.set_runs([RunSpec(0.1, "adam"), RunSpec(0.2, "adam")], colors)  # an edit: same runs
    assert OPTIMIZER not in resized  # not measured in the frame of the edit...
    qtbot.waitUntil(lambda: OPTIMIZER in resized, timeout=4 * FIT_INTERVAL_MS)  # ...but soon
    assert header.sectionSize(OPTIMIZER) >= table.view.sizeHintForColumn(OPTIMIZER)
