"""What theory says for linear regression: its exact Hessian, stable and fastest rates, optimum.

With X̃ the training features followed by a column of ones (the order of the flat parameters,
w then b), the mean squared error L(θ) = (1/n)‖X̃θ − y‖² has the constant Hessian
H = (2/n)·X̃ᵀX̃. Plain gradient descent converges for every start exactly when η < 2/λmax, and
fastest (in the worst direction) at η = 2/(λmin + λmax), as on the quadratic surfaces. L2 weight
decay λ adds λ to every eigenvalue. The optimum is the least-squares solution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrdesk.core.models.datasets import Dataset

Array = np.ndarray


@dataclass(frozen=True)
class LinearTheory:
    eigenvalues: tuple[float, ...]
    lr_max_stable: float | None
    lr_optimal: float | None
    condition_number: float | None
    optimum: tuple[float, ...]
    optimum_loss: float
    optimum_test_loss: float | None
    weight_decay: float = 0.0

    def as_dict(self) -> dict:
        """The keys of ``lrdesk run``'s theory, and the optimum's."""
        note = "exact: the loss of linear regression is a quadratic bowl"
        if self.weight_decay:
            note += f"; with L2 weight decay {self.weight_decay:g} added to the curvature"
        return {
            "exact": True, "point": list(self.optimum), "eigenvalues": list(self.eigenvalues),
            "lr_max_stable": self.lr_max_stable, "lr_optimal": self.lr_optimal,
            "condition_number": self.condition_number, "note": note,
            "optimum": list(self.optimum), "optimum_loss": self.optimum_loss,
            "optimum_test_loss": self.optimum_test_loss,
        }


def design_matrix(X: Array) -> Array:
    """X̃ = [X, 1]: the features and the intercept, in the order of the flat parameters."""
    return np.column_stack([X, np.ones(len(X))])


def linear_hessian(X: Array) -> Array:
    Xt = design_matrix(X)
    return (2.0 / len(X)) * (Xt.T @ Xt)


def linear_theory(data: Dataset, weight_decay: float = 0.0) -> LinearTheory:
    """Exact theory for linear regression on the training rows (L2 decay optional)."""
    H = linear_hessian(data.X_train)
    eig = np.linalg.eigvalsh(H) + weight_decay
    lo, hi = float(eig[0]), float(eig[-1])
    Xt = design_matrix(data.X_train)
    if weight_decay:
        # minimise (1/n)‖X̃θ − y‖² + (λ/2)‖θ‖²: (2/n X̃ᵀX̃ + λI) θ = 2/n X̃ᵀy
        theta = np.linalg.solve(H + weight_decay * np.eye(len(H)),
                                (2.0 / len(Xt)) * Xt.T @ data.y_train)
    else:
        theta = np.linalg.lstsq(Xt, data.y_train, rcond=None)[0]
    r = Xt @ theta - data.y_train
    test = None
    if len(data.y_test):
        rt = design_matrix(data.X_test) @ theta - data.y_test
        test = float(rt @ rt / len(rt))
    return LinearTheory(
        tuple(map(float, eig)), 2.0 / hi if hi > 0 else None,
        2.0 / (lo + hi) if lo + hi > 0 else None, hi / lo if lo > 0 else None,
        tuple(map(float, theta)), float(r @ r / len(r)), test, weight_decay)
