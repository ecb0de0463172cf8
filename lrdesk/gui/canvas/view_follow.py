"""The canvas's view box, moved to the region of interest widened for runs that swing away.

``FollowingView`` keeps each run's followed extent (``follow``), the box the view shows and the
box it moves to, and the footer button that goes back to the minimum and out again. The move
steps on a timer of its own, or once per ``step`` call when the window's frames drive it.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QToolButton, QWidget

from lrdesk.gui.canvas.follow import ease_share, eased, follow_limit, followed_extent, union
from lrdesk.gui.shared.path_geometry import Box

Array = np.ndarray

#: milliseconds between two ticks of the view's move to a new box (on its own timer)
MOVE_TICK_MS = 16
BACK_TEXT, FOLLOW_TEXT = "Back to the minimum", "Follow the runs out"


class FollowingView(QObject):
    """Where ``view_box`` looks; ``button`` (for the canvas's footer) pins it to the region."""

    #: frame-driven: the view has a new box to move to, one step a frame
    moving = Signal()

    def __init__(self, view_box: pg.ViewBox, parent: QWidget) -> None:
        super().__init__(parent)
        self._view_box = view_box
        self._region: Box | None = None
        self._dim = 1
        self._extents: dict[int, Box] = {}  # run -> box of its followed points outside
        self._pinned = False  # the user asked for the region around the minimum
        self._shown: Box | None = None  # the box last asked of the view box
        self._target: Box | None = None
        self._frame_driven = False
        self._moved_at: float | None = None  # time of the move's last step
        self._timer = QTimer(self)
        self._timer.setInterval(MOVE_TICK_MS)
        self._timer.timeout.connect(self._tick)
        self.button = QToolButton(parent)
        self.button.clicked.connect(self._toggle_pinned)
        policy = self.button.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # the line under the plot keeps its height
        self.button.setSizePolicy(policy)
        self._update_button()

    # --- public API ------------------------------------------------------------------------
    def reset(self, region: Box, dim: int) -> None:
        """A new function: show ``region`` at once, follow nothing, pinned no more."""
        self._region, self._dim = region, dim
        self._extents.clear()
        self._pinned = False
        self._timer.stop()
        self._moved_at = None
        self._show(region)
        self._target = region
        self._update_button()

    def follow(self, run: int, x: Array, y: Array) -> None:
        """Widen the view for run ``run``'s points (x, y) outside the region, up to the limit."""
        if self._region is None:
            return
        limit = follow_limit(self._region, self._dim)
        extent, _left = followed_extent(x, y, self._region, limit)
        if extent is None:
            self._extents.pop(run, None)
        else:
            self._extents[run] = extent
        self._retarget()

    def forget(self) -> None:
        """Other runs: nothing is followed until their points come."""
        self._extents.clear()
        self._retarget()

    def target_box(self) -> Box | None:
        """The box the view shows or is moving to."""
        return self._target

    def shown_box(self) -> Box | None:
        return self._shown

    def at_rest(self) -> bool:
        return self._shown == self._target

    def set_frame_driven(self, on: bool) -> None:
        """Move one step per ``step`` call instead of on the timer."""
        self._frame_driven = on
        if on:
            self._timer.stop()

    def step(self) -> bool:
        """One step of the move to the target; True while it has farther to go.

        The share of the way covered depends on the time since the last step, so the move
        takes as long however often it is stepped; the first step after a pause moves as a
        few ticks would.
        """
        if self._target is None or self._shown is None or self._shown == self._target:
            return False
        now = time.monotonic()
        tick = MOVE_TICK_MS / 1000
        since = now - self._moved_at if self._moved_at is not None else tick
        self._moved_at = now
        box, arrived = eased(self._shown, self._target, ease_share(4 * tick if since > 0.5 else since))
        self._show(box)
        if arrived:
            self._moved_at = None
        return not arrived

    # --- inside ----------------------------------------------------------------------------
    def _retarget(self) -> None:
        target = (
            self._region if self._pinned else union(self._region, list(self._extents.values()))
        )
        self._update_button()
        if target == self._target:
            return
        self._target = target
        if self._frame_driven:
            self.moving.emit()
        elif not self._timer.isActive():
            self._timer.start()

    def _tick(self) -> None:
        if not self.step():
            self._timer.stop()

    def _show(self, box: Box) -> None:
        self._shown = box
        self._view_box.setRange(
            xRange=(box.x_min, box.x_max), yRange=(box.y_min, box.y_max), padding=0.0
        )

    def _toggle_pinned(self) -> None:
        self._pinned = not self._pinned
        if self._region is not None:
            self._retarget()

    def _update_button(self) -> None:
        self.button.setVisible(bool(self._extents))
        if self._pinned:
            self.button.setText(FOLLOW_TEXT)
            self.button.setToolTip("Widen the view again to follow the runs that swing away")
        else:
            self.button.setText(BACK_TEXT)
            self.button.setToolTip(
                "Show the region around the minimum again; runs that swing away leave the view"
            )
