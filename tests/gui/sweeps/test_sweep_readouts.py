"""Rates read by people: three significant digits on screen, every digit in the tooltip, and
"Add fastest" makes a run at a rounded rate that is still below the limit."""

from __future__ import annotations

import re

import pytest
from helpers import (
    no_qthread_left,  # noqa: F401 - autouse: no test here leaves a QThread running
    view_fixture,
)

from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.gui.sweeps.common import exact_rate, rate_rounded_down, readable_rate
from lrdesk.gui.sweeps.map_view import MapView
from lrdesk.gui.sweeps.sweep_view import SweepView

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

sweep_view = view_fixture("sweep_view", SweepView, (900, 560))
map_view = view_fixture("map_view", MapView, (900, 600))


@pytest.mark.parametrize(("rate", "shown"), [
    (0.024532473489, "0.0245"), (0.49643220309897257, "0.496"), (3.0000000000000004e-05, "3e-05"),
    (1.0, "1"), (123456.0, "123000"),
])
def test_readable_rates(rate, shown):
    assert readable_rate(rate) == shown
    assert float(exact_rate(rate)) == rate


@pytest.mark.parametrize("rate", [0.49643220309897257, 0.4999999, 0.0019999, 1.0, 0.3, 2e-7, 7.77])
def test_rounding_down_keeps_three_digits_and_never_goes_up(rate):
    down = rate_rounded_down(rate)
    assert down <= rate
    assert len(re.sub(r"[^0-9]", "", f"{down:.3g}".split("e")[0]).lstrip("0")) <= 3
    assert down >= rate * (1 - 1e-2)  # within the last of its three digits


def _digits(text: str) -> int:
    """Significant digits of the rate after 'α = ' in ``text``."""
    number = re.search(r"α = ([0-9.e+-]+)", text).group(1)
    return len(number.split("e")[0].replace(".", "").lstrip("0"))


def test_add_fastest_makes_a_rounded_run_below_the_limit(qtbot, sweep_view):
    # the quadratic L = w^2: stable below 2/λ = 1, fastest at 0.5; the sweep's best is just below
    sweep_view.set_spec(ExperimentSpec(steps=100))
    sweep_view.set_count(200)
    sweep_view.set_range(1e-4, 2.0)
    with qtbot.waitSignal(sweep_view.sweep_finished, timeout=30_000) as blocker:
        sweep_view.run_sweep()
    result = blocker.args[0]
    exact = float(result.learning_rates[result.fastest()])
    assert len(repr(exact)) > 8  # a rate nobody would type
    with qtbot.waitSignal(sweep_view.learning_rate_chosen) as chosen:
        sweep_view.fastest_button.click()
    rate = chosen.args[0]
    assert rate == rate_rounded_down(exact) and rate <= exact < 1.0
    assert len(repr(rate)) <= 6
    assert repr(exact) in sweep_view.fastest_button.toolTip()
    assert f"Fastest: {readable_rate(exact)}," in sweep_view.readout.text()
    assert repr(exact) in sweep_view.readout.toolTip()


def test_map_readout_rounds_the_rate_and_keeps_it_exact_in_the_tooltip(qtbot, map_view):
    spec = ExperimentSpec(function="bowl", start=(4.0, 3.0), runs=(RunSpec(0.1, "momentum"),),
                          steps=200)
    map_view.set_spec(spec)
    with qtbot.waitSignal(map_view.map_finished, timeout=60_000) as blocker:
        map_view.run_map()
    result = blocker.args[0]
    map_view.show_cell(3, 7)
    assert _digits(map_view.readout.text()) <= 3, map_view.readout.text()
    exact = float(result.x.values[7] if result.x.name == "lr" else result.y.values[3])
    assert _digits(f"α = {exact!r}") > 3  # the grid's rates have many digits ...
    assert repr(exact) in map_view.readout.toolTip()  # ... all of them kept here
