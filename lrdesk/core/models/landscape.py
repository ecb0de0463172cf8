"""Loss landscapes: the exact loss of a two-parameter model, and 2-D slices through any model.

A slice is the training loss at θ + α·d1 + β·d2 over a grid of (α, β), around a centre θ (the
final parameters), along two directions:

- ``random``: filter-normalised random directions (Li et al., 2018, "Visualizing the Loss
  Landscape of Neural Nets"): each direction is Gaussian, then the weights into each unit (a
  column of a layer's W) are rescaled to the norm of that column of θ; biases get no component
  (their ``ignore biasbn`` setting), so the picture does not depend on how each layer is scaled;
- ``pca``: the top two principal directions of the trajectory θ_t − θ_final (their section 7),
  orthonormal, with the share of the path's variance each explains;
- ``hessian``: the eigenvectors of the two largest eigenvalues of the Hessian at θ (unit length),
  the directions gradient descent is least stable along, from the Lanczos iteration with full
  re-orthogonalisation on exact Hessian-vector products (``Network.hessian_vector_product``).

The path is projected on the plane by least squares (exactly, for orthonormal directions).

The grid is computed in chunks of rows, each grid point a "run" of the batched forward pass:
``slice_rows`` yields every chunk as a fresh array, so that a caller can show progress and stop;
``loss_slice`` runs it to the end (or until ``cancelled()``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from lrdesk.core.models.networks import Network, Workspace

Array = np.ndarray

#: grid points evaluated together (each one a run of the batched forward pass)
CHUNK_POINTS = 256


@dataclass(frozen=True)
class Plane:
    center: Array
    d1: Array
    d2: Array
    kind: str  # "axes", "random" or "pca"
    explained: tuple[float, float] | None = None  # PCA: share of the path's variance

    def project(self, params: Array) -> Array:
        """(α, β) of each parameter vector (T, dim) on the plane, by least squares."""
        D = np.column_stack([self.d1, self.d2])
        offsets = np.atleast_2d(params) - self.center
        return np.linalg.lstsq(D, offsets.T, rcond=None)[0].T


@dataclass(frozen=True)
class Slice:
    plane: Plane
    alphas: Array
    betas: Array
    losses: Array  # (len(betas), len(alphas)); rows not computed (cancelled) are NaN
    complete: bool


def axes_plane(center) -> Plane:
    """The plane of a two-parameter model's own coordinates (w, b): the exact loss surface."""
    center = np.asarray(center, dtype=float)
    if len(center) != 2:
        raise ValueError("the exact surface needs a model with exactly two parameters")
    return Plane(center, np.array([1.0, 0.0]), np.array([0.0, 1.0]), "axes")


def filter_normalized_direction(network: Network, params: Array, rng) -> Array:
    """One random direction, each unit's incoming weights scaled to that unit's norm in θ."""
    d = rng.standard_normal(network.dim)
    for (a, b, c), (i, o) in zip(network.offsets(), network.shapes, strict=True):
        W = params[a:b].reshape(i, o)
        D = d[a:b].reshape(i, o)
        D *= np.linalg.norm(W, axis=0) / np.maximum(np.linalg.norm(D, axis=0), 1e-300)
        d[b:c] = 0.0
    return d


def random_plane(network: Network, center, seed: int = 0) -> Plane:
    center = np.asarray(center, dtype=float)
    rng = np.random.default_rng(seed)
    d1 = filter_normalized_direction(network, center, rng)
    d2 = filter_normalized_direction(network, center, rng)
    return Plane(center, d1, d2, "random")


def pca_plane(path: Array, center=None) -> Plane:
    """The top two principal directions of the path's offsets from its end (or ``center``)."""
    path = np.asarray(path, dtype=float)
    center = path[-1] if center is None else np.asarray(center, dtype=float)
    offsets = path - center
    if len(path) < 3 or path.shape[1] < 2:
        raise ValueError("a PCA plane needs a path of at least 3 points and 2 parameters")
    _, s, vt = np.linalg.svd(offsets, full_matrices=False)
    total = float(np.sum(s * s))
    if total == 0 or len(s) < 2 or s[1] == 0:
        raise ValueError("the path does not span two directions")
    share = (float(s[0] ** 2 / total), float(s[1] ** 2 / total))
    return Plane(center, vt[0].copy(), vt[1].copy(), "pca", share)


def hessian_plane(network: Network, center, X: Array, y: Array, iterations: int = 40) -> Plane:
    """The plane of the two sharpest directions at ``center``; ``explained`` holds nothing
    (the eigenvalues are in ``curvatures``)."""
    center = np.asarray(center, dtype=float)
    (l1, l2), (v1, v2) = top_hessian_directions(network, center, X, y, iterations)
    return HessianPlane(center, v1, v2, "hessian", None, (l1, l2))


