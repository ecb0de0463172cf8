"""Which learning rate? Full-run sweeps over rates, the classic range test and its comparison,
and regime maps over two settings.

Public names (imported from their module on first use, so start-up stays lazy):

- ``sweep``: ``SweepResult``, ``SweepSetup``, ``sweep_learning_rates``, ``iterate_sweep``, ``log_spaced_rates``, ``compare_range_test``, ``range_test``, ``MAX_RATES``
- ``regime``: ``MapAxis``, ``MapChoice``, ``MapError``, ``MapSetup``, ``RegimeMap``, ``regime_map``, ``iterate_map``, ``axis_values``, ``default_range``, ``map_key``, ``AXIS_TITLES``
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {
    "SweepResult": "sweep", "SweepSetup": "sweep", "sweep_learning_rates": "sweep",
    "iterate_sweep": "sweep", "log_spaced_rates": "sweep", "compare_range_test": "sweep",
    "range_test": "sweep", "MAX_RATES": "sweep", "MapAxis": "regime", "MapChoice": "regime",
    "MapError": "regime", "MapSetup": "regime", "RegimeMap": "regime", "regime_map": "regime",
    "iterate_map": "regime", "axis_values": "regime", "default_range": "regime", "map_key":
    "regime", "AXIS_TITLES": "regime"
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
