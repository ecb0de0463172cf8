"""What the Hessian says about learning rates: the stability limit and the fastest rate.

For a quadratic L = ½ pᵀHp, plain gradient descent multiplies each eigen-component by
(1 − α·λᵢ) per step, so it converges exactly when α < 2/λ_max and is fastest at
α* = 2/(λ_min + λ_max), where the contraction is (κ − 1)/(κ + 1) (Nocedal & Wright,
*Numerical Optimization*, §3.3). Heavy-ball momentum β stays stable while
α < 2(1 + β)/λ_max (Polyak, 1964). Elsewhere the same numbers hold near a minimum, from the
Hessian there: they are then local.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from lrdesk.core.limits import MAX_LEARNING_RATE
from lrdesk.core.surfaces import FUNCTIONS, LossFunction


@dataclass(frozen=True)
class Theory:
    """Learning-rate facts for plain gradient descent on one surface."""

    exact: bool
    point: tuple[float, ...]
    eigenvalues: tuple[float, ...]
    note: str

    @property
    def lambda_max(self) -> float | None:
        return max(self.eigenvalues) if self.eigenvalues else None

    @property
    def lambda_min(self) -> float | None:
        return min(self.eigenvalues) if self.eigenvalues else None

    @property
    def lr_max_stable(self) -> float | None:
        """Above this rate plain gradient descent diverges (exact for quadratics)."""
        lam = self.lambda_max
        return 2.0 / lam if lam is not None and lam > 0 else None

    @property
    def lr_optimal(self) -> float | None:
        """The rate with the smallest worst-case contraction per step."""
        lo, hi = self.lambda_min, self.lambda_max
        if lo is None or hi is None or lo <= 0:
            return None
        return 2.0 / (lo + hi)

    @property
    def condition_number(self) -> float | None:
        lo, hi = self.lambda_min, self.lambda_max
        return hi / lo if lo and hi and lo > 0 else None

    def contraction(self, learning_rate: float) -> float | None:
        """max |1 − α·λᵢ|: below 1 the error shrinks by this factor each step."""
        if not self.eigenvalues:
            return None
        return max(abs(1.0 - learning_rate * lam) for lam in self.eigenvalues)

    def momentum_limit(self, momentum: float) -> float | None:
        """Largest stable rate for heavy-ball momentum β on this quadratic."""
        lam = self.lambda_max
        return 2.0 * (1.0 + momentum) / lam if lam is not None and lam > 0 else None

    def as_dict(self) -> dict:
        return {
            "exact": self.exact,
            "point": list(self.point),
            "eigenvalues": list(self.eigenvalues),
            "lr_max_stable": self.lr_max_stable,
            "lr_optimal": self.lr_optimal,
            "condition_number": self.condition_number,
            "note": self.note,
        }


@functools.lru_cache(maxsize=64)
def _built_in_minima(key: str, params: tuple[tuple[str, float], ...]) -> np.ndarray:
    minima = FUNCTIONS[key](**dict(params)).minima()
    minima.setflags(write=False)  # shared by every caller
    return minima


def known_minima(function: LossFunction) -> np.ndarray:
    """``function.minima()``, searched once per built-in surface and parameters (some search
    take 10-15 ms, and every change of rate or start asks again)."""
    if FUNCTIONS.get(function.key) is type(function):
        return _built_in_minima(function.key, tuple(sorted(function.params.items())))
    return function.minima()  # a typed function keeps its own


def nearest_minimum(function: LossFunction, start) -> np.ndarray | None:
    minima = known_minima(function)
    if len(minima) == 0:
        return None
    d = np.linalg.norm(minima - np.asarray(start, dtype=float)[None, :], axis=1)
    return minima[int(np.argmin(d))]


def local_theory(function: LossFunction, start) -> Theory:
    """Theory from the Hessian at the minimum nearest ``start`` (exact for quadratics)."""
    point = nearest_minimum(function, start)
    if point is None:
        return Theory(False, (), (), "no minimum is known for this surface")
    H = function.hessian(np.asfortranarray(point[None, :]))[0]
    eig = np.linalg.eigvalsh(0.5 * (H + H.T))
    if not np.all(np.isfinite(eig)):
        return Theory(False, tuple(point.tolist()), (), "the curvature at the minimum is undefined")
    where = ", ".join(f"{v:.4g}" for v in point)
    if function.is_quadratic:
        note = "exact: the curvature of a quadratic is the same everywhere"
    else:
        note = f"local: from the curvature at the minimum ({where}) nearest the start"
    return Theory(function.is_quadratic, tuple(point.tolist()), tuple(eig.tolist()), note)


def lr_range(function: LossFunction) -> tuple[float, float]:
    """Learning rates worth exploring on a surface, from crawling to diverging: (low, high).

    Four decades below the stable limit 2/λ_max at the surface's default start up to twice
    that limit, never above the accepted ``MAX_LEARNING_RATE`` (a nearly flat surface);
    (1e-4, 1) where the curvature there gives no limit.
    """
    lam = local_theory(function, function.default_start()).lambda_max
    if lam is None or lam <= 0:
        return (1e-4, 1.0)
    limit = 2.0 / lam
    high = min(limit * 2.0, MAX_LEARNING_RATE)
    return (min(limit * 1e-4, high * 1e-4), high)
