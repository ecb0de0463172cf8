"""The plain-words notices, checked against events of real runs."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from lrdesk.core.experiment.simulation import RunEvent, Simulation
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.core.teaching.explain import ALARM, INFO, WARNING, explain_event, number, percent, rate


def _events(spec: ExperimentSpec):
    simulation = Simulation(spec)
    simulation.run_to_end()
    return simulation.events, simulation.theory


def test_the_default_lesson_tells_three_stories():
    spec = ExperimentSpec()
    events, theory = _events(spec)
    texts = {run: explain_event(run + 1, spec.runs[run], e, theory) for run, e in events.items()}
    verdicts = {run: e.verdict for run, e in events.items()}
    assert verdicts == {0: "slow", 1: "converged", 2: "diverged"}

    level, text = texts[2]
    event = events[2]
    assert level == ALARM
    assert text.startswith("Run 3, learning rate 1.1: the loss grew from 25 to ")
    assert number(event.final_loss) in text
    assert f"in {event.step} steps" in text
    assert "overshot further" in text
    assert f"stable limit for this surface is {rate(theory.lr_max_stable)}" in text
    assert "1.0" in text  # 2/λmax of L = w² (λ = 2)

    level, text = texts[1]
    assert level == INFO
    assert text.startswith("Run 2, learning rate 0.1: reached the minimum in ")
    assert f"{events[1].step} steps" in text

    level, text = texts[0]
    assert level == WARNING
    assert "still going down after 100 steps" in text
    # plain descent on a² w²: each step keeps |1 - 2·0.01| = 98% of the distance
    assert "only 2% of the distance" in text
    assert f"fastest for this surface is {rate(theory.lr_optimal)}" in text


def test_a_rate_at_the_limit_oscillates_and_gets_gentler_words():
    spec = ExperimentSpec(runs=(RunSpec(1.0),))
    events, theory = _events(spec)
    level, text = explain_event(1, spec.runs[0], events[0], theory)
    assert events[0].verdict == "oscillating" and events[0].oscillated
    assert level == WARNING
    assert "back and forth across the valley" in text
    assert "stable limit" not in text.split(".")[0]  # the limit comes as advice, not as a fact


def test_momentum_is_named_and_its_own_limit_is_given():
    spec = ExperimentSpec(runs=(RunSpec(3.0, "momentum"),))
    events, theory = _events(spec)
    _, text = explain_event(1, spec.runs[0], events[0], theory)
    assert events[0].verdict == "diverged"
    assert text.startswith("Run 1 (Momentum), learning rate 3:")
    assert rate(theory.momentum_limit(0.9)) in text


def test_adaptive_optimizers_get_the_plain_limit_as_a_hint_only():
    spec = ExperimentSpec(function="rosenbrock", start=(-1.5, 2.0), runs=(RunSpec(50.0, "adagrad"),), steps=300)
    events, theory = _events(spec)
    event = events[0]
    _, text = explain_event(1, spec.runs[0], event, theory)
    assert event.verdict == "diverged"
    assert text.startswith("Run 1 (AdaGrad), learning rate 50:")
    assert "sizes its steps differently" in text
    assert rate(theory.lr_max_stable) in text


def test_a_run_below_the_local_limit_that_still_blows_up_is_explained():
    # Rosenbrock is much steeper at the start than in its valley: the local limit is not enough
    spec = ExperimentSpec(function="rosenbrock", start=(-2.0, 2.0), runs=(RunSpec(0.0019),), steps=50)
    events, theory = _events(spec)
    event = events[0]
    level, text = explain_event(1, spec.runs[0], event, theory)
    assert spec.runs[0].learning_rate < theory.lr_max_stable
    assert event.verdict == "diverged" and level == ALARM
    assert "steeper where the run started" in text
    assert "near its minimum" in text


def test_stalled_runs_are_told_about_saddles():
    spec = ExperimentSpec(function="saddle", start=(1.0, 0.0), runs=(RunSpec(0.1),), steps=2000)
    events, theory = _events(spec)
    event = events[0]
    assert event.verdict == "stalled"
    level, text = explain_event(1, spec.runs[0], event, theory)
    assert level == WARNING
    assert "saddle point" in text and "momentum" in text


def test_infinite_and_nan_losses_are_said_in_words():
    spec = ExperimentSpec()
    events, theory = _events(spec)
    blown = replace(events[2], final_loss=math.inf)
    assert "past any number the computer can hold" in explain_event(3, spec.runs[2], blown, theory)[1]
    broken = replace(events[2], final_loss=math.nan)
    assert "no longer a number" in explain_event(3, spec.runs[2], broken, theory)[1]


def test_a_loss_falling_without_limit_is_not_called_overshooting():
    event = RunEvent(0, "diverged", 12, False, 1.0, -5e4, 300.0)
    spec = ExperimentSpec(function="saddle", start=(2.0, 0.01))
    _, theory = _events(replace(spec, steps=5))
    level, text = explain_event(1, RunSpec(0.5), event, theory)
    assert level == ALARM
    assert "fell without limit" in text and "overshot" not in text


@pytest.mark.parametrize(
    ("value", "text"),
    [(25.0, "25"), (0.4397, "0.44"), (25516.8, "2.6e+04"), (1.77e-13, "1.8e-13"), (0.0, "0"),
     (math.inf, "infinity"), (math.nan, "not a number")],
)
def test_numbers_read_well(value, text):
    assert number(value) == text


def test_rates_and_percentages_read_well():
    assert rate(1.0) == "1.0" and rate(0.5) == "0.50" and rate(0.001997) == "0.0020"
    assert percent(0.02) == "2%" and percent(0.0004) == "0.04%"


def test_saddle_advice_agrees_with_the_momentum_run_on_screen():
    # on the saddle's line (y = 0) momentum is stuck too: no "momentum gets past it"
    runs = (RunSpec(0.1), RunSpec(0.05, "momentum", (("momentum", 0.9),)))
    spec = ExperimentSpec(function="saddle", start=(1.0, 0.0), runs=runs, steps=2000)
    events, theory = _events(spec)
    assert events[0].verdict == "stalled" and events[1].verdict == "stalled"
    shown = [(i + 1, spec.runs[i], events[i]) for i in range(2)]
    _, text = explain_event(1, spec.runs[0], events[0], theory, shown)
    assert "gets past it" not in text.replace("does not always get past it", "")
    assert "run 2, with momentum, is stuck too" in text
    # a momentum run that did get past is named as the proof
    passed = replace(events[1], verdict="converged")
    _, text = explain_event(1, spec.runs[0], events[0], theory, [(2, spec.runs[1], passed)])
    assert "run 2 did" in text