@dataclass(frozen=True)
class HessianPlane(Plane):
    curvatures: tuple[float, float] = (0.0, 0.0)  # the two largest Hessian eigenvalues


def top_hessian_directions(network: Network, center: Array, X: Array, y: Array,
                           iterations: int = 40) -> tuple[tuple[float, float], tuple[Array, Array]]:
    """The two largest Hessian eigenvalues at ``center`` and their unit eigenvectors (Ritz
    values and vectors of the Lanczos iteration, started from a seeded random vector)."""
    dim = len(center)
    if dim < 2:
        raise ValueError("a plane needs a model with at least two parameters")
    m = min(iterations, dim)
    P = center[None, :]
    v = np.random.default_rng(0).standard_normal(dim)
    v /= np.linalg.norm(v)
    basis = np.zeros((m, dim))
    alpha, beta = np.zeros(m), np.zeros(m)
    size = m
    with np.errstate(all="ignore"):
        for j in range(m):
            basis[j] = v
            w = network.hessian_vector_product(P, v[None, :], X, y)[0]
            alpha[j] = w @ v
            for _ in range(2):  # full re-orthogonalisation, twice for safety
                w -= basis[: j + 1].T @ (basis[: j + 1] @ w)
            beta[j] = np.linalg.norm(w)
            if not beta[j] > 1e-10 * max(1.0, float(np.abs(alpha[: j + 1]).max())):
                size = j + 1
                break
            v = w / beta[j]
    if size < 2 or not np.all(np.isfinite(alpha[:size])):
        raise ValueError("the Hessian here has fewer than two directions of curvature")
    T = np.diag(alpha[:size]) + np.diag(beta[: size - 1], 1) + np.diag(beta[: size - 1], -1)
    values, vectors = np.linalg.eigh(T)
    ritz = basis[:size].T @ vectors[:, ::-1][:, :2]
    ritz /= np.linalg.norm(ritz, axis=0)
    return (float(values[-1]), float(values[-2])), (ritz[:, 0].copy(), ritz[:, 1].copy())


def grid_around(plane: Plane, path: Array | None, resolution: int = 41,
                margin: float = 0.25, span: float = 1.0) -> tuple[Array, Array]:
    """α and β values covering the projected path (with a margin), or ±span without one."""
    if not 3 <= resolution <= 401:
        raise ValueError("the resolution must be from 3 to 401 points a side")
    if path is None or len(path) == 0:
        lo, hi = np.array([-span, -span]), np.array([span, span])
    else:
        xy = plane.project(path)
        xy = xy[np.all(np.isfinite(xy), axis=1)]
        lo, hi = np.minimum(xy.min(axis=0), 0.0), np.maximum(xy.max(axis=0), 0.0)
        width = np.maximum(hi - lo, 1e-6 * max(1.0, float(np.abs(plane.center).max())))
        lo, hi = lo - margin * width, hi + margin * width
    return np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)


def slice_rows(network: Network, X: Array, y: Array, plane: Plane, alphas: Array,
               betas: Array, chunk_points: int = CHUNK_POINTS) -> Iterator[tuple[int, Array]]:
    """Yield (first row, losses of whole rows (rows, len(alphas))) chunk by chunk."""
    alphas, betas = np.asarray(alphas, float), np.asarray(betas, float)
    rows_per_chunk = max(1, chunk_points // len(alphas))
    work = Workspace()
    for first in range(0, len(betas), rows_per_chunk):
        B = betas[first:first + rows_per_chunk]
        A, Bg = np.meshgrid(alphas, B)
        P = (plane.center[None, :] + A.reshape(-1, 1) * plane.d1[None, :]
             + Bg.reshape(-1, 1) * plane.d2[None, :])
        with np.errstate(all="ignore"):
            losses = network.loss(P, X, y, work)
        yield first, losses.reshape(len(B), len(alphas)).copy()


def loss_slice(network: Network, X: Array, y: Array, plane: Plane, alphas: Array, betas: Array,
               progress: Callable[[int, int], None] | None = None,
               cancelled: Callable[[], bool] | None = None,
               chunk_points: int = CHUNK_POINTS) -> Slice:
    """The whole grid; stops between chunks when ``cancelled()`` says so (the rest stays NaN)."""
    losses = np.full((len(betas), len(alphas)), np.nan)
    complete = True
    for first, rows in slice_rows(network, X, y, plane, alphas, betas, chunk_points):
        if cancelled is not None and cancelled():
            complete = False
            break
        losses[first:first + len(rows)] = rows
        if progress is not None:
            progress(first + len(rows), len(betas))
    return Slice(plane, np.asarray(alphas, float), np.asarray(betas, float), losses, complete)
