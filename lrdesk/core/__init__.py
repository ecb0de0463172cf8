"""The pure-NumPy engine of LR Desk: surfaces, optimizers, schedules, runs, verdicts, theory.

Nothing in this package imports Qt, so everything the window shows can be computed and tested
without a screen.
"""

from lrdesk.core.engine import VERDICTS, Batch
from lrdesk.core.functions import FUNCTIONS, InvalidFunction, LossFunction, make_function
from lrdesk.core.history import RunHistory, RunRows
from lrdesk.core.optimizers import OPTIMIZERS, InvalidOptimizer
from lrdesk.core.schedules import SCHEDULES, ScheduleSpec
from lrdesk.core.simulation import (
    Chunk,
    ExperimentResult,
    RunEvent,
    RunResult,
    Simulation,
    run_experiment,
)
from lrdesk.core.spec import ExperimentSpec, RunSpec, SpecError, dumps, loads
from lrdesk.core.theory import Theory, local_theory

__all__ = [
    "FUNCTIONS", "OPTIMIZERS", "SCHEDULES", "VERDICTS",
    "Batch", "Chunk", "ExperimentResult", "ExperimentSpec", "InvalidFunction",
    "InvalidOptimizer", "LossFunction", "RunEvent", "RunHistory", "RunResult", "RunRows",
    "RunSpec", "ScheduleSpec", "Simulation", "SpecError", "Theory", "dumps", "loads",
    "local_theory", "make_function", "run_experiment",
]
