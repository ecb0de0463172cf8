"""Suggested rates: fractions of the stable limit, never above the cap every spec obeys."""

from __future__ import annotations

import pytest

from lrdesk.core.experiment.edits import next_run, suggested_rates, switch_function
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.core.functions import make_function
from lrdesk.core.limits import MAX_LEARNING_RATE


@pytest.mark.parametrize("text", ["1e-7*w^2", "exp(w)", "1e-7*x^2 + 1e-9*y^2", "1e-6*w^4"])
def test_a_gentle_function_gets_distinct_rates_under_the_cap(text):
    spec = ExperimentSpec(runs=tuple(RunSpec(0.1) for _ in range(5)))
    switched = switch_function(spec, "custom", text)
    switched.validate()  # before: 'runs[2].learning_rate: 5e+06 is absurdly large'
    rates = [run.learning_rate for run in switched.runs]
    assert max(rates) <= MAX_LEARNING_RATE
    assert len(set(rates)) == len(rates)
    extra = next_run(switched, switched.make_function(), None)
    assert 0 < extra.learning_rate <= MAX_LEARNING_RATE


def test_an_ordinary_function_keeps_its_fractions_of_the_limit():
    # L = 3w^2: curvature 6, stable limit 2/6; the suggestions are 2 %, 50 %, 110 % of it
    rates = suggested_rates(make_function("custom", {}, "3*w^2"), (4.0,), 3)
    assert rates == [float(f"{f / 3:.2g}") for f in (0.02, 0.5, 1.1)]
