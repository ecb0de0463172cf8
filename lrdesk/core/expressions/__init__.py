"""Functions typed by the user: tokens, grammar, parse tree, symbolic derivatives, minima.
sympy is loaded only when a formula is built.

Public names (imported from their module on first use, so start-up stays lazy):

- ``parse``: ``check_expression``, ``parse_expression``
- ``tree``: ``ExpressionError``, ``FUNCTION_NAMES``
- ``tokens``: ``guess_signature``
- ``custom``: ``CustomFunction``, ``build_custom_function``, ``compile_expression``
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {
    "check_expression": "parse", "parse_expression": "parse", "ExpressionError": "tree",
    "FUNCTION_NAMES": "tree", "guess_signature": "tokens", "CustomFunction": "custom",
    "build_custom_function": "custom", "compile_expression": "custom"
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
