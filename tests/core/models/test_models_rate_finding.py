"""Rate finding on models: full sweeps, fastai's range test and its suggestions, the rate x batch map."""

from __future__ import annotations

import numpy as np
import pytest

from lrdesk.core.models.datasets import make_dataset
from lrdesk.core.models.rate_finding import (
    _suggestions,
    _valley,
    range_test,
    rate_batch_map,
    rate_sweep,
)
from lrdesk.core.models.spec import DataSpec, ModelExperiment, ModelRunSpec, ModelSpec
from lrdesk.core.models.theory import linear_theory

LINE = ModelExperiment(DataSpec("line"), ModelSpec("linear", ()), (ModelRunSpec(0.1),),
                       steps=300)
LIMIT = linear_theory(make_dataset("line")).lr_max_stable


def test_sweep_agrees_with_the_stable_limit():
    rates = LIMIT * np.array([0.2, 0.9, 1.1, 3.0])
    result = rate_sweep(LINE, rates)
    assert [v != "diverged" for v in result.verdicts] == [True, True, False, False]
    assert np.all(np.isfinite(result.test_loss[:2]))


def test_sweeps_beyond_64_rates_are_split():
    result = rate_sweep(LINE, np.geomspace(1e-3, 0.5, 70))
    assert len(result.verdicts) == 70 and result.final_train_loss.shape == (70,)


def test_rate_by_batch_size_map():
    spec = ModelExperiment(DataSpec("plane", points=400), ModelSpec("linear", ()),
                           (ModelRunSpec(0.1),), steps=None, epochs=3)
    result = rate_batch_map(spec, [0.01, 0.1, 2.0], [8, 64, None])
    assert result.final_train_loss.shape == (3, 3)
    assert result.verdicts[2][2] == "diverged"  # full batch far above the limit
    assert result.verdicts[2][0] != "diverged"
    assert result.verdict_steps[0, 0] == 3 * 40  # 320 training rows in batches of 8


def test_valley_sits_inside_the_longest_descent():
    losses = np.concatenate([5.0 + 0.01 * np.arange(20), np.linspace(5, 1, 60),
                             np.linspace(1, 9, 20)])
    lrs = np.geomspace(1e-5, 1, len(losses))
    v = _valley(lrs, losses)
    i = int(np.argmin(np.abs(lrs - v)))
    assert 19 <= i <= 79
    # the longest descent runs from point 19 (5.19) to 79 (1.0): 61 points; fastai counts its
    # start as 79 − 61 = 18 and steps in by ⌊61/3⌋ + ⌊61/6⌋
    assert i == 18 + int(61 / 3) + int(61 / 3 / 2)
    valley, steep, minimum = _suggestions(lrs, losses)
    assert minimum == pytest.approx(lrs[79] / 10)
    assert steep is not None and valley == pytest.approx(v)


def test_range_test_stops_past_the_stable_limit():
    result = range_test(LINE, lr_min=1e-4, lr_max=10.0, steps=120)
    assert result.stopped_at is not None
    stop_rate = result.learning_rates[result.stopped_at]
    assert stop_rate > LIMIT  # the loss only blows up past 2/λmax
    assert result.smoothed[result.stopped_at] > 4 * np.min(result.smoothed[: result.stopped_at])
    for suggestion in (result.valley, result.steep, result.minimum):
        assert suggestion is not None and suggestion < stop_rate
    np.testing.assert_allclose(result.learning_rates[1] / result.learning_rates[0],
                               (10.0 / 1e-4) ** (1 / 119))


def test_range_test_refuses_bad_ranges():
    with pytest.raises(ValueError):
        range_test(LINE, lr_min=1.0, lr_max=0.1)
