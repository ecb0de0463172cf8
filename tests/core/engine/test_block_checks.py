"""The block checks' helpers give exactly what the plain whole-array forms give."""

from __future__ import annotations

import numpy as np
import pytest

from lrdesk.core.engine.batch import _count_rows, _reversals, _squared_norms, _squared_norms_at


@pytest.mark.parametrize("rows", [1, 255, 256, 65_535, 65_536])
def test_row_counts_hold_a_full_column(rows):
    mask = np.ones((rows, 3), dtype=bool)
    mask[0, 1] = False
    assert _count_rows(mask).tolist() == [rows, rows - 1, rows]


def test_squared_lengths_at_a_few_entries_equal_the_whole_array_ones():
    rng = np.random.default_rng(3)
    A = rng.normal(size=(7, 3, 50)) * 10.0 ** rng.integers(-8, 8, size=(7, 3, 50))
    rows, cols = rng.integers(0, 7, 40), rng.integers(0, 50, 40)
    assert np.array_equal(_squared_norms_at(A, rows, cols), _squared_norms(A)[rows, cols])


def test_reversals_are_the_steps_pointing_against_the_one_before():
    rng = np.random.default_rng(4)
    D, previous = rng.normal(size=(6, 2, 30)), rng.normal(size=(2, 30))
    D[2, :, 0] = 0.0  # a zero step reverses nothing
    steps = np.concatenate([previous[None], D])
    expected = np.einsum("rdn,rdn->rn", steps[1:], steps[:-1]) < 0
    assert np.array_equal(_reversals(D, previous), expected)
    assert not _reversals(D, previous)[2:4, 0].any()
