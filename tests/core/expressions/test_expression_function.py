"""Typed functions behave like built-in ones: derivatives, minima, theory, runs, files."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from lrdesk.core.engine.batch import VERDICTS
from lrdesk.core.experiment.simulation import run_experiment
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec, SpecError, dumps, loads
from lrdesk.core.expressions.custom import (
    CustomFunction,
    ExpressionError,
    build_custom_function,
    compile_expression,
    is_compiled,
)
from lrdesk.core.functions import make_function
from lrdesk.core.surfaces import InvalidFunction
from lrdesk.core.theory.hessian import local_theory

# The built-in surfaces, typed in (with their default constants).
TYPED_BUILT_INS = [
    ("quadratic", {}, "w^2"),
    ("quadratic", {"a": 3.5}, "3.5*w^2"),
    ("double_well", {}, "(w^2 - 1)^2 + 0.3*w"),
    ("bumpy", {}, "w^2/2 + 1*(1 - cos(3*w))"),
    ("bowl", {}, "x^2 + y^2"),
    ("ill_conditioned", {"condition": 10.0, "curvature": 2.0}, "10*x^2 + y^2"),
    ("rosenbrock", {}, "(1 - x)^2 + 100*(y - x^2)^2"),
    ("beale", {}, "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2"),
    ("himmelblau", {}, "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"),
    ("saddle", {}, "x^2 + y^4/4 - y^2/2"),
    ("rastrigin", {}, "20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)"),
    ("six_hump_camel", {}, "(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (4*y^2 - 4)*y^2"),
]
IDS = [f"{key}-{text}" for key, _, text in TYPED_BUILT_INS]


def points(dim: int, count: int = 50, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.asfortranarray(rng.uniform(-2.5, 2.5, size=(count, dim)))


# ------------------------------------------------------------------------------------------
# Derivatives
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("key", "params", "text"), TYPED_BUILT_INS, ids=IDS)
def test_typed_functions_match_the_built_in_ones(key, params, text):
    built_in = make_function(key, params)
    typed = make_function("custom", {}, text)
    assert typed.dim == built_in.dim
    P = points(typed.dim)
    scale = 1.0 + np.abs(built_in.value(P))[:, None]
    np.testing.assert_allclose(typed.value(P), built_in.value(P), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(typed.gradient(P), built_in.gradient(P), rtol=1e-11, atol=1e-11 * scale.max())
    np.testing.assert_allclose(typed.hessian(P), built_in.hessian(P), rtol=1e-10, atol=1e-10 * scale.max())


FORMULAS = [
    "x^2 + 10*y^2",
    "sin(3*w) + w^2/4",
    "exp(-x^2 - y^2) * cos(x*y) + atan(x - y)",
    "sqrt(1 + x^2 + y^2) + log(2 + sin(x)) * tanh(y)",
    "w^3/3 - w + cosh(w/3) - sinh(w/4) + tan(w/3)",
    "x^y^2 + 2^x",  # evaluated where x > 0 only, see below
    "(x*y - 1)^2 / (1 + x^2)",
    "abs(x - 0.3) * y^2 + e^(x/5) * pi",
]


def central_gradient(function, P, h=1e-6):
    G = np.empty_like(P)
    for i in range(P.shape[1]):
        step = np.zeros(P.shape[1])
        step[i] = h
        G[:, i] = (function.value(P + step) - function.value(P - step)) / (2 * h)
    return G


def central_hessian(function, P, h=1e-5):
    H = np.empty((P.shape[0], P.shape[1], P.shape[1]))
    for i in range(P.shape[1]):
        step = np.zeros(P.shape[1])
        step[i] = h
        H[:, :, i] = (function.gradient(P + step) - function.gradient(P - step)) / (2 * h)
    return H


@pytest.mark.parametrize("text", FORMULAS)
def test_slopes_and_curvatures_agree_with_finite_differences(text):
    function = build_custom_function(text, {})
    P = np.abs(points(function.dim, seed=7)) + 0.05  # where every formula above is defined
    G = function.gradient(P)
    H = function.hessian(P)
    np.testing.assert_allclose(G, central_gradient(function, P), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(H, central_hessian(function, P), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(H, np.swapaxes(H, 1, 2), rtol=1e-12, atol=1e-12)


def test_constant_parts_broadcast_to_every_run():
    function = build_custom_function("x^0 * 3 + y - y", {})
    P = points(2, count=5)
    L, G = function.value_and_gradient(P)
    np.testing.assert_array_equal(L, np.full(5, 3.0))
    np.testing.assert_array_equal(G, np.zeros((5, 2)))
    np.testing.assert_array_equal(function.hessian(P), np.zeros((5, 2, 2)))
    assert G.flags.f_contiguous


def test_the_slope_of_abs_is_its_sign_and_its_kink_has_no_curvature():
    function = build_custom_function("abs(w)", {})
    P = np.array([[-2.0], [0.0], [3.0]])
    np.testing.assert_array_equal(function.gradient(P)[:, 0], [-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(function.hessian(P)[:, 0, 0], [0.0, 0.0, 0.0])


def test_undefined_points_give_nan_or_infinity_without_warnings():
    function = build_custom_function("log(w) + 1/w", {})
    P = np.array([[-1.0], [0.0], [1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        L, G = function.value_and_gradient(P)
        H = function.hessian(P)
    assert math.isnan(L[0]) and not math.isfinite(L[1]) and L[2] == 1.0
    assert not np.isfinite(G[1, 0]) and np.isfinite(G[2, 0]) and np.isfinite(H[2, 0, 0])


# ------------------------------------------------------------------------------------------
# What is known about a typed function
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("double_well", "(w^2 - 1)^2 + 0.3*w"),
        ("rosenbrock", "(1 - x)^2 + 100*(y - x^2)^2"),
        ("himmelblau", "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"),
        ("six_hump_camel", "(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (4*y^2 - 4)*y^2"),
        ("saddle", "x^2 + y^4/4 - y^2/2"),
    ],
)
def test_minima_are_found_numerically(key, text):
    built_in = make_function(key).minima()
    found = build_custom_function(text, {}).minima()
    assert len(found) == len(built_in)
    for m in built_in:
        assert np.min(np.max(np.abs(found - m), axis=1)) < 1e-6
    assert make_function("custom", {}, text).min_value() == pytest.approx(
        make_function(key).min_value(), abs=1e-9
    )


def test_minima_come_deepest_first_and_saddles_are_not_minima():
    function = build_custom_function("w^4 - 3*w^2 + w", {})
    minima = function.minima()
    values = function.value(minima)
    assert len(minima) == 2 and values[0] < values[1]
    assert len(build_custom_function("x*y", {}).minima()) == 0
    assert len(build_custom_function("x^2 - y^2", {}).minima()) == 0
    np.testing.assert_array_equal(build_custom_function("abs(x) + abs(y - 1)", {}).minima(), [[0.0, 1.0]])


def test_theory_uses_the_curvature_at_the_minimum_found():
    typed = make_function("custom", {}, "10*x^2 + y^2")
    built_in = make_function("ill_conditioned", {"condition": 10.0, "curvature": 2.0})
    a, b = local_theory(typed, (-4.0, 3.0)), local_theory(built_in, (-4.0, 3.0))
    assert typed.is_quadratic and a.exact
    assert a.lr_max_stable == pytest.approx(b.lr_max_stable, rel=1e-12)
    assert a.lr_optimal == pytest.approx(b.lr_optimal, rel=1e-12)
    banana = local_theory(make_function("custom", {}, "(1 - x)^2 + 100*(y - x^2)^2"), (-1.5, 2.0))
    assert not banana.exact
    assert banana.eigenvalues == pytest.approx(local_theory(make_function("rosenbrock"), (-1.5, 2.0)).eigenvalues)
    cone = local_theory(make_function("custom", {}, "sqrt(x^2 + y^2)"), (1.0, 1.0))
    assert cone.lr_max_stable is None  # the tip of a cone has no curvature to speak of


def test_view_box_start_and_description():
    function = build_custom_function("(x - 8)^2 + y^2", {})
    (x_lo, x_hi), (y_lo, y_hi) = function.view_box()
    assert x_lo <= 8.0 - 1 and x_hi >= 8.0 + 1 and (y_lo, y_hi) == (-5.0, 5.0)
    assert function.key == "custom" and function.title == "Your function"
    assert function.describe() == "L(x, y) = (x − 8)² + y²"
    undefined_right = build_custom_function("log(-w)", {})
    assert undefined_right.default_start()[0] < 0
    assert math.isfinite(undefined_right.value(np.array([undefined_right.default_start()]))[0])


def test_formulas_show_slope_curvature_and_update_rule():
    formulas = build_custom_function("x^2 + 10*y^2", {}).formulas()
    assert formulas["L"] == "L(x, y) = x² + 10·y²"
    assert formulas["dL/dx"] == "∂L/∂x = 2·x"
    assert formulas["dL/dy"] == "∂L/∂y = 20·y"
    assert formulas["d2L/dxdy"] == "∂²L/∂x∂y = 0"
    assert formulas["update"] == "x ← x − α·2·x\ny ← y − α·20·y"
    curve = build_custom_function("w^4 - 3*w^2 + w", {}).formulas()
    assert curve["dL/dw"] == "dL/dw = 4·w³ − 6·w + 1"
    assert curve["d2L/dw2"] == "d²L/dw² = 12·w² − 6"
    assert curve["update"] == "w ← w − α·(4·w³ − 6·w + 1)"


def test_the_same_text_is_compiled_once():
    first = compile_expression("x^2 + 3*y^2")
    assert compile_expression("x**2 + 3*y^2") is first
    assert compile_expression("  x^2+3*y^2") is first
    assert is_compiled("x ^ 2 + 3 * y ^ 2") and not is_compiled("x^2 + 3*y^2 + 1e-3")
    assert build_custom_function("x^2 + 3*y^2", {}).expression == "x^2 + 3*y^2"


def test_typed_functions_take_no_constants():
    with pytest.raises(InvalidFunction, match="no parameter 'a'"):
        make_function("custom", {"a": 1.0}, "x^2")
    with pytest.raises(ExpressionError, match="undefined everywhere"):
        make_function("custom", {}, "1/(x - x)")


# ------------------------------------------------------------------------------------------
# Whole runs
# ------------------------------------------------------------------------------------------
def run(key, params, expression, start, rates, optimizer="sgd", steps=400):
    spec = ExperimentSpec(
        function=key, function_params=tuple(sorted(params.items())), expression=expression,
        start=start, runs=tuple(RunSpec(rate, optimizer) for rate in rates), steps=steps,
    )
    return run_experiment(spec)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize(
    ("key", "params", "text", "start", "rates"),
    [
        ("ill_conditioned", {"condition": 10.0, "curvature": 2.0}, "10*x^2 + y^2", (-4.0, 3.0),
         (0.01, 0.05, 0.09, 0.11)),
        ("bowl", {}, "x^2 + y^2", (4.0, 3.0), (0.01, 0.5, 1.01)),
        ("rosenbrock", {}, "(1 - x)^2 + 100*(y - x^2)^2", (-1.5, 2.0), (1e-4, 1e-3, 2e-3, 5e-3)),
        ("double_well", {}, "(w^2 - 1)^2 + 0.3*w", (1.8,), (0.01, 0.1, 0.3)),
    ],
)
def test_runs_on_typed_functions_follow_the_built_in_paths(key, params, text, start, rates, optimizer):
    built_in = run(key, params, "", start, rates, optimizer)
    typed = run("custom", {}, text, start, rates, optimizer)
    for a, b in zip(built_in.runs, typed.runs, strict=True):
        assert (a.verdict, a.verdict_step) == (b.verdict, b.verdict_step)
        np.testing.assert_array_equal(a.history.steps, b.history.steps)
        finite = np.isfinite(a.history.positions)
        scale = 1.0 + np.abs(np.where(finite, a.history.positions, 0.0))
        gap = np.abs(np.where(finite, a.history.positions - b.history.positions, 0.0))
        assert np.all(gap <= 1e-12 * scale)
        np.testing.assert_array_equal(finite, np.isfinite(b.history.positions))


def test_a_run_that_steps_where_the_function_is_undefined_is_flagged_diverged():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy warnings on the way
        result = run("custom", {}, "w - log(w)", (4.0,), (0.5, 10.0), steps=200)
    safe, broken = result.runs
    assert safe.verdict == "converged"
    assert broken.verdict == "diverged" and broken.verdict_step == 1
    assert math.isnan(broken.final_loss)  # w = 4 − 10·0.75 < 0: the log of a negative number
    assert broken.verdict in VERDICTS


def test_a_start_on_a_division_by_zero_is_flagged_diverged_at_once():
    result = run("custom", {}, "w^2 + 1/w", (0.0,), (0.1,), steps=50)
    only = result.runs[0]
    assert only.verdict == "diverged" and only.verdict_step <= 2
    assert math.isinf(only.start_loss) and not math.isfinite(only.final_loss)


# ------------------------------------------------------------------------------------------
# Files
# ------------------------------------------------------------------------------------------
def test_experiment_files_keep_the_typed_function():
    spec = ExperimentSpec(
        function="custom", expression="(1 - x)^2 + 100*(y - x^2)^2", start=(-1.5, 2.0),
        runs=(RunSpec(1e-3), RunSpec(2e-3, "adam")), steps=50,
    )
    loaded = loads(dumps(spec))
    assert loaded == spec
    assert isinstance(loaded.validate(), CustomFunction)


def test_files_whose_start_does_not_fit_the_typed_function_name_the_start():
    spec = ExperimentSpec(function="custom", expression="w^2", start=(1.0, 2.0))
    with pytest.raises(SpecError, match=r"^start: "):
        loads(dumps(spec))
