"""A finished regime map follows the experiment: a changed setting re-runs it, old map shown
until the new one is complete, theory's boundary moving with it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from helpers import (
    no_qthread_left,  # noqa: F401 - autouse: no test here leaves a QThread running
    view_fixture,
)

from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.core.sweeps.regime import regime_map
from lrdesk.gui.sweeps.live_map import LIVE_RUN_STEPS
from lrdesk.gui.sweeps.map_view import MapView

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

BOWL = ExperimentSpec(function="bowl", start=(4.0, 3.0), runs=(RunSpec(0.1, "momentum"),),
                      steps=300)

map_view = view_fixture("map_view", MapView, (900, 600))


def bowl(curvature: float) -> ExperimentSpec:
    return replace(BOWL, function_params=(("a", curvature),))


def first_map(qtbot, view):
    view.set_spec(BOWL)
    view.set_axis("momentum")
    view.set_cells(24, 10)
    with qtbot.waitSignal(view.map_finished, timeout=30_000) as blocker:
        view.run_map()
    return blocker.args[0]


def test_a_changed_setting_reruns_the_map_and_moves_the_boundary(qtbot, map_view):
    old = first_map(qtbot, map_view)
    with qtbot.waitSignal(map_view.map_finished, timeout=30_000) as blocker:
        map_view.set_spec(bowl(2.0))
        assert map_view.result() is old  # the old map stays on screen meanwhile
    new = blocker.args[0]
    expected = regime_map(bowl(2.0), new.x, new.y)
    np.testing.assert_array_equal(new.verdict, expected.verdict)
    np.testing.assert_array_equal(new.verdict_step, expected.verdict_step)
    bx, by = map_view.plot.boundary.getData()
    np.testing.assert_allclose(10 ** bx, 2 * (1 + by) / 4.0)  # 2(1 + μ)/λmax, λmax = 2a = 4
    assert map_view.result() is new


def test_a_drag_ends_on_the_map_of_its_last_setting(qtbot, map_view):
    first_map(qtbot, map_view)
    finished = []
    map_view.map_finished.connect(finished.append)
    for curvature in np.linspace(1.1, 3.0, 20):  # a drag: many changes in quick succession
        map_view.set_spec(bowl(float(curvature)))
        qtbot.wait(5)
    qtbot.waitUntil(lambda: finished and not map_view.runner.is_busy()
                    and not map_view.follower._timer.isActive(), timeout=30_000)
    qtbot.wait(200)  # nothing further is pending
    assert not map_view.runner.is_busy()
    last = finished[-1]
    assert 1 <= len(finished) < 20  # throttled: not one run per change
    np.testing.assert_array_equal(last.verdict, regime_map(bowl(3.0), last.x, last.y).verdict)
    bx, by = map_view.plot.boundary.getData()
    np.testing.assert_allclose(10 ** bx, 2 * (1 + by) / 6.0)


def test_a_large_map_is_cleared_by_a_change_not_rerun(qtbot, map_view):
    first_map(qtbot, map_view)
    map_view.follower.started(False, LIVE_RUN_STEPS, 2)  # as if the map shown were too large
    map_view.follower.finished(map_view.result())
    map_view.set_spec(bowl(2.0))
    assert map_view.result() is None and not map_view.runner.is_busy()


def test_a_hidden_map_is_cleared_by_a_change_not_rerun(qtbot, map_view):
    first_map(qtbot, map_view)
    map_view.hide()
    map_view.set_spec(bowl(2.0))
    assert map_view.result() is None and not map_view.runner.is_busy()
