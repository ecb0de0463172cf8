"""The step table: its numbers are the history's, new w = w + update (= w − α·g for plain
descent), Adam and friends show their state, it follows the playhead, and it exports CSV."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pytest
from helpers import show_widget, window_fixture
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from lrdesk.core.experiment.simulation import Simulation
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.gui.lessons.step_columns import NO_STEP, csv_text, history_arrays, step_columns
from lrdesk.gui.lessons.step_table import TOOLTIP as TOOLTIP_ROLE
from lrdesk.gui.lessons.step_table import StepTable

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
SHOTS = Path(__file__).resolve().parents[3] / "shots"

SGD_SPEC = ExperimentSpec(function="quadratic", start=(5.0,), runs=(RunSpec(0.1),), steps=100)
ADAM_SPEC = ExperimentSpec(
    function="rosenbrock", start=(-1.5, 2.0),
    runs=(RunSpec(0.001), RunSpec(0.05, "adam")), steps=3000, tolerance=1e-3,
)


def finished(spec: ExperimentSpec) -> Simulation:
    simulation = Simulation(spec)
    simulation.run_to_end()
    return simulation


def column_of(table: StepTable, key: str) -> int:
    keys = [c.key for c in table.model.columns]
    return keys.index(key)


def values(table: StepTable, key: str) -> np.ndarray:
    col = column_of(table, key)
    return np.array([table.model.value(r, col) for r in range(table.model.rowCount())])


def make_table(qtbot, spec: ExperimentSpec, run: int, simulation: Simulation | None = None):
    simulation = simulation or finished(spec)
    table = show_widget(qtbot, StepTable(), (1100, 420))
    event = simulation.events.get(run)
    table.set_run(run, spec.runs[run], simulation.histories[run], simulation.function.dim,
                  None if event is None else event.step)
    return table, simulation


def shot(widget, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    QApplication.processEvents()
    assert widget.grab().save(str(SHOTS / f"{name}.png"))


# ------------------------------------------------------------------------------------------
# The numbers
# ------------------------------------------------------------------------------------------
def test_sgd_numbers_are_the_history_and_add_up(qtbot):
    table, simulation = make_table(qtbot, SGD_SPEC, 0)
    history = simulation.histories[0]
    n = len(history)
    assert table.model.rowCount() == n
    headers = [c.header for c in table.model.columns]
    assert headers == ["step", "w", "loss", "g", "α", "α·g", "new w"]
    w, g = values(table, "position"), values(table, "gradient")
    rate, alpha_g = values(table, "learning_rate"), values(table, "alpha_g")
    new_w = values(table, "new_position")
    np.testing.assert_array_equal(values(table, "step"), history.steps)
    np.testing.assert_array_equal(w, history.positions[:, 0])
    np.testing.assert_array_equal(values(table, "loss"), history.losses)
    np.testing.assert_array_equal(g, history.gradients[:, 0])
    np.testing.assert_array_equal(alpha_g, rate * g)
    np.testing.assert_array_equal(new_w, w + history.updates[:, 0])
    # plain gradient descent: the update is exactly −α·g, so new w = w − α·g ...
    np.testing.assert_array_equal(history.updates[:-1, 0], -alpha_g[:-1])
    # ... and the next row starts where this one went
    np.testing.assert_array_equal(new_w[:-1], w[1:])


def test_first_rows_show_the_textbook_arithmetic(qtbot):
    table, _ = make_table(qtbot, SGD_SPEC, 0)
    model = table.model
    cells = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert cells == ["0", "5", "25", "10", "0.1", "1", "4"]
    assert [model.data(model.index(1, c)) for c in range(model.columnCount())] == [
        "1", "4", "16", "8", "0.1", "0.8", "3.2"
    ]


def test_the_row_where_the_run_ended_takes_no_step(qtbot):
    table, simulation = make_table(qtbot, SGD_SPEC, 0)
    model = table.model
    last = model.rowCount() - 1
    assert int(model.value(last, 0)) == simulation.events[0].step
    for col, column in enumerate(model.columns):
        text = model.data(model.index(last, col))
        assert (text == NO_STEP) == column.per_step
    cell = model.index(last, column_of(table, "new_position"))
    tip = model.data(cell, Qt.ItemDataRole.ToolTipRole)
    assert "no step is taken" in tip


def test_adam_shows_its_moments_and_effective_step(qtbot):
    table, simulation = make_table(qtbot, ADAM_SPEC, 1)
    history = simulation.histories[1]
    keys = [c.key for c in table.model.columns]
    for key in ("exp_avg_x", "exp_avg_y", "exp_avg_sq_x", "exp_avg_sq_y",
                "effective_gradient_x", "update_x", "new_position_y"):
        assert key in keys
    assert "max_exp_avg_sq_x" not in keys  # AMSGrad is off
    assert "alpha_g_x" not in keys
    np.testing.assert_array_equal(values(table, "exp_avg_x"), history.state["exp_avg"][:, 0])
    np.testing.assert_array_equal(values(table, "exp_avg_sq_y"), history.state["exp_avg_sq"][:, 1])
    taken = slice(0, len(history) - 1)
    effective = values(table, "effective_gradient_y")[taken]
    rate = values(table, "learning_rate")[taken]
    np.testing.assert_allclose(-rate * effective, history.updates[taken, 1], rtol=1e-14)
    # Adam's first step has length α in every direction: m̂/√v̂ = sign(g)
    keys = ("effective_gradient_x", "effective_gradient_y")
    first = [table.model.value(0, column_of(table, k)) for k in keys]
    np.testing.assert_allclose(np.abs(first), 1.0, rtol=1e-6)
    new = values(table, "new_position_x")
    np.testing.assert_array_equal(new, values(table, "position_x") + history.updates[:, 0])
    header_tip = table.model.headerData(column_of(table, "exp_avg_x"), Qt.Orientation.Horizontal,
                                        Qt.ItemDataRole.ToolTipRole)
    assert "β₁" in header_tip


@pytest.mark.parametrize(
    ("optimizer", "hypers", "shown", "hidden"),
    [
        ("momentum", (), ["buffer"], []),
        ("nesterov", (), ["buffer"], []),
        ("adagrad", (), ["sum_sq"], []),
        ("rmsprop", (), ["square_avg"], ["grad_avg", "buffer"]),
        ("rmsprop", (("centered", 1.0), ("momentum", 0.5)),
         ["square_avg", "grad_avg", "buffer"], []),
        ("adam", (("amsgrad", 1.0),), ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"], []),
    ],
)
def test_state_columns_follow_the_optimizer_settings(optimizer, hypers, shown, hidden):
    run = RunSpec(0.01, optimizer, hypers)
    keys = [c.key for c in step_columns(optimizer, run.hyper_dict(), 1)]
    for name in shown:
        assert name in keys
    for name in hidden:
        assert name not in keys
    spec = ExperimentSpec(runs=(run,), steps=20)
    simulation = finished(spec)
    arrays = history_arrays(simulation.histories[0])
    for column in step_columns(optimizer, run.hyper_dict(), 1):
        with np.errstate(all="ignore"):
            assert column.read(arrays, slice(None)).shape == (len(simulation.histories[0]),)


def test_every_header_explains_itself():
    for optimizer in ("sgd", "momentum", "adam", "rmsprop", "adagrad"):
        for column in step_columns(optimizer, RunSpec(0.1, optimizer).hyper_dict(), 2):
            assert column.header and len(column.tooltip) > 10


# ------------------------------------------------------------------------------------------
# Following the playhead and new rows
# ------------------------------------------------------------------------------------------
def test_highlight_and_scroll_follow_the_playhead(qtbot):
    table, _ = make_table(qtbot, ADAM_SPEC, 1)
    model = table.model
    def in_view(row: int) -> bool:
        rect = table.view.visualRect(model.index(row, 0))
        return table.view.viewport().rect().contains(rect)

    for step in (5, 900, 40, 0, 901, 902, 1300):
        table.set_current_step(step)
        assert model.current_row == step  # the highlight moves at once ...
        colored = [r for r in range(model.rowCount())
                   if model.data(model.index(r, 0), Qt.ItemDataRole.BackgroundRole) is not None]
        assert colored == [step]
        qtbot.waitUntil(lambda step=step: in_view(step), timeout=2_000)  # ... the scroll soon
    scrolled = table.view.verticalScrollBar().value()
    table.set_current_step(1301)  # the next row is already in view: no scrolling at all
    assert table.view.verticalScrollBar().value() == scrolled
    table.set_current_step(10**9)  # past the end: the last row
    assert model.current_row == model.rowCount() - 1


def test_not_following_leaves_the_scroll_alone(qtbot):
    table, _ = make_table(qtbot, ADAM_SPEC, 1)
    table.follow.setChecked(False)
    table.set_current_step(1000)
    assert table.model.current_row == 1000
    assert table.view.verticalScrollBar().value() == 0


def test_rows_arrive_chunk_by_chunk_and_survive_thinning(qtbot):
    spec = ExperimentSpec(runs=(RunSpec(1e-5),), steps=30_000)
    simulation = Simulation(spec)
    table = StepTable()
    qtbot.addWidget(table)
    history = simulation.histories[0]
    table.set_run(0, spec.runs[0], history, 1)
    inserted = []
    table.model.rowsInserted.connect(lambda *_: inserted.append(1))
    resets = []
    table.model.modelReset.connect(lambda: resets.append(1))
    while not simulation.done:
        simulation.advance(1000)
        table.refresh()
        assert table.model.rowCount() == len(history)
    assert history.stride > 1  # the history did thin out
    assert inserted and resets
    steps = values(table, "step")
    np.testing.assert_array_equal(steps, history.steps)
    table.set_current_step(20_001)
    assert model_step(table) == history.steps[history.row_at_or_before(20_001)]


def model_step(table: StepTable) -> int:
    return int(table.model.value(table.model.current_row, 0))


def test_an_empty_run_shows_no_rows(qtbot):
    table = StepTable()
    qtbot.addWidget(table)
    simulation = Simulation(SGD_SPEC)
    table.set_run(0, SGD_SPEC.runs[0], simulation.histories[0], 1)
    assert table.model.rowCount() == 0
    assert not table.export_button.isEnabled()
    table.set_current_step(3)
    assert table.model.current_row == -1
    assert table.model.csv().strip() == ",".join(c.key for c in table.model.columns)
    assert table.model.rowCount(QModelIndex()) == 0


# ------------------------------------------------------------------------------------------
# CSV
# ------------------------------------------------------------------------------------------
def test_csv_rows_equal_the_recorded_rows(qtbot, tmp_path):
    table, simulation = make_table(qtbot, ADAM_SPEC, 1)
    history = simulation.histories[1]
    path = tmp_path / "steps.csv"
    assert table.export_csv(str(path))
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert len(rows) == len(history)
    assert list(rows[0]) == [c.key for c in table.model.columns]
    for r in (0, 1, len(rows) // 2):
        row = rows[r]
        assert int(row["step"]) == history.steps[r]
        assert float(row["position_x"]) == history.positions[r, 0]  # full precision
        assert float(row["exp_avg_sq_y"]) == history.state["exp_avg_sq"][r, 1]
        assert float(row["new_position_y"]) == history.positions[r, 1] + history.updates[r, 1]
    assert rows[-1]["learning_rate"] == "" and rows[-1]["update_x"] == ""  # the run ended there
    assert rows[-1]["loss"] != ""


def test_csv_text_of_a_sgd_run_round_trips():
    simulation = finished(SGD_SPEC)
    history = simulation.histories[0]
    columns = step_columns("sgd", {}, 1)
    rows = list(csv.reader(io.StringIO(csv_text(columns, history_arrays(history)))))
    body = rows[1:]
    assert len(body) == len(history)
    parsed = np.array([float(v) for v in (row[-1] for row in body[:-1])])
    np.testing.assert_array_equal(parsed, history.positions[:-1, 0] + history.updates[:-1, 0])


def test_a_failed_csv_export_says_why_and_changes_nothing(qtbot, tmp_path):
    table, _ = make_table(qtbot, SGD_SPEC, 0)
    messages = []
    table.export_failed.connect(messages.append)
    table.hide()  # no message box in tests: the signal carries the message
    missing = tmp_path / "no-such-folder" / "steps.csv"
    assert not table.export_csv(str(missing))
    assert messages and "could not be saved" in messages[0]
    assert not missing.exists()
    existing = tmp_path / "keep.csv"
    existing.write_text("old")
    assert table.export_csv(str(existing))
    assert existing.read_text().startswith("step,")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


# ------------------------------------------------------------------------------------------
# Screenshots (look at them)
# ------------------------------------------------------------------------------------------
def test_screenshots_of_the_step_table(qtbot):
    table, _ = make_table(qtbot, SGD_SPEC, 0)
    table.resize(760, 420)
    table.set_current_step(3)
    # what the picture shows: the row of step 3 is current, with w = 5·(1 − 2·0.1)³ on L = w²
    row = table.model.row_for_step(3)
    assert table.model.current_row == row and model_step(table) == 3
    keys = [c.key for c in table.model.columns]
    assert table.model.value(row, keys.index("position")) == pytest.approx(5 * 0.8**3, rel=1e-12)
    shot(table, "step_table_sgd")
    table, _ = make_table(qtbot, ADAM_SPEC, 1)
    table.set_current_step(3)
    assert model_step(table) == 3
    assert {"exp_avg_x", "exp_avg_y"} <= {c.key for c in table.model.columns}
    shot(table, "step_table_adam")


# ------------------------------------------------------------------------------------------
# In the main window
# ------------------------------------------------------------------------------------------
window = window_fixture(ADAM_SPEC)


def test_installed_table_follows_the_window(qtbot, window):
    from lrdesk.gui.lessons import step_table

    table = step_table.install(window)
    qtbot.waitUntil(lambda: len(window.events()) == len(window.spec().runs), timeout=20_000)
    window.set_step(10**9)  # rows show up to the playhead: at the end, every row
    qtbot.waitUntil(lambda: table.model.rowCount() == len(window.histories()[0]), timeout=5_000)
    assert table.model.history is window.histories()[0]
    window.runs_table.view.selectRow(1)  # as a click on the second run does
    qtbot.waitUntil(lambda: table.model.history is window.histories()[1], timeout=5_000)
    assert "exp_avg_x" in [c.key for c in table.model.columns]
    window.set_step(7)
    assert table.model.current_row == 7
    window.step_back()
    assert table.model.current_row == 6
    end = window.events()[1].step
    assert table.model.end_step == end
    new = ExperimentSpec(function="quadratic", start=(5.0,), runs=(RunSpec(0.3),), steps=50)
    window.set_spec(new)
    qtbot.waitUntil(lambda: table.model.history is window.histories()[0]
                    and len(window.events()) == 1, timeout=20_000)
    window.set_step(10**9)
    qtbot.waitUntil(lambda: table.model.rowCount() == len(window.histories()[0]) > 0)
    assert [c.key for c in table.model.columns][:2] == ["step", "position"]
    assert math.isfinite(table.model.value(0, column_of(table, "new_position")))


def test_a_hidden_table_fits_its_columns_when_first_shown(qtbot):
    simulation = finished(ADAM_SPEC)
    table = StepTable()
    qtbot.addWidget(table)
    table.resize(1100, 420)
    table.set_run(1, ADAM_SPEC.runs[1], simulation.histories[1], 2)
    widths = [table.view.columnWidth(c) for c in range(table.model.columnCount())]
    assert len(set(widths)) == 1  # hidden: every column still has the default width
    table.show()
    qtbot.waitExposed(table)
    header = table.view.horizontalHeader()
    fitted = [table.view.columnWidth(c) for c in range(table.model.columnCount())]
    assert fitted != widths
    for column, width in enumerate(fitted):
        assert width >= header.sectionSizeHint(column)


def test_the_windows_table_is_built_and_fitted_when_first_shown(qtbot, window):
    from PySide6.QtWidgets import QDockWidget

    qtbot.waitUntil(lambda: len(window.events()) == len(window.spec().runs), timeout=20_000)
    window.set_step(10**9)  # rows show up to the playhead: at the end, every row
    assert window.findChild(StepTable) is None  # hidden until asked for: not built yet
    dock = next(d for d in window.findChildren(QDockWidget) if d.windowTitle() == "Steps")
    dock.show()
    dock.raise_()
    qtbot.waitUntil(lambda: window.findChild(StepTable) is not None)
    table = window.findChild(StepTable)
    assert dock.widget() is table
    assert table.model.rowCount() == len(window.histories()[0]) > 0
    header = table.view.horizontalHeader()
    qtbot.waitUntil(lambda: table.view.columnWidth(0) >= header.sectionSizeHint(0))
    for column in range(table.model.columnCount()):
        assert table.view.columnWidth(column) >= header.sectionSizeHint(column)
    window.set_step(7)
    assert table.model.current_row == 7


LESSON_ONE = ExperimentSpec(function="quadratic", start=(5.0,), runs=(RunSpec(0.1),), steps=100)


@pytest.fixture
def lesson_window(qtbot):
    from helpers import close_windows, show_window

    shown = show_window(qtbot, LESSON_ONE)
    yield shown
    close_windows([shown])


def test_the_windows_table_adds_one_row_per_step_and_keeps_the_next_step_hidden(
    qtbot, lesson_window
):
    """Lesson 1: "press Step and watch the step table add one row per step"."""
    from lrdesk.gui.lessons import step_table

    window = lesson_window
    table = step_table.install(window)
    qtbot.waitUntil(lambda: len(window.events()) == 1, timeout=20_000)
    table.refresh()
    model = table.model
    assert len(window.histories()[0]) > 10
    assert model.rowCount() == 1  # at step 0: the start only
    new_w = column_of(table, "new_position")
    first = model.data(model.index(0, new_w))
    assert "4" not in first  # the answer to "where is w after the first step?" not given away
    assert "Not taken yet" in model.data(model.index(0, new_w), TOOLTIP_ROLE)
    window.set_step(1)
    assert model.rowCount() == 2
    assert model.value(0, new_w) == pytest.approx(4.0)
    assert model.data(model.index(0, new_w)) != first
    window.set_step(5)
    assert model.rowCount() == 6
    window.step_back()
    assert model.rowCount() == 5 and model.current_row == 4
    table.grab().save("/tmp/shots/words/step_table_playhead.png")
