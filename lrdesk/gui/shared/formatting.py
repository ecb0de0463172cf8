"""Numbers as a student reads them: short, and NaN or infinity said in words."""

from __future__ import annotations

import math


def format_number(value: float | None, digits: int = 3) -> str:
    """``3.1e+09``, ``0.0123``, ``-2.5``; ``not a number`` / ``infinite``; ``–`` for None."""
    if value is None:
        return "–"
    value = float(value)
    if math.isnan(value):
        return "not a number"
    if math.isinf(value):
        return "infinite" if value > 0 else "minus infinite"
    text = f"{value:.{digits}g}"
    return "0" if text in ("-0", "0") else text


def format_rate(value: float) -> str:
    """A learning rate, as short as it can be written (0.000123, 3e-05, 1.1).

    Twelve significant digits keep every typed value and hide float noise such as
    3.0000000000000004e-05 (from 0.0003 × 0.1).
    """
    if not math.isfinite(value):
        return format_number(value)
    text = f"{float(value):.12g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa.removesuffix('.0')}e{int(exponent):+03d}"
    return text.removesuffix(".0")


def format_step(step: int | None) -> str:
    return "–" if step is None or step < 0 else f"{int(step):,}"
