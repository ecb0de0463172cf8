"""Tools > Model rate finder in the real window: the range test, a rate sweep and a rate × batch
map of the Model training tool's experiment, off the GUI thread, with progress and Cancel."""

from __future__ import annotations

import os

import numpy as np
import pytest
from helpers import close_windows
from PySide6.QtGui import QKeySequence

from lrdesk.core.models.rate_finding import range_test, rate_batch_map
from lrdesk.core.models.spec import DataSpec, ModelExperiment, ModelRunSpec, ModelSpec
from lrdesk.gui.models.rate_finder import RateFinderView, model_view, parse_batches
from lrdesk.gui.window.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
SHOTS = os.environ.get("LRDESK_SHOTS")
LINE = ModelExperiment(DataSpec("line"), ModelSpec("linear", ()), (ModelRunSpec(0.1),), steps=60)


@pytest.fixture
def window(qtbot):
    made = MainWindow(settings=None)
    qtbot.addWidget(made)
    made.resize(1024, 768)
    made.show()
    qtbot.waitExposed(made)
    yield made
    close_windows([made])


def open_finder(window) -> RateFinderView:
    action = next(a for a in window.menu("Tools").actions() if a.text() == "Model rate finder")
    assert action.shortcut() == QKeySequence("Ctrl+Shift+F")
    action.trigger()
    finder = window.dock_site.find_dock("dock_model_rate_finder").widget()
    assert isinstance(finder, RateFinderView)
    return finder


def model_tool(window):
    return model_view(window.dock_site)


def finish(qtbot, finder):
    with qtbot.waitSignal(finder.finished, timeout=120_000) as blocker:
        assert finder.run(), finder.readout.text()
    return blocker.args[0]


def test_range_test_on_the_tools_experiment(qtbot, window):
    finder = open_finder(window)
    model_tool(window).hold(LINE, "The line")
    finder.set_mode("range")
    finding = finish(qtbot, finder)
    ref = range_test(LINE, 1e-4, 10.0, 100)
    np.testing.assert_allclose(finding.result.smoothed, ref.smoothed)
    assert finding.result.valley == ref.valley and not finding.cancelled
    assert finding.lr_max_stable == pytest.approx(0.6833, rel=1e-3)
    assert "valley" in finder.readout.text() and "2/λmax = 0.683" in finder.readout.text()
    assert finder.progress.value() == 1000
    # the valley's rate trains in the Model training tool: a stable rate, it converges
    assert finder.use_button.isEnabled()
    finder.use_button.click()
    view = model_tool(window)
    assert view.experiment().runs[0].learning_rate == pytest.approx(finding.result.valley,
                                                                    rel=1e-2)
    qtbot.waitUntil(lambda: not view.is_training(), timeout=60_000)
    assert view.snapshot().verdicts[0] in ("converged", "slow")
    if SHOTS:
        window.grab().save(os.path.join(SHOTS, "rate-finder-range-1024.png"))


def test_regime_map_of_rate_and_batch_size(qtbot, window):
    finder = open_finder(window)
    model_tool(window).hold(LINE.with_runs([ModelRunSpec(0.1)]), "The line")
    finder.set_mode("map")
    finder.low.setText("0.01")
    finder.high.setText("3")
    finder.count.setValue(6)
    finder.batches.setText("4, full")
    finding = finish(qtbot, finder)
    ref = rate_batch_map(LINE, np.geomspace(0.01, 3, 6), [4, None])
    assert finding.result.verdicts == ref.verdicts
    assert ref.verdicts[1][-1] == "diverged" and ref.verdicts[1][0] != "diverged"
    assert "full batch: stable up to" in finder.readout.text()
    if SHOTS:
        window.grab().save(os.path.join(SHOTS, "rate-finder-map-1024.png"))


def test_a_long_sweep_cancels_and_bad_settings_are_words(qtbot, window):
    finder = open_finder(window)
    long = ModelExperiment(DataSpec("spiral"), ModelSpec("mlp", (16, 16)),
                           (ModelRunSpec(0.1),), steps=200_000)
    model_tool(window).hold(long, "A long spiral")
    finder.set_mode("sweep")
    assert finder.run()
    qtbot.waitUntil(lambda: finder.progress.value() > 0, timeout=60_000)
    with qtbot.waitSignal(finder.finished, timeout=60_000) as blocker:
        finder.cancel_button.click()
    assert blocker.args[0].cancelled
    assert finder.progress.format().startswith("cancelled")
    assert finder.run_button.isEnabled()
    finder.low.setText("fast")
    assert not finder.run() and "'fast' is not a number" in finder.readout.text()
    finder.low.setText("1")
    finder.high.setText("0.1")
    assert not finder.run() and "below the largest" in finder.readout.text()
    with pytest.raises(ValueError, match="not a batch size"):
        parse_batches("8, big")
    assert parse_batches("1 8; full") == [1, 8, None]
