"""Your own loss function, typed in: ``build_custom_function`` and the ``CustomFunction`` it makes.

A typed formula (``x^2 + 10*y^2``, ``w^4 - 3*w^2 + w``) goes through three stages: the instant,
sympy-free check of ``expr_parse`` (tokens, ``ast`` whitelist, bounds), the symbolic stage of
``expr_symbolic`` (derivatives within bounds, compiled to NumPy) and, when first asked, the
numerical search for minima of ``expr_minima``. Compiled formulas are cached, so typing the same
text again, or running it many times, costs nothing. Where the formula is undefined (the log of
a negative number, a division by zero) values come back as NaN or infinite without warnings, and
the engine then judges the run as diverged.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

from lrdesk.core.expressions.parse import ParsedExpression, check_expression, parse_expression
from lrdesk.core.expressions.tree import ExpressionError, render
from lrdesk.core.surfaces.base import LossFunction, columns_of

__all__ = [
    "CompiledExpression", "CustomFunction", "ExpressionError", "build_custom_function",
    "check_expression", "compile_expression", "is_compiled",
]

Array = np.ndarray
CACHE_SIZE = 32
VIEW_HALF_WIDTH = 5.0
#: a 1-D curve with several valleys starts this share of the way from its outer valley to the
#: view's edge
START_SHARE = 0.6

_CURVE_STARTS = ((4.0,), (-4.0,), (2.0,), (-2.0,), (1.0,), (0.5,), (0.1,))
_SURFACE_STARTS = ((4.0, 3.0), (-4.0, 3.0), (3.0, -4.0), (-3.0, -4.0), (2.0, 1.5), (1.0, 1.0), (0.5, 0.3))


class CompiledExpression:
    """One typed formula with its derivatives and NumPy code; shared by every function made from it."""

    def __init__(self, parsed: ParsedExpression) -> None:
        # imported here: sympy takes a moment to load, which start-up should not pay for
        from lrdesk.core.expressions.symbolic import build_symbolic

        self.parsed = parsed
        try:
            self.symbolic = build_symbolic(parsed)
        except ExpressionError:
            raise
        except Exception:  # the boundary: whatever sympy raises, the user gets a plain refusal
            raise ExpressionError(
                "this function could not be worked out: try a simpler formula", None
            ) from None
        self._minima: Array | None = None
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        return self.parsed.dim

    @property
    def formula(self) -> str:
        return f"{self.parsed.signature} = {render(self.parsed.tree)}"

    def minima(self, function: LossFunction) -> Array:
        with self._lock:  # found once, whichever thread asks first
            if self._minima is None:
                from lrdesk.core.expressions.minima import find_minima

                self._minima = find_minima(function, _search_budget(self.symbolic.hessian_size))
            return self._minima.copy()

    def formulas(self) -> dict[str, str]:
        """The formula, its slope and curvature and the update rule, as plain unicode text."""
        from lrdesk.core.expressions.symbolic import render_sympy

        names = self.parsed.variables
        gradient = [render_sympy(g) for g in self.symbolic.gradient]
        out = {"L": self.formula}
        for name, text in zip(names, gradient, strict=True):
            out[f"dL/d{name}"] = f"{_partial(name)} = {text}"
        for i, a in enumerate(names):
            for j, b in enumerate(names[i:], start=i):
                key, label = _second(a, b, len(names))
                out[key] = f"{label} = {render_sympy(self.symbolic.hessian[i][j])}"
        out["update"] = "\n".join(
            f"{name} ← {name} − α·{_bracketed(text)}" for name, text in zip(names, gradient, strict=True)
        )
        return out


def _search_budget(hessian_size: int) -> int:
    """Curvature evaluations allowed to the search for minima: fewer for longer formulas, so that
    the search takes at most about a third of a second (the budget times the size is 3·10⁷)."""
    return int(min(30_000, max(1_000, 30_000_000 // max(hessian_size, 1))))


def _partial(name: str) -> str:
    return "dL/dw" if name == "w" else f"∂L/∂{name}"


def _second(a: str, b: str, dim: int) -> tuple[str, str]:
    if dim == 1:
        return "d2L/dw2", "d²L/dw²"
    if a == b:
        return f"d2L/d{a}2", f"∂²L/∂{a}²"
    return f"d2L/d{a}d{b}", f"∂²L/∂{a}∂{b}"


def _bracketed(text: str) -> str:
    simple = all(c.isalnum() or c in "·²³⁴⁵⁶⁷⁸⁹⁰¹.πe" for c in text)
    return text if simple else f"({text})"


# ------------------------------------------------------------------------------------------
# The loss function the rest of LR Desk sees
# ------------------------------------------------------------------------------------------
class CustomFunction(LossFunction):
    """A typed formula behaving like a built-in surface: values, slopes, curvature, minima."""

    key = "custom"
    title = "Your function"
    description = "A function you typed in. Its slope and curvature are worked out exactly."

    def __init__(self, compiled: CompiledExpression, expression: str = "", **params: float) -> None:
        super().__init__(**params)
        self.compiled = compiled
        self.expression = expression or compiled.parsed.text
        symbolic = compiled.symbolic
        # per instance: these are class attributes on the built-in functions
        self.dim = compiled.dim
        self.formula = compiled.formula
        self.is_quadratic = symbolic.is_quadratic
        self._value = symbolic.value_code
        self._value_and_gradient = symbolic.value_and_gradient_code
        self._hessian = symbolic.hessian_code

    def value(self, P: Array) -> Array:
        out = np.empty(P.shape[0])
        with np.errstate(all="ignore"):
            out[:] = self._value(*columns_of(P))
        return out

    def value_and_gradient(self, P: Array) -> tuple[Array, Array]:
        K = P.shape[0]
        with np.errstate(all="ignore"):
            parts = self._value_and_gradient(*columns_of(P))
        L = np.empty(K)
        L[:] = parts[0]
        G = np.empty((K, self.dim), order="F")
        for i in range(self.dim):
            G[:, i] = parts[i + 1]
        return L, G

    def gradient(self, P: Array) -> Array:
        return self.value_and_gradient(P)[1]

    def hessian(self, P: Array) -> Array:
        with np.errstate(all="ignore"):
            rows = self._hessian(*columns_of(P))
        H = np.empty((P.shape[0], self.dim, self.dim))
        for i in range(self.dim):
            for j in range(self.dim):
                H[:, i, j] = rows[i][j]
        return H

    # --- what is known about it ----------------------------------------------------------
    def minima(self) -> Array:
        """Found numerically (damped Newton from a grid of starts); the deepest first."""
        return self.compiled.minima(self)

    def view_box(self) -> tuple[tuple[float, float], ...]:
        """[-5, 5] per axis, widened to show the deepest minimum when it lies further out."""
        minima = self.minima()
        if self.dim == 1 and len(minima) >= 2:
            return (_valleys_view(minima[:, 0]),)
        box = [[-VIEW_HALF_WIDTH, VIEW_HALF_WIDTH] for _ in range(self.dim)]
        if len(minima):
            for axis, centre in enumerate(minima[0]):
                box[axis][0] = min(box[axis][0], centre - 2.0)
                box[axis][1] = max(box[axis][1], centre + 2.0)
        return tuple((lo, hi) for lo, hi in box)

    def default_start(self) -> tuple[float, ...]:
        """The first of a few usual starts where the function and its slope are defined."""
        minima = self.minima() if self.dim == 1 else ()
        if len(minima) >= 2:
            # above the outer valley on the right, inside the view: the valleys are the story
            outer = float(np.max(minima[:, 0]))
            edge = _valleys_view(minima[:, 0])[1]
            start = round(outer + START_SHARE * (edge - outer), 1)  # a number to read aloud
            L, G = self.value_and_gradient(np.array([[start]], order="F"))
            if np.isfinite(L[0]) and np.all(np.isfinite(G)) and G[0, 0] != 0:
                return (start,)
        candidates = _CURVE_STARTS if self.dim == 1 else _SURFACE_STARTS
        P = np.array(candidates, dtype=float, order="F")
        L, G = self.value_and_gradient(P)
        ok = np.isfinite(L) & np.all(np.isfinite(G), axis=1)
        moving = ok & (np.abs(G).max(axis=1) > 0)
        for mask in (moving, ok):
            if mask.any():
                return tuple(float(v) for v in P[int(np.argmax(mask))])
        return candidates[0]

    def formulas(self) -> dict[str, str]:
        """``L``, ``dL/dx``..., ``d2L/dx2``..., ``update``: plain unicode lines to show a learner."""
        return self.compiled.formulas()


def _valleys_view(centres: Array) -> tuple[float, float]:
    """Every valley of a curve and half their spread again on each side (at least 1)."""
    lo, hi = float(np.min(centres)), float(np.max(centres))
    pad = max(1.0, 0.5 * (hi - lo))
    return (lo - pad, hi + pad)


# ------------------------------------------------------------------------------------------
# Building, with a cache so that typing and running the same formula again costs nothing
# ------------------------------------------------------------------------------------------
_cache: OrderedDict[tuple[tuple[str, ...], str], CompiledExpression] = OrderedDict()
_cache_lock = threading.Lock()


def _cache_key(parsed: ParsedExpression) -> tuple[tuple[str, ...], str]:
    return parsed.variables, parsed.source


def compile_expression(text: str) -> CompiledExpression:
    """Parse, differentiate and compile a typed formula (cached); raises ExpressionError."""
    parsed = parse_expression(text)
    key = _cache_key(parsed)
    with _cache_lock:
        compiled = _cache.get(key)
        if compiled is not None:
            _cache.move_to_end(key)
            return compiled
    compiled = CompiledExpression(parsed)  # outside the lock: other formulas need not wait
    with _cache_lock:
        _cache[key] = compiled
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


def is_compiled(text: str) -> bool:
    """True when ``text`` is a valid formula whose compiled form is already cached."""
    parsed = check_expression(text)
    if isinstance(parsed, ExpressionError):
        return False
    with _cache_lock:
        return _cache_key(parsed) in _cache


def build_custom_function(expression: str, params: Mapping[str, float] | None = None) -> CustomFunction:
    """The loss function of a typed formula; raises ExpressionError (an InvalidFunction)."""
    return CustomFunction(compile_expression(expression), expression, **dict(params or {}))
