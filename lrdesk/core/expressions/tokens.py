"""The first stage of reading a typed formula: tokens, and a grammar check on them.

Every character must belong to a number, an allowed name, an operator or a bracket; anything else
is refused with a message that names the character and its column. The grammar check (operands
and operators alternate, brackets match, functions have brackets) gives the plain-words messages
("write 2*x") that Python's own parser could not. The tokens are then written out as ASCII Python,
with ``^`` and superscripts as ``**``, and a map from each character back to the typed column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lrdesk.core.expressions.tree import (
    CONSTANTS,
    CURVE_VARIABLES,
    EXAMPLE,
    FUNCTION_NAMES,
    MAX_NESTING,
    SURFACE_VARIABLES,
    ExpressionError,
    located_error,
    short,
)

# Names people often try, and what to write instead.
_ALIASES = {
    "ln": "log (the natural logarithm)",
    "arctan": "atan",
    "tg": "tan",
    "pow": "^, as in x^2",
    "exp2": "2^x",
    "PI": "pi",
    "Pi": "pi",
    "E": "e",
}


# ------------------------------------------------------------------------------------------
# An optional "L(x, y) =" in front
# ------------------------------------------------------------------------------------------
_DECLARATION = re.compile(r"\s*[Lf]\s*(?:\(([^()]*)\))?\s*=")


def read_declaration(text: str) -> tuple[tuple[str, ...] | None, int]:
    """Accept 'L(x, y) = ...' or 'L = ...' as typed from a book; return the declared variables."""
    m = _DECLARATION.match(text)
    if m is None:
        return None, 0
    if m.group(1) is None:
        return None, m.end()
    names = tuple(n.strip() for n in m.group(1).split(","))
    column = m.start(1) + 1
    if names in (CURVE_VARIABLES, SURFACE_VARIABLES):
        return names, m.end()
    raise located_error(
        f"write L(w) = ... for a curve or L(x, y) = ... for a surface, not L({m.group(1)}){{at}}",
        column,
    )


# ------------------------------------------------------------------------------------------
# Tokens
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Token:
    kind: str  # number, name, function, op, power, super, open, close
    text: str  # as typed
    ascii: str  # as written into the Python source
    column: int  # 1-based, in the typed text


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z_0-9]*|π)"
    r"|(?P<power>\*\*|\^)"
    r"|(?P<super>[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
    r"|(?P<op>[-+*/−·×⋅∙÷])"
    r"|(?P<open>\()"
    r"|(?P<close>\))"
)
_OPERATORS = {"−": "-", "·": "*", "×": "*", "⋅": "*", "∙": "*", "÷": "/"}
_CHARACTER_HINTS = {
    ",": "a comma is not used here: functions take one value, as in sin(x), and decimals use "
    "a point, as in 1.5",
    ".": "a point belongs inside a number, as in 1.5",
    "=": "only the formula is needed after 'L(x, y) =', with no other '='",
    "[": "use round brackets ( ) for grouping",
    "]": "use round brackets ( ) for grouping",
    "{": "use round brackets ( ) for grouping",
    "}": "use round brackets ( ) for grouping",
    "'": "text in quotes is not part of a formula",
    '"': "text in quotes is not part of a formula",
    "%": "there is no % here: write 0.05 for 5%",
    "!": "there is no factorial here",
    "|": "write abs(x) for the size of x",
}


def tokenize(text: str, start: int) -> list[Token]:
    tokens: list[Token] = []
    pos = start
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise _unexpected_character(text[pos], pos + 1)
        kind, value, column = m.lastgroup, m.group(), pos + 1
        pos = m.end()
        if kind == "name" and not _is_known_name(value):
            hint = _name_hint(value, _variables_in(text[start:]))
            raise located_error(f"unknown name ‘{short(value)}’{{at}}: {hint}", column)
        if kind != "space":
            tokens.append(_make_token(kind, value, column))
    return tokens


def _is_known_name(name: str) -> bool:
    return (
        name == "π" or name in CURVE_VARIABLES or name in SURFACE_VARIABLES
        or name in CONSTANTS or name in FUNCTION_NAMES
    )


def _variables_in(text: str) -> set[str]:
    words = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", text))
    return words & {*CURVE_VARIABLES, *SURFACE_VARIABLES}


def guess_signature(text: str) -> str | None:
    """'L(w)' or 'L(x, y)' from the variables in text that may not parse yet (None: no clue)."""
    found = _variables_in(text)
    if found & set(SURFACE_VARIABLES):
        return f"L({', '.join(SURFACE_VARIABLES)})"
    if found:
        return f"L({', '.join(CURVE_VARIABLES)})"
    return None


def _unexpected_character(char: str, column: int) -> ExpressionError:
    shown = char if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"
    hint = _CHARACTER_HINTS.get(
        char,
        "a formula uses numbers, + - * / ^, round brackets, the variables, pi, e and functions "
        "such as sin(x)",
    )
    return located_error(f"‘{shown}’ cannot be used{{at}}: {hint}", column)


def _make_token(kind: str, value: str, column: int) -> Token:
    if kind == "name":
        return _name_token(value, column)
    if kind == "power":
        return Token("power", value, "**", column)
    if kind == "super":
        return Token("super", value, f"**({value.translate(_SUPERSCRIPTS)})", column)
    if kind == "op":
        return Token("op", value, _OPERATORS.get(value, value), column)
    return Token(kind, value, value, column)


def _name_token(name: str, column: int) -> Token:
    if name == "π":
        return Token("name", name, "pi", column)
    if name in FUNCTION_NAMES:
        return Token("function", name, name, column)
    return Token("name", name, name, column)


def _name_hint(name: str, variables: set[str]) -> str:
    """What to write instead of an unknown name, in the light of the variables already used."""
    if name in _ALIASES:
        return f"write {_ALIASES[name]}"
    lower = name.lower()
    if lower != name and (lower in FUNCTION_NAMES or lower in CONSTANTS or lower in "wxy"):
        return f"write it in small letters: {lower}"
    if len(name) > 1 and all(c in "wxy" for c in name):
        return f"write {'*'.join(name)} (multiplication needs a *)"
    power = re.fullmatch(r"([wxy])([0-9]+)", name)
    if power:
        v, n = power.groups()
        return f"write {v}^{n} for a power or {v}*{n} for a product"
    for fn in FUNCTION_NAMES:
        rest = name[len(fn):]
        if name.startswith(fn) and rest and all(c in "wxy" for c in rest):
            return f"write {fn}({'*'.join(rest)}) (a function needs brackets)"
    if len(name) == 1 or name in ("z", "t", "u", "v"):
        if variables & set(SURFACE_VARIABLES):
            return "use x and y"
        if variables:
            return "use w (or x and y, for a surface)"
        return "use w for a curve L(w), or x and y for a surface L(x, y)"
    return "the functions are " + ", ".join(FUNCTION_NAMES) + "; the constants are pi and e"


# ------------------------------------------------------------------------------------------
# Grammar, checked on the tokens so that every message can name the place
# ------------------------------------------------------------------------------------------
def check_grammar(tokens: list[Token]) -> None:
    """Operands and operators alternate, brackets match, functions have brackets."""
    if not tokens:
        raise located_error(f"type a formula, for example {EXAMPLE}", None)
    grammar = _Grammar()
    for token in tokens:
        grammar.feed(token)
    grammar.finish()


class _Grammar:
    """Reads tokens one by one, knowing whether an operand (a number, a name, a bracket) is due."""

    def __init__(self) -> None:
        self.expect_operand = True
        self.previous: Token | None = None
        self.opened: list[Token] = []
        self.signs = 0  # signs in a row (as in - - x), bounded like brackets

    def feed(self, token: Token) -> None:
        previous = self.previous
        if previous is not None and previous.kind == "function" and token.kind != "open":
            raise _function_without_brackets(previous, token)
        if token.kind in ("number", "name", "function", "open") and not self.expect_operand:
            raise _implicit_multiplication(previous, token)
        getattr(self, f"_{token.kind}")(token)
        self.previous = token

    def _number(self, token: Token) -> None:
        self.expect_operand = False
        self.signs = 0

    _name = _number

    def _function(self, token: Token) -> None:
        self.signs = 0  # the next token must be "(", checked when it comes

    def _open(self, token: Token) -> None:
        self.opened.append(token)
        self.signs = 0
        if len(self.opened) > MAX_NESTING:
            raise located_error(
                f"too many brackets inside brackets{{at}} (at most {MAX_NESTING})", token.column
            )

    def _close(self, token: Token) -> None:
        if not self.opened:
            raise located_error("this ‘)’{at} has no matching ‘(’", token.column)
        if self.expect_operand:
            if self.previous is not None and self.previous.kind == "open":
                raise located_error("empty brackets{at}: put something inside", self.previous.column)
            raise located_error("something is missing before ‘)’{at}", token.column)
        self.opened.pop()

    def _super(self, token: Token) -> None:
        if self.expect_operand:
            raise located_error(
                f"the power ‘{token.text}’{{at}} must follow a number or a variable", token.column
            )

    def _op(self, token: Token) -> None:
        if token.ascii in "+-":  # binary, or a sign where an operand was due
            self.signs = self.signs + 1 if self.expect_operand else 0
            if self.signs > MAX_NESTING:
                raise located_error(f"too many signs in a row{{at}} (at most {MAX_NESTING})", token.column)
            self.expect_operand = True
            return
        self._power(token)

    def _power(self, token: Token) -> None:  # and * and /: they need something on their left
        if self.expect_operand:
            raise located_error(f"something is missing before ‘{token.text}’{{at}}", token.column)
        self.expect_operand = True

    def finish(self) -> None:
        last = self.previous
        if last.kind == "function":
            raise _function_without_brackets(last, last)
        if self.expect_operand:
            raise located_error(
                f"the formula stops too early: something must follow ‘{last.text}’{{at}}", last.column
            )
        if self.opened:
            raise located_error("this ‘(’{at} is never closed: add a ‘)’", self.opened[-1].column)


def _function_without_brackets(function: Token, token: Token) -> ExpressionError:
    name = function.text
    if token.kind in ("power", "super"):
        power = token.text.translate(_SUPERSCRIPTS) if token.kind == "super" else "2"
        return located_error(
            f"write {name}(x)^{power}, not {name}{token.text}...{{at}}: the power goes after the "
            "brackets",
            function.column,
        )
    return located_error(f"write {name}(...) with brackets{{at}}: a function needs brackets", function.column)


def _implicit_multiplication(previous: Token, token: Token) -> ExpressionError:
    left = "the power" if previous.kind == "super" else previous.text
    right = token.text if token.kind != "open" else "(...)"
    if token.kind == "function":
        right = f"{token.text}(...)"
    if token.kind == "number" and previous.kind == "number":
        return located_error(f"two numbers in a row{{at}}: put an operator between {left} and {right}", token.column)
    return located_error(f"write {left}*{right}{{at}}: multiplication needs a *", token.column)


# ------------------------------------------------------------------------------------------
# ASCII source and Python's parser
# ------------------------------------------------------------------------------------------
def to_source(tokens: list[Token]) -> tuple[str, list[int]]:
    """The tokens as ASCII Python, and for every character the typed column it came from."""
    parts: list[str] = []
    origin: list[int] = []
    for token in tokens:
        if parts:
            parts.append(" ")
            origin.append(token.column)
        parts.append(token.ascii)
        origin.extend([token.column] * len(token.ascii))
    return "".join(parts), origin

