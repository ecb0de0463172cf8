"""Regime maps: the verdict of a full run in every cell of a 2-D grid, all cells in ONE batch.

One axis is always the learning rate; the other is the momentum μ, the condition number κ of
the narrow-valley quadratic, or the start point (its first coordinate). Theory draws the stable
limit across the map: α < 2(1 + μ)/λmax for heavy-ball momentum, α < 2/(κ·λ₂) for the valley,
α < 2/λmax at the minimum nearest each start (exact on quadratics, local elsewhere).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lrdesk.core.engine.batch import Batch
from lrdesk.core.experiment.spec import ExperimentSpec
from lrdesk.core.optim.optimizers import OPTIMIZERS
from lrdesk.core.surfaces import LossFunction
from lrdesk.core.sweeps.regime_grid import (
    AXIS_TITLES,
    VALLEY,
    CellChooser,
    MapAxis,
    MapChoice,
    MapError,
    RegimeMap,
    axis_values,
    default_range,
    map_key,
    valley_params,
)
from lrdesk.core.sweeps.sweep import BatchJob, chunks, drive
from lrdesk.core.theory.stability import stability_limit

__all__ = [
    "AXIS_TITLES", "MAX_CELLS", "OTHER_AXES", "CellChooser", "MapAxis", "MapChoice", "MapError",
    "MapSetup", "RegimeMap", "RegimeRun", "ValleyFamily", "axis_values", "default_range",
    "iterate_map", "map_key", "regime_map", "valley_params",
]

Array = np.ndarray
OTHER_AXES = ("momentum", "condition", "start")
MAX_CELLS = 1_000_000


class ValleyFamily(LossFunction):
    """Narrow-valley quadratics, one per run, whose condition numbers differ (vectorised).

    Run k has L = ½·(κₖ·λ₂·u² + λ₂·v²) with (u, v) = (x, y) turned by θ, as ``ill_conditioned``.
    The engine asks for a Hessian at a single point only to tell a minimum from a saddle; every
    matrix of this family is positive definite, so the first run's answers for all of them.
    """

    key = "ill_conditioned"
    title = VALLEY.title
    dim = 2
    is_quadratic = True

    def __init__(self, conditions: Array, curvature: float, angle: float) -> None:
        self.params = {"curvature": float(curvature), "angle": float(angle)}
        self.conditions = np.asarray(conditions, dtype=float)
        lam1 = self.conditions * curvature
        t = math.radians(angle)
        c, s = math.cos(t), math.sin(t)
        self.a = c * c * lam1 + s * s * curvature
        self.b = c * s * (lam1 - curvature)
        self.d = s * s * lam1 + c * c * curvature

    def for_runs(self, index: Array) -> ValleyFamily:
        """The valleys of the runs still going (the engine drops finished runs)."""
        return ValleyFamily(self.conditions[index], self.params["curvature"], self.params["angle"])

    def value(self, P):
        x, y = P[:, 0], P[:, 1]
        return 0.5 * (self.a * x * x + 2.0 * self.b * x * y + self.d * y * y)

    def gradient(self, P):
        x, y = P[:, 0], P[:, 1]
        G = np.empty(P.shape, order="F")
        G[:, 0] = self.a * x + self.b * y
        G[:, 1] = self.b * x + self.d * y
        return G

    def hessian(self, P):
        n = P.shape[0]
        pick = slice(None) if n == len(self.a) else slice(0, 1)
        H = np.empty((n, 2, 2))
        H[:, 0, 0] = self.a[pick]
        H[:, 0, 1] = H[:, 1, 0] = self.b[pick]
        H[:, 1, 1] = self.d[pick]
        return H

    def minima(self):
        return np.zeros((1, 2))

    def min_value(self):
        return 0.0


@dataclass(frozen=True)
class MapSetup:
    """What every cell shares, taken from one run of an experiment spec."""

    spec: ExperimentSpec
    optimizer: str
    hypers: dict[str, float]
    start: tuple[float, ...]

    @classmethod
    def from_spec(cls, spec: ExperimentSpec, run_index: int = 0) -> MapSetup:
        spec.validate()
        run = spec.runs[min(max(run_index, 0), len(spec.runs) - 1)]
        return cls(spec, run.optimizer, run.hyper_dict(), spec.start_of(run))


class RegimeRun(BatchJob):
    """All cells of a map as one batch, advanced block by block."""

    def __init__(self, setup: MapSetup, x: MapAxis, y: MapAxis) -> None:
        names = {x.name, y.name}
        if "lr" not in names or len(names) != 2 or not names - {"lr"} <= set(OTHER_AXES):
            raise MapError(
                "a map needs the learning rate on one axis and momentum, condition or start on "
                "the other"
            )
        self.setup, self.x, self.y = setup, x, y
        self.lr_on_x = x.name == "lr"
        self.rates, self.other = (x, y) if self.lr_on_x else (y, x)
        n_rate, n_other = len(self.rates.values), len(self.other.values)
        if n_rate * n_other > MAX_CELLS:
            raise MapError(f"at most {MAX_CELLS:,} cells, not {n_rate * n_other:,}")
        # cell k = (other index k // n_rate, rate index k % n_rate)
        self.cell_rate = np.tile(self.rates.values, n_other)
        self.cell_other = np.repeat(self.other.values, n_rate)
        self.optimizer = self._optimizer()
        self.function = self._function()
        spec = setup.spec
        self._begin(Batch(
            self.function, self.optimizer, self._hypers(), self.cell_rate, self._starts(),
            spec.schedule, spec.steps, spec.tolerance,
        ))
        self._boundary = self._theory_boundary()
        self.chooser = CellChooser(
            self.rates, self.other, self.lr_on_x, self.optimizer, self._base_hypers(),
            self.setup.start, self._map_start(),
            self._valley_params() if self.other.name == "condition" else {},
        )

    # --- building the batch --------------------------------------------------------------
    def _optimizer(self) -> str:
        if self.other.name != "momentum":
            return self.setup.optimizer
        names = {h.name for h in OPTIMIZERS[self.setup.optimizer].hypers}
        return self.setup.optimizer if "momentum" in names else "momentum"

    def _base_hypers(self) -> dict[str, float]:
        return dict(self.setup.hypers) if self.optimizer == self.setup.optimizer else {}

    def _hypers(self) -> list[dict[str, float]]:
        base = self._base_hypers()
        if self.other.name != "momentum":
            return [base] * len(self.cell_rate)
        # one settings dict per momentum, shared by its row of cells (checked once, not per cell)
        rows = [{**base, "momentum": float(m)} for m in self.other.values]
        return [row for row in rows for _ in self.rates.values]

    def _valley_params(self) -> dict[str, float]:
        return valley_params(self.setup.spec)

    def _function(self) -> LossFunction:
        if self.other.name == "condition":
            p = self._valley_params()
            return ValleyFamily(self.cell_other, p["curvature"], p["angle"])
        return self.setup.spec.validate()

    def _map_start(self) -> tuple[float, ...]:
        if self.other.name == "condition" and len(self.setup.start) != 2:
            return VALLEY().default_start()
        return self.setup.start

    def _starts(self) -> Array:
        starts = np.tile(np.asarray(self._map_start(), dtype=float), (len(self.cell_rate), 1))
        if self.other.name == "start":
            starts[:, 0] = self.cell_other
        return starts

    # --- theory ----------------------------------------------------------------------------
    def _theory_boundary(self) -> tuple[Array, Array, bool]:
        lo, hi = self.other.values[0], self.other.values[-1]
        dense = np.geomspace(lo, hi, 200) if self.other.log else np.linspace(lo, hi, 200)
        limits, exact = self._limits(dense)
        keep = np.isfinite(limits)
        rate, other = limits[keep], dense[keep]
        return (rate, other, exact) if self.lr_on_x else (other, rate, exact)

    def _limits(self, values: Array) -> tuple[Array, bool]:
        hypers = self._base_hypers()
        kind = self.optimizer
        if self.other.name == "momentum":
            lam = self._lambda_max_at(self._map_start())
            out = [stability_limit(kind, {**hypers, "momentum": m}, lam) for m in values]
            return _floats(out), self.function.is_quadratic
        if self.other.name == "condition":
            curvature = self._valley_params()["curvature"]
            return _floats([stability_limit(kind, hypers, k * curvature) for k in values]), True
        starts = np.tile(np.asarray(self.setup.start, dtype=float), (len(values), 1))
        starts[:, 0] = values
        return _floats([stability_limit(kind, hypers, lam) for lam in self._lambda_at_nearest(
            starts)]), self.function.is_quadratic

    def _lambda_max_at(self, start) -> float | None:
        return self._lambda_at_nearest(np.asarray([start], dtype=float))[0]

    def _lambda_at_nearest(self, starts: Array) -> list[float | None]:
        """λmax of the Hessian at the known minimum nearest each start."""
        minima = self.function.minima()
        if len(minima) == 0:
            return [None] * len(starts)
        H = self.function.hessian(np.asfortranarray(minima))
        with np.errstate(all="ignore"):
            lam = np.linalg.eigvalsh(0.5 * (H + np.swapaxes(H, 1, 2)))[:, -1]
        nearest = np.argmin(
            np.linalg.norm(starts[:, None, :] - minima[None, :, :], axis=2), axis=1
        )
        return [float(lam[i]) if np.isfinite(lam[i]) else None for i in nearest]

    # --- running -----------------------------------------------------------------------------
    def result(self, cancelled: bool = False) -> RegimeMap:
        b = self.batch
        bx, by, exact = self._boundary
        return RegimeMap(
            self.x, self.y,
            self._grid(b.verdict), self._grid(b.verdict_step), self._grid(self.losses_now()),
            self._grid(np.array(b.oscillated, dtype=bool)),
            min(b.t, b.steps), b.steps, self.optimizer, bx, by, exact, cancelled, self.chooser,
        )

    def _grid(self, values: Array) -> Array:
        grid = np.array(values).reshape(len(self.other.values), len(self.rates.values))
        return grid if self.lr_on_x else grid.T.copy()


def _floats(values) -> Array:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def regime_map(
    spec: ExperimentSpec,
    x: MapAxis,
    y: MapAxis,
    run_index: int = 0,
    chunk_steps: int | None = None,
    progress: Callable[[RegimeMap], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> RegimeMap:
    """Run every cell of the map to its verdict (one batch); partial maps go to ``progress``."""
    run = RegimeRun(MapSetup.from_spec(spec, run_index), x, y)
    return drive(iterate_map(run, chunk_steps), run.result, progress, cancel)


def iterate_map(run: RegimeRun, chunk_steps: int | None = None):
    return chunks(run, chunk_steps)
