"""Reading a typed loss function safely: characters, then Python's ``ast``, then a whitelist.

Typed text and experiment files are untrusted, so nothing here evaluates user text. The text is
first split into tokens (numbers, the allowed names, operators, brackets), which catches
everything that is not a formula with a plain-words message pointing at the column; the tokens
are then written out as a small ASCII Python expression (``^`` becomes ``**``), parsed with
``ast.parse(mode="eval")``, and only whitelisted node types become our own tiny tree. Bounds on
length, nesting, numbers and powers are checked here, before any symbolic work, so that nothing
typed can hang or exhaust memory. This module never imports sympy: it is the instant,
as-you-type check.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass

from lrdesk.core.expressions.tokens import (
    Token,
    check_grammar,
    read_declaration,
    to_source,
    tokenize,
)
from lrdesk.core.expressions.tree import (
    CONSTANTS,
    CURVE_VARIABLES,
    FUNCTION_NAMES,
    MAX_CONSTANT,
    MAX_DEGREE,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_LITERAL,
    MAX_NESTING,
    MAX_NODES,
    SURFACE_VARIABLES,
    Binary,
    Call,
    ExpressionError,
    Name,
    Node,
    Number,
    Unary,
    children,
    column_of,
    located_error,
    short,
    show,
)


@dataclass(frozen=True)
class ParsedExpression:
    """A formula that passed every check, ready for the symbolic stage."""

    text: str  # exactly what was typed
    source: str  # the same formula as plain ASCII, one space between tokens (the cache key)
    tree: Node
    variables: tuple[str, ...]  # the variables of L: ("w",) or ("x", "y")
    used: tuple[str, ...]  # the variables that actually appear
    nodes: int

    @property
    def dim(self) -> int:
        return len(self.variables)

    @property
    def signature(self) -> str:
        """'L(w)' or 'L(x, y)'."""
        return f"L({', '.join(self.variables)})"


# ------------------------------------------------------------------------------------------
# Entry points
# ------------------------------------------------------------------------------------------
def check_expression(text: str) -> ParsedExpression | ExpressionError:
    """The instant check for as-you-type validation: the parsed formula or the error (no sympy)."""
    try:
        return parse_expression(text)
    except ExpressionError as exc:
        return exc


def parse_expression(text: str) -> ParsedExpression:
    """Parse and check a typed formula; raises ExpressionError with a plain-words message."""
    if not isinstance(text, str):
        raise located_error("the formula must be text", None)
    if len(text) > MAX_LENGTH:
        raise located_error(
            f"the formula is too long ({len(text)} characters; at most {MAX_LENGTH})",
            MAX_LENGTH + 1,
        )
    declared, body_start = read_declaration(text)
    tokens = tokenize(text, body_start)
    check_grammar(tokens)
    source, origin = to_source(tokens)
    tree = _Converter(origin, {t.column: t for t in tokens}).convert(_parse_ast(source, origin))
    nodes = _count_and_check_depth(tree)
    _fold(tree)  # checks numbers, powers, divisions by zero in the parts without variables
    _check_degree(tree)
    used = _used_variables(tree)
    variables = _decide_variables(used, declared, tree)
    return ParsedExpression(text, source, tree, variables, tuple(sorted(used)), nodes)


def _parse_ast(source: str, origin: list[int]) -> ast.expr:
    try:
        return ast.parse(source, mode="eval").body
    except SyntaxError as exc:
        offset = (exc.offset or 1) - 1
        column = origin[min(max(offset, 0), len(origin) - 1)]
        raise located_error("this formula cannot be read{at}: check the operators and brackets", column) from None
    except (ValueError, RecursionError, MemoryError):
        raise located_error("this formula is too complicated to read", None) from None


_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}


class _Converter:
    """Python's ast -> our tree, refusing every node type that is not on the whitelist."""

    def __init__(self, origin: list[int], tokens_by_column: dict[int, Token]) -> None:
        self.origin = origin
        self.tokens = tokens_by_column

    def column(self, node: ast.AST) -> int:
        offset = getattr(node, "col_offset", 0)
        return self.origin[min(max(offset, 0), len(self.origin) - 1)]

    def convert(self, node: ast.AST) -> Node:
        column = self.column(node)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            right = self.convert(node.right)
            return Binary(_BINARY[type(node.op)], self.convert(node.left), right, self._op_column(node))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return Unary(_UNARY[type(node.op)], self.convert(node.operand), column)
        if isinstance(node, ast.Constant):
            return self._number(node, column)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id in CONSTANTS or node.id in CURVE_VARIABLES or node.id in SURFACE_VARIABLES:
                return Name(node.id, column)
            raise located_error(f"unknown name ‘{node.id}’{{at}}", column)
        if isinstance(node, ast.Call):
            return self._call(node, column)
        raise located_error(f"this part of the formula is not allowed{{at}} ({type(node).__name__})", column)

    def _op_column(self, node: ast.BinOp) -> int:
        """Where the operator itself stands (the first operator token after the left side)."""
        end = getattr(node.left, "end_col_offset", None)
        if end is None:
            return self.column(node)
        for offset in range(end, min(len(self.origin), node.right.col_offset)):
            token = self.tokens.get(self.origin[offset])
            if token is not None and token.kind in ("op", "power", "super"):
                return token.column
        return self.column(node.right)

    def _number(self, node: ast.Constant, column: int) -> Number:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise located_error("only plain numbers can be used{at}", column)
        token = self.tokens.get(column)
        text = token.text if token is not None and token.kind == "number" else repr(value)
        number = float(value) if abs(value) < 1e308 else math.inf
        if not number <= MAX_LITERAL:
            raise located_error(f"the number {short(text)}{{at}} is too large (at most a million, 1e6)", column)
        return Number(number, text, column)

    def _call(self, node: ast.Call, column: int) -> Call:
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in FUNCTION_NAMES:
            raise located_error("only the listed functions can be used{at}", column)
        if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
            raise located_error(f"{func.id} takes exactly one value{{at}}, as in {func.id}(x)", column)
        return Call(func.id, self.convert(node.args[0]), column)


