"""A batch judged in blocks, with finished runs dropped, gives every run the verdict, the step
and the final loss it gets when it runs alone, one step per call."""

from __future__ import annotations

import numpy as np
import pytest

from lrdesk.core.engine.batch import Batch
from lrdesk.core.functions import make_function
from lrdesk.core.optim.catalog import resolve_hypers
from lrdesk.core.optim.schedules import ScheduleSpec

CASES = [
    ("quadratic", (5.0,), "sgd", ScheduleSpec(), 1e-3, 1.5, 100),
    ("ill_conditioned", (-4.0, 3.0), "sgd", ScheduleSpec("step"), 1e-3, 0.3, 200),
    ("rosenbrock", (-1.5, 2.0), "momentum", ScheduleSpec(), 1e-5, 3e-3, 400),
    ("quadratic", (5.0,), "adam", ScheduleSpec("cosine"), 1e-3, 30.0, 300),
    ("ill_conditioned", (-4.0, 3.0), "rmsprop", ScheduleSpec("cosine"), 1e-3, 3.0, 300),
]


def alone_step_by_step(f, start, optimizer, hypers, rate, schedule, steps):
    batch = Batch(f, optimizer, [hypers], [rate], [start], schedule, steps, 1e-6)
    while not batch.done:
        batch.advance(1, record=False)
    return int(batch.verdict[0]), int(batch.verdict_step[0]), float(batch.final_loss[0])


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[2]}-{c[3].kind}" for c in CASES])
def test_blocked_batch_equals_each_run_alone(case):
    name, start, optimizer, schedule, low, high, steps = case
    f = make_function(name)
    hypers = resolve_hypers(optimizer, {})
    rates = np.geomspace(low, high, 24)
    batch = Batch(f, optimizer, [hypers] * len(rates), rates, [start] * len(rates), schedule,
                  steps, 1e-6)
    while not batch.done:
        batch.advance(steps + 1, record=False)
    assert len(set(batch.verdict.tolist())) > 1  # the rates span more than one outcome
    for k, rate in enumerate(rates):
        verdict, step, loss = alone_step_by_step(f, start, optimizer, hypers, rate, schedule, steps)
        assert (int(batch.verdict[k]), int(batch.verdict_step[k])) == (verdict, step), rate
        assert float(batch.final_loss[k]) == pytest.approx(loss, rel=1e-12, abs=1e-300), rate
