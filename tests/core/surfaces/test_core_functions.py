"""Loss surfaces: derivatives against finite differences, minima, and the float/array twins."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrdesk.core.functions import make_function
from lrdesk.core.surfaces import FUNCTIONS, InvalidFunction, LossFunction
from lrdesk.core.theory.hessian import lr_range

KEYS = sorted(FUNCTIONS)
#: non-default parameters, so that every constant of a formula is exercised
VARIANTS = {
    "quadratic": {"a": 3.7},
    "double_well": {"t": -0.8},
    "bumpy": {"h": 2.5, "f": 4.2},
    "bowl": {"a": 0.3},
    "ill_conditioned": {"condition": 40.0, "curvature": 0.7, "angle": 33.0},
    "rosenbrock": {"a": -1.3, "b": 30.0},
    "rastrigin": {"A": 4.0},
}


def _function_list():
    for key in KEYS:
        yield pytest.param(make_function(key), id=key)
        if key in VARIANTS:
            yield pytest.param(make_function(key, VARIANTS[key]), id=f"{key}-variant")


FUNCTION_CASES = list(_function_list())


def _points(function: LossFunction, count: int = 12, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    box = np.array(function.view_box())
    P = rng.uniform(box[:, 0], box[:, 1], size=(count, function.dim))
    return np.asfortranarray(P)


def _central_difference(fn, P: np.ndarray, h: float) -> np.ndarray:
    """d fn / d p_i by central differences, one column per coordinate."""
    columns = []
    for i in range(P.shape[1]):
        step = np.zeros_like(P)
        step[:, i] = h
        columns.append((fn(np.asfortranarray(P + step)) - fn(np.asfortranarray(P - step))) / (2 * h))
    return np.stack(columns, axis=-1)


@pytest.mark.parametrize("function", FUNCTION_CASES)
def test_gradient_matches_finite_differences(function):
    P = _points(function)
    numeric = _central_difference(function.value, P, 1e-6)
    analytic = function.gradient(P)
    scale = np.maximum(1.0, np.abs(analytic))
    assert np.all(np.abs(numeric - analytic) <= 1e-5 * scale)


@pytest.mark.parametrize("function", FUNCTION_CASES)
def test_hessian_matches_finite_differences_of_the_gradient(function):
    P = _points(function)
    numeric = _central_difference(function.gradient, P, 1e-6)  # (K, dim_out, dim_in)
    analytic = function.hessian(P)
    assert analytic.shape == (len(P), function.dim, function.dim)
    assert np.allclose(analytic, analytic.transpose(0, 2, 1))
    scale = np.maximum(1.0, np.abs(analytic))
    assert np.all(np.abs(numeric - analytic) <= 1e-5 * scale)


@pytest.mark.parametrize("function", FUNCTION_CASES)
def test_every_listed_minimum_is_a_true_minimum(function):
    minima = function.minima()
    assert len(minima) >= 1
    G = function.gradient(np.asfortranarray(minima))
    assert np.all(np.linalg.norm(G, axis=1) < 1e-7)
    eig = np.linalg.eigvalsh(function.hessian(np.asfortranarray(minima)))
    assert np.all(eig > 0), "a listed minimum must curve up in every direction"
    # and no nearby point is lower (a check that does not trust the Hessian)
    rng = np.random.default_rng(3)
    for m in minima:
        around = m + rng.normal(scale=1e-3, size=(64, function.dim))
        assert np.all(function.value(np.asfortranarray(around)) >= function.value(m[None, :])[0])


@pytest.mark.parametrize("function", FUNCTION_CASES)
def test_global_minimum_comes_first(function):
    values = function.value(np.asfortranarray(function.minima()))
    assert values[0] == pytest.approx(values.min(), abs=1e-12)
    assert function.min_value() == pytest.approx(values.min(), abs=1e-12)


@pytest.mark.parametrize("function", FUNCTION_CASES)
def test_array_methods_agree_bit_for_bit(function):
    P = _points(function, count=50)
    L, G = function.value_and_gradient(P)
    assert np.array_equal(L, function.value(P))
    assert np.array_equal(G, function.gradient(P))
    loss_out, grad_out = np.empty(len(P)), np.empty(P.shape, order="F")
    function.value_and_gradient_into(P, loss_out, grad_out)
    assert np.array_equal(loss_out, L)
    assert np.array_equal(grad_out, G)


@pytest.mark.parametrize("function", FUNCTION_CASES)
def test_float_formula_is_the_array_formula(function):
    """A single run is stepped on floats: it must give exactly the numbers a batch gets."""
    scalar = function.scalar_value_and_gradient()
    if scalar is None:
        pytest.skip("math and NumPy trigonometry differ on this machine")
    P = _points(function, count=200, seed=11)
    L, G = function.value_and_gradient(P)
    for k, point in enumerate(P.tolist()):
        value, *gradient = scalar(*point)
        assert isinstance(value, float)
        assert value == L[k]
        assert gradient == G[k].tolist()


def test_trigonometric_surfaces_use_floats_where_math_matches_numpy():
    x = np.linspace(-30, 30, 1001)
    same = np.array_equal(np.cos(x), [math.cos(v) for v in x]) and np.array_equal(
        np.sin(x), [math.sin(v) for v in x]
    )
    if same:
        assert make_function("rastrigin").scalar_value_and_gradient() is not None


def test_view_boxes_defaults_and_ranges_are_sensible():
    for key in KEYS:
        f = make_function(key)
        box = f.view_box()
        assert len(box) == f.dim and all(lo < hi for lo, hi in box)
        start = f.default_start()
        assert len(start) == f.dim
        assert all(lo <= s <= hi for s, (lo, hi) in zip(start, box, strict=True))
        low, high = lr_range(f)
        assert 0 < low < high
        assert f.title and f.formula and f.description


def test_quadratic_surfaces_have_constant_hessians():
    for key in KEYS:
        f = make_function(key)
        if f.is_quadratic:
            H = f.hessian(_points(f))
            assert np.allclose(H, H[:1])


@pytest.mark.parametrize(
    ("key", "params", "words"),
    [
        ("nope", {}, "unknown function 'nope'"),
        ("quadratic", {"b": 1.0}, "no parameter 'b'"),
        ("quadratic", {"a": 0.0}, "between"),
        ("quadratic", {"a": float("nan")}, "between"),
        ("rosenbrock", {"b": float("inf")}, "between"),
        ("bowl", {"a": 1e9}, "between"),
    ],
)
def test_bad_function_choices_are_refused_in_words(key, params, words):
    with pytest.raises(InvalidFunction, match=words):
        make_function(key, params)


def test_shared_constants_select_themselves():
    f = make_function("rosenbrock")
    assert f.for_runs(np.array([0, 2])) is f
