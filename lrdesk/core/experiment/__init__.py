"""An experiment: the frozen spec and its file format, the simulation that plays it in chunks,
the recorded history, pure spec edits and atomic file writes.

Public names (imported from their module on first use, so start-up stays lazy):

- ``spec``: ``ExperimentSpec``, ``RunSpec``, ``SpecError``, ``dumps``, ``loads``, ``from_dict``, ``MAX_STEPS``, ``MAX_FILE_BYTES``
- ``simulation``: ``Simulation``, ``Chunk``, ``RunEvent``, ``RunResult``, ``ExperimentResult``, ``run_experiment``
- ``history``: ``RunHistory``, ``RunRows``
- ``edits``: ``add_run``, ``remove_run``, ``replace_run``, ``next_run``, ``set_start``, ``switch_function``
- ``fileio``: ``atomic_write_text``, ``read_text``
- ``undo``: ``UndoHistory``
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {
    "ExperimentSpec": "spec", "RunSpec": "spec", "SpecError": "spec", "dumps": "spec", "loads":
    "spec", "from_dict": "spec", "MAX_STEPS": "spec", "MAX_FILE_BYTES": "spec", "Simulation":
    "simulation", "Chunk": "simulation", "RunEvent": "simulation", "RunResult": "simulation",
    "ExperimentResult": "simulation", "run_experiment": "simulation", "RunHistory": "history",
    "RunRows": "history", "add_run": "edits", "remove_run": "edits", "replace_run": "edits",
    "next_run": "edits", "set_start": "edits", "switch_function": "edits", "atomic_write_text":
    "fileio", "read_text": "fileio", "UndoHistory": "undo",
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
