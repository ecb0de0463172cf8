"""Helpers shared by the command-line subcommands: parsing numbers and points, clean errors."""

from __future__ import annotations

import math

from lrdesk.core.limits import learning_rate_problem


class CliError(Exception):
    """Bad command-line input: printed as one line, exit status 2."""


def quoted(text: str, limit: int = 40) -> str:
    """A value the user typed, quoted for a message and shortened: never 100,000 characters."""
    text = str(text)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"'{text}'"


def parse_float(text: str, what: str) -> float:
    """The finite number typed for option ``what``; CliError otherwise."""
    try:
        value = float(text)
    except ValueError:
        raise CliError(f"{what}: {quoted(text)} is not a number") from None
    if math.isnan(value):
        raise CliError(f"{what}: NaN is not allowed")
    if math.isinf(value):
        raise CliError(f"{what}: must be finite")
    return value


def parse_learning_rate(text: str, what: str = "--lr") -> float:
    """The learning rate typed for option ``what``; CliError says what is wrong with it."""
    value = parse_float(text, what)
    problem = learning_rate_problem(value)
    if problem is not None:
        raise CliError(f"{what}: the learning rate {problem}")
    return value


def parse_point(text: str, what: str = "--start") -> tuple[float, ...]:
    """'5' or '-1.5,2' -> a tuple of finite floats."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise CliError(f"{what}: give one number (1-D) or two separated by a comma (2-D)")
    return tuple(parse_float(p, what) for p in parts)


def parse_whole(text: str | int, what: str, low: int, high: int) -> int:
    """The whole number from ``low`` to ``high`` typed for option ``what``; CliError otherwise."""
    try:
        value = int(text)
    except (TypeError, ValueError):
        raise CliError(f"{what}: {quoted(str(text))} is not a whole number") from None
    if not low <= value <= high:
        raise CliError(f"{what}: must be from {low:,} to {high:,}, not {value:,}")
    return value


def parse_steps(text: str | int, what: str = "--steps", limit: int = 100_000_000) -> int:
    """A step budget from 1 to ``limit``; CliError otherwise."""
    return parse_whole(text, what, 1, limit)


def parse_params(items: list[str] | None, what: str = "--param") -> dict[str, float]:
    """['a=2', 'b=3'] -> {'a': 2.0, 'b': 3.0}."""
    out = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise CliError(f"{what}: expected NAME=VALUE, not {quoted(item)}")
        out[name.strip()] = parse_float(value, f"{what} {name.strip()}")
    return out
