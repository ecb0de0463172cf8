"""The symbolic stage of a typed function: our checked tree -> sympy, derivatives, NumPy code.

The sympy expression is built node by node from the tree that ``expr_parse`` produced (never from
text: ``sympify`` and ``parse_expr`` would evaluate it). The work of differentiating is bounded
before it is done, by an estimate of how large the second derivatives will grow, and checked
again afterwards. The gradient and Hessian are compiled with ``sympy.lambdify``, which writes
NumPy code from the symbolic tree we built (whose only names are w, x, y), not from user text.
Importing this module imports sympy, so it is itself imported only when a function is typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from lrdesk.core.expressions.parse import ParsedExpression
from lrdesk.core.expressions.tree import (
    Binary,
    Call,
    ExpressionError,
    Name,
    Node,
    Number,
    Unary,
    superscript,
)

#: The largest estimated size (in sympy nodes) of all second derivatives together.
MAX_DERIVATIVE_SIZE = 8_000


class _Real(sympy.Function):
    """A function sympy is told is real (and finite) wherever it is used.

    A typed function is real wherever it is defined; where it is not (the log of a negative
    number), NumPy gives NaN and the run is judged as diverged. sympy, told nothing, allows
    complex values for log(u) and u^0.5 and then reasons through real and imaginary parts: a
    power of a sum is expanded term by term (minutes for (sqrt(w) + 3)^100 under abs or tanh).
    These stand-ins keep every part real, so no such reasoning starts.
    """

    def _eval_is_extended_real(self):
        return True

    def _eval_is_finite(self):
        return True


class RealSign(_Real):
    """sign(u) of a real u: -1, 0 or 1; flat wherever it is defined (its spike at 0 counts as 0)."""

    nargs = 1

    @classmethod
    def eval(cls, arg):
        if arg.is_number:
            return sympy.sign(arg)
        if arg.is_extended_positive:
            return sympy.S.One
        if arg.is_extended_negative:
            return sympy.S.NegativeOne
        return None

    def fdiff(self, argindex=1):
        return sympy.S.Zero

    def _numpycode(self, printer):
        return f"{printer._module_format('numpy.sign')}({printer._print(self.args[0])})"


class RealAbs(_Real):
    """abs(u) of a real u, with the slope sign(u)·u' (sympy's Abs splits a complex u)."""

    nargs = 1

    @classmethod
    def eval(cls, arg):
        if arg.is_number:
            return sympy.Abs(arg)
        if arg.is_extended_nonnegative:
            return arg
        if arg.is_extended_nonpositive:
            return -arg
        if isinstance(arg, (RealAbs, sympy.Abs)):
            return arg
        return None

    def _eval_is_extended_nonnegative(self):
        return True

    def fdiff(self, argindex=1):
        return RealSign(self.args[0])

    def _numpycode(self, printer):
        return f"{printer._module_format('numpy.abs')}({printer._print(self.args[0])})"


class RealLog(_Real):
    """log(u) of a u that may be negative somewhere (NaN there); slope u'/u."""

    nargs = 1

    @classmethod
    def eval(cls, arg):
        if arg.is_number or arg.is_extended_positive:
            return sympy.log(arg)
        return None

    def fdiff(self, argindex=1):
        return 1 / self.args[0]

    def as_plain(self) -> sympy.Expr:
        return sympy.log(self.args[0], evaluate=False)

    def _numpycode(self, printer):
        return printer._print(self.as_plain())


class RealPower(_Real):
    """u^p with p not a whole number, of a u that may be negative somewhere (NaN there)."""

    nargs = 2

    @classmethod
    def eval(cls, base, exponent):
        if (base.is_number and exponent.is_number) or base.is_extended_positive:
            return sympy.Pow(base, exponent)
        if exponent.is_Integer:
            return sympy.Pow(base, exponent)
        if base.is_extended_nonnegative and exponent.is_extended_positive:
            return sympy.Pow(base, exponent)
        return None

    def fdiff(self, argindex=1):
        base, exponent = self.args
        if argindex == 1:
            return exponent * RealPower(base, exponent - 1)
        return self * RealLog(base)

    def _numpycode(self, printer):
        # brackets on both sides and around the whole: a base that is itself a power must not
        # read as x**x**y, and neither may this power raised again ((x^x)^2 is not x^(x^2))
        base, exponent = (printer._print(part) for part in self.args)
        return f"(({base})**({exponent}))"


