"""The minima behind the theory are searched once per surface and parameters, and are the same."""

from __future__ import annotations

import numpy as np
import pytest

from lrdesk.core.surfaces import FUNCTIONS, Rastrigin
from lrdesk.core.theory.hessian import known_minima, local_theory


@pytest.mark.parametrize("key", sorted(FUNCTIONS))
def test_the_known_minima_are_the_surfaces_own(key):
    function = FUNCTIONS[key]()
    assert np.array_equal(known_minima(function), function.minima())


def test_a_rate_or_start_change_does_not_search_again(monkeypatch):
    searches = []
    search = Rastrigin.minima
    monkeypatch.setattr(Rastrigin, "minima", lambda self: (searches.append(1), search(self))[1])
    for start in [(2.3, -1.7), (0.4, 0.2), (2.3, -1.7)]:  # a new function object each time
        local_theory(Rastrigin(A=7.25), start)
    assert len(searches) == 1  # A = 7.25, 7.375: used nowhere else
    local_theory(Rastrigin(A=7.375), (2.3, -1.7))
    assert len(searches) == 2
    other = Rastrigin(A=7.375)
    assert np.array_equal(known_minima(other), search(other))  # other parameters, their own
