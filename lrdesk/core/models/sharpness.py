"""Sharpness: the top eigenvalue of the training loss's Hessian, from Hessian-vector products.

Hessian-vector products are exact, by Pearlmutter's R-operator (``Network.hessian_vector_product``);
``finite_difference_hvp`` (the central difference of two gradients) is kept as a cross-check.
The extreme eigenvalues come from the Lanczos iteration with full re-orthogonalisation, batched
over the runs, started from the same seeded random vector; it stops when the extreme Ritz value
of every run changes by less than ``rtol`` (relative) from one iteration to the next, or after
``max_iterations`` (at most the number of parameters).

Gradient descent at rate η on a quadratic is stable while the sharpness is below 2/η, with
heavy-ball momentum β below (2 + 2β)/η. Under full-batch gradient descent a network's sharpness
typically rises to that line and hovers there while the loss keeps falling: the edge of stability
(Cohen et al., 2021, "Gradient Descent on Neural Networks Typically Occurs at the Edge of
Stability").
"""

from __future__ import annotations

import numpy as np

from lrdesk.core.models.networks import Network, Workspace

Array = np.ndarray


def hessian_vector_products(network: Network, P: Array, V: Array, X: Array, y: Array,
                            work: Workspace | None = None) -> Array:
    """H(θ_k)·v_k for every run k (P and V shaped (K, dim)), exactly."""
    return network.hessian_vector_product(P, V, X, y)


def finite_difference_hvp(network: Network, P: Array, V: Array, X: Array, y: Array,
                          work: Workspace | None = None) -> Array:
    """(∇L(θ + εv) − ∇L(θ − εv)) / 2ε, ε = 1e-4·max(1, rms θ), for unit vectors v: error O(ε²)."""
    scale = np.sqrt(np.mean(P * P, axis=1, keepdims=True))
    eps = 1e-4 * np.maximum(1.0, scale)
    _, up = network.loss_and_gradient(P + eps * V, X, y, work=work)
    _, down = network.loss_and_gradient(P - eps * V, X, y, work=work)
    return (up - down) / (2.0 * eps)


def top_eigenvalues(network: Network, P: Array, X: Array, y: Array, which: str = "top",
                    max_iterations: int = 40, rtol: float = 1e-6,
                    work: Workspace | None = None) -> Array:
    """The largest (or, ``which="lowest"``, the smallest) Hessian eigenvalue of each run."""
    P = np.ascontiguousarray(P, dtype=float)
    K, dim = P.shape
    m = min(max_iterations, dim)
    rng = np.random.default_rng(0)
    v = np.broadcast_to(rng.standard_normal(dim), (K, dim)).copy()
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    basis = np.zeros((K, m, dim))
    alpha, beta = np.zeros((K, m)), np.zeros((K, m))
    size = np.zeros(K, dtype=np.int64)
    live = np.ones(K, dtype=bool)
    previous = np.full(K, np.nan)
    estimate = np.full(K, np.nan)
    work = work or Workspace()
    with np.errstate(all="ignore"):
        for j in range(m):
            basis[:, j] = v
            size[live] = j + 1
            w = hessian_vector_products(network, P, v, X, y, work)
            alpha[:, j] = np.einsum("kd,kd->k", w, v)
            for _ in range(2):  # full re-orthogonalisation, twice for safety
                w -= np.einsum("kj,kjd->kd", np.einsum("kjd,kd->kj", basis[:, : j + 1], w),
                               basis[:, : j + 1])
            norm = np.linalg.norm(w, axis=1)
            beta[:, j] = norm
            estimate = _extreme_ritz(alpha, beta, size, which)
            settled = np.abs(estimate - previous) <= rtol * np.maximum(np.abs(estimate), 1e-300)
            exhausted = ~(norm > 1e-10 * np.maximum(1.0, np.abs(alpha[:, : j + 1]).max(axis=1)))
            live &= ~(settled | exhausted)
            if not live.any():
                break
            previous = estimate
            v = np.where(live[:, None], w / np.where(norm > 0, norm, 1.0)[:, None], 0.0)
    return estimate


def _extreme_ritz(alpha: Array, beta: Array, size: Array, which: str) -> Array:
    out = np.empty(len(size))
    for k, n in enumerate(size):
        T = np.diag(alpha[k, :n]) + np.diag(beta[k, : n - 1], 1) + np.diag(beta[k, : n - 1], -1)
        if not np.all(np.isfinite(T)):
            out[k] = np.nan
            continue
        eig = np.linalg.eigvalsh(T)
        out[k] = eig[-1] if which == "top" else eig[0]
    return out


def full_hessian(network: Network, params: Array, X: Array, y: Array) -> Array:
    """The whole Hessian (dim, dim) of one run, column by column from Hessian-vector products."""
    dim = len(params)
    eye = np.eye(dim)
    H = hessian_vector_products(network, np.broadcast_to(params, (dim, dim)).copy(), eye, X, y)
    return 0.5 * (H + H.T)


def stability_threshold(learning_rate: float, momentum: float = 0.0) -> float:
    """2/η, or (2 + 2β)/η with heavy-ball momentum β: the sharpness GD can bear at rate η."""
    return (2.0 + 2.0 * momentum) / learning_rate
