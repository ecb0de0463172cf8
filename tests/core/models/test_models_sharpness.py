"""Sharpness from Hessian-vector products and Lanczos, against full Hessians; the edge of stability."""

from __future__ import annotations

import numpy as np
import pytest

from lrdesk.core.models.networks import Network
from lrdesk.core.models.presets import EDGE_OF_STABILITY
from lrdesk.core.models.sharpness import (
    finite_difference_hvp,
    full_hessian,
    hessian_vector_products,
    stability_threshold,
    top_eigenvalues,
)
from lrdesk.core.models.spec import ModelRunSpec
from lrdesk.core.models.theory import linear_hessian
from lrdesk.core.models.training import Trainer

RNG = np.random.default_rng(11)


def _numeric_hessian(net, theta, X, y, eps=1e-4):
    """Second differences of the loss itself (no gradient code involved)."""
    dim = len(theta)
    H = np.zeros((dim, dim))
    f = lambda t: net.loss(t[None], X, y)[0]  # noqa: E731
    for i in range(dim):
        for j in range(i, dim):
            e_i, e_j = np.eye(dim)[i] * eps, np.eye(dim)[j] * eps
            H[i, j] = H[j, i] = (f(theta + e_i + e_j) - f(theta + e_i - e_j)
                                 - f(theta - e_i + e_j) + f(theta - e_i - e_j)) / (4 * eps**2)
    return H


def test_linear_regression_sharpness_is_exact():
    X = RNG.normal(size=(40, 3)) * [1, 3, 10]
    y = RNG.normal(size=40)
    net = Network((3, 1), "mse")
    P = RNG.normal(size=(2, net.dim))
    H = linear_hessian(X)
    np.testing.assert_allclose(full_hessian(net, P[0], X, y), H, rtol=1e-7, atol=1e-9)
    eig = np.linalg.eigvalsh(H)
    np.testing.assert_allclose(top_eigenvalues(net, P, X, y), [eig[-1]] * 2, rtol=1e-8)
    np.testing.assert_allclose(top_eigenvalues(net, P, X, y, which="lowest"), [eig[0]] * 2,
                               rtol=1e-6)


def test_logistic_hessian_closed_form():
    X = RNG.normal(size=(30, 2))
    y = (RNG.random(30) > 0.5).astype(float)
    theta = RNG.normal(size=3)
    Xt = np.column_stack([X, np.ones(30)])
    p = 1 / (1 + np.exp(-Xt @ theta))
    H = Xt.T @ (Xt * (p * (1 - p))[:, None]) / 30
    np.testing.assert_allclose(full_hessian(Network((2, 1), "bce"), theta, X, y), H,
                               rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("net", [Network((2, 4, 1), "mse", "tanh"),
                                 Network((2, 3, 3, 3), "cross_entropy", "tanh"),
                                 Network((2, 5, 1), "bce", "tanh")], ids=["mse", "ce", "bce"])
def test_lanczos_matches_the_full_hessian_of_small_networks(net):
    X = RNG.normal(size=(25, 2))
    y = (RNG.integers(0, net.widths[-1] if net.widths[-1] > 1 else 2, 25)).astype(float)
    P = RNG.normal(size=(3, net.dim))
    for k in range(3):
        H = _numeric_hessian(net, P[k], X, y)
        np.testing.assert_allclose(full_hessian(net, P[k], X, y), H, rtol=1e-4, atol=1e-5)
        eig = np.linalg.eigvalsh(full_hessian(net, P[k], X, y))
        assert top_eigenvalues(net, P[k:k + 1], X, y)[0] == pytest.approx(eig[-1], rel=1e-6)
        assert top_eigenvalues(net, P[k:k + 1], X, y, which="lowest")[0] == pytest.approx(
            eig[0], rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("net", [Network((2, 3, 1), "mse", "tanh"),
                                 Network((2, 4, 3, 1), "bce", "tanh"),
                                 Network((2, 5, 3), "cross_entropy", "relu"),
                                 Network((3, 4), "cross_entropy")], ids=str)
def test_exact_hessian_vector_products_match_differences_of_gradients(net):
    X = RNG.normal(size=(10, net.widths[0]))
    y = RNG.integers(0, max(2, net.widths[-1]), 10).astype(float)
    if net.loss_kind == "mse":
        y = RNG.normal(size=10)
    P, V = RNG.normal(size=(4, net.dim)), RNG.normal(size=(4, net.dim))
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    HV = hessian_vector_products(net, P, V, X, y)
    np.testing.assert_allclose(HV, finite_difference_hvp(net, P, V, X, y), rtol=1e-6, atol=1e-8)
    for k in range(4):  # batched over runs: each run's product is its own
        np.testing.assert_allclose(HV[k], hessian_vector_products(net, P[k:k + 1], V[k:k + 1],
                                                                  X, y)[0], rtol=1e-12)


def test_thresholds():
    assert stability_threshold(0.1) == pytest.approx(20.0)
    assert stability_threshold(0.1, 0.9) == pytest.approx(38.0)


def test_edge_of_stability_preset_rises_to_two_over_eta_and_hovers():
    spec = EDGE_OF_STABILITY.with_runs([ModelRunSpec(0.15)])
    from dataclasses import replace

    trainer = Trainer(replace(spec, steps=1200, sharpness_every=50)).run_to_end()
    steps, values = np.array(trainer.sharpness[0]).T
    limit = 2 / 0.15
    assert values[0] < 0.7 * limit  # starts well below the line
    later = values[steps >= 400]
    assert later.max() >= 0.9 * limit  # rises to it
    assert np.all(later <= 1.15 * limit) and np.all(later >= 0.7 * limit)  # and hovers
    loss = trainer.train_loss[:, 0]
    assert loss[-1] < loss[400] < loss[0]  # while the loss keeps falling
