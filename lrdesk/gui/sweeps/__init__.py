"""The sweep and regime-map tools: their runner, plots and docked views.

Public names (imported from their module on first use, so start-up stays lazy):

- ``worker``: ``SweepRunner``, ``RunBar``
- ``common``: ``MAP_TOOL``, ``SWEEP_TOOL``, ``install_later``, ``install_docked``
- ``sweep_view``: ``SweepView``
- ``map_view``: ``MapView``
- ``live_map``: ``MapFollower`` (a finished map re-run when the experiment changes)
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {
    "SweepRunner": "worker", "RunBar": "worker", "MAP_TOOL": "common", "SWEEP_TOOL": "common",
    "install_later": "common", "install_docked": "common", "SweepView": "sweep_view",
    "MapView": "map_view", "MapFollower": "live_map",
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