def _real_log(arg: sympy.Expr) -> sympy.Expr:
    return RealLog(arg)


def _real_sqrt(arg: sympy.Expr) -> sympy.Expr:
    return RealPower(arg, sympy.S.Half)


_FUNCTIONS = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "exp": sympy.exp, "log": _real_log,
    "sqrt": _real_sqrt, "abs": RealAbs, "tanh": sympy.tanh, "sinh": sympy.sinh,
    "cosh": sympy.cosh, "atan": sympy.atan,
}
# What may appear in a compiled formula: the typed functions and sign (the slope of abs).
_ALLOWED_FUNCTIONS = frozenset(
    {sympy.sin, sympy.cos, sympy.tan, sympy.exp, sympy.log, sympy.Abs, sympy.tanh,
     sympy.sinh, sympy.cosh, sympy.atan, sympy.sign, RealAbs, RealSign, RealLog, RealPower}
)
_UNDEFINED = (sympy.zoo, sympy.oo, -sympy.oo, sympy.nan, sympy.I)


@dataclass(frozen=True)
class Symbolic:
    """A typed function with its derivatives, as sympy expressions and as NumPy functions."""

    parsed: ParsedExpression
    symbols: tuple[sympy.Symbol, ...]
    value: sympy.Expr
    gradient: tuple[sympy.Expr, ...]
    hessian: tuple[tuple[sympy.Expr, ...], ...]
    #: f(*columns) -> L (a scalar where L is constant)
    value_code: Callable
    #: f(*columns) -> [L, dL/dv1, ...]; entries may be scalars where a formula is constant
    value_and_gradient_code: Callable
    #: f(*columns) -> [[d2L/dv1dv1, ...], ...]
    hessian_code: Callable
    #: how many nodes the curvature formulas have together: the cost of evaluating them
    hessian_size: int
    #: a polynomial with a constant Hessian: a quadratic (or a plane), so the theory is exact
    is_quadratic: bool


def build_symbolic(parsed: ParsedExpression) -> Symbolic:
    """Build, differentiate (within bounds) and compile a parsed formula."""
    symbols = tuple(sympy.Symbol(name, real=True) for name in parsed.variables)
    value = to_sympy(parsed.tree, dict(zip(parsed.variables, symbols, strict=True)))
    _check_defined(value, "this function is undefined everywhere (for example a division by zero)")
    _check_derivative_size(value, symbols)
    gradient = tuple(_derivative(value, s) for s in symbols)
    hessian = tuple(tuple(_derivative(g, s) for s in symbols) for g in gradient)
    for g in gradient:
        _check_defined(g, "the slope of this function is undefined everywhere")
    for h in (h for row in hessian for h in row):
        _check_defined(h, "the curvature of this function is undefined everywhere")
    size = sum(_node_count(h) for row in hessian for h in row)
    if size > 2 * MAX_DERIVATIVE_SIZE:  # the estimate is rough: check the real thing too
        raise _too_complicated()
    constant_curvature = all(not h.free_symbols for row in hessian for h in row)
    return Symbolic(
        parsed, symbols, value, gradient, hessian,
        value_code=sympy.lambdify(symbols, value, modules="numpy", cse=True),
        value_and_gradient_code=sympy.lambdify(
            symbols, [value, *gradient], modules="numpy", cse=True
        ),
        hessian_code=sympy.lambdify(
            symbols, [list(row) for row in hessian], modules="numpy", cse=True
        ),
        hessian_size=size,
        is_quadratic=constant_curvature and value.is_polynomial(*symbols),
    )


