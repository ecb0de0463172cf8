"""``make_function``: a loss function by its key, built-in or typed by the user.

The one module above both the built-in surfaces (``lrdesk.core.surfaces``) and typed
expressions (``lrdesk.core.expressions``), so neither needs to know about the other.
"""

from __future__ import annotations

from collections.abc import Mapping

from lrdesk.core.surfaces import CUSTOM, FUNCTIONS, InvalidFunction, LossFunction

__all__ = ["make_function"]


def make_function(
    key: str, params: Mapping[str, float] | None = None, expression: str = ""
) -> LossFunction:
    """Build a loss function by its key; raises InvalidFunction with a readable message.

    ``key`` is one of ``FUNCTIONS`` or ``CUSTOM`` (then ``expression`` is the typed text);
    ``params`` are the surface's named constants.
    """
    params = dict(params or {})
    if key in FUNCTIONS:
        _check_names(key, params, [p.name for p in FUNCTIONS[key].parameters])
        return FUNCTIONS[key](**params)
    if key == CUSTOM:
        _check_names("a typed function", params, [])
        # imported here: typed functions need sympy, which start-up should not pay for
        from lrdesk.core.expressions.custom import build_custom_function

        return build_custom_function(expression, params)
    names = ", ".join([*FUNCTIONS, CUSTOM])
    raise InvalidFunction(f"unknown function '{key}' (choose one of: {names})")


def _check_names(owner: str, params: Mapping[str, float], known: list[str]) -> None:
    """Refuse unknown parameter names here, before they reach a constructor's keywords (a name
    such as 'self' or 'expression' would otherwise collide with its own arguments)."""
    for name in params:
        if name not in known:
            allowed = ", ".join(known) or "none"
            raise InvalidFunction(f"{owner} has no parameter '{name[:40]}' (its parameters: {allowed})")
