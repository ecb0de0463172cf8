"""Contour lines of a sampled surface, as separate segments, computed with array operations.

Marching squares (Lorensen & Cline's marching cubes, in two dimensions): each grid cell is
classified by which of its four corners lie above the level, and the 16 cases say which of
its edges the contour crosses. One pass counts the levels below each sample, which finds every
crossed cell at once; each level then visits only its own cells, so a 320 x 320 grid with 14
levels takes a few milliseconds instead of the better part of a second that a cell-by-cell
loop in Python needs. The two saddle cases (opposite corners above) are split the
same fixed way; at this resolution the choice cannot be seen.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray

# Edges of the cell with corners a = (i, j), b = (i+1, j), c = (i+1, j+1), d = (i, j+1):
# 0 = a-b, 1 = b-c, 2 = d-c, 3 = a-d. Case bits: a = 1, b = 2, c = 4, d = 8 (corner above).
_SEGMENTS: dict[int, tuple[tuple[int, int], ...]] = {
    1: ((3, 0),), 2: ((0, 1),), 3: ((3, 1),), 4: ((1, 2),), 5: ((3, 0), (1, 2)),
    6: ((0, 2),), 7: ((3, 2),), 8: ((2, 3),), 9: ((0, 2),), 10: ((0, 1), (2, 3)),
    11: ((1, 2),), 12: ((1, 3),), 13: ((0, 1),), 14: ((0, 3),),
}


def _table(which: int) -> tuple[Array, Array]:
    """For each case, the two edges of its ``which``-th segment (-1 where it has none)."""
    first, second = np.full(16, -1), np.full(16, -1)
    for case, segments in _SEGMENTS.items():
        if which < len(segments):
            first[case], second[case] = segments[which]
    return first, second


_TABLES = (_table(0), _table(1))


def contour_segments(values: Array, levels) -> tuple[Array, Array]:
    """Segments of the contour lines of ``values[i, j]`` at ``levels``, in grid coordinates.

    Returns (x, y) with the two ends of each segment one after the other (x[0]-x[1] is the
    first segment), where x counts along the first axis and y along the second, with sample
    (i, j) at (i, j). Cells with a non-finite corner give no segment.
    """
    v = np.asarray(values, dtype=float)
    levels = np.asarray(levels, dtype=float).ravel()
    if v.ndim != 2 or min(v.shape) < 2 or len(levels) == 0:
        return np.empty(0), np.empty(0)
    order = np.argsort(levels, kind="stable")
    rank = np.empty(len(levels), dtype=np.intp)
    rank[order] = np.arange(len(levels))  # level m is the rank[m]-th lowest
    # how many levels lie below each sample: level k crosses a cell when some corner has more
    # than k below it and some corner k or fewer, so one pass finds every crossed cell
    below = np.searchsorted(levels[order], v, side="left")
    na, nb, nc, nd = below[:-1, :-1], below[1:, :-1], below[1:, 1:], below[:-1, 1:]
    low = np.minimum(np.minimum(na, nb), np.minimum(nc, nd))
    high = np.maximum(np.maximum(na, nb), np.maximum(nc, nd))
    a, b, c, d = v[:-1, :-1], v[1:, :-1], v[1:, 1:], v[:-1, 1:]
    finite = np.isfinite(a) & np.isfinite(b) & np.isfinite(c) & np.isfinite(d)
    ci, cj = np.nonzero((low < high) & finite)  # row-major, as the per-level search was
    if len(ci) == 0:
        return np.empty(0), np.empty(0)
    low, high = low[ci, cj], high[ci, cj]
    corners = [x[ci, cj] for x in (na, nb, nc, nd)]
    values_at = [x[ci, cj] for x in (a, b, c, d)]
    xs, ys = [], []
    for level, k in zip(levels, rank, strict=True):  # in the order given
        crossed = np.nonzero((low <= k) & (k < high))[0]
        if len(crossed) == 0:
            continue
        ka, kb, kc, kd = (n[crossed] for n in corners)
        cases = (ka > k) * 1 + (kb > k) * 2 + (kc > k) * 4 + (kd > k) * 8
        va, vb, vc, vd = (x[crossed] for x in values_at)
        fi, fj = ci[crossed].astype(float), cj[crossed].astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):  # edges not crossed are not used
            edge_x = np.stack(
                [fi + (level - va) / (vb - va), fi + 1.0, fi + (level - vd) / (vc - vd), fi], axis=1
            )
            edge_y = np.stack(
                [fj, fj + (level - vb) / (vc - vb), fj + 1.0, fj + (level - va) / (vd - va)], axis=1
            )
        rows = np.arange(len(cases))
        for first, second in _TABLES:
            start, end = first[cases], second[cases]
            has = start >= 0
            r, start, end = rows[has], start[has], end[has]
            xs.append(np.column_stack([edge_x[r, start], edge_x[r, end]]).ravel())
            ys.append(np.column_stack([edge_y[r, start], edge_y[r, end]]).ravel())
    if not xs:
        return np.empty(0), np.empty(0)
    return np.concatenate(xs), np.concatenate(ys)
