"""Draws the recording at the playhead: paths, loss curves, table numbers, verdicts, notices.

A run's verdict is shown only once the playhead reaches the step it happened at: then its
table row, its path (the alarm style if it diverged) and the banner tell the story. Paths and
curves are sent to the views only when what they show has changed; table numbers, which are
read rather than watched, are refreshed a few times a second.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEvent, QObject, Qt, QTimer

from lrdesk.core.experiment.history import RunHistory
from lrdesk.core.experiment.simulation import RunEvent
from lrdesk.core.experiment.spec import ExperimentSpec
from lrdesk.core.teaching.explain import explain_event, severity
from lrdesk.core.theory.hessian import Theory
from lrdesk.gui.live.playback import Recording

TEXT_INTERVAL = 0.2  # seconds between two refreshes of the table's numbers
FRAME_MS = 16  # at most about 60 frames a second
CANVAS, LOSS_PLOT = "canvas", "loss plot"
VIEWS = (CANVAS, LOSS_PLOT)
#: a frame may take at most this share of the time, however heavy the drawing (the worker waits
#: during frames: the rest is for it, and for clicks and keys)
FRAME_SHARE = 0.35
HINT_RUN = -1
#: rounds of queued work a frame waits for: the scenes' updates, then the repaint they queue
FINISH_ROUNDS = 2


def theory_summary(theory: Theory) -> tuple[str, str]:
    """One line for the status bar about the learning rates the theory knows, and a tooltip."""
    limit, best = theory.lr_max_stable, theory.lr_optimal
    if limit is None:
        text = "No stable limit known for this surface"
    else:
        text = f"Stable limit 2/λmax = {limit:.3g}"
        if best is not None:
            text += f",  fastest rate = {best:.3g}"
        text += "  (exact)" if theory.exact else "  (near the minimum)"
    return text, f"For plain gradient descent; {theory.note}"


class FramePacer(QObject):
    """Calls ``paint`` at most 60 times a second, and less often when painting is slow.

    A frame lasts from the call to ``paint`` until the work it set off in the event loop has
    been done: the plots' scenes gather what changed in events queued during ``paint``, and
    those queue the repaint. So the frame posts itself an event after ``paint``, and again
    when that arrives (``FINISH_ROUNDS`` rounds); the last one ends the frame. ``busy(True)``
    and ``busy(False)`` bracket the whole frame (the worker waits meanwhile, so the two
    threads do not take turns at the interpreter mid-repaint). The next frame waits so that
    frames take at most ``FRAME_SHARE`` of the time: clicks and keys are always answered
    between two frames.
    """

    _FRAME_DONE = QEvent.Type(QEvent.registerEventType())

    def __init__(self, paint, parent: QObject | None = None, busy=None) -> None:
        super().__init__(parent)
        self._paint = paint
        self._busy = busy if busy is not None else (lambda _busy: None)
        self._clock = QElapsedTimer()
        self._clock.start()
        self._next_start = 0  # ms on the clock
        self._began = 0
        self._wanted = False  # a frame was asked for while the last one was under way
        self._painting = False
        self._finishing = False  # the frame's queued work is still being done
        self._rounds_left = 0
        self._posted = 0  # end-of-frame events on their way
        self._stale = 0  # ... of which the first ones belong to a frame ``stop`` ended
        self._held = False  # frames wait (the window is not painted yet)
        self.last_cost_ms = 0.0
        #: the share of the time frames may take (raised while a slider is dragged: then the
        #: canvas following the hand matters more than anything else)
        self.share = FRAME_SHARE
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._frame)

    def request(self) -> None:
        if self._painting or self._finishing or self._held:
            self._wanted = True
        elif not self._timer.isActive():
            self._timer.start(max(0, self._next_start - self._clock.elapsed()))

    def hold(self) -> None:
        """Paint nothing until ``release`` (requests made meanwhile are kept)."""
        self._held = True
        if self._timer.isActive():  # a frame already asked for waits too
            self._timer.stop()
            self._wanted = True

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        if self._wanted:
            self._wanted = False
            self.request()

    def is_held(self) -> bool:
        return self._held

    def stop(self) -> None:
        self._held = False
        self._wanted = False
        self._timer.stop()
        self._stale = self._posted  # the ended frame's events must not end a later frame
        if self._finishing:
            self._finishing = False
            self._busy(False)

    def is_pending(self) -> bool:
        """True while a frame is due, under way, or asked for and held back."""
        return self._timer.isActive() or self._finishing or (self._held and self._wanted)

    def is_finishing(self) -> bool:
        """True from the end of ``paint`` until the frame's repaint has been done."""
        return self._finishing

    def _frame(self) -> None:
        self._wanted = False
        self._began = self._clock.elapsed()
        self._painting = True
        self._busy(True)
        try:
            self._paint()
        finally:
            self._painting = False
            self._finishing = True
            self._rounds_left = FINISH_ROUNDS
            self._post_done()

    def _post_done(self) -> None:
        self._posted += 1
        QCoreApplication.postEvent(
            self, QEvent(self._FRAME_DONE), Qt.EventPriority.LowEventPriority.value
        )

    def customEvent(self, event: QEvent) -> None:  # Qt override
        if event.type() != self._FRAME_DONE:
            return
        self._posted -= 1
        if self._stale > 0:  # they arrive in the order they were posted
            self._stale -= 1
            return
        if not self._finishing:
            return
        self._rounds_left -= 1
        if self._rounds_left > 0:
            self._post_done()  # behind whatever the work queued so far has queued in turn
            return
        self._finishing = False
        self._busy(False)
        self.last_cost_ms = float(self._clock.elapsed() - self._began)
        self._next_start = self._began + max(FRAME_MS, round(self.last_cost_ms / self.share))
        if self._wanted:
            self._wanted = False
            self.request()


