"""Models: gradients against central differences and closed forms, the parameter order, init."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrdesk.core.models.networks import ModelError, Network, build_network

RNG = np.random.default_rng(7)


def _numeric_gradient(net: Network, P, X, y, eps=1e-6):
    G = np.zeros_like(P)
    for j in range(P.shape[1]):
        E = np.zeros_like(P)
        E[:, j] = eps
        G[:, j] = (net.loss(P + E, X, y) - net.loss(P - E, X, y)) / (2 * eps)
    return G


CASES = [
    (Network((3, 1), "mse"), "regression"),
    (Network((3, 1), "bce"), "binary"),
    (Network((3, 4), "cross_entropy"), "multiclass"),
    (Network((2, 5, 1), "mse", "tanh"), "regression"),
    (Network((2, 4, 3, 1), "bce", "relu"), "binary"),
    (Network((2, 3, 3, 2, 3), "cross_entropy", "tanh"), "multiclass"),
    (Network((2, 6, 1), "mse", "relu"), "binary"),
]


def _targets(task, n, classes=4, k=None):
    shape = (n,) if k is None else (k, n)
    if task == "regression":
        return RNG.normal(size=shape)
    if task == "binary":
        return (RNG.random(shape) > 0.5).astype(float)
    return RNG.integers(0, classes, shape).astype(float)


@pytest.mark.parametrize("net,task", CASES, ids=[f"{c[0].widths}-{c[0].loss_kind}-"
                                                 f"{c[0].activation}" for c in CASES])
def test_gradient_matches_central_differences(net, task):
    X = RNG.normal(size=(9, net.widths[0]))
    y = _targets(task, 9, net.widths[-1])
    P = RNG.normal(size=(3, net.dim)) * 0.7
    loss, grad = net.loss_and_gradient(P, X, y)
    assert loss.shape == (3,)
    np.testing.assert_allclose(grad, _numeric_gradient(net, P, X, y), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("net,task", CASES[3:5], ids=["tanh", "relu"])
def test_rows_given_per_run_equal_each_run_with_its_own_rows(net, task):
    K = 3
    X = RNG.normal(size=(K, 8, net.widths[0]))
    y = _targets(task, 8, k=K)
    P = RNG.normal(size=(K, net.dim))
    loss, grad = net.loss_and_gradient(P, X, y)
    for k in range(K):
        lk, gk = net.loss_and_gradient(P[k:k + 1], X[k], y[k])
        np.testing.assert_allclose(loss[k], lk[0], rtol=1e-13)
        np.testing.assert_allclose(grad[k], gk[0], rtol=1e-12, atol=1e-15)


def test_linear_regression_closed_form():
    X = RNG.normal(size=(20, 3))
    y = RNG.normal(size=20)
    theta = RNG.normal(size=4)
    Xt = np.column_stack([X, np.ones(20)])
    loss, grad = Network((3, 1), "mse").loss_and_gradient(theta[None], X, y)
    r = Xt @ theta - y
    assert loss[0] == pytest.approx(r @ r / 20, rel=1e-13)
    np.testing.assert_allclose(grad[0], 2 / 20 * Xt.T @ r, rtol=1e-12)


def test_logistic_regression_closed_form():
    X = RNG.normal(size=(30, 2))
    y = (RNG.random(30) > 0.4).astype(float)
    theta = RNG.normal(size=3) * 3
    Xt = np.column_stack([X, np.ones(30)])
    z = Xt @ theta
    p = 1 / (1 + np.exp(-z))
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    loss, grad = Network((2, 1), "bce").loss_and_gradient(theta[None], X, y)
    assert loss[0] == pytest.approx(expected, rel=1e-10)  # the naive log(1 − p) loses digits
    np.testing.assert_allclose(grad[0], Xt.T @ (p - y) / 30, rtol=1e-11)


def test_softmax_regression_closed_form():
    X = RNG.normal(size=(25, 2))
    y = RNG.integers(0, 3, 25)
    W, b = RNG.normal(size=(2, 3)), RNG.normal(size=3)
    theta = np.concatenate([W.ravel(), b])  # W row by row, then b
    Z = X @ W + b
    S = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    Y = np.eye(3)[y]
    expected = -np.mean(np.log(S[np.arange(25), y]))
    loss, grad = Network((2, 3), "cross_entropy").loss_and_gradient(theta[None], X, y)
    assert loss[0] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(grad[0, :6].reshape(2, 3), X.T @ (S - Y) / 25, rtol=1e-11)
    np.testing.assert_allclose(grad[0, 6:], (S - Y).mean(axis=0), rtol=1e-11, atol=1e-15)


def test_bce_stays_finite_for_huge_logits():
    net = Network((1, 1), "bce")
    loss, grad = net.loss_and_gradient(np.array([[1e4, 0.0]]), np.array([[1.0], [-1.0]]),
                                       np.array([0.0, 1.0]))
    assert loss[0] == pytest.approx(1e4)
    assert np.all(np.isfinite(grad))


def test_parameter_order_is_weights_row_by_row_then_bias():
    net = Network((2, 3, 1), "mse", "tanh")
    theta = np.arange(net.dim, dtype=float) / 10
    W1 = theta[:6].reshape(2, 3)
    b1 = theta[6:9]
    W2 = theta[9:12].reshape(3, 1)
    b2 = theta[12:]
    X = RNG.normal(size=(5, 2))
    expected = np.tanh(X @ W1 + b1) @ W2 + b2
    np.testing.assert_allclose(net.predictions(theta[None], X)[0], expected[:, 0], rtol=1e-14)
    assert net.parameter_names()[:7] == ["W1[0,0]", "W1[0,1]", "W1[0,2]", "W1[1,0]", "W1[1,1]",
                                         "W1[1,2]", "b1[0]"]


def test_initialisations_follow_their_rules():
    net = Network((16, 64, 1), "mse")
    torch_like = net.initial_parameters(3, "torch")
    W1, b1 = torch_like[:1024], torch_like[1024:1088]
    assert np.abs(W1).max() <= 1 / math.sqrt(16) and np.abs(b1).max() <= 1 / math.sqrt(16)
    assert W1.std() == pytest.approx(1 / math.sqrt(16) / math.sqrt(3), rel=0.1)
    normal = net.initial_parameters(3, "normal")
    assert normal[:1024].std() == pytest.approx(0.25, rel=0.1)
    assert np.all(normal[1024:1088] == 0)
    playground = net.initial_parameters(3, "playground")
    assert np.abs(playground[:1024]).max() <= 0.5 and np.all(playground[1024:1088] == 0.1)
    assert np.array_equal(net.initial_parameters(3), net.initial_parameters(3))
    assert not np.array_equal(net.initial_parameters(3), net.initial_parameters(4))


def test_models_refuse_data_they_cannot_fit():
    with pytest.raises(ModelError, match="regression dataset"):
        build_network("linear", 2, "binary", 2)
    with pytest.raises(ModelError, match="two classes"):
        build_network("logistic", 2, "multiclass", 3)
    with pytest.raises(ModelError, match="hidden layer"):
        build_network("mlp", 2, "binary", 2)
    with pytest.raises(ModelError, match="1 to 64"):
        build_network("mlp", 2, "binary", 2, (65,))
    assert build_network("mlp", 2, "binary", 2, (4,), loss="mse").widths == (2, 4, 1)