# ------------------------------------------------------------------------------------------
# Tree -> sympy, node by node
# ------------------------------------------------------------------------------------------
def to_sympy(node: Node, symbols: dict[str, sympy.Symbol]) -> sympy.Expr:
    """The sympy expression of a checked tree (bounds were enforced while parsing)."""
    if isinstance(node, Number):
        return sympy.Integer(int(node.text)) if node.is_integer else sympy.Float(node.value)
    if isinstance(node, Name):
        if node.name == "pi":
            return sympy.pi
        if node.name == "e":
            return sympy.E
        return symbols[node.name]
    if isinstance(node, Unary):
        operand = to_sympy(node.operand, symbols)
        return -operand if node.op == "-" else operand
    if isinstance(node, Call):
        return _FUNCTIONS[node.function](to_sympy(node.argument, symbols))
    if isinstance(node, Binary):
        return _binary(node.op, to_sympy(node.left, symbols), to_sympy(node.right, symbols))
    raise ExpressionError("this part of the formula is not allowed", None)


def _binary(op: str, left: sympy.Expr, right: sympy.Expr) -> sympy.Expr:
    if op == "+":
        return sympy.Add(left, right)
    if op == "-":
        return sympy.Add(left, -right)
    if op == "*":
        return sympy.Mul(left, right)
    if op == "/":
        return sympy.Mul(left, sympy.Pow(right, -1))
    if right.is_Integer:
        return sympy.Pow(left, right)
    return RealPower(left, right)


# ------------------------------------------------------------------------------------------
# Derivatives, within bounds
# ------------------------------------------------------------------------------------------
def _derivative(expr: sympy.Expr, symbol: sympy.Symbol) -> sympy.Expr:
    """d expr / d symbol; the spike of a kink (DiracDelta, from the slope of abs) counts as 0."""
    result = sympy.diff(expr, symbol)
    if result.has(sympy.DiracDelta):
        result = result.replace(sympy.DiracDelta, lambda *args: sympy.S.Zero)
    return result


def _node_count(expr: sympy.Basic) -> int:
    return sum(1 for _ in sympy.preorder_traversal(expr))


def _check_defined(expr: sympy.Expr, message: str) -> None:
    if any(expr.has(u) for u in _UNDEFINED):
        raise ExpressionError(message, None)
    for function in expr.atoms(sympy.Function):
        if function.func not in _ALLOWED_FUNCTIONS:
            raise ExpressionError(message, None)


def _check_derivative_size(expr: sympy.Expr, symbols) -> None:
    """Refuse a formula whose second derivatives would be too long to work out quickly."""
    estimate = _SizeEstimate()
    total = sum(estimate.sizes(expr, a, b)[3] for a in symbols for b in symbols)
    if total > MAX_DERIVATIVE_SIZE:
        raise _too_complicated()


def _too_complicated() -> ExpressionError:
    return ExpressionError(
        "this function is too complicated: its curvature formulas would be too long to work "
        "out quickly (try fewer factors or shorter terms)",
        None,
    )


class _SizeEstimate:
    """Estimates of the size of an expression, of its slopes along a and b and of d2/dadb.

    Sizes count sympy nodes. Product rule: the slope of a product of n factors is up to n
    products; chain rule: the slope of f(u) is f'(u), about as large as f(u), times u'. Parts that
    do not depend on a variable have no slope along it. Each estimate is memoised, so the cost is
    linear in the number of distinct subexpressions.
    """

    def __init__(self) -> None:
        self._memo: dict[tuple, tuple[int, int, int, int]] = {}

    def sizes(self, expr: sympy.Basic, a: sympy.Symbol, b: sympy.Symbol) -> tuple[int, int, int, int]:
        """(size, size of d/da, size of d/db, size of d2/dadb); 0 where the slope is 0."""
        key = (expr, a, b)
        known = self._memo.get(key)
        if known is None:
            known = self._compute(expr, a, b)
            self._memo[key] = known
        return known

    def _compute(self, expr, a, b) -> tuple[int, int, int, int]:
        if not expr.args:
            return 1, int(expr == a), int(expr == b), 0
        parts = [self.sizes(arg, a, b) for arg in expr.args]
        size = 1 + sum(p[0] for p in parts)
        if isinstance(expr, sympy.Add):
            return size, *(sum(p[k] for p in parts) for k in (1, 2, 3))
        if isinstance(expr, sympy.Mul):
            return _product(size, parts)
        if isinstance(expr, (sympy.Pow, RealPower)) and expr.args[1].free_symbols:
            return _outer(size, _exponent_sizes(*parts))
        return _outer(size, parts[0])  # a function of one argument, or a base to a fixed power


