"""The exact (w, b) bowl of a fitted line: its closed form against the rows and the network."""

from __future__ import annotations

import numpy as np
import pytest

from lrdesk.core.models.bowl import LineBowl, bowl_region
from lrdesk.core.models.datasets import make_dataset
from lrdesk.core.models.networks import Network
from lrdesk.core.models.theory import linear_hessian, linear_theory


def test_the_closed_form_is_the_mean_squared_error_of_every_line():
    d = make_dataset("line", noise=0.7, seed=3)
    bowl = LineBowl.from_rows(d.X_train, d.y_train)
    rng = np.random.default_rng(0)
    W, B = rng.uniform(-5, 5, 50), rng.uniform(-5, 5, 50)
    x, y = d.X_train[:, 0], d.y_train
    direct = [np.mean((w * x + b - y) ** 2) for w, b in zip(W, B, strict=True)]
    np.testing.assert_allclose(bowl.values(W, B), direct, rtol=1e-12)
    net = Network((1, 1), "mse")
    np.testing.assert_allclose(bowl.values(W, B), net.loss(np.column_stack([W, B]), d.X_train, y),
                               rtol=1e-12)
    grid = bowl.grid(np.array([0.0, 1.0, 2.0]), np.array([-1.0, 0.5]))
    assert grid.shape == (3, 2)
    assert grid[2, 0] == pytest.approx(np.mean((2 * x - 1 - y) ** 2), rel=1e-12)


def test_optimum_and_rates_are_least_squares_and_the_hessian_eigenvalues():
    d = make_dataset("line", seed=1)
    bowl = LineBowl.from_rows(d.X_train, d.y_train)
    theory = linear_theory(d)
    np.testing.assert_allclose(bowl.optimum, theory.optimum, rtol=1e-10)
    low, high = np.linalg.eigvalsh(linear_hessian(d.X_train))
    limit, fastest = bowl.rates()
    assert limit == pytest.approx(2 / high, rel=1e-12)
    assert fastest == pytest.approx(2 / (low + high), rel=1e-12)
    with pytest.raises(ValueError, match="one feature"):
        LineBowl.from_rows(np.ones((4, 2)), np.ones(4))


def test_region_holds_the_optimum_and_the_start():
    d = make_dataset("line")
    bowl = LineBowl.from_rows(d.X_train, d.y_train)
    (w0, w1), (b0, b1) = bowl_region(bowl, [-3.0, 4.0])
    assert w0 < -3.0 < w1 and b0 < 4.0 < b1
    w_opt, b_opt = bowl.optimum
    assert (w0 + w1) / 2 == pytest.approx(w_opt) and (b0 + b1) / 2 == pytest.approx(b_opt)
    (w0, w1), _ = bowl_region(bowl, [np.nan, 0.0])  # a start that is not a number: a unit box
    assert w1 - w0 == pytest.approx(2.4)
