"""The small tree a typed formula becomes, its error type and the bounds every formula obeys.

Only the node kinds below exist: numbers, names (variables and the constants pi and e), unary
plus/minus, the five binary operators and calls of whitelisted functions. Nothing else a text
could express can ever reach the symbolic stage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lrdesk.core.surfaces import InvalidFunction

MAX_LENGTH = 500  # characters of typed text
MAX_NESTING = 30  # brackets inside brackets, and operations inside operations
MAX_NODES = 500  # numbers, names and operations in the whole formula
MAX_LITERAL = 1e6  # the largest number that may be typed
MAX_EXPONENT = 100  # the largest power, when the power is a fixed number
MAX_DEGREE = 1_000  # the largest degree nested powers may multiply into, as in (w^10)^100
MAX_CONSTANT = 1e15  # the largest value a part without variables may have

CURVE_VARIABLES = ("w",)
SURFACE_VARIABLES = ("x", "y")
CONSTANTS = {"pi": math.pi, "e": math.e}
FUNCTION_NAMES = (
    "sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sinh", "cosh", "atan",
)
EXAMPLE = "x^2 + 10*y^2"


class ExpressionError(InvalidFunction):
    """A typed formula that cannot be used; ``column`` (1-based) points at the problem."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


def located_error(message: str, column: int | None) -> ExpressionError:
    """An ExpressionError whose message gets ' at column N' where it says {at}."""
    where = f" at column {column}" if column is not None else ""
    return ExpressionError(message.replace("{at}", where), column)


# ------------------------------------------------------------------------------------------
# The tree we build: small, frozen, and only of the allowed kinds
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Number:
    value: float
    text: str
    column: int

    @property
    def is_integer(self) -> bool:
        return self.text.isascii() and self.text.isdigit()


@dataclass(frozen=True)
class Name:
    """A variable (w, x, y) or a constant (pi, e)."""

    name: str
    column: int


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "+"
    operand: Node
    column: int


@dataclass(frozen=True)
class Binary:
    op: str  # "+", "-", "*", "/", "^"
    left: Node
    right: Node
    column: int


@dataclass(frozen=True)
class Call:
    function: str
    argument: Node
    column: int


Node = Number | Name | Unary | Binary | Call


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, (Unary,)):
        return (node.operand,)
    if isinstance(node, Call):
        return (node.argument,)
    return ()



def column_of(node: Node) -> int:
    """Where a node starts in the typed text (the leftmost leaf of a chain of operations)."""
    while isinstance(node, Binary):
        node = node.left
    return node.column


def short(text: str) -> str:
    return text if len(text) <= 12 else text[:10] + "…"


def show(value: float) -> str:
    """A number for a message: whole numbers with thousands separators, others short."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:.4g}"


# ------------------------------------------------------------------------------------------
# Showing a formula the way it was typed, with the usual signs (x², 2·x, −, π)
# ------------------------------------------------------------------------------------------
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 4}
_UNARY_PRECEDENCE = 3
_ATOM_PRECEDENCE = 5
_SIGNS = {"+": " + ", "-": " − ", "*": "·", "/": "/"}


def superscript(text: str) -> str:
    return text.translate(_SUPERSCRIPT)


def render(node: Node) -> str:
    """The formula in the typed order, with x², 2·x, − and π (for showing, not for parsing)."""
    if isinstance(node, Number):
        return node.text
    if isinstance(node, Name):
        return "π" if node.name == "pi" else node.name
    if isinstance(node, Call):
        return f"{node.function}({render(node.argument)})"
    if isinstance(node, Unary):
        sign = "−" if node.op == "-" else "+"
        return sign + _wrapped(node.operand, _precedence(node.operand) <= _UNARY_PRECEDENCE)
    if node.op == "^":
        return _render_power(node)
    own = _PRECEDENCE[node.op]
    left = _wrapped(node.left, _precedence(node.left) < own)
    right_prec = _precedence(node.right)
    strict = node.op in "-/"  # a − (b − c), a / (b·c)
    right = _wrapped(node.right, right_prec < own or (strict and right_prec == own) or isinstance(node.right, Unary))
    return f"{left}{_SIGNS[node.op]}{right}"


def _render_power(node: Binary) -> str:
    base = _wrapped(node.left, _precedence(node.left) <= _PRECEDENCE["^"])
    exponent = node.right
    negative = isinstance(exponent, Unary) and exponent.op == "-"
    digits = exponent.operand if negative else exponent
    if isinstance(digits, Number) and digits.is_integer:
        return base + superscript(("-" if negative else "") + digits.text)
    return f"{base}^{_wrapped(exponent, _precedence(exponent) < _ATOM_PRECEDENCE)}"


def _precedence(node: Node) -> int:
    if isinstance(node, Binary):
        return _PRECEDENCE[node.op]
    if isinstance(node, Unary):
        return _UNARY_PRECEDENCE
    if isinstance(node, Number) and node.value < 0:
        return _UNARY_PRECEDENCE
    return _ATOM_PRECEDENCE


def _wrapped(node: Node, brackets: bool) -> str:
    text = render(node)
    return f"({text})" if brackets else text
