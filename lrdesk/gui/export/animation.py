"""The experiment as an animated GIF: frames drawn by moving the playhead, written with Pillow.

Frames are drawn a few at a time from a zero-delay QTimer, so the window stays responsive and
a progress dialog can cancel at any moment. Every frame is reduced to one shared 255-colour
palette, taken from the last frame (which shows every path in full): colours then never
flicker between frames, and unchanged pixels stay identical, which keeps the file small.
MP4 is not offered: it would need an ffmpeg binary (imageio-ffmpeg), which LR Desk does not
ship.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PIL import Image
from PySide6.QtCore import QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QMessageBox, QProgressDialog

from lrdesk.gui.export.dialogs import AnimationDialog, AnimationOptions
from lrdesk.gui.export.key import FigureKey, window_key, with_key
from lrdesk.gui.export.render import ExportError, render_figure, write_file
from lrdesk.gui.shared.dialogs import ask_save_path

BATCH_SECONDS = 0.05  # drawing time per timer tick: the window answers within this
MIN_FRAME_MS = 20  # browsers and viewers play faster GIF frames at 100 ms instead
MIN_GIF_WIDTH = 320


def frame_steps(last_step: int, frames: int) -> list[int]:
    """Up to ``frames`` distinct steps spread evenly from 0 to ``last_step``, both included."""
    if last_step <= 0:
        return [0]
    count = max(2, min(int(frames), last_step + 1))
    return sorted({int(s) for s in np.round(np.linspace(0, last_step, count))})


def frame_durations(count: int, options: AnimationOptions) -> list[int]:
    """Milliseconds per frame: the run plays in ``options.seconds``, the last frame lingers."""
    each = max(MIN_FRAME_MS, round(1000 * options.seconds / max(count, 1)))
    durations = [each] * count
    durations[-1] = each + round(1000 * options.hold_seconds)
    return durations


def to_pillow(image: QImage) -> Image.Image:
    """A QImage as an RGB Pillow image (a copy)."""
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    width, height = rgba.width(), rgba.height()
    raw = np.frombuffer(rgba.constBits(), dtype=np.uint8, count=rgba.sizeInBytes())
    pixels = raw.reshape(height, rgba.bytesPerLine() // 4, 4)[:, :width, :3]
    return Image.fromarray(np.ascontiguousarray(pixels), "RGB")


class GifFrames:
    """Frames reduced to one palette as they come, then encoded as a looping GIF."""

    def __init__(self, palette_source: QImage) -> None:
        source = to_pillow(palette_source)
        self.palette = source.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
        self.frames: list[Image.Image] = []

    def add(self, image: QImage) -> None:
        frame = to_pillow(image).quantize(palette=self.palette, dither=Image.Dither.NONE)
        self.frames.append(frame)

    def encode(self, durations: Sequence[int]) -> bytes:
        out = io.BytesIO()
        first, *rest = self.frames
        first.save(
            out, format="GIF", save_all=True, append_images=rest,
            duration=list(durations), loop=0, optimize=False,
        )
        return out.getvalue()


class FigureFrames:
    """Draws one frame: the figures side by side at a total width, with the step underneath."""

    def __init__(
        self, views: Sequence[pg.GraphicsView], width: int, set_step: Callable[[int], None],
        key_now: Callable[[], FigureKey] | None = None,
    ) -> None:
        if width < MIN_GIF_WIDTH:
            raise ExportError(f"An animation must be at least {MIN_GIF_WIDTH} pixels wide.")
        if any(v.width() <= 0 or v.height() <= 0 for v in views):
            raise ExportError("A figure of the animation is hidden: show it, then try again.")
        self.views, self.set_step = list(views), set_step
        self.key_now = key_now  # the key (title, runs and verdicts) at the step just shown
        aspects = [v.width() / v.height() for v in self.views]
        self.height = max(1, round(width / sum(aspects)))
        widths = [round(self.height * a) for a in aspects]
        widths[-1] = width - sum(widths[:-1])  # absorb rounding: the frame is exactly ``width``
        self.widths = widths
        self.width = width
        background = self.views[0].backgroundBrush().color()
        self.background = background if background.alpha() else QColor("white")
        self.caption_height = max(18, round(width / 40))

    def draw(self, step: int) -> QImage:
        self.set_step(step)
        frame = QImage(self.width, self.height + self.caption_height, QImage.Format.Format_RGB32)
        frame.fill(self.background)
        painter = QPainter(frame)
        try:
            x = 0
            for view, width in zip(self.views, self.widths, strict=True):
                # a figure can change shape during the run (a notice appears above it):
                # fit it into its fixed cell of the frame, keeping its proportions
                image = render_figure(view, width)
                if image.height() > self.height:
                    image = image.scaledToHeight(
                        self.height, Qt.TransformationMode.SmoothTransformation
                    )
                left = x + (width - image.width()) // 2
                painter.drawImage(left, (self.height - image.height()) // 2, image)
                x += width
            self._caption(painter, step)
        finally:
            painter.end()
        # the key's size depends only on the runs, so every frame keeps one size
        return frame if self.key_now is None else with_key(frame, self.key_now(), self.background)

    def _caption(self, painter: QPainter, step: int) -> None:
        font = QFont(painter.font())
        font.setPixelSize(round(self.caption_height * 0.7))
        painter.setFont(font)
        dark = self.background.lightnessF() < 0.5
        painter.setPen(QColor("white" if dark else "black"))
        area = QRectF(0, self.height, self.width - self.caption_height / 2, self.caption_height)
        align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(area, int(align), f"step {step:,}")


class AnimationExport(QObject):
    """Draws the frames of ``steps`` in small batches, then writes the GIF to ``path``."""

    progress = Signal(int, int)  # work done, total work (frames + writing the file)
    finished = Signal(str)  # the path written
    failed = Signal(str)  # why, in plain words
    cancelled = Signal()

    def __init__(
        self,
        steps: Sequence[int],
        draw_frame: Callable[[int], QImage],
        path: str,
        options: AnimationOptions,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.steps, self.draw_frame = list(steps), draw_frame
        self.path, self.options = path, options
        self.frames: GifFrames | None = None
        self.done = 0
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._work)

    @property
    def total(self) -> int:
        return len(self.steps) + 1  # the last unit is writing the file

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        if self.running:
            self._timer.stop()
            self.frames = None
            self.cancelled.emit()

    def _work(self) -> None:
        deadline = time.monotonic() + BATCH_SECONDS
        try:
            if self.frames is None:
                # the last frame holds every path in full: its colours make the palette
                self.frames = GifFrames(self.draw_frame(self.steps[-1]))
            while self.done < len(self.steps) and time.monotonic() < deadline:
                self.frames.add(self.draw_frame(self.steps[self.done]))
                self.done += 1
            if self.done == len(self.steps):
                self._timer.stop()
                write_file(self.path, self.frames.encode(frame_durations(self.done, self.options)))
                self.frames = None
                self.progress.emit(self.total, self.total)
                self.finished.emit(self.path)
                return
        except (ExportError, OSError, ValueError, MemoryError) as exc:
            self._timer.stop()
            self.frames = None
            self.failed.emit(f"The animation could not be made: {exc}")
            return
        self.progress.emit(self.done, self.total)


# ------------------------------------------------------------------------------------------
def last_step(window) -> int:
    """The last step worth showing: the latest verdict, or the last step computed so far."""
    spec, events, histories = window.spec(), window.events(), window.histories()
    if events and len(events) >= len(spec.runs):
        return max(event.step for event in events.values())
    return max((int(h.steps[-1]) for h in histories if len(h)), default=0)


def show_step_now(window, step: int) -> None:
    """Move the playhead and draw at once (the window itself repaints on its next frame tick)."""
    window.set_step(step)
    presenter = getattr(window, "presenter", None)
    if presenter is not None:
        presenter.show(window.current_step(), window.recording(), force_text=True)


def window_animation(window, path: str, options: AnimationOptions) -> AnimationExport:
    """An animation of ``window``'s experiment (not started); the playhead returns afterwards."""
    views = [window.canvas.plot_widget]
    if options.with_loss_plot:
        views.append(window.loss_plot.plot_widget)
    window.pause()
    original = window.current_step()
    frames = FigureFrames(views, options.width, lambda step: show_step_now(window, step),
                          lambda: window_key(window))
    job = AnimationExport(frame_steps(last_step(window), options.frames), frames.draw, path,
                          options, parent=window)
    for signal in (job.finished, job.failed, job.cancelled):
        signal.connect(lambda *_: window.set_step(original))
    return job


