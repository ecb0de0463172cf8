"""Drawing the recording at the playhead: paced frames, none before the window's first paint.

``WindowDrawing`` owns the ``FramePacer``: a frame request draws the presenter's views at the
playhead, at most one frame per refresh, every view at the same step in every frame (slow
frames come less often; they never show the canvas and the loss plot at different steps). The
first frame waits for the window's own first paint (or ``FIRST_PAINT_WAIT_MS``), so the window
shows at once and the runs computed meanwhile are drawn right after.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from lrdesk.core.experiment.spec import ExperimentSpec
from lrdesk.gui.live.playback import Playback, Recording
from lrdesk.gui.live.playback_bar import PlaybackBar
from lrdesk.gui.live.presenter import CANVAS, FRAME_SHARE, FramePacer, RunPresenter

FIRST_PAINT_WAIT_MS = 500  # a window never shown starts drawing after this long
#: while a slider is dragged, frames draw the canvas only, and the other views this often
DRAG_OTHER_VIEWS_MS = 250
#: ... and may take this share of the time (the worker computes the seed's runs in moments)
DRAG_FRAME_SHARE = 0.8


class WindowDrawing(QObject):
    """Paces the frames of ``window`` (watched for its show and first paint events).

    ``presenter``, ``playback`` and ``bar`` are drawn and read; ``shown()`` gives the spec and
    recording on screen; ``gui_busy(bool)`` marks each frame for the worker; ``dragging()`` is
    True while a slider is held (then the canvas follows the hand first). ``drawn_new_data``
    is emitted after a frame that drew data not drawn before.
    """

    drawn_new_data = Signal()

    def __init__(self, window: QWidget, presenter: RunPresenter, playback: Playback,
                 bar: PlaybackBar, shown: Callable[[], tuple[ExperimentSpec, Recording]],
                 gui_busy: Callable[[bool], None],
                 dragging: Callable[[], bool] = lambda: False) -> None:
        super().__init__(window)
        self._dragging = dragging
        self._others_clock = QElapsedTimer()
        self._others_clock.start()
        self._catch_up = QTimer(self)  # the other views, once a drag leaves them behind
        self._catch_up.setSingleShot(True)
        self._catch_up.setInterval(DRAG_OTHER_VIEWS_MS)
        self._catch_up.timeout.connect(self.request)
        self._presenter, self._playback, self._bar, self._shown = presenter, playback, bar, shown
        self._new_data = False
        self._stopped = False
        self.frames = FramePacer(self._paint, self, gui_busy)
        self.frames.hold()
        self._waiting = True  # for the window's first paint
        self._wait_timer = QTimer(self)
        self._wait_timer.setSingleShot(True)
        self._wait_timer.setInterval(FIRST_PAINT_WAIT_MS)
        self._wait_timer.timeout.connect(self._after_first_paint)
        self._wait_timer.start()
        window.installEventFilter(self)

    def request(self, new_data: bool = False) -> None:
        """Ask for a frame (``new_data``: it draws rows not drawn yet)."""
        self._new_data = self._new_data or new_data
        if not self._stopped:
            self.frames.request()

    def stop(self) -> None:
        """No more frames (the window closes)."""
        self._stopped = True
        self._wait_timer.stop()
        self._catch_up.stop()
        self.frames.stop()

    def eventFilter(self, watched, event) -> bool:  # Qt override
        if self._waiting and event.type() == QEvent.Type.Show:
            self._wait_timer.start()  # the wait for the paint counts from here
        elif self._waiting and event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, self, self._after_first_paint)  # once it is all on screen
        return False

    def _after_first_paint(self) -> None:
        if not self._waiting or self._stopped:
            return
        self._waiting = False
        self._wait_timer.stop()
        self.frames.release()

    def _paint(self) -> None:
        spec, recording = self._shown()
        step = self._playback.step()
        force_text = not self._playback.is_playing()
        dragging = self._dragging()
        self.frames.share = DRAG_FRAME_SHARE if dragging else FRAME_SHARE
        if dragging and not self._others_clock.hasExpired(DRAG_OTHER_VIEWS_MS):
            current = self._presenter.show(step, recording, force_text, (CANVAS,))
            if not current and not self._catch_up.isActive():
                self._catch_up.start()
        else:
            self._others_clock.restart()
            current = self._presenter.show(step, recording, force_text)
            if not current:
                self.request()  # a view is still moving to its new box
        self._bar.set_step(step, spec.steps)
        if self._new_data:
            self._new_data = False
            self.drawn_new_data.emit()
