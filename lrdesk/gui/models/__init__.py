"""Training a real model in the window: its controls, worker, data view, loss and sharpness plots.

Public names (imported from their module on first use, so start-up stays lazy):

- ``training_job``: ``Snapshot``, ``train_job``, ``current_params``
- ``model_view``: ``ModelView``, ``install``
- ``landscape_panel``: ``LandscapePanel`` (the bowl or slice with the runs' paths, 2-D or 3-D)
- ``rate_marks``: ``RateMarks`` (the stable limit and fastest rate beside the rates)
- ``scaling_view``: ``ScalingView`` (raw vs standardised housing data, side by side)
- ``scrub``: ``RunScrubber``, ``snapshot_at`` (every view at an earlier step of a finished run)
- ``tool``: ``MODEL_TOOL``, ``install_model_later``, ``RATE_FINDER_TOOL``,
  ``install_rate_finder_later``
- ``noise_view``: ``NoiseView``
- ``rate_finder``: ``RateFinderView``
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {
    "Snapshot": "training_job", "train_job": "training_job", "current_params": "training_job",
    "LandscapePanel": "landscape_panel", "RateMarks": "rate_marks", "ScalingView": "scaling_view",
    "RunScrubber": "scrub", "snapshot_at": "scrub",
    "ModelView": "model_view", "MODEL_TOOL": "tool", "install_model_later": "tool", "install": "model_view",
    "RATE_FINDER_TOOL": "tool", "install_rate_finder_later": "tool", "NoiseView": "noise_view",
    "RateFinderView": "rate_finder",
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