def start_window_animation(window, actions) -> AnimationExport | None:
    """Ask for options and a file, then export with a progress dialog that can cancel."""
    dialog = AnimationDialog(parent=window)
    if not dialog.exec():
        return None
    options = dialog.options()
    path = ask_save_path(window, "Export the animation", "lrdesk-animation.gif",
                         "GIF animations (*.gif)")
    if not path:
        return None
    if not path.lower().endswith(".gif"):
        path += ".gif"
    try:
        job = window_animation(window, path, options)
    except ExportError as exc:
        QMessageBox.warning(window, "Export the animation", str(exc))
        return None
    progress = QProgressDialog(
        "Drawing the frames of the animation…", "Cancel", 0, job.total, window
    )
    progress.setWindowTitle("Export the animation")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)
    progress.setAutoClose(False)
    progress.setAutoReset(False)
    job.progress.connect(lambda done, _total: progress.setValue(done))
    progress.canceled.connect(job.cancel)

    def close_progress(*_args) -> None:
        actions.animation = None
        progress.canceled.disconnect(job.cancel)  # closing the dialog would emit canceled
        progress.close()
        progress.deleteLater()
        job.deleteLater()

    job.finished.connect(close_progress)
    job.cancelled.connect(close_progress)
    job.failed.connect(close_progress)
    job.finished.connect(lambda p: actions._tell(f"Saved the animation {p}"))
    job.failed.connect(lambda message: QMessageBox.warning(window, "Export the animation", message))
    job.start()
    return job
