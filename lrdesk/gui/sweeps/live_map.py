"""Keeps a finished regime map following the experiment: a changed setting re-runs it.

While a control is dragged the experiment changes many times a second. The map is then run
again with the newest settings a moment after the first change of a burst (``DELAY_MS``), one
run at a time and none cancelled, so that each gets to finish; a follow-up run is drawn only
once complete, theory's boundary with it, so the picture never falls back to empty cells while
it follows. Only maps on screen and quick enough to keep up follow (``LIVE_RUN_STEPS``); a
larger map, a hidden one, or one that was cancelled, is cleared by a change as before.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

#: cells x steps of the largest map that follows changes (a 200 x 200 map of 1,000 steps,
#: about half a second: benchmarks/bench_sweep.py)
LIVE_RUN_STEPS = 40_000_000
#: milliseconds from the first change of a burst to the follow-up run
DELAY_MS = 60


class MapFollower(QObject):
    """Re-runs ``view``'s map (a ``MapView``) when its experiment changes, if the map follows.

    The view tells it when a map starts (``started``) and ends (``finished``), and asks it
    (``request``) whether a change of settings re-runs the map rather than clearing it.
    """

    def __init__(self, view) -> None:
        super().__init__(view)
        self._view = view
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self._run)
        self._pending = False  # a change came while a run was under way
        self._size = 0  # cells x steps of the map running
        self.following = False  # the map shown re-runs on a change
        self.quiet = False  # the map running is a follow-up: draw it only when complete

    def started(self, follow_up: bool, cells: int, steps: int) -> None:
        self.quiet = follow_up
        self._size = cells * steps

    def finished(self, result) -> None:
        """A map ended: it follows changes if complete and small enough; a waiting change runs."""
        self.quiet = False
        self.following = bool(result.done) and self._size <= LIVE_RUN_STEPS
        if self._pending and self.following:
            self._timer.start()
        self._pending = False

    def request(self) -> bool:
        """The experiment changed: re-run soon and say True, or False when this map does not
        follow (none yet, cancelled, too large, or out of sight: no work for a closed dock)."""
        if not (self.following and self._view.isVisible()):
            return False
        if self._view.runner.is_busy():
            self._pending = True
        elif not self._timer.isActive():  # throttled, not postponed: a long drag still updates
            self._timer.start()
        return True

    def stop(self) -> None:
        self._timer.stop()
        self._pending = self.following = self.quiet = False

    def _run(self) -> None:
        if self._view.runner.is_busy():
            self._pending = True
            return
        self._view.run_map(follow_up=True)