def _exponent_sizes(base: tuple[int, int, int, int], exponent: tuple[int, int, int, int]):
    """Sizes for e·log(b), the inner part of b^e = exp(e·log(b))."""
    sb, ab, bb, abb = base
    log_b = (sb + 1, ab and sb + ab + 1, bb and sb + bb + 1, abb and 2 * sb + abb + ab + bb + 3)
    return _product(exponent[0] + log_b[0] + 1, [exponent, log_b])


def _product(size: int, parts: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    """Sizes for a product of factors: sums of products with one or two factors differentiated."""
    da = sum(size - s + d for s, d, _, _ in parts if d)
    db = sum(size - s + d for s, _, d, _ in parts if d)
    dab = sum(size - s + d for s, _, _, d in parts if d)
    for i, (si, ai, _, _) in enumerate(parts):
        for j, (sj, _, bj, _) in enumerate(parts):
            if i != j and ai and bj:
                dab += size - si - sj + ai + bj
    return size, da, db, dab


def _outer(size: int, inner: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """Sizes for f(u): f'(u)·u' and f''(u)·u'a·u'b + f'(u)·u''ab, with f' and f'' about f's size."""
    _, da, db, dab = inner
    first_a = da and size + 2 + da
    first_b = db and size + 2 + db
    second = (size + 4 + da + db if da and db else 0) + (size + 2 + dab if dab else 0)
    return size, first_a, first_b, second


# ------------------------------------------------------------------------------------------
# Showing derived formulas: x², 2·x, −, π, e, abs
# ------------------------------------------------------------------------------------------
class _UnicodePrinter(StrPrinter):
    """sympy's plain printer with the signs a learner reads: x², 2·x, π, e and abs(x)."""

    def __init__(self) -> None:
        super().__init__({"full_prec": False})

    def _print_Pow(self, expr, rational=False):
        if expr.exp.is_Integer and expr.exp != -1:  # x², y⁻² (1/x stays 1/x)
            return self.parenthesize(expr.base, PRECEDENCE["Pow"], strict=False) + superscript(
                str(expr.exp)
            )
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_Exp1(self, expr):
        return "e"

    def _print_Pi(self, expr):
        return "π"

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"

    _print_RealAbs = _print_Abs

    def _print_RealLog(self, expr):
        return self._print(expr.as_plain())

    def _print_RealPower(self, expr):
        base, exponent = expr.args
        if exponent == sympy.S.Half:
            return f"sqrt({self._print(base)})"
        if not (base.is_Symbol or (base.is_Number and base >= 0)):
            placeholder = sympy.Symbol("BASE")  # printed like a power of a name, then filled in
            text = self._print(sympy.Pow(placeholder, exponent, evaluate=False))
            return text.replace("BASE", f"({self._print(base)})")
        return self._print(sympy.Pow(base, exponent, evaluate=False))

    def _print_RealSign(self, expr):
        return f"sign({self._print(expr.args[0])})"


def render_sympy(expr: sympy.Expr, limit: int = 400) -> str:
    """A derived formula for showing (never for parsing); very long ones are cut short."""
    text = _UnicodePrinter().doprint(expr).replace("*", "·").replace("-", "−")
    if len(text) > limit:
        return text[:limit].rstrip() + " … (too long to show in full)"
    return text
