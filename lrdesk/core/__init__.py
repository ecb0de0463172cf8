"""The pure-NumPy engine of LR Desk: surfaces, optimizers, schedules, runs, verdicts, theory.

Nothing in this package imports Qt, so everything the window shows can be computed and tested
without a screen. The names below are imported on first use, not with the package: importing
one module of the engine (say ``lrdesk.core.experiment.spec``) does not load all the others.
"""

from __future__ import annotations

import importlib

#: public name -> the module of the engine that defines it
_WHERE = {
    "VERDICTS": "engine.batch", "Batch": "engine.batch",
    "FUNCTIONS": "surfaces", "InvalidFunction": "surfaces", "LossFunction": "surfaces",
    "make_function": "functions",
    "RunHistory": "experiment.history", "RunRows": "experiment.history",
    "OPTIMIZERS": "optim.optimizers", "InvalidOptimizer": "optim.optimizers",
    "SCHEDULES": "optim.schedules", "ScheduleSpec": "optim.schedules",
    "Chunk": "experiment.simulation", "ExperimentResult": "experiment.simulation", "RunEvent": "experiment.simulation",
    "RunResult": "experiment.simulation", "Simulation": "experiment.simulation", "run_experiment": "experiment.simulation",
    "ExperimentSpec": "experiment.spec", "RunSpec": "experiment.spec", "SpecError": "experiment.spec", "dumps": "experiment.spec",
    "loads": "experiment.spec",
    "Theory": "theory.hessian", "local_theory": "theory.hessian",
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
