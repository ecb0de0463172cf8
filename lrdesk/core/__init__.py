"""The pure-NumPy engine of LR Desk: surfaces, optimizers, schedules, runs, verdicts, theory.

Nothing in this package imports Qt, so everything the window shows can be computed and tested
without a screen. The names in ``__all__`` are imported on first use, not with the package:
importing one module of the engine (say ``lrdesk.core.experiment.spec``) does not load all the
others. Its subpackages, lowest first: ``surfaces`` (built-in loss surfaces), ``expressions``
(typed functions), ``optim`` (optimizers, schedules), ``functions`` (a function by its key),
``engine`` (the batched runner), ``theory`` (curvature and stable rates), ``experiment`` (spec,
simulation, history, files), ``sweeps`` and ``teaching``; ``limits`` holds the shared bounds.
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

#: public name -> the module of the engine that defines it
_WHERE = {
    "VERDICTS": "engine.batch", "Batch": "engine.batch",
    "FUNCTIONS": "surfaces", "InvalidFunction": "surfaces", "LossFunction": "surfaces",
    "make_function": "functions",
    "MAX_LEARNING_RATE": "limits", "learning_rate_problem": "limits",
    "RunHistory": "experiment.history", "RunRows": "experiment.history",
    "OPTIMIZERS": "optim.optimizers", "InvalidOptimizer": "optim.optimizers",
    "SCHEDULES": "optim.schedules", "ScheduleSpec": "optim.schedules",
    "Chunk": "experiment.simulation", "ExperimentResult": "experiment.simulation",
    "RunEvent": "experiment.simulation", "RunResult": "experiment.simulation",
    "Simulation": "experiment.simulation", "run_experiment": "experiment.simulation",
    "ExperimentSpec": "experiment.spec", "RunSpec": "experiment.spec",
    "SpecError": "experiment.spec", "dumps": "experiment.spec", "loads": "experiment.spec",
    "Theory": "theory.hessian", "local_theory": "theory.hessian",
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
