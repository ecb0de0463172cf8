"""What the Hessian says about learning rates, checked against the closed forms."""

from __future__ import annotations

import math

import pytest

from lrdesk.core.functions import make_function
from lrdesk.core.theory.hessian import local_theory


@pytest.mark.parametrize("condition", [1.0, 10.0, 250.0])
def test_narrow_valley_limits_are_the_textbook_ones(condition):
    curvature, angle = 0.8, 25.0
    f = make_function("ill_conditioned",
                      {"condition": condition, "curvature": curvature, "angle": angle})
    theory = local_theory(f, (-4.0, 3.0))
    lam_max, lam_min = condition * curvature, curvature
    assert theory.exact
    assert theory.lambda_max == pytest.approx(lam_max, rel=1e-12)
    assert theory.lambda_min == pytest.approx(lam_min, rel=1e-12)
    assert theory.lr_max_stable == pytest.approx(2.0 / lam_max, rel=1e-12)
    assert theory.lr_optimal == pytest.approx(2.0 / (lam_min + lam_max), rel=1e-12)
    assert theory.condition_number == pytest.approx(condition, rel=1e-12)
    # at the best rate both directions shrink by (κ − 1)/(κ + 1) per step
    best = theory.contraction(theory.lr_optimal)
    assert best == pytest.approx((condition - 1) / (condition + 1), abs=1e-12)
    assert theory.contraction(theory.lr_max_stable) == pytest.approx(1.0)
    assert theory.momentum_limit(0.9) == pytest.approx(2 * 1.9 / lam_max, rel=1e-12)


def test_non_quadratic_theory_is_local_to_the_nearest_minimum():
    f = make_function("himmelblau")
    near = (-3.0, 3.0)
    theory = local_theory(f, near)
    assert not theory.exact
    nearest = min(f.minima().tolist(), key=lambda m: math.dist(m, near))
    assert theory.point == pytest.approx(tuple(nearest))
    assert "local" in theory.note
    doc = theory.as_dict()
    assert doc["lr_max_stable"] == theory.lr_max_stable and doc["exact"] is False


def test_rosenbrock_limit_comes_from_its_curvature_at_the_bottom():
    theory = local_theory(make_function("rosenbrock"), (-1.5, 2.0))
    # Hessian at (1, 1) with b = 100: [[802, −400], [−400, 200]]
    trace, det = 1002.0, 802.0 * 200.0 - 400.0**2
    lam_max = trace / 2 + math.sqrt(trace**2 / 4 - det)
    assert theory.lr_max_stable == pytest.approx(2.0 / lam_max, rel=1e-12)


def test_the_suggested_rates_span_the_stable_limit_and_stay_under_the_cap():
    from lrdesk.core.limits import MAX_LEARNING_RATE, learning_rate_problem
    from lrdesk.core.theory.hessian import lr_range

    low, high = lr_range(make_function("quadratic", {"a": 2.0}))  # L = 2w², λ = 4: limit 1/2
    assert (low, high) == pytest.approx((0.5e-4, 1.0))
    flat = make_function("custom", expression="1e-7*w^2")  # λ = 2e-7: limit 1e7, past the cap
    low, high = lr_range(flat)
    assert high == MAX_LEARNING_RATE and low == pytest.approx(high * 1e-4)
    assert learning_rate_problem(low) is None and learning_rate_problem(high) is None
