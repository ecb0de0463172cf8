"""Finding the minima of a surface numerically, for functions whose minima nobody wrote down.

Damped Newton steps (Levenberg–Marquardt: solve (H + μI)·d = −g, shrinking μ after a step that
lowers the loss and growing it after one that does not; Nocedal & Wright, *Numerical
Optimization*, §10.3) start from a grid over the search box, all starts at once. A point is kept
as a minimum where the slope vanishes and the curvature is nowhere negative, or, at a kink such
as the bottom of abs(x), where no nearby point is lower. Duplicates are merged and the deepest
minima come first.
"""

from __future__ import annotations

import itertools

import numpy as np

from lrdesk.core.surfaces import LossFunction

Array = np.ndarray

SEARCH_HALF_WIDTH = 5.0  # starts on a grid over [-5, 5] per axis
KEEP_HALF_WIDTH = 50.0  # minima found further out than this are ignored
MAX_MINIMA = 100
ITERATIONS = 120
FULL_BUDGET = 30_000  # more than 15 × 15 starts × ITERATIONS: no limit for short formulas
_GRID = {1: 41, 2: 15}  # starts per axis


def find_minima(function: LossFunction, budget: int = FULL_BUDGET) -> Array:
    """Local minima of ``function``, shaped (M, dim), the deepest first (M may be 0).

    ``budget`` bounds the work: how many times, all starts together, the curvature may be
    worked out. Long formulas get a smaller budget, so the search stays quick.
    """
    dim = function.dim
    axis = np.linspace(-SEARCH_HALF_WIDTH, SEARCH_HALF_WIDTH, _GRID[dim])
    starts = np.array(list(itertools.product(axis, repeat=dim)), dtype=float)
    with np.errstate(all="ignore"):
        points = _descend(function, np.asfortranarray(starts), budget)
        return _select(function, points)


def _descend(function: LossFunction, P: Array, budget: int) -> Array:
    """Damped Newton from every start; a start drops out once it has settled or got stuck.

    The slope and curvature of a start are worked out again only after it has moved: a refused
    step changes nothing but the damping.
    """
    K, dim = P.shape
    damping = np.full(K, 1e-3)
    loss = function.value(P)
    G = np.zeros((K, dim))
    H = np.zeros((K, dim, dim))
    moved = np.ones(K, dtype=bool)
    active = np.isfinite(loss)
    for _ in range(ITERATIONS):
        fresh = np.nonzero(active & moved)[0]
        budget -= len(fresh)
        if budget < 0:
            break
        if len(fresh):
            Q = np.asfortranarray(P[fresh])
            G[fresh] = function.gradient(Q)
            H[fresh] = function.hessian(Q)
            active[fresh] &= np.all(np.isfinite(G[fresh]), axis=1)
            active[fresh] &= np.all(np.isfinite(H[fresh]), axis=(1, 2))
        rows = np.nonzero(active)[0]
        if len(rows) == 0:
            break
        step = _damped_newton_step(G[rows], H[rows], damping[rows])
        trial = np.asfortranarray(P[rows] + step)
        trial_loss = function.value(trial)
        better = np.isfinite(trial_loss) & (trial_loss < loss[rows])
        size = np.abs(step).max(axis=1) / (1.0 + np.abs(P[rows]).max(axis=1))
        P[rows[better]] = trial[better]
        loss[rows[better]] = trial_loss[better]
        moved[:] = False
        moved[rows[better]] = True
        damping[rows] = np.clip(damping[rows] * np.where(better, 0.3, 10.0), 1e-12, 1e16)
        settled = (better & (size <= 1e-13)) | (~better & (size <= 1e-15))
        active[rows[settled]] = False
        active &= damping < 1e15
    return P


def _damped_newton_step(G: Array, H: Array, damping: Array) -> Array:
    """Solve (H + shift·I)·d = −g through the eigen-decomposition of H.

    The shift lifts every curvature to at least ``damping`` times the largest, so the system is
    always positive definite and never singular.
    """
    eig, vectors = np.linalg.eigh(0.5 * (H + np.swapaxes(H, 1, 2)))
    scale = 1.0 + np.abs(eig).max(axis=1)
    shift = np.maximum(0.0, -eig[:, :1]) + (damping * scale)[:, None]
    along = np.einsum("kij,ki->kj", vectors, G)  # the slope along each eigenvector
    return -np.einsum("kij,kj->ki", vectors, along / (eig + shift))


def _select(function: LossFunction, P: Array) -> Array:
    """Keep the minima among the end points, merge duplicates, the deepest first."""
    loss, G = function.value_and_gradient(P)
    H = function.hessian(P)
    finite = np.isfinite(loss) & np.all(np.isfinite(G), axis=1) & np.all(np.isfinite(H), axis=(1, 2))
    finite &= np.all(np.abs(P) <= KEEP_HALF_WIDTH, axis=1)
    P, loss, G, H = P[finite], loss[finite], G[finite], H[finite]
    if len(P) == 0:
        return np.empty((0, function.dim))
    eig = np.linalg.eigvalsh(0.5 * (H + np.swapaxes(H, 1, 2)))
    scale = 1.0 + np.abs(eig).max(axis=1)
    flat = np.linalg.norm(G, axis=1) <= 1e-6 * scale * (1.0 + np.abs(P).max(axis=1))
    smooth_minimum = flat & (eig[:, 0] >= -1e-7 * scale)
    keep = smooth_minimum | (~flat & _no_lower_neighbour(function, P, loss))
    P, loss = _snapped(function, P[keep], loss[keep])
    return _merge(P, loss)


def _no_lower_neighbour(function: LossFunction, P: Array, loss: Array) -> Array:
    """True where every point a tiny step away (along the axes and diagonals) is as high."""
    radius = 1e-6 * (1.0 + np.abs(P).max(axis=1))
    directions = [d for d in itertools.product((-1.0, 0.0, 1.0), repeat=P.shape[1]) if any(d)]
    ok = np.ones(len(P), dtype=bool)
    tolerance = 1e-15 * (1.0 + np.abs(loss))
    for d in directions:
        neighbour = np.asfortranarray(P + radius[:, None] * np.array(d))
        ok &= function.value(neighbour) >= loss - tolerance
    return ok


def _snapped(function: LossFunction, P: Array, loss: Array) -> tuple[Array, Array]:
    """Round each minimum to 6 decimals where that is no higher: a kink at 0 is then exactly 0.

    At the tip of a cone such as sqrt(x² + y²) the curvature is undefined, and the theory can
    only say so when it is asked about the exact tip, not a point 1e-30 away from it.
    """
    rounded = np.asfortranarray(np.round(P, 6) + 0.0)  # + 0.0 turns −0.0 into 0.0
    rounded_loss = function.value(rounded)
    better = np.isfinite(rounded_loss) & (rounded_loss <= loss)
    return np.where(better[:, None], rounded, P), np.where(better, rounded_loss, loss)


def _merge(P: Array, loss: Array) -> Array:
    """One point per minimum (points closer than 1e-3 are the same), the deepest first."""
    order = np.lexsort((np.linalg.norm(P, axis=1), np.round(loss, 9)))
    kept: list[Array] = []
    for i in order:
        if all(np.max(np.abs(P[i] - q)) > 1e-3 for q in kept):
            kept.append(P[i])
            if len(kept) == MAX_MINIMA:
                break
    return np.array(kept).reshape(-1, P.shape[1])