@dataclass(frozen=True)
class Notice:
    run: int  # -1 for the hint shown before anything happens
    level: str
    text: str
    step: int


class NoticeBoard:
    """The notices revealed so far; the banner shows the most urgent one not dismissed."""

    def __init__(self) -> None:
        self._notices: dict[int, Notice] = {}
        self._dismissed: set[int] = set()

    def reveal(self, notice: Notice) -> None:
        self._notices[notice.run] = notice

    def hide(self, run: int) -> None:
        self._notices.pop(run, None)
        self._dismissed.discard(run)

    def dismiss(self, run: int) -> None:
        self._dismissed.add(run)

    def clear(self) -> None:
        self._notices.clear()
        self._dismissed.clear()

    def current(self) -> Notice | None:
        """The most urgent notice not dismissed; among equals the latest."""
        shown = [n for n in self._notices.values() if n.run not in self._dismissed]
        return max(shown, key=lambda n: (severity(n.level), n.step, -n.run), default=None)

    def all(self) -> list[Notice]:
        return sorted(self._notices.values(), key=lambda n: (n.step, n.run))


class RunPresenter:
    """Keeps the canvas, loss plot, runs table and banner in step with the playhead."""

    def __init__(self, canvas, loss_plot, runs_table, banner) -> None:
        self.canvas, self.loss_plot, self.runs_table, self.banner = canvas, loss_plot, runs_table, banner
        self.board = NoticeBoard()
        self._spec: ExperimentSpec | None = None
        self._theory: Theory | None = None
        self._drawn: dict[str, list[tuple[int, int, int] | None]] = {view: [] for view in VIEWS}
        self._shown_events: dict[int, RunEvent] = {}
        self._announced: dict[int, RunEvent] = {}  # events the banner keeps room for
        self._banner_notice: Notice | None = None
        self._text_time = -math.inf
        self.hint: str | None = None
        self.failure: str | None = None
        banner.dismissed.connect(self._on_banner_dismissed)

    def reset(self, spec: ExperimentSpec, theory: Theory) -> None:
        """A new computation: forget what was drawn and revealed (the views were cleared)."""
        self._spec, self._theory = spec, theory
        self._drawn = {view: [None] * len(spec.runs) for view in VIEWS}
        self._shown_events = {}
        self._announced = {}
        self.board.clear()
        self.failure = None
        self._text_time = -math.inf

    def show(
        self, step: int, recording: Recording, force_text: bool = False, views=VIEWS
    ) -> bool:
        """Draw every run up to ``step`` in ``views`` (both plots unless told otherwise).

        Returns True when every view is up to date, False when one was left for later.
        """
        if self._spec is None:
            return True
        now = time.monotonic()
        refresh_text = force_text or now - self._text_time >= TEXT_INTERVAL
        current = True
        numbers = {}
        for run, history in enumerate(recording.histories):
            index = history.row_at_or_before(step)
            current &= self._draw_run(run, history, index, views)
            if refresh_text and index >= 0:
                numbers[run] = self._numbers(run, history, index)
            self._show_verdict(run, recording.events.get(run), step)
        if refresh_text:
            self.runs_table.update_live_rows(numbers)
            self._text_time = now
        if LOSS_PLOT in views:
            self.loss_plot.set_current_step(step)
        self._announce(recording.events)
        self._show_banner(step)
        if CANVAS in views and hasattr(self.canvas, "step_view"):
            current &= not self.canvas.step_view()  # a view still moving wants another frame
        return current

    # --- one run ---------------------------------------------------------------------------
    def _draw_run(self, run: int, history: RunHistory, index: int, views) -> bool:
        """Send the run up to row ``index`` to ``views``; False if another view is behind."""
        key = (index, len(history), history.stride)
        end = index + 1
        steps, losses = history.steps[:end], history.losses[:end]
        current = True
        for view in VIEWS:
            if self._drawn[view][run] == key:
                continue
            if view not in views:
                current = False
                continue
            self._drawn[view][run] = key
            if len(history) == 0:
                continue
            if view == CANVAS:
                self.canvas.set_run_path(run, history.positions[:end], losses, steps)
            else:
                self.loss_plot.set_run_losses(run, steps, losses)
        return current

    def _numbers(self, run: int, history: RunHistory, index: int) -> tuple[int, float, float, float]:
        """What the runs table shows for a run at row ``index``: step, loss, |g|, rate."""
        rate = float(history.learning_rates[index])
        if not math.isfinite(rate):  # the final point takes no step: show the last rate used
            rate = float(history.learning_rates[index - 1]) if index > 0 else math.nan
        if not math.isfinite(rate):
            rate = self._spec.runs[run].learning_rate
        gradient = history.gradients[index]
        with np.errstate(all="ignore"):
            grad_norm = float(np.sqrt(np.dot(gradient, gradient)))
        return int(history.steps[index]), float(history.losses[index]), grad_norm, rate

    def _show_verdict(self, run: int, event: RunEvent | None, step: int) -> None:
        visible = event if event is not None and event.step <= step else None
        if self._shown_events.get(run) == visible:
            return
        if visible is None:
            self._shown_events.pop(run, None)
            self.canvas.set_run_status(run, None, None)
            self.loss_plot.set_run_status(run, None)
            self.runs_table.set_verdict(run, None, False)
            self.board.hide(run)
            return
        self._shown_events[run] = visible
        self.canvas.set_run_status(run, visible.verdict, visible.step)
        self.loss_plot.set_run_status(run, visible.verdict)
        self.runs_table.set_verdict(run, visible.verdict, visible.oscillated, visible.criterion)
        shown = [(r + 1, self._spec.runs[r], e) for r, e in self._shown_events.items()
                 if r < len(self._spec.runs)]
        level, text = explain_event(run + 1, self._spec.runs[run], visible, self._theory, shown)
        self.board.reveal(Notice(run, level, text, visible.step))

    def _announce(self, events: dict[int, RunEvent]) -> None:
        """Tell the banner the notices to come, as soon as they are computed: it keeps room for
        the longest, so that none moves the plots when the playhead reaches it."""
        if not hasattr(self.banner, "reserve_room"):
            return
        for run, event in events.items():
            if self._announced.get(run) == event or run >= len(self._spec.runs):
                continue
            self._announced[run] = event
            _level, text = explain_event(run + 1, self._spec.runs[run], event, self._theory)
            self.banner.reserve_room(text)

    def revealed_events(self) -> dict[int, RunEvent]:
        return dict(self._shown_events)

    # --- the banner ----------------------------------------------------------------------
    def refresh_banner(self, step: int = 0) -> None:
        """Show the notice that belongs at ``step`` now, without waiting for a frame."""
        self._show_banner(step)

    def _show_banner(self, step: int) -> None:
        notice = self.board.current()
        if notice is None and self.failure:
            notice = Notice(HINT_RUN, "alarm", self.failure, 0)
        if notice is None and self.hint and step == 0:
            notice = Notice(HINT_RUN, "info", self.hint, 0)
        if notice == self._banner_notice:
            return
        self._banner_notice = notice
        if notice is None:
            self.banner.clear()
        else:
            self.banner.show_notice(notice.level, notice.text)

    def _on_banner_dismissed(self) -> None:
        notice = self._banner_notice
        if notice is None:
            return
        if notice.run == HINT_RUN:
            self.hint = None
            self.failure = None
        else:
            self.board.dismiss(notice.run)
        self._banner_notice = None
        self._show_banner(-1)

    def banner_notice(self) -> Notice | None:
        return self._banner_notice