# ------------------------------------------------------------------------------------------
# Bounds on the tree
# ------------------------------------------------------------------------------------------
_FAMILY = {"+": "sum", "-": "sum", "*": "product", "/": "product"}


def _count_and_check_depth(tree: Node) -> int:
    """Count the nodes; refuse nesting deeper than MAX_NESTING.

    A long sum or product (x + x + ... + x) is a chain in the tree but one level to the reader,
    so a child of the same family (sum in a sum, product in a product) does not add a level.
    """
    count = 0
    stack: list[tuple[Node, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise located_error(f"the formula has too many parts (at most {MAX_NODES})", None)
        if depth > MAX_NESTING:
            raise located_error(
                f"the formula is nested too deeply{{at}} (at most {MAX_NESTING} levels)",
                column_of(node),
            )
        family = _FAMILY.get(node.op) if isinstance(node, Binary) else None
        for child in children(node):
            same = family is not None and isinstance(child, Binary) and _FAMILY.get(child.op) == family
            stack.append((child, depth if same else depth + 1))
    return count


def _fold(node: Node) -> float | None:
    """The value of a part without variables (None where variables appear), checking bounds.

    Powers are checked before they are computed, so a tower like 9^9^9^9 is refused at once.
    """
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Name):
        return CONSTANTS.get(node.name)
    if isinstance(node, Unary):
        value = _fold(node.operand)
        return None if value is None else (-value if node.op == "-" else value)
    if isinstance(node, Call):
        value = _fold(node.argument)
        return None if value is None else _checked(_apply(node, value), node)
    left, right = _fold(node.left), _fold(node.right)
    if node.op == "^" and right is not None and abs(right) > MAX_EXPONENT:
        raise located_error(
            f"the power{{at}} is {show(right)}: powers can go up to {MAX_EXPONENT}",
            column_of(node.right),
        )
    if node.op == "/" and right == 0:
        raise located_error("division by zero{at}", column_of(node.right))
    if left is None or right is None:
        return None
    return _checked(_combine(node, left, right), node)


def _check_degree(tree: Node) -> None:
    """Refuse nested powers that multiply into a huge degree, before any symbolic work."""
    degree = _degree(tree)
    if degree > MAX_DEGREE:
        raise located_error(
            f"the powers in this formula multiply into a degree of {show(degree)}: at most "
            f"{MAX_DEGREE:,} (use smaller powers, or fewer powers of powers)",
            None,
        )


def _degree(node: Node) -> float:
    """How far the powers in a part reach: the degree of a polynomial, and for a function of a
    part, the degree of that part (abs(w^10)^10 reaches 100, as w^100 does)."""
    if isinstance(node, Number):
        return 0.0
    if isinstance(node, Name):
        return 0.0 if node.name in CONSTANTS else 1.0
    if isinstance(node, Unary):
        return _degree(node.operand)
    if isinstance(node, Call):
        return _degree(node.argument)
    left, right = _degree(node.left), _degree(node.right)
    if node.op in ("+", "-"):
        return max(left, right)
    if node.op in ("*", "/"):
        return left + right
    exponent = _fold(node.right)
    if exponent is None:  # a variable power, as in w^w: no fixed degree, count both sides
        return left + right
    return min(left * abs(exponent), 1e12)  # capped: a tower of powers stays a finite number


def _apply(node: Call, value: float) -> float:
    name = node.function
    if name == "log" and value <= 0:
        raise located_error(f"log({value:g}){{at}} is undefined: log needs a positive number", node.column)
    if name == "sqrt" and value < 0:
        raise located_error(f"sqrt({value:g}){{at}} is undefined: sqrt needs a number of at least 0", node.column)
    try:
        return _MATH[name](value)
    except OverflowError:
        raise located_error(f"{name}({value:g}){{at}} is too large a number", node.column) from None


def _combine(node: Binary, left: float, right: float) -> float:
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    if node.op == "/":
        return left / right
    if left == 0 and right < 0:
        raise located_error("0 to a negative power is a division by zero{at}", column_of(node))
    if left < 0 and right != int(right):
        raise located_error(
            f"({left:g})^{right:g}{{at}} is not a real number: a negative number has no "
            "fractional power",
            column_of(node),
        )
    try:
        return math.pow(left, right)
    except OverflowError:
        raise located_error("this power{at} is too large a number", column_of(node)) from None


def _checked(value: float, node: Node) -> float:
    if not abs(value) <= MAX_CONSTANT:
        raise located_error("this part{at} is too large a number (at most 1e15)", column_of(node))
    return value


_MATH = {
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "exp": math.exp, "log": math.log,
    "sqrt": math.sqrt, "abs": abs, "tanh": math.tanh, "sinh": math.sinh, "cosh": math.cosh,
    "atan": math.atan,
}


# ------------------------------------------------------------------------------------------
# Variables decide the dimension
# ------------------------------------------------------------------------------------------
def _names_in_order(tree: Node) -> list[Name]:
    found: list[Name] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            found.append(node)
        stack.extend(children(node))
    return sorted(found, key=lambda n: n.column)


def _used_variables(tree: Node) -> set[str]:
    return {n.name for n in _names_in_order(tree) if n.name not in CONSTANTS}


def _decide_variables(used: set[str], declared: tuple[str, ...] | None, tree: Node) -> tuple[str, ...]:
    """w alone: a curve L(w). x and/or y: a surface L(x, y) (flat along a missing one)."""
    names = [n for n in _names_in_order(tree) if n.name not in CONSTANTS]
    if declared is not None:
        for n in names:
            if n.name not in declared:
                raise located_error(
                    f"‘{n.name}’{{at}} is not a variable of L({', '.join(declared)})", n.column
                )
        return declared
    if not used:
        raise located_error("use a variable: w for a curve L(w), or x and y for a surface L(x, y)", None)
    if "w" in used and used & set(SURFACE_VARIABLES):
        first = names[0].name
        odd = next(n for n in names if (n.name == "w") != (first == "w"))
        use = "w alone" if first == "w" else "x and y"
        raise located_error(
            f"‘{odd.name}’{{at}} cannot be mixed with ‘{first}’: use {use} (w is for a curve, "
            "x and y for a surface)",
            odd.column,
        )
    return CURVE_VARIABLES if "w" in used else SURFACE_VARIABLES
