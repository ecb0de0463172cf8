"""Feature scaling on the housing data: the condition number and rates, raw and standardised."""

from __future__ import annotations

import numpy as np
import pytest

from lrdesk.core.models.datasets import make_dataset
from lrdesk.core.models.scaling import compare_scaling, quadratic_loss


def closed_form_eigenvalues(standardize: bool) -> np.ndarray:
    d = make_dataset("housing", standardize=standardize)
    Xt = np.column_stack([d.X_train, np.ones(d.n_train)])
    return np.linalg.eigvalsh(2.0 / d.n_train * Xt.T @ Xt)


def test_condition_numbers_and_rates_are_those_of_the_closed_form_hessian():
    raw, standard = compare_scaling()
    for side, flag in ((raw, False), (standard, True)):
        eig = closed_form_eigenvalues(flag)
        assert side.condition_number == pytest.approx(eig[-1] / eig[0], rel=1e-9)
        assert side.theory.lr_max_stable == pytest.approx(2 / eig[-1], rel=1e-12)
        assert side.theory.lr_optimal == pytest.approx(2 / (eig[0] + eig[-1]), rel=1e-12)
    assert raw.condition_number > 1e6 and standard.condition_number < 2
    # the same gradient descent gets nowhere raw and to the best fit standardised
    assert raw.path_loss[-1] > 100 * raw.theory.optimum_loss
    assert standard.path_loss[-1] == pytest.approx(standard.theory.optimum_loss, rel=1e-6)


def test_the_pictures_loss_is_the_mean_squared_error_with_the_best_intercept():
    d = make_dataset("housing", standardize=True)
    _, side = compare_scaling()
    b = side.theory.optimum[2]
    for i, j in ((0, 0), (50, 50), (100, 7)):
        r = side.ws[i] * d.X_train[:, 0] + side.vs[j] * d.X_train[:, 1] + b - d.y_train
        assert side.losses[i, j] == pytest.approx(np.mean(r * r), rel=1e-9)
    thetas = np.random.default_rng(0).normal(size=(5, 3))
    direct = [np.mean((d.X_train @ t[:2] + t[2] - d.y_train) ** 2) for t in thetas]
    np.testing.assert_allclose(quadratic_loss(d.X_train, d.y_train, thetas), direct, rtol=1e-9)
