"""The pure-NumPy engine of LR Desk: surfaces, optimizers, schedules, runs, verdicts, theory.

Nothing in this package imports Qt, so everything the window shows can be computed and tested
without a screen. The names below are imported on first use, not with the package: importing
one module of the engine (say ``lrdesk.core.spec``) does not load all the others.
"""

from __future__ import annotations

import importlib

#: public name -> the module of the engine that defines it
_WHERE = {
    "VERDICTS": "engine", "Batch": "engine",
    "FUNCTIONS": "functions", "InvalidFunction": "functions", "LossFunction": "functions",
    "make_function": "functions",
    "RunHistory": "history", "RunRows": "history",
    "OPTIMIZERS": "optimizers", "InvalidOptimizer": "optimizers",
    "SCHEDULES": "schedules", "ScheduleSpec": "schedules",
    "Chunk": "simulation", "ExperimentResult": "simulation", "RunEvent": "simulation",
    "RunResult": "simulation", "Simulation": "simulation", "run_experiment": "simulation",
    "ExperimentSpec": "spec", "RunSpec": "spec", "SpecError": "spec", "dumps": "spec",
    "loads": "spec",
    "Theory": "theory", "local_theory": "theory",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value  # found once; later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})
