"""Per-run schedules and the noise floor: a run with its own schedule trains exactly as an
experiment with that schedule would, and a constant rate's floor sits above a decayed run's end."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from lrdesk.core.models.noise import epochs_of, noise_floor
from lrdesk.core.models.presets import DECAYING, MINIBATCH_NOISE
from lrdesk.core.models.spec import (
    DataSpec,
    ModelExperiment,
    ModelRunSpec,
    ModelSpec,
    dumps_model,
    loads_model,
)
from lrdesk.core.models.theory import linear_theory
from lrdesk.core.models.training import Trainer
from lrdesk.core.optim.schedules import ScheduleSpec


def _small(runs, schedule=None):
    return ModelExperiment(DataSpec("plane", points=120), ModelSpec("linear", ()), tuple(runs),
                           schedule=schedule or ScheduleSpec(), steps=None, epochs=3)


def test_a_run_with_its_own_schedule_trains_as_an_experiment_with_that_schedule():
    own = Trainer(_small([ModelRunSpec(0.1, batch_size=8),
                          ModelRunSpec(0.1, batch_size=8, schedule=DECAYING)])).run_to_end()
    constant = Trainer(_small([ModelRunSpec(0.1, batch_size=8)])).run_to_end()
    decayed = Trainer(_small([ModelRunSpec(0.1, batch_size=8)], DECAYING)).run_to_end()
    np.testing.assert_array_equal(own.train_loss[:, 0], constant.train_loss[:, 0])
    np.testing.assert_array_equal(own.train_loss[:, 1], decayed.train_loss[:, 0])
    assert not np.array_equal(own.train_loss[:, 0], own.train_loss[:, 1])
    assert sorted(len(g.members) for g in own.groups) == [1, 1]


def test_a_run_schedule_survives_the_file_and_bad_ones_are_named():
    spec = _small([ModelRunSpec(0.1, batch_size=8, schedule=DECAYING), ModelRunSpec(0.2)])
    back = loads_model(dumps_model(spec))
    assert back == spec and back.runs[1].schedule is None
    text = dumps_model(spec).replace('"inverse_time"', '"sideways"', 1)
    with pytest.raises(ValueError, match=r"runs\[1\]\.schedule\.name: unknown schedule"):
        loads_model(text)


def test_noise_floor_is_the_mean_of_the_settled_half():
    rows = [(0, 4.0), (10, 2.0), (20, 1.0), (30, 3.0)]
    floor = noise_floor([(s, v, None, None, None) for s, v in rows])
    assert floor.floor == pytest.approx(2.0) and floor.final == 3.0
    assert floor.from_step == 20 and floor.evaluations == 2
    assert noise_floor([]) is None
    np.testing.assert_allclose(epochs_of([0, 50, 100], 50), [0, 1, 2])


def test_a_constant_rate_leaves_a_floor_a_decaying_rate_removes():
    trainer = Trainer(MINIBATCH_NOISE).run_to_end()
    best = linear_theory(trainer.data).optimum_loss
    floors = [noise_floor(trainer.evaluations[k]) for k in range(trainer.K)]
    batch1, batch8, batch64, _full, batch1_decayed = floors
    # the smaller the batch, the higher the floor above the least-squares loss
    assert batch1.floor > batch8.floor > batch64.floor > best
    assert batch1.floor > 1.2 * best
    # the decayed run ends lower than the constant one ever settles, close to the optimum
    assert batch1_decayed.final < batch1.floor
    assert batch1_decayed.final < 1.01 * best
    assert replace(MINIBATCH_NOISE.runs[4], schedule=None) == MINIBATCH_NOISE.runs[0]
