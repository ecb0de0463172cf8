"""Bounds on user input shared by the spec, the engine, the sweeps, the command line and the window.

``learning_rate_problem`` is the one check of a learning rate: every place that takes one asks
it, and words the answer for its own reader (a field name, a command-line option, a sentence).
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

#: The largest learning rate accepted anywhere: past it every surface here diverges at once.
MAX_LEARNING_RATE = 1e6


def learning_rate_problem(value: Any) -> str | None:
    """What is wrong with ``value`` as a learning rate, or None when it can be used.

    A usable rate is a finite number above zero and at most ``MAX_LEARNING_RATE``. The answer
    completes "The learning rate ..." or "--lr: ...", e.g. "must be a finite number greater
    than zero, not -1".
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        shown = repr(value)
        return f"must be a number, not {shown if len(shown) <= 40 else shown[:37] + '...'}"
    value = float(value)
    if math.isnan(value):
        return "is not a number (NaN); it must be a finite number greater than zero"
    if math.isinf(value):
        return "must be a finite number greater than zero, not infinite"
    if value <= 0:
        return f"must be a finite number greater than zero, not {value:g}"
    if value > MAX_LEARNING_RATE:
        return f"must be at most {MAX_LEARNING_RATE:,.0f}, not {value:g} (far too large)"
    return None


def learning_rates_problem(rates) -> str | None:
    """``learning_rate_problem`` of the first unusable rate of an array (None: all usable)."""
    import numpy as np  # here: the command line starts without NumPy

    rates = np.asarray(rates, dtype=float)
    bad = ~(np.isfinite(rates) & (rates > 0) & (rates <= MAX_LEARNING_RATE))
    if not bad.any():
        return None
    return learning_rate_problem(float(rates[np.argmax(bad)]))
