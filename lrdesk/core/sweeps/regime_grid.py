"""What a regime map is made of: its axes, each cell's outcome, and the run a clicked cell stands
for; plus ``map_key``, which says when two experiments give the same map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from lrdesk.core.engine.batch import CONVERGED, RUNNING, VERDICTS
from lrdesk.core.experiment.spec import ExperimentSpec, Params, RunSpec
from lrdesk.core.limits import MAX_LEARNING_RATE
from lrdesk.core.optim.optimizers import OPTIMIZERS, resolve_hypers
from lrdesk.core.surfaces import FUNCTIONS
from lrdesk.core.theory.hessian import lr_range

Array = np.ndarray

AXIS_TITLES = {
    "lr": "learning rate α",
    "momentum": "momentum μ",
    "condition": "condition number κ",
    "start": "start point",
}
#: the narrow-valley surface whose condition number a map may vary
VALLEY = FUNCTIONS["ill_conditioned"]
_CONDITION_LIMITS = next((p.low, p.high) for p in VALLEY.parameters if p.name == "condition")


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
    low, high = lr_range(function)
    # momentum maps stay stable up to 2(1 + μ)/λmax; never past the accepted largest rate
    return (low, min(high * 4.0, MAX_LEARNING_RATE))


@dataclass(frozen=True)
class MapChoice:
    """A cell turned into a run; ``function``/``function_params`` when the cell needs a surface
    other than the current one (the condition-number map)."""

    run: RunSpec
    function: str | None = None
    function_params: Params = ()
    start: tuple[float, ...] | None = None


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
        start = start if len(start) == 2 else VALLEY().default_start()
    elif other == "start":
        start = start[1:]
    return (other, surface, start, optimizer, tuple(sorted(hypers.items())), spec.schedule,
            spec.steps, spec.tolerance)


def valley_params(spec: ExperimentSpec) -> dict[str, float]:
    """The narrow valley's parameters: the spec's own when it is the valley, else defaults."""
    given = dict(spec.function_params) if spec.function == "ill_conditioned" else {}
    return {**{p.name: p.default for p in VALLEY.parameters}, **given}
