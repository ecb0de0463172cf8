"""The live run: the descent worker, the recording and its playback, the presenter that feeds
the views, the runs table and the loss plot.

Public names (imported from their module on first use, so start-up stays lazy):

- ``worker``: ``SimulationRunner``
- ``playback``: ``Playback``, ``Recording``, ``SPEEDS``
- ``playback_bar``: ``PlaybackBar``
- ``presenter``: ``RunPresenter``, ``FramePacer``, ``theory_summary``
- ``runs_table``: ``RunsTable``
- ``loss_plot``: ``LossPlot``
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {
    "SimulationRunner": "worker", "Playback": "playback", "Recording": "playback", "SPEEDS":
    "playback", "PlaybackBar": "playback_bar", "RunPresenter": "presenter", "FramePacer":
    "presenter", "theory_summary": "presenter", "RunsTable": "runs_table", "LossPlot":
    "loss_plot"
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
