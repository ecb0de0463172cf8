"""Learning-rate schedules with the semantics of ``torch.optim.lr_scheduler``.

``factor(t)`` is the multiplier applied to the base learning rate for the step taken after ``t``
completed steps (``scheduler.step()`` called once per optimizer step):

- constant: 1
- step (StepLR): γ^⌊t / step_size⌋
- exponential (ExponentialLR): γ^t
- inverse_time (LambdaLR with 1/(1 + decay·t)): 1/(1 + decay·t)
- cosine (CosineAnnealingLR, closed form): η_min/α + (1 − η_min/α)·(1 + cos(π·t/T_max))/2
- warmup (LinearLR chained with SequentialLR): for t < warmup the factor rises linearly from
  ``warmup_start`` to 1, then the main schedule runs from its own step 0.

torch computes most of these recursively (each rate from the previous one); the closed forms here
agree with it to rounding, which the tests check against a stored torch reference. A warm-up may
start from 0 here, where torch's LinearLR insists on a factor above 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

SCHEDULES: dict[str, dict[str, float]] = {
    "constant": {},
    "step": {"step_size": 30.0, "gamma": 0.5},
    "exponential": {"gamma": 0.99},
    "inverse_time": {"decay": 0.01},
    "cosine": {"t_max": 100.0, "min_factor": 0.0},
}

SCHEDULE_TITLES = {
    "constant": "Constant",
    "step": "Step decay",
    "exponential": "Exponential decay",
    "inverse_time": "Inverse-time decay",
    "cosine": "Cosine annealing",
}

_LIMITS = {
    "step_size": (1.0, 1e9),
    "gamma": (0.0, 10.0),
    "decay": (0.0, 1e6),
    "t_max": (1.0, 1e9),
    "min_factor": (0.0, 1.0),
}


#: parameters counted in steps: torch takes whole numbers there
_WHOLE = ("step_size", "t_max")


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class InvalidSchedule(ValueError):
    """A schedule that cannot be used."""


@dataclass(frozen=True)
class ScheduleSpec:
    kind: str = "constant"
    params: tuple[tuple[str, float], ...] = field(default=())
    warmup_steps: int = 0
    warmup_start: float = 0.1

    def __post_init__(self) -> None:
        if self.kind not in SCHEDULES:
            raise InvalidSchedule(
                f"unknown schedule '{self.kind}' (choose one of: {', '.join(SCHEDULES)})"
            )
        for name, value in self.params:
            if name not in SCHEDULES[self.kind]:
                allowed = ", ".join(SCHEDULES[self.kind]) or "none"
                raise InvalidSchedule(
                    f"the {self.kind} schedule has no parameter '{name}' (its parameters: {allowed})"
                )
            lo, hi = _LIMITS[name]
            if not (_is_number(value) and math.isfinite(value) and lo <= value <= hi):
                raise InvalidSchedule(f"schedule parameter '{name}' must be between {lo:g} and {hi:g}")
            if name in _WHOLE and value != int(value):
                raise InvalidSchedule(f"schedule parameter '{name}' must be a whole number of steps")
        w = self.warmup_steps
        if not (_is_number(w) and math.isfinite(w) and w == int(w) and 0 <= w <= 10**9):
            raise InvalidSchedule("warm-up steps must be a whole number from 0 to 1e9")
        object.__setattr__(self, "warmup_steps", int(w))
        s = self.warmup_start
        if not (_is_number(s) and math.isfinite(s) and 0.0 <= s <= 1.0):
            raise InvalidSchedule("the warm-up start factor must be between 0 and 1")

    def param(self, name: str) -> float:
        return dict(self.params).get(name, SCHEDULES[self.kind][name])

    def factors(self, start: int, count: int) -> np.ndarray:
        """Multipliers for steps start, start+1, ..., start+count-1 (t = completed steps)."""
        t = np.arange(start, start + count, dtype=float)
        out = np.ones(count)
        w = self.warmup_steps
        if w > 0:
            warm = t < w
            out[warm] = self.warmup_start + (1.0 - self.warmup_start) * t[warm] / w
            rest = ~warm
            out[rest] = self._main(t[rest] - w)
            return out
        return self._main(t)

    def factor(self, t: int) -> float:
        return float(self.factors(t, 1)[0])

    def _main(self, t: np.ndarray) -> np.ndarray:
        p = self.param
        if self.kind == "constant":
            return np.ones_like(t)
        if self.kind == "step":
            return p("gamma") ** np.floor(t / p("step_size"))
        if self.kind == "exponential":
            return p("gamma") ** t
        if self.kind == "inverse_time":
            return 1.0 / (1.0 + p("decay") * t)
        lo = p("min_factor")
        return lo + (1.0 - lo) * 0.5 * (1.0 + np.cos(math.pi * t / p("t_max")))

    def describe(self) -> str:
        text = SCHEDULE_TITLES[self.kind]
        if self.params:
            text += " (" + ", ".join(f"{k} = {v:g}" for k, v in self.params) + ")"
        if self.warmup_steps:
            text = f"linear warm-up over {self.warmup_steps} steps, then {text.lower()}"
        return text
