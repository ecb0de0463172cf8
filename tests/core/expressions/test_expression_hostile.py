"""Hostile typed formulas: the symbolic work is bounded, every one is built or refused in words."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrdesk.core.expressions.custom import ExpressionError, build_custom_function
from lrdesk.core.expressions.parse import parse_expression
from lrdesk.core.expressions.tree import MAX_DEGREE

#: generous: a bounded build takes milliseconds; an unbounded one took minutes
WALL_BUDGET_S = 5.0


def central_slope(function, P: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """dL/dv by central differences, one axis at a time: independent of the symbolic code."""
    out = np.empty_like(P)
    for axis in range(P.shape[1]):
        step = np.zeros(P.shape[1])
        step[axis] = h
        out[:, axis] = (function.value(P + step) - function.value(P - step)) / (2 * h)
    return out


@pytest.mark.parametrize(
    "text",
    [
        "abs(abs(w-1)^100-w)^100",  # 23 characters, degree 100 * 100 = 10,000
        "abs(abs(x+y)^100+1)^100",
        "(abs(abs(w^10)^10)^10)^10",
        "exp(abs(w^50)^50)",
    ],
)
def test_nested_powers_that_multiply_past_the_budget_are_refused_at_once(text):
    started = time.perf_counter()
    with pytest.raises(ExpressionError, match="multiply into a degree of") as caught:
        build_custom_function(text)
    assert time.perf_counter() - started < WALL_BUDGET_S
    assert f"at most {MAX_DEGREE:,}" in caught.value.message


def test_the_degree_counts_products_and_powers_of_powers():
    parse_expression("(w^10)^100")  # 1,000: inside the budget
    parse_expression("x^100*y^100 + (x*y)^100")  # 200
    with pytest.raises(ExpressionError, match="1,010"):
        parse_expression("(w^10)^100*w^10")


@pytest.mark.parametrize(
    "text",
    [
        "abs((3+sqrt(3)-sqrt(w))^100)",  # minutes before: abs of a power of a sum was expanded
        "abs(sqrt((log(y)*sqrt(2)+0.5+abs(1))^100))",
        "abs(((y)^0.5/2/y+2/exp(x))^100)",
        "0.5*abs(abs(3))/tanh((log(w))^100)/abs(3+2+log(w)+abs(sqrt(2)))",
    ],
)
def test_abs_of_a_power_of_a_sum_is_not_expanded(text):
    started = time.perf_counter()
    function = build_custom_function(text)
    assert time.perf_counter() - started < WALL_BUDGET_S
    assert function.compiled.symbolic.hessian_size < 2_000


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("abs(sqrt(w) - 1)", [[4.0], [0.25], [2.0]]),  # refused before: sympy split it into re/im
        ("abs(log(w))", [[0.5], [3.0]]),
        ("abs(x - 1)^3 + abs(y)*x", [[2.0, 0.5], [-1.0, -2.0]]),
    ],
)
def test_the_slope_of_abs_is_sign_times_the_inner_slope(text, points):
    function = build_custom_function(text)
    P = np.asfortranarray(points, dtype=float)
    _, slope = function.value_and_gradient(P)
    np.testing.assert_allclose(slope, central_slope(function, P), rtol=1e-6, atol=1e-6)
    assert "re(" not in function.formulas()[next(k for k in function.formulas() if k.startswith("dL"))]


# --- fuzzing: random formulas up to 109 characters -------------------------------------------
_POWERS = st.sampled_from(["2", "3", "7", "10", "50", "100", "0.5", "-1"])
_CALLS = st.sampled_from(["abs", "sqrt", "log", "exp", "sin", "tanh", "cosh", "atan"])
_OPS = st.sampled_from(["+", "-", "*", "/"])


def _formula(variables: list[str]) -> st.SearchStrategy[str]:
    leaves = st.sampled_from([*variables, "1", "2", "3", "0.5", "pi"])
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.builds(lambda a, p: f"({a})^{p}", inner, _POWERS),
            st.builds(lambda f, a: f"{f}({a})", _CALLS, inner),
            st.builds(lambda a, op, b: f"{a}{op}{b}", inner, _OPS, inner),
        ),
        max_leaves=14,
    ).filter(lambda text: len(text) <= 109)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.one_of(_formula(["w"]), _formula(["x", "y"])))
def test_random_formulas_are_built_or_refused_quickly(text):
    started = time.perf_counter()
    try:
        function = build_custom_function(text)
    except ExpressionError as exc:
        assert exc.message and "\n" not in exc.message
    else:
        function.default_start()
    assert time.perf_counter() - started < WALL_BUDGET_S, text


def test_a_power_of_a_power_is_computed_and_shown_with_its_brackets():
    function = build_custom_function("((x^x)^y)")
    P = np.asfortranarray([[1.5, 2.0], [2.0, 3.0], [0.5, 0.5]])
    expected = [(x**x) ** y for x, y in P]
    np.testing.assert_allclose(function.value(P), expected, rtol=1e-13)
    np.testing.assert_allclose(function.gradient(P), central_slope(function, P), rtol=1e-6)
    assert function.formulas()["dL/dx"].endswith("(x^x)^(y − 1)")


def test_a_power_of_a_real_power_is_not_read_as_a_tower():
    """(x^x)^2 is (x^x)·(x^x), not x^(x^2): the plain value and the value with its slope agree."""
    function = build_custom_function("-((x^x)^2)", {})
    P = np.asfortranarray(np.column_stack([np.array([-3.0, 1.5, 2.0]), np.zeros(3)]))
    expected = -(P[:, 0] ** P[:, 0]) ** 2
    np.testing.assert_allclose(function.value(P), expected, rtol=1e-13)
    np.testing.assert_allclose(function.value_and_gradient(P)[0], expected, rtol=1e-13)
