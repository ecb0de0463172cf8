"""Regime maps: the verdict of a full run in every cell of a 2-D grid, all cells in ONE batch.

One axis is always the learning rate; the other is the momentum μ, the condition number κ of
the narrow-valley quadratic, or the start point (its first coordinate). Theory draws the stable
limit across the map: α < 2(1 + μ)/λmax for heavy-ball momentum, α < 2/(κ·λ₂) for the valley,
α < 2/λmax at the minimum nearest each start (exact on quadratics, local elsewhere).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from lrdesk.core.engine import CONVERGED, RUNNING, VERDICTS, Batch
from lrdesk.core.functions import FUNCTIONS, LossFunction
from lrdesk.core.optimizers import OPTIMIZERS, resolve_hypers
from lrdesk.core.spec import ExperimentSpec, Params, RunSpec
from lrdesk.core.stability import stability_limit
from lrdesk.core.sweep import block_steps, current_losses, drive

Array = np.ndarray

AXIS_TITLES = {
    "lr": "learning rate α",
    "momentum": "momentum μ",
    "condition": "condition number κ",
    "start": "start point",
}
OTHER_AXES = ("momentum", "condition", "start")
MAX_CELLS = 1_000_000
_VALLEY = FUNCTIONS["ill_conditioned"]
_CONDITION_LIMITS = next((p.low, p.high) for p in _VALLEY.parameters if p.name == "condition")


class MapError(ValueError):
    """A map that cannot be made; the message says why in plain words."""


@dataclass(frozen=True)
class MapAxis:
    name: str
    values: Array

    @property
    def log(self) -> bool:
        return self.name in ("lr", "condition")

    @property
    def title(self) -> str:
        return AXIS_TITLES[self.name]


def axis_values(name: str, count: int, low: float, high: float) -> Array:
    """Grid values along one axis: log-spaced for rates and condition numbers, else even."""
    if name not in AXIS_TITLES:
        raise MapError(f"unknown axis '{name}' (choose one of: {', '.join(AXIS_TITLES)})")
    if not 1 <= count <= 2000:
        raise MapError(f"{AXIS_TITLES[name]}: from 1 to 2,000 cells, not {count}")
    if not (math.isfinite(low) and math.isfinite(high)) or (count > 1 and not low < high):
        raise MapError(f"{AXIS_TITLES[name]}: the range must go from a smaller to a larger number")
    if name == "lr" and low <= 0:
        raise MapError("learning rate: the range must be above zero")
    if name == "momentum" and not (low >= 0.0 and high <= 0.9999):
        raise MapError("momentum: the range must lie between 0 and 0.9999")
    if name == "condition" and not (_CONDITION_LIMITS[0] <= low and high <= _CONDITION_LIMITS[1]):
        raise MapError(f"condition number: the range must lie between 1 and {_CONDITION_LIMITS[1]:g}")
    if count == 1:
        return np.array([float(low)])
    maker = np.geomspace if name in ("lr", "condition") else np.linspace
    return maker(low, high, count)


def default_range(name: str, spec: ExperimentSpec) -> tuple[float, float]:
    """A sensible range for an axis of a map of ``spec``."""
    if name == "momentum":
        return (0.0, 0.99)
    if name == "condition":
        return (1.0, 1000.0)
    function = spec.validate()
    if name == "start":
        return function.view_box()[0]
    low, high = function.lr_range()
    return (low, high * 4.0)  # momentum maps stay stable up to 2(1 + μ)/λmax


class ValleyFamily(LossFunction):
    """Narrow-valley quadratics, one per run, whose condition numbers differ (vectorised).

    Run k has L = ½·(κₖ·λ₂·u² + λ₂·v²) with (u, v) = (x, y) turned by θ, as ``ill_conditioned``.
    The engine asks for a Hessian at a single point only to tell a minimum from a saddle; every
    matrix of this family is positive definite, so the first run's answers for all of them.
    """

    key = "ill_conditioned"
    title = _VALLEY.title
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
class MapChoice:
    """A cell turned into a run; ``function``/``function_params`` when the cell needs a surface
    other than the current one (the condition-number map)."""

    run: RunSpec
    function: str | None = None
    function_params: Params = ()
    start: tuple[float, ...] | None = None


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


@dataclass(frozen=True)
class CellChooser:
    """Turns a cell of a map into the run it stands for."""

    rates: MapAxis
    other: MapAxis
    lr_on_x: bool
    optimizer: str
    hypers: dict[str, float]
    start: tuple[float, ...]
    map_start: tuple[float, ...]
    valley: dict[str, float]

    def choice(self, iy: int, ix: int) -> MapChoice:
        i_rate, i_other = (ix, iy) if self.lr_on_x else (iy, ix)
        rate = float(self.rates.values[i_rate])
        other = float(self.other.values[i_other])
        hypers = dict(self.hypers)
        if self.other.name == "momentum":
            hypers["momentum"] = other
        params = tuple(sorted(hypers.items()))
        if self.other.name == "start":
            start = (other, *self.start[1:])
            return MapChoice(RunSpec(rate, self.optimizer, params, start), start=start)
        if self.other.name == "condition":
            valley = {**self.valley, "condition": other}
            return MapChoice(
                RunSpec(rate, self.optimizer, params), "ill_conditioned",
                tuple(sorted(valley.items())), self.map_start,
            )
        return MapChoice(RunSpec(rate, self.optimizer, params))


@dataclass(frozen=True)
class RegimeMap:
    """Every cell's outcome so far, arrays shaped (len(y.values), len(x.values)), fresh copies."""

    x: MapAxis
    y: MapAxis
    verdict: Array
    verdict_step: Array
    final_loss: Array
    oscillated: Array
    steps_done: int
    total_steps: int
    optimizer: str
    boundary_x: Array  # the theory's stable limit as a polyline in (x, y) values; may be empty
    boundary_y: Array
    boundary_exact: bool
    cancelled: bool = False
    chooser: CellChooser | None = field(default=None, repr=False)

    @property
    def done(self) -> bool:
        return not self.cancelled and bool(np.all(self.verdict != RUNNING))

    @property
    def steps_to_converge(self) -> Array:
        return np.where(self.verdict == CONVERGED, self.verdict_step, np.nan).astype(float)

    def verdict_name(self, iy: int, ix: int) -> str:
        code = int(self.verdict[iy, ix])
        return VERDICTS[code] if code >= 0 else "running"

    def choice(self, iy: int, ix: int) -> MapChoice:
        """The run (and, where needed, the surface and start) of cell (iy, ix)."""
        return self.chooser.choice(iy, ix)


