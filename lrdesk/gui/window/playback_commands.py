"""The playhead commands: play, pause, step, jump, scrub, over the recording of the runs.

``PlaybackCommands`` gets the window's ``Playback`` and a callable that gives the current
``Recording``; what it has to say (no bad step yet) goes out as ``message``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from lrdesk.gui.live.playback import Playback, Recording


class PlaybackCommands(QObject):
    """Play, pause and step through the recorded runs (keyboard, buttons, panels use these)."""

    message = Signal(str, int)  # text for the status bar, and how long to show it (ms)

    def __init__(self, playback: Playback, recording: Callable[[], Recording],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._playback = playback
        self._recording = recording

    def reset(self) -> None:
        self._playback.pause()
        self._playback.set_step(0)

    def step_forward(self) -> None:
        self._move(self._recording().next_step(self._playback.step()))

    def step_back(self) -> None:
        self._move(self._recording().previous_step(self._playback.step()))

    def jump_to_first_bad_step(self) -> None:
        step = self._recording().first_bad_step()
        if step is None:
            self.message.emit("No run has diverged or oscillated so far.", 4000)
            return
        self._move(step)

    def scrub(self, step: int) -> None:
        self._move(step)

    def _move(self, step: int | None) -> None:
        """Pause and put the playhead on ``step`` (None: stay where it is)."""
        self._playback.pause()
        if step is not None:
            self._playback.set_step(step)
