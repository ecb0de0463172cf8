"""The key on the canvas and runs that share a path: each run's rate, colour, marker and state."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from lrdesk.core.experiment.simulation import run_experiment
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.gui.canvas.view import LossCanvas
from lrdesk.gui.shared.palette import THEMES, run_color

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
SEED = ExperimentSpec()
SHOTS = Path("/tmp/shots/live")


def _canvas(qtbot, spec: ExperimentSpec, step: int | None = None) -> LossCanvas:
    result = run_experiment(spec)
    canvas = LossCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(820, 620)
    canvas.show()
    qtbot.waitExposed(canvas)
    canvas.set_function(result.function, spec.start)
    canvas.set_runs([run_color(i) for i in range(len(spec.runs))])
    canvas.name_runs(list(spec.runs))
    for run in result.runs:
        h = run.history
        end = len(h.steps) if step is None else int((h.steps <= step).sum())
        canvas.set_run_path(run.index, h.positions[:end], h.losses[:end], h.steps[:end])
        if run.verdict_step is not None and (step is None or run.verdict_step <= step):
            canvas.set_run_status(run.index, run.verdict, run.verdict_step)
    return canvas


def test_the_canvas_key_names_each_run_its_rate_and_state(qtbot):
    canvas = _canvas(qtbot, SEED, step=3)
    assert canvas.legend.texts() == ["Run 1: α = 0.01", "Run 2: α = 0.1", "Run 3: α = 1.1"]
    canvas = _canvas(qtbot, SEED)
    assert canvas.legend.texts() == [
        "Run 1: α = 0.01", "Run 2: α = 0.1", "Run 3: α = 1.1 · diverged (dashed)",
    ]
    assert canvas.legend.item.isVisible()
    for run, sample in enumerate(canvas.legend.samples()):
        path = canvas._paths[run]
        pen = sample.opts["pen"]
        # the key shows what the canvas draws: the same colour, marker and line style
        assert pen.color() == QColor(run_color(run)) == path.line.opts["pen"].color()
        assert pen.style() == path.line.opts["pen"].style()
        assert (pen.style() == Qt.PenStyle.DashLine) == (run == 2)
        assert sample.opts["symbol"] == path.dots.opts["symbol"] == path.head.opts["symbol"]
        assert sample.opts["symbolBrush"].color() == QColor(run_color(run))
    # back to a new computation: the state goes, the rates follow the new runs
    canvas.set_runs([run_color(i) for i in range(2)])
    canvas.name_runs([RunSpec(0.3, "momentum"), RunSpec(0.02)])
    assert canvas.legend.texts() == ["Run 1: α = 0.3, Momentum", "Run 2: α = 0.02"]
    canvas.set_theme(THEMES["dark"])
    assert canvas.legend.item.opts["labelTextColor"] == QColor(THEMES["dark"].foreground)


def test_runs_on_the_same_branch_keep_their_own_markers(qtbot):
    canvas = _canvas(qtbot, SEED)
    canvas.view_button.click()  # back to the minimum, where runs 1 and 2 share the right branch
    qtbot.waitUntil(canvas.view_at_rest)
    symbols = [path.dots.opts["symbol"] for path in canvas._paths]
    assert len(set(symbols)) == len(symbols)
    QApplication.processEvents()
    image = canvas.grab().toImage()
    image.save(str(SHOTS / "legend_seed_back.png"))
    counts: dict[int, int] = {}
    for y in range(image.height()):
        for x in range(image.width()):
            rgb = image.pixel(x, y) & 0xFFFFFF
            counts[rgb] = counts.get(rgb, 0) + 1
    for run in range(3):
        assert counts.get(QColor(run_color(run)).rgb() & 0xFFFFFF, 0) > 100, run
