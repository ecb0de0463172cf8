"""The runs table's result tooltip says which test decided the verdict."""

from __future__ import annotations

from PySide6.QtCore import Qt

from lrdesk.core.engine.reasons import CRITERION_WORDS
from lrdesk.core.experiment.simulation import run_experiment
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.gui.live.runs_table import RESULT, RunsTable


def tooltip(table: RunsTable, row: int) -> str:
    return table.model.data(table.model.index(row, RESULT), Qt.ItemDataRole.ToolTipRole)


def test_the_result_tooltip_names_the_deciding_criterion(qtbot):
    spec = ExperimentSpec(function="ill_conditioned", start=(-4.0, 3.0),
                          runs=(RunSpec(0.01), RunSpec(0.05), RunSpec(0.1)), steps=200)
    table = RunsTable()
    qtbot.addWidget(table)
    table.set_runs(list(spec.runs), ["#0072B2", "#D55E00", "#009E73"])
    runs = run_experiment(spec).runs
    for run in runs:
        table.set_verdict(run.index, run.verdict, run.oscillated, run.criterion)
    assert [r.criterion for r in runs] == ["improving", "gap", "flat"]
    assert "still going down" in tooltip(table, 0)
    assert tooltip(table, 1).startswith("The run reached the bottom")
    assert CRITERION_WORDS["gap"] in tooltip(table, 1)
    assert CRITERION_WORDS["flat"] in tooltip(table, 2)
    table.set_verdict(2, "converged", False)  # no criterion given: the verdict's help alone
    assert "almost flat" in tooltip(table, 2)
