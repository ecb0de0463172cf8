"""The batched trainer: the minibatch order, batched equal to alone, verdicts, chunks, theory."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrdesk.core.engine.batch import VERDICTS
from lrdesk.core.models.datasets import make_dataset
from lrdesk.core.models.networks import Network
from lrdesk.core.models.spec import DataSpec, ModelExperiment, ModelRunSpec, ModelSpec
from lrdesk.core.models.theory import linear_hessian, linear_theory
from lrdesk.core.models.training import Trainer, batch_rows, steps_per_epoch

CIRCLE = DataSpec("circle", points=120)
SMALL_NET = ModelSpec("mlp", (5,))


def _spec(runs, data=CIRCLE, model=SMALL_NET, **kw):
    kw.setdefault("steps", 60)
    return ModelExperiment(data=data, model=model, runs=tuple(runs), **kw)


def test_minibatch_order_is_the_documented_one():
    n, B, seed = 10, 4, 5
    assert steps_per_epoch(n, B) == 3 and steps_per_epoch(n, None) == 1
    for epoch in range(3):
        order = np.random.default_rng([seed, epoch]).permutation(n)
        got = [batch_rows(n, B, seed, 3 * epoch + j) for j in range(3)]
        np.testing.assert_array_equal(np.concatenate(got), order)
        assert [len(g) for g in got] == [4, 4, 2]
    assert batch_rows(n, None, seed, 7) is None and batch_rows(n, 10, seed, 7) is None


def test_minibatch_training_equals_a_hand_written_loop():
    """Plain SGD on linear regression, replayed by hand with the documented batch rule."""
    data = DataSpec("plane", points=50)
    spec = _spec([ModelRunSpec(0.05, batch_size=16, seed=9)], data, ModelSpec("linear", ()),
                 steps=None, epochs=3)
    trainer = Trainer(spec).run_to_end(chunk=5)
    d = trainer.data
    theta = trainer.initial_params[0].copy()
    Xt = np.column_stack([d.X_train, np.ones(d.n_train)])
    losses = []
    for epoch in range(3):
        order = np.random.default_rng([9, epoch]).permutation(d.n_train)
        for j in range(0, d.n_train, 16):
            rows = order[j:j + 16]
            r = Xt[rows] @ theta - d.y_train[rows]
            losses.append(r @ r / len(rows))
            theta = theta - 0.05 * (2 / len(rows)) * Xt[rows].T @ r
    assert trainer.run_steps[0] == 9  # 40 rows, batches of 16: 3 steps per epoch
    np.testing.assert_allclose(trainer.train_loss[:9, 0], losses, rtol=1e-12)
    np.testing.assert_allclose(trainer.path[0][-1][1] if trainer.path[0][-1][0] == 9
                               else trainer.final_params[0], trainer.final_params[0])


def test_batched_runs_equal_each_run_alone():
    runs = [ModelRunSpec(0.3), ModelRunSpec(0.05, "adam", seed=2),
            ModelRunSpec(0.2, "momentum", (("momentum", 0.8),), batch_size=32, seed=1),
            ModelRunSpec(0.2, "momentum", (("momentum", 0.8),), batch_size=32, seed=4),
            ModelRunSpec(0.1, "adamw", weight_decay=0.1, batch_size=50, seed=3),
            ModelRunSpec(30.0), ModelRunSpec(0.1, "rmsprop", weight_decay=0.01)]
    together = Trainer(_spec(runs, sharpness_every=20)).run_to_end(chunk=7)
    for k, run in enumerate(runs):
        alone = Trainer(_spec([run], sharpness_every=20)).run_to_end(chunk=60)
        assert alone.verdict[0] == together.verdict[k]
        assert alone.verdict_step[0] == together.verdict_step[k]
        np.testing.assert_allclose(together.train_loss[:, k], alone.train_loss[:, 0],
                                   rtol=1e-12, atol=0)
        np.testing.assert_allclose(together.final_params[k], alone.final_params[0], rtol=1e-11)
        np.testing.assert_allclose([v for _, v in together.sharpness[k]],
                                   [v for _, v in alone.sharpness[0]], rtol=1e-6)


def test_linear_regression_hessian_and_limits_against_numpy():
    d = make_dataset("housing", standardize=False)
    Xt = np.column_stack([d.X_train, np.ones(d.n_train)])
    H = 2 / d.n_train * Xt.T @ Xt
    np.testing.assert_allclose(linear_hessian(d.X_train), H, rtol=1e-14)
    eig = np.linalg.eigvalsh(H)
    theory = linear_theory(d)
    np.testing.assert_allclose(theory.eigenvalues, eig, rtol=1e-9)
    assert theory.lr_max_stable == pytest.approx(2 / eig[-1], rel=1e-12)
    assert theory.lr_optimal == pytest.approx(2 / (eig[0] + eig[-1]), rel=1e-12)
    assert theory.condition_number == pytest.approx(np.linalg.cond(H), rel=1e-6)
    assert theory.condition_number > 1e6  # the feature-scaling lesson
    best = np.linalg.lstsq(Xt, d.y_train, rcond=None)[0]
    np.testing.assert_allclose(theory.optimum, best, rtol=1e-9)
    std = linear_theory(make_dataset("housing", standardize=True))
    assert std.condition_number < 10 and std.lr_max_stable > 1e5 * theory.lr_max_stable


@pytest.mark.parametrize("standardize", [False, True])
def test_gradient_descent_converges_below_the_limit_and_diverges_above(standardize):
    data = DataSpec("housing", standardize=standardize)
    limit = linear_theory(make_dataset("housing", standardize=standardize)).lr_max_stable
    spec = _spec([ModelRunSpec(0.99 * limit), ModelRunSpec(1.01 * limit)], data,
                 ModelSpec("linear", ()), steps=3000, tolerance=0.0)
    trainer = Trainer(spec).run_to_end()
    below, above = trainer.train_loss[:, 0], trainer.train_loss[:, 1]
    start = below[0]
    # the top direction's error shrinks by 0.98 a step below the limit, grows by 1.01 above
    assert VERDICTS[trainer.verdict[0]] != "diverged" and below[-1] < start
    assert VERDICTS[trainer.verdict[1]] == "diverged"
    assert np.nanmax(above) > 10 * start
    if standardize:  # benign: 0.99 of the limit reaches the least-squares optimum
        best = linear_theory(make_dataset("housing", standardize=True)).optimum_loss
        assert below[-1] == pytest.approx(best, rel=1e-9)


def test_weight_decay_lowers_the_stable_rate():
    d = make_dataset("line")
    wd = 1.0
    plain, decayed = linear_theory(d), linear_theory(d, weight_decay=wd)
    assert decayed.lr_max_stable == pytest.approx(2 / (plain.eigenvalues[-1] + wd))
    lr = 0.5 * (plain.lr_max_stable + decayed.lr_max_stable)  # stable without, unstable with
    spec = _spec([ModelRunSpec(lr), ModelRunSpec(lr, weight_decay=wd)], DataSpec("line"),
                 ModelSpec("linear", ()), steps=4000)
    trainer = Trainer(spec).run_to_end()
    assert trainer.verdict_names() == ["converged", "diverged"]
    # the decayed optimum solves (H + λI) θ = 2/n X̃ᵀy: gradient descent without the rate issue
    spec = _spec([ModelRunSpec(0.5 * decayed.lr_max_stable, weight_decay=wd)], DataSpec("line"),
                 ModelSpec("linear", ()), steps=4000, tolerance=1e-10)
    trainer = Trainer(spec).run_to_end()
    np.testing.assert_allclose(trainer.final_params[0], decayed.optimum, rtol=1e-8)


def test_converged_run_reaches_least_squares():
    d = make_dataset("line")
    theory = linear_theory(d)
    spec = _spec([ModelRunSpec(theory.lr_optimal)], DataSpec("line"), ModelSpec("linear", ()),
                 steps=2000, tolerance=1e-9)
    trainer = Trainer(spec).run_to_end()
    assert trainer.verdict_names() == ["converged"]
    np.testing.assert_allclose(trainer.final_params[0], theory.optimum, rtol=1e-8)
    assert trainer.reason[0].startswith("the gradient and the last step fell below")


def test_verdicts_slow_oscillating_and_divergence_reason():
    runs = [ModelRunSpec(1e-4), ModelRunSpec(1e3)]
    trainer = Trainer(_spec(runs, model=ModelSpec("logistic", ()), steps=50)).run_to_end()
    assert trainer.verdict_names()[0] == "slow"
    assert trainer.verdict_names()[1] in ("oscillating", "diverged")
    nan = Trainer(_spec([ModelRunSpec(1e6)], DataSpec("line"), ModelSpec("linear", ()),
                        steps=100)).run_to_end()
    assert nan.verdict_names() == ["diverged"]
    assert f"at step {nan.verdict_step[0]}" in nan.reason[0]
    assert math.isnan(nan.train_loss[nan.verdict_step[0] + 1, 0])


def test_chunks_are_fresh_and_add_up_to_the_whole():
    spec = _spec([ModelRunSpec(0.3), ModelRunSpec(0.1, "adam")], steps=40)
    whole = Trainer(spec).run_to_end(chunk=1000)
    parts = Trainer(spec)
    chunks = list(parts.chunks(7))
    assert chunks[-1].done and not chunks[0].done
    losses = np.vstack([c.train_loss for c in chunks])
    np.testing.assert_array_equal(losses, whole.train_loss)
    chunks[0].train_loss[:] = -1.0  # the trainer never shares its arrays
    assert parts.train_loss[0, 0] != -1.0
    for k in range(2):
        assert [e for c in chunks for e in c.evaluations[k]] == whole.evaluations[k]
        assert [s for s, _ in (p for c in chunks for p in c.path[k])] == \
            [s for s, _ in whole.path[k]]
    events = [e for c in chunks for e in c.events]
    assert sorted(e[0] for e in events) == [0, 1] and all(e[2] == 40 for e in events)


def test_training_can_be_cancelled_between_chunks():
    calls = []
    trainer = Trainer(_spec([ModelRunSpec(0.1)], steps=10_000))
    trainer.run_to_end(chunk=10, cancelled=lambda: len(calls) >= 3,
                       progress=lambda done, total: calls.append(done))
    assert calls == [10, 20, 30] and not trainer.done


def test_evaluations_record_test_loss_and_accuracy_per_epoch():
    spec = _spec([ModelRunSpec(0.3, batch_size=32)], steps=None, epochs=4)
    trainer = Trainer(spec).run_to_end()
    steps = [e[0] for e in trainer.evaluations[0]]
    assert steps == [0, 3, 6, 9, 12]  # 96 rows in batches of 32: 3 steps an epoch
    net = trainer.network
    last = trainer.evaluations[0][-1]
    d = trainer.data
    assert last[3] == pytest.approx(net.loss(trainer.final_params[0][None], d.X_test, d.y_test)[0])
    assert 0 <= last[4] <= 1


def test_paths_are_bounded():
    spec = _spec([ModelRunSpec(0.01)], steps=1000, path_points=11)
    trainer = Trainer(spec).run_to_end()
    assert [s for s, _ in trainer.path[0]] == list(range(0, 1001, 100))


def test_trainer_takes_a_network_and_data_directly():
    data = make_dataset("xor", points=60)
    net = Network((2, 4, 1), "bce", "relu")
    trainer = Trainer(_spec([ModelRunSpec(0.1)], steps=5), data, net).run_to_end()
    assert trainer.network is net and trainer.train_loss.shape == (6, 1)
