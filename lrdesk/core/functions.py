"""Loss surfaces by key: the registry of built-in surfaces and ``make_function``.

The surfaces themselves live in ``surface_base`` (the base class), ``surfaces_1d`` and
``surfaces_2d``; every public name stays importable from here.
"""

from __future__ import annotations

from collections.abc import Mapping

from lrdesk.core.surface_base import (
    Array,
    InvalidFunction,
    LossFunction,
    Parameter,
    newton_refine,
    stationary_points_1d,
)
from lrdesk.core.surfaces_1d import Bumpy, DoubleWell, Quadratic
from lrdesk.core.surfaces_2d import (
    Beale,
    Bowl,
    Himmelblau,
    IllConditioned,
    Rastrigin,
    Rosenbrock,
    Saddle,
    SixHumpCamel,
)

__all__ = [
    "CUSTOM", "FUNCTIONS", "Array", "Beale", "Bowl", "Bumpy", "DoubleWell", "Himmelblau",
    "IllConditioned", "InvalidFunction", "LossFunction", "Parameter", "Quadratic", "Rastrigin",
    "Rosenbrock", "Saddle", "SixHumpCamel", "make_function", "newton_refine",
    "stationary_points_1d",
]

FUNCTIONS: dict[str, type[LossFunction]] = {
    cls.key: cls
    for cls in (
        Quadratic, DoubleWell, Bumpy,
        Bowl, IllConditioned, Rosenbrock, Beale, Himmelblau, Saddle, Rastrigin, SixHumpCamel,
    )
}

#: The key of a function typed in by the user (see ``lrdesk.core.expression``).
CUSTOM = "custom"


def make_function(
    key: str, params: Mapping[str, float] | None = None, expression: str = ""
) -> LossFunction:
    """Build a loss function by its key; raises InvalidFunction with a readable message."""
    params = dict(params or {})
    if key in FUNCTIONS:
        return FUNCTIONS[key](**params)
    if key == CUSTOM:
        # imported here: typed functions need sympy, which start-up should not pay for
        from lrdesk.core.expression import build_custom_function

        return build_custom_function(expression, params)
    names = ", ".join([*FUNCTIONS, CUSTOM])
    raise InvalidFunction(f"unknown function '{key}' (choose one of: {names})")
