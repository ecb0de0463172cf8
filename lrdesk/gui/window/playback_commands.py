"""The playhead commands of the main window: play, pause, step, jump, scrub.

``PlaybackCommands`` is mixed into ``MainWindow``; it drives the window's ``playback`` through the
``recording`` of the runs, and passes playhead changes on as ``step_changed`` and a new frame.
"""

from __future__ import annotations


class PlaybackCommands:
    """Play, pause and step through the recorded runs (keyboard, buttons, panels use these)."""

    def current_step(self) -> int:
        return self.playback.step()

    def set_step(self, step: int) -> None:
        self.playback.set_step(step)

    def play(self) -> None:
        self.playback.play()

    def pause(self) -> None:
        self.playback.pause()

    def toggle_play(self) -> None:
        self.playback.toggle()

    def reset(self) -> None:
        self.playback.pause()
        self.playback.set_step(0)

    def is_playing(self) -> bool:
        return self.playback.is_playing()

    def step_forward(self) -> None:
        self.playback.pause()
        step = self._recording.next_step(self.playback.step())
        if step is not None:
            self.playback.set_step(step)

    def step_back(self) -> None:
        self.playback.pause()
        step = self._recording.previous_step(self.playback.step())
        if step is not None:
            self.playback.set_step(step)

    def jump_to_first_bad_step(self) -> None:
        step = self._recording.first_bad_step()
        if step is None:
            self.statusBar().showMessage("No run has diverged or oscillated so far.", 4000)
            return
        self.playback.pause()
        self.playback.set_step(step)

    def _on_scrubbed(self, step: int) -> None:
        self.playback.pause()
        self.playback.set_step(step)

    def _on_step_changed(self, step: int) -> None:
        self.step_changed.emit(step)
        self._request_frame()

    def _on_playing_changed(self, playing: bool) -> None:
        self.actions_.set_playing(playing)
        self._request_frame()
