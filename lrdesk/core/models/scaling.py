"""Feature scaling made visible: linear regression on the same rows, raw and standardised.

For each version of the data the exact Hessian of the mean squared error, H = (2/n)·X̃ᵀX̃
(``theory``), gives the condition number κ = λmax/λmin, the stable rate 2/λmax and the fastest
rate 2/(λmin + λmax); plain gradient descent is then run at that fastest rate by the trainer, and
the picture is the loss over the two weights with the intercept held at its best value. Raw, the
house size (hundreds to thousands) dwarfs the bedrooms (1 to 5): λmax is huge, the stable rate
tiny, and along the flat direction the run barely moves; standardised, the bowl is nearly round.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrdesk.core.models.datasets import Dataset
from lrdesk.core.models.spec import DataSpec, ModelExperiment, ModelRunSpec, ModelSpec
from lrdesk.core.models.theory import LinearTheory, design_matrix, linear_hessian, linear_theory
from lrdesk.core.models.training import Trainer

Array = np.ndarray

STEPS = 100
GRID = 101


@dataclass(frozen=True)
class ScalingSide:
    """One version of the data: its theory, the run at its fastest rate, and the picture."""

    standardized: bool
    feature_names: tuple[str, ...]
    hessian: Array
    theory: LinearTheory
    path: Array  # (T, 3): the run's (w1, w2, b)
    path_loss: Array  # (T,) the training loss along it
    ws: Array  # the picture's first weight axis
    vs: Array  # its second weight axis
    losses: Array  # (len(ws), len(vs)) with b at its best value

    @property
    def condition_number(self) -> float:
        return self.theory.condition_number


def quadratic_loss(X: Array, y: Array, thetas: Array) -> Array:
    """(1/n)‖X̃θ − y‖² for each row of ``thetas`` (N, d + 1), from X̃ᵀX̃ so any N is cheap."""
    Xt = design_matrix(X)
    n = len(Xt)
    A, r, s = Xt.T @ Xt / n, Xt.T @ y / n, float(y @ y / n)
    thetas = np.atleast_2d(np.asarray(thetas, dtype=float))
    with np.errstate(all="ignore"):
        return np.einsum("ni,ij,nj->n", thetas, A, thetas) - 2.0 * thetas @ r + s


def scaling_side(data_spec: DataSpec, standardize: bool, steps: int = STEPS,
                 grid: int = GRID) -> ScalingSide:
    spec = ModelExperiment(
        DataSpec(data_spec.dataset, data_spec.path, data_spec.target, data_spec.task,
                 data_spec.points, data_spec.noise, data_spec.train_fraction, data_spec.seed,
                 standardize, data_spec.features),
        ModelSpec("linear", ()), (ModelRunSpec(1.0),), steps=steps, path_points=steps + 1)
    trainer = Trainer(spec)
    data: Dataset = trainer.data
    if data.n_features != 2:
        raise ValueError("the side-by-side picture needs data with two features")
    theory = linear_theory(data)
    fastest = theory.lr_optimal
    trainer = Trainer(spec.with_runs([ModelRunSpec(fastest)]), data=data)
    trainer.run_to_end()
    path = np.array([p for _, p in trainer.path[0]])
    best = np.array(theory.optimum)
    ws, vs = _axes(path[:, :2], best[:2], grid)
    W, V = np.meshgrid(ws, vs, indexing="ij")
    thetas = np.column_stack([W.ravel(), V.ravel(), np.full(W.size, best[2])])
    losses = quadratic_loss(data.X_train, data.y_train, thetas).reshape(W.shape)
    return ScalingSide(standardize, data.feature_names, linear_hessian(data.X_train), theory,
                       path, quadratic_loss(data.X_train, data.y_train, path), ws, vs, losses)


def _axes(path: Array, best: Array, grid: int) -> tuple[Array, Array]:
    """Axes holding the optimum and the path's start, the same length in both directions (the
    picture keeps the parameters' true proportions)."""
    finite = path[np.all(np.isfinite(path), axis=1)]
    points = np.vstack([finite, best[None, :]])
    lo, hi = points.min(axis=0), points.max(axis=0)
    centre = (lo + hi) / 2
    half = 0.6 * max(float(np.max(hi - lo)), 1e-6)
    return (np.linspace(centre[0] - half, centre[0] + half, grid),
            np.linspace(centre[1] - half, centre[1] + half, grid))


def compare_scaling(data_spec: DataSpec | None = None, steps: int = STEPS
                    ) -> tuple[ScalingSide, ScalingSide]:
    """(raw, standardised) for the housing data, or any two-feature regression set."""
    data_spec = data_spec or DataSpec("housing")
    return scaling_side(data_spec, False, steps), scaling_side(data_spec, True, steps)
