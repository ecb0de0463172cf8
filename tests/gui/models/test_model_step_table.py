"""The Model training tool's step table, in the real window, against gradient descent on a
linear model worked out by hand: L(w, b) = mean((w x + b - y)^2), g = 2/n (X^T r, sum r),
theta <- theta - alpha g, update size alpha ||g|| (the torch.optim.SGD rule, no momentum)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import close_windows, show_window

from lrdesk.core.models.spec import DataSpec, ModelExperiment, ModelRunSpec, ModelSpec
from lrdesk.core.models.training import Trainer, batch_rows
from lrdesk.gui.models.model_view import ModelView
from lrdesk.gui.models.step_table import COLUMNS, batch_words

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
SHOTS = Path(__file__).resolve().parents[3] / "shots"
STEPS = 6
SPEC = ModelExperiment(DataSpec("line", points=50), ModelSpec("linear"),
                       (ModelRunSpec(0.1), ModelRunSpec(0.05, batch_size=16, seed=2)),
                       steps=STEPS, sharpness_every=0)


def by_hand(spec: ModelExperiment, run: int):
    """Rows (batch rows, loss, ||g||, alpha, ||update||) of plain gradient descent, by hand."""
    trainer = Trainer(spec)  # only for its data and its starting point
    X, y = trainer.data.X_train[:, 0], trainer.data.y_train
    w, b = trainer.initial_params[run]
    r_spec = spec.runs[run]
    rows = []
    for t in range(STEPS + 1):
        pick = batch_rows(len(X), r_spec.batch_size, r_spec.seed, t)
        xb, yb = (X, y) if pick is None else (X[pick], y[pick])
        residual = w * xb + b - yb
        loss = np.mean(residual ** 2)
        g = np.array([2 * np.mean(residual * xb), 2 * np.mean(residual)])
        alpha = r_spec.learning_rate
        if t == STEPS:  # the last step is measured, not taken
            rows.append((loss, np.linalg.norm(g), np.nan, np.nan))
            break
        rows.append((loss, np.linalg.norm(g), alpha, alpha * np.linalg.norm(g)))
        w, b = w - alpha * g[0], b - alpha * g[1]
    return rows


@pytest.fixture
def view(qtbot):
    window = show_window(qtbot, size=(1024, 768))
    next(a for a in window.menu("Tools").actions() if a.text() == "Model training").trigger()
    made = window.dock_site.find_dock("dock_model_training").widget()
    assert isinstance(made, ModelView)
    yield made
    close_windows([window])


def test_batch_words():
    assert batch_words(7, 1) == "full"
    assert batch_words(0, 3) == "1/3 e1"
    assert batch_words(7, 3) == "2/3 e3"


def test_the_step_table_matches_gradient_descent_by_hand(qtbot, view, tmp_path):
    view.hold(SPEC)
    assert view.start()
    qtbot.waitUntil(lambda: view.snapshot() is not None and view.snapshot().done
                    and not view.is_training(), timeout=120_000)
    table = view.step_table
    view.side_tabs.setCurrentWidget(table)
    header = [table.model().headerData(c, table.horizontalHeader().orientation())
              for c in range(table.model().columnCount())]
    assert header == list(COLUMNS) == ["Step", "Batch", "Loss", "‖g‖", "α", "‖Δθ‖"]
    for run, batch in ((0, lambda t: "full"), (1, lambda t: f"{t % 3 + 1}/3 e{t // 3 + 1}")):
        view.shown_run.setCurrentIndex(run)
        assert table.model().rowCount() == STEPS + 1
        for t, expected in enumerate(by_hand(SPEC, run)):
            cells = [table.model().cell(t, c) for c in range(len(COLUMNS))]
            assert cells[0] == str(t) and cells[1] == batch(t)
            for column, value in enumerate(expected, start=2):
                shown, text = table.model().value(t, column), cells[column]
                if np.isnan(value):
                    assert np.isnan(shown) and text == "—"
                else:
                    assert shown == pytest.approx(value, rel=1e-9), (run, t, column)
                    assert float(text) == pytest.approx(value, rel=1e-3)
    SHOTS.mkdir(exist_ok=True)
    assert view.grab().save(str(SHOTS / "model_step_table_1024.png"))
    # the CSV of the curves carries the same four numbers per run and step
    assert view.export_to(tmp_path / "curves.csv")
    lines = (tmp_path / "curves.csv").read_text().splitlines()
    assert lines[0].split(",")[:5] == ["step", "loss run 1 (lr 0.1)", "grad_norm run 1 (lr 0.1)",
                                       "alpha run 1 (lr 0.1)", "update_size run 1 (lr 0.1)"]
    assert len(lines) == STEPS + 2
    for t, expected in enumerate(by_hand(SPEC, 1)):
        cells = lines[1 + t].split(",")[5:9]
        for text, value in zip(cells, expected, strict=True):
            assert text == "" if np.isnan(value) else float(text) == pytest.approx(value, rel=1e-9)
