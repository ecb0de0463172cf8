"""A loss plot whose runs restart (a dragged rate slider) keeps its curves until new losses come."""

from __future__ import annotations

import numpy as np

from lrdesk.gui.live.loss_plot import LossPlot
from lrdesk.gui.shared.palette import run_color


def test_restarted_runs_keep_their_curves_until_their_new_losses_come(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(600, 300)
    plot.show()
    plot.set_log_y(False)  # compared in loss units
    colors = [run_color(i) for i in range(2)]
    plot.set_runs(colors)
    steps = np.arange(50)
    for run in range(2):
        plot.set_run_losses(run, steps, 25.0 * 0.9 ** (steps * (run + 1)))
    plot.set_run_status(1, "diverged")
    before = [plot._curves[run].getData()[0].copy() for run in range(2)]
    plot.set_runs(colors)  # the same runs start again with another rate
    for run in range(2):  # no empty plot in between
        assert np.array_equal(plot._curves[run].getData()[0], before[run])
    assert len(plot._ends[1].getData()[0] if plot._ends[1].getData()[0] is not None else []) == 0
    plot.set_run_losses(0, steps[:10], np.full(10, 3.0))
    plot.set_run_losses(1, steps[:5], np.full(5, 2.0))
    x0, y0 = plot._curves[0].getData()
    x1, y1 = plot._curves[1].getData()
    assert list(x0) == list(range(10)) and np.all(y0 == 3.0)
    assert list(x1) == list(range(5)) and np.all(y1 == 2.0)
