"""Loss landscapes: the exact (w, b) surface, filter-normalised and PCA planes, chunks, cancel."""

from __future__ import annotations

import numpy as np
import pytest

from lrdesk.core.models.datasets import make_dataset
from lrdesk.core.models.landscape import (
    axes_plane,
    filter_normalized_direction,
    grid_around,
    loss_slice,
    pca_plane,
    random_plane,
)
from lrdesk.core.models.networks import Network
from lrdesk.core.models.spec import DataSpec, ModelExperiment, ModelRunSpec, ModelSpec
from lrdesk.core.models.training import Trainer


def test_two_parameter_model_gives_the_exact_bowl():
    d = make_dataset("line")
    net = Network((1, 1), "mse")
    plane = axes_plane([2.0, -1.0])
    alphas, betas = np.linspace(-1, 1, 7), np.linspace(-2, 2, 5)
    result = loss_slice(net, d.X_train, d.y_train, plane, alphas, betas, chunk_points=10)
    x, y = d.X_train[:, 0], d.y_train
    for i, b in enumerate(betas):
        for j, a in enumerate(alphas):
            r = (2.0 + a) * x + (-1.0 + b) - y
            assert result.losses[i, j] == pytest.approx(np.mean(r * r), rel=1e-12)
    assert result.complete


def test_filter_normalised_directions_match_each_units_norm():
    net = Network((2, 5, 3, 1), "mse", "tanh")
    theta = np.random.default_rng(0).normal(size=net.dim)
    d = filter_normalized_direction(net, theta, np.random.default_rng(1))
    for (a, b, c), (i, o) in zip(net.offsets(), net.shapes, strict=True):
        np.testing.assert_allclose(np.linalg.norm(d[a:b].reshape(i, o), axis=0),
                                   np.linalg.norm(theta[a:b].reshape(i, o), axis=0), rtol=1e-12)
        assert np.all(d[b:c] == 0)
    plane = random_plane(net, theta, seed=3)
    assert not np.allclose(plane.d1, plane.d2)


def test_pca_plane_of_a_flat_path_recovers_it():
    rng = np.random.default_rng(2)
    u, v = np.linalg.qr(rng.normal(size=(10, 2)))[0].T
    t = np.linspace(0, 1, 30)
    path = 5.0 + np.outer(3 * (1 - t), u) + np.outer(np.sin(6 * t) * (1 - t), v)
    plane = pca_plane(path)
    assert plane.d1 @ plane.d2 == pytest.approx(0, abs=1e-12)
    assert np.linalg.norm(plane.d1) == pytest.approx(1)
    assert sum(plane.explained) == pytest.approx(1, rel=1e-9) and plane.explained[0] > 0.5
    xy = plane.project(path)
    rebuilt = plane.center + xy[:, :1] * plane.d1 + xy[:, 1:] * plane.d2
    np.testing.assert_allclose(rebuilt, path, atol=1e-10)


def test_slice_through_a_trained_network_along_its_path():
    spec = ModelExperiment(DataSpec("xor", points=80), ModelSpec("mlp", (4,)),
                           (ModelRunSpec(0.3),), steps=60, path_points=21)
    trainer = Trainer(spec).run_to_end()
    path = np.array([p for _, p in trainer.path[0]])
    plane = pca_plane(path)
    alphas, betas = grid_around(plane, path, resolution=9)
    xy = plane.project(path)
    assert alphas[0] <= xy[:, 0].min() and alphas[-1] >= xy[:, 0].max()
    d = trainer.data
    result = loss_slice(trainer.network, d.X_train, d.y_train, plane, alphas, betas)
    centre = trainer.network.loss(trainer.final_params[0][None], d.X_train, d.y_train)[0]
    grid_centre = trainer.network.loss(plane.center[None], d.X_train, d.y_train)[0]
    assert centre == pytest.approx(grid_centre)
    assert np.all(np.isfinite(result.losses))


def test_slices_report_progress_and_can_be_cancelled():
    d = make_dataset("line")
    net = Network((1, 1), "mse")
    seen = []
    result = loss_slice(net, d.X_train, d.y_train, axes_plane([0, 0]), np.linspace(-1, 1, 10),
                        np.linspace(-1, 1, 10), progress=lambda done, total: seen.append(done),
                        cancelled=lambda: len(seen) >= 2, chunk_points=20)
    assert seen == [2, 4] and not result.complete
    assert np.all(np.isfinite(result.losses[:4])) and np.all(np.isnan(result.losses[4:]))


def test_sharpest_directions_are_the_hessians_top_eigenvectors():
    from lrdesk.core.models.landscape import hessian_plane
    from lrdesk.core.models.sharpness import full_hessian

    spec = ModelExperiment(DataSpec("circle"), ModelSpec("mlp", (6,), "tanh"),
                           (ModelRunSpec(0.3),), steps=40)
    trainer = Trainer(spec).run_to_end()
    d, net, theta = trainer.data, trainer.network, trainer.final_params[0]
    plane = hessian_plane(net, theta, d.X_train, d.y_train)
    values, vectors = np.linalg.eigh(full_hessian(net, theta, d.X_train, d.y_train))
    assert plane.curvatures == pytest.approx((values[-1], values[-2]), rel=1e-8)
    assert abs(plane.d1 @ vectors[:, -1]) == pytest.approx(1.0, abs=1e-8)
    assert abs(plane.d2 @ vectors[:, -2]) == pytest.approx(1.0, abs=1e-8)
    # the exact bowl of a line: its two directions are those of H = (2/n) X̃ᵀX̃
    line = make_dataset("line")
    bowl = hessian_plane(Network((1, 1), "mse"), np.zeros(2), line.X_train, line.y_train)
    Xt = np.column_stack([line.X_train, np.ones(line.n_train)])
    low, high = np.linalg.eigvalsh(2 / line.n_train * Xt.T @ Xt)
    assert bowl.curvatures == pytest.approx((high, low), rel=1e-10)
