"""The built-in loss surfaces: the base class, the 1-D and 2-D surfaces, and the registry by key.

Public names: ``LossFunction`` (the base class), ``InvalidFunction`` (the one error of a bad
surface), ``FUNCTIONS`` (key -> class of every built-in surface), ``CUSTOM`` (the key of a typed
function), each surface class, and the helpers ``Parameter``, ``columns_of``, ``newton_refine``,
``stationary_points_1d``.
"""

from __future__ import annotations

from lrdesk.core.surfaces.base import (
    Array,
    InvalidFunction,
    LossFunction,
    Parameter,
    columns_of,
    newton_refine,
    stationary_points_1d,
)
from lrdesk.core.surfaces.one_d import Bumpy, DoubleWell, Quadratic
from lrdesk.core.surfaces.two_d import (
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
    "Rosenbrock", "Saddle", "SixHumpCamel", "columns_of", "newton_refine",
    "stationary_points_1d",
]

FUNCTIONS: dict[str, type[LossFunction]] = {
    cls.key: cls
    for cls in (
        Quadratic, DoubleWell, Bumpy,
        Bowl, IllConditioned, Rosenbrock, Beale, Himmelblau, Saddle, Rastrigin, SixHumpCamel,
    )
}

#: The key of a function typed in by the user (see ``lrdesk.core.expressions``).
CUSTOM = "custom"
