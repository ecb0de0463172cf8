"""Contour lines of the 2-D heat map: the right segments, in array time."""

from __future__ import annotations

import numpy as np
import pytest

from lrdesk.gui.canvas.contours import contour_segments


def _grid(f, nx=101, ny=83):
    xs, ys = np.linspace(-2, 2, nx), np.linspace(-1, 3, ny)
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    return f(gx, gy)


def _segment_set(x, y, decimals=6):
    """Segments as a set of rounded, end-order-free tuples."""
    pairs = np.round(np.column_stack([x, y]).reshape(-1, 2, 2), decimals)
    swap = (pairs[:, 0, 0] > pairs[:, 1, 0]) | (
        (pairs[:, 0, 0] == pairs[:, 1, 0]) & (pairs[:, 0, 1] > pairs[:, 1, 1])
    )
    pairs[swap] = pairs[swap][:, ::-1]
    return set(map(tuple, pairs.reshape(-1, 4)))


def _levels(values, count=14):
    return np.linspace(values.min(), values.max(), count + 2)[1:-1] + 1e-9  # no exact ties


def test_a_bowl_gives_the_same_segments_as_the_reference_loop():
    pg = pytest.importorskip("pyqtgraph")
    values = _grid(lambda x, y: x**2 + 3 * (y - 0.7) ** 2 + 0.3 * x * y)
    levels = _levels(values)
    x, y = contour_segments(values, levels)
    reference = np.array([s for level in levels for s in pg.isocurve(values, level)])
    reference -= 0.5  # pyqtgraph puts sample (i, j) at (i + 0.5, j + 0.5)
    assert len(x) == 2 * len(reference)
    assert _segment_set(x, y) == _segment_set(reference[:, :, 0].ravel(), reference[:, :, 1].ravel())


@pytest.mark.parametrize("seed", [0, 1])
def test_every_end_lies_on_a_cell_edge_where_the_values_cross_the_level(seed):
    values = np.random.default_rng(seed).random((40, 30))  # rough, with many saddle cells
    for level in (0.25, 0.5, 0.8):
        x, y = contour_segments(values, [level])
        assert len(x) > 0 and len(x) % 2 == 0
        on_x_edge = x == np.round(x)  # an end on a vertical grid line x = i (exactly) ...
        on_y_edge = y == np.round(y)  # ... or on a horizontal one y = j
        assert np.all(on_x_edge | on_y_edge)
        for px, py, vertical in zip(x, y, on_x_edge, strict=True):
            if vertical:  # between samples (i, floor(y)) and (i, floor(y) + 1)
                i, j = round(float(px)), int(np.floor(py))
                j = min(j, values.shape[1] - 2)
                t = py - j
                value = values[i, j] * (1 - t) + values[i, j + 1] * t
            else:
                i, j = int(np.floor(px)), round(float(py))
                i = min(i, values.shape[0] - 2)
                t = px - i
                value = values[i, j] * (1 - t) + values[i + 1, j] * t
            assert value == pytest.approx(level, abs=1e-9)


def test_the_cell_count_matches_the_crossings():
    # a level between the values of a single corner and the rest: one segment per cell
    values = np.zeros((5, 5))
    values[2, 2] = 1.0
    x, y = contour_segments(values, [0.5])
    assert len(x) == 2 * 4  # the four cells around the raised sample, one cut each
    assert np.all((np.abs(x - 2) <= 0.5) & (np.abs(y - 2) <= 0.5))


def test_flat_non_finite_and_degenerate_grids_give_nothing_or_skip_cells():
    assert len(contour_segments(np.ones((10, 10)), [0.5, 1.5])[0]) == 0
    assert len(contour_segments(np.ones((1, 10)), [0.5])[0]) == 0
    assert len(contour_segments(np.ones(10), [0.5])[0]) == 0
    values = np.zeros((5, 5))
    values[2, 2] = 1.0
    values[0, 0] = np.nan  # only the corner cell touches it
    x, y = contour_segments(values, [0.5])
    assert len(x) == 8 and np.all(np.isfinite(x)) and np.all(np.isfinite(y))
    values[2, 3] = np.inf  # the two cells below and above it drop out
    x, _ = contour_segments(values, [0.5])
    assert len(x) == 4 and np.all(np.isfinite(x))