class RegimeRun:
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
        self.batch = Batch(
            self.function, self.optimizer, self._hypers(), self.cell_rate, self._starts(),
            spec.schedule, spec.steps, spec.tolerance,
        )
        self._current_loss = self.batch.start_loss.copy()
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
        return [{**base, "momentum": float(m)} for m in self.cell_other]

    def _valley_params(self) -> dict[str, float]:
        return valley_params(self.setup.spec)

    def _function(self) -> LossFunction:
        if self.other.name == "condition":
            p = self._valley_params()
            return ValleyFamily(self.cell_other, p["curvature"], p["angle"])
        return self.setup.spec.validate()

    def _map_start(self) -> tuple[float, ...]:
        if self.other.name == "condition" and len(self.setup.start) != 2:
            return _VALLEY().default_start()
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
    @property
    def done(self) -> bool:
        return self.batch.done

    def advance(self, steps: int) -> RegimeMap:
        self._current_loss = current_losses(self.batch, self.batch.advance(steps, record=False),
                                            self._current_loss)
        return self.result()

    def result(self, cancelled: bool = False) -> RegimeMap:
        b = self.batch
        running = b.verdict == RUNNING
        loss = np.where(running, self._current_loss, b.final_loss)
        bx, by, exact = self._boundary
        return RegimeMap(
            self.x, self.y,
            self._grid(b.verdict), self._grid(b.verdict_step), self._grid(loss),
            self._grid(np.array(b.oscillated, dtype=bool)),
            min(b.t, b.steps), b.steps, self.optimizer, bx, by, exact, cancelled, self.chooser,
        )

    def _grid(self, values: Array) -> Array:
        grid = np.array(values).reshape(len(self.other.values), len(self.rates.values))
        return grid if self.lr_on_x else grid.T.copy()


def map_key(spec: ExperimentSpec, run_index: int, other: str) -> tuple:
    """What a map with ``other`` up depends on: equal keys give equal maps.

    Loading a clicked cell changes the experiment only along the map's own axes (a run with
    that rate and momentum, or start; the valley with that condition number), so the key of
    the experiment after the click equals the key of the map that was clicked.
    """
    run = spec.runs[min(max(run_index, 0), len(spec.runs) - 1)]
    optimizer, hypers = run.optimizer, dict(run.hypers)
    surface: tuple = (spec.function, spec.function_params, spec.expression)
    start: tuple = spec.start_of(run)
    if other == "momentum" and "momentum" not in {h.name for h in OPTIMIZERS[optimizer].hypers}:
        optimizer, hypers = "momentum", {}
    hypers = resolve_hypers(optimizer, hypers)
    if other == "momentum":
        hypers.pop("momentum")
    elif other == "condition":
        surface = tuple(sorted((k, v) for k, v in valley_params(spec).items() if k != "condition"))
        start = start if len(start) == 2 else _VALLEY().default_start()
    elif other == "start":
        start = start[1:]
    return (other, surface, start, optimizer, tuple(sorted(hypers.items())), spec.schedule,
            spec.steps, spec.tolerance)


def valley_params(spec: ExperimentSpec) -> dict[str, float]:
    """The narrow valley's parameters: the spec's own when it is the valley, else defaults."""
    given = dict(spec.function_params) if spec.function == "ill_conditioned" else {}
    return {**{p.name: p.default for p in _VALLEY.parameters}, **given}


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
    chunk = chunk_steps or block_steps(len(run.cell_rate))
    while not run.done:
        yield run.advance(chunk)
