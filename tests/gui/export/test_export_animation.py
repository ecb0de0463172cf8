"""Animated GIF export: frames spread over the run, read back with Pillow and imageio, looping;
cancelling or failing leaves no file; the window's playhead comes back where it was."""

from __future__ import annotations

from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pyqtgraph as pg
import pytest
from helpers import show_widget, window_fixture
from PIL import Image

from lrdesk.core.experiment.simulation import Simulation
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.gui.export.animation import (
    AnimationExport,
    FigureFrames,
    frame_durations,
    frame_steps,
    window_animation,
)
from lrdesk.gui.export.dialogs import AnimationOptions
from lrdesk.gui.export.render import ExportError

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
SHOTS = Path(__file__).resolve().parents[3] / "shots"
SPEC = ExperimentSpec(runs=(RunSpec(0.01), RunSpec(0.1), RunSpec(1.1)), steps=100)


def test_frame_steps_are_distinct_and_cover_the_run():
    for last, frames in ((100, 60), (20, 60), (1, 60), (0, 60), (10_000, 150), (59, 60)):
        steps = frame_steps(last, frames)
        assert steps[0] == 0 and steps[-1] == last
        assert steps == sorted(set(steps))
        assert len(steps) == (1 if last == 0 else min(frames, last + 1))


def test_frame_durations_fill_the_length_and_hold_the_end():
    options = AnimationOptions(seconds=6.0, hold_seconds=2.0)
    durations = frame_durations(100, options)
    assert len(durations) == 100 and durations[0] == 60
    assert durations[-1] == 60 + 2000
    assert min(frame_durations(1000, options)) == 20  # never faster than viewers play


class PathPlot:
    """A real plot that draws a real run up to the step it is told (as the canvas does)."""

    def __init__(self, qtbot) -> None:
        simulation = Simulation(SPEC)
        simulation.run_to_end()
        self.histories = simulation.histories
        self.widget = pg.PlotWidget()
        self.curves = [self.widget.plot(pen=pg.mkPen(c, width=3)) for c in ("b", "r", "g")]
        self.widget.setXRange(-6, 6)
        self.widget.setYRange(0, 40)
        show_widget(qtbot, self.widget, (640, 360))
        self.shown: list[int] = []

    def set_step(self, step: int) -> None:
        self.shown.append(step)
        for curve, history in zip(self.curves, self.histories, strict=True):
            end = history.row_at_or_before(step) + 1
            curve.setData(history.positions[:end, 0], history.losses[:end])


def run_job(qtbot, job: AnimationExport, signal: str = "finished") -> list:
    got = []
    getattr(job, signal).connect(lambda *args: got.append(args))
    with qtbot.waitSignal(getattr(job, signal), timeout=60_000):
        job.start()
    assert not job.running
    return got


def test_gif_has_one_frame_per_step_at_the_chosen_width(qtbot, tmp_path):
    plot = PathPlot(qtbot)
    options = AnimationOptions(frames=40, width=480, seconds=4.0)
    steps = frame_steps(100, options.frames)
    frames = FigureFrames([plot.widget], options.width, plot.set_step)
    path = tmp_path / "runs.gif"
    job = AnimationExport(steps, frames.draw, str(path), options)
    progress = []
    job.progress.connect(lambda done, total: progress.append((done, total)))
    (written,), = run_job(qtbot, job)
    assert written == str(path)
    assert progress[-1] == (job.total, job.total)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    with Image.open(path) as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == len(steps)
        assert gif.width == options.width
        assert gif.height == frames.height + frames.caption_height
        assert gif.info.get("loop") == 0  # loops forever
    stack = iio.imread(path, index=None)
    assert stack.shape[0] == len(steps)
    assert not np.array_equal(stack[0], stack[-1])  # the paths grow
    assert plot.shown[1:] == steps  # the palette frame first, then every step in order


def test_two_figures_side_by_side_fill_the_width(qtbot, tmp_path):
    left, right = PathPlot(qtbot), PathPlot(qtbot)
    right.widget.resize(320, 360)
    qtbot.waitUntil(lambda: right.widget.width() == 320)

    def both(step: int) -> None:
        left.set_step(step)
        right.set_step(step)

    frames = FigureFrames([left.widget, right.widget], 900, both)
    assert sum(frames.widths) == 900
    assert frames.widths[0] > frames.widths[1]
    image = frames.draw(50)
    assert image.width() == 900
    SHOTS.mkdir(exist_ok=True)
    image.save(str(SHOTS / "animation_frame.png"))


def test_cancel_leaves_no_file_and_keeps_an_old_one(qtbot, tmp_path):
    plot = PathPlot(qtbot)
    options = AnimationOptions(frames=150, width=640)
    path = tmp_path / "old.gif"
    path.write_bytes(b"old animation")
    frames = FigureFrames([plot.widget], options.width, plot.set_step)
    job = AnimationExport(frame_steps(100, options.frames), frames.draw, str(path), options)
    job.progress.connect(lambda done, _total: job.cancel() if done >= 2 else None)
    run_job(qtbot, job, "cancelled")
    assert job.done < len(job.steps)
    assert path.read_bytes() == b"old animation"
    assert [p.name for p in tmp_path.iterdir()] == ["old.gif"]


def test_an_unwritable_place_fails_with_a_message(qtbot, tmp_path):
    plot = PathPlot(qtbot)
    options = AnimationOptions(frames=10, width=400)
    frames = FigureFrames([plot.widget], options.width, plot.set_step)
    path = tmp_path / "missing-folder" / "runs.gif"
    job = AnimationExport(frame_steps(100, 10), frames.draw, str(path), options)
    (message,), = run_job(qtbot, job, "failed")
    assert message.startswith("The animation could not be made: Cannot write in")
    assert not path.exists()


def test_too_narrow_or_hidden_figures_are_refused(qtbot):
    plot = PathPlot(qtbot)
    with pytest.raises(ExportError, match="at least"):
        FigureFrames([plot.widget], 100, plot.set_step)
    plot.widget.hide()
    plot.widget.resize(0, 0)
    with pytest.raises(ExportError, match="hidden"):
        FigureFrames([plot.widget], 640, plot.set_step)


# ------------------------------------------------------------------------------------------
window = window_fixture(SPEC, (1280, 800))


def test_window_animation_of_the_default_lesson(qtbot, window, tmp_path):
    qtbot.waitUntil(lambda: len(window.events()) == len(window.spec().runs), timeout=20_000)
    last = max(event.step for event in window.events().values())
    window.set_step(5)
    options = AnimationOptions(frames=60, width=960, with_loss_plot=True)
    path = tmp_path / "lesson.gif"
    job = window_animation(window, str(path), options)
    run_job(qtbot, job)
    assert window.current_step() == 5  # the playhead is back where it was
    with Image.open(path) as gif:
        assert gif.n_frames == len(frame_steps(last, options.frames))
        assert gif.width == 960
        gif.seek(gif.n_frames - 1)
        gif.convert("RGB").save(SHOTS / "animation_last_frame.png")


def test_menu_animation_with_progress_and_cancel(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QApplication, QFileDialog, QProgressDialog

    from lrdesk.gui.export import menu as export
    from lrdesk.gui.export.dialogs import AnimationDialog

    actions = export.install(window)
    qtbot.waitUntil(lambda: len(window.events()) == len(window.spec().runs), timeout=20_000)
    paths = iter([str(tmp_path / "first"), str(tmp_path / "second.gif")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kw: (next(paths), "")))
    monkeypatch.setattr(AnimationDialog, "exec", lambda self: 1)
    monkeypatch.setattr(AnimationDialog, "options",
                        lambda self: AnimationOptions(frames=12, width=480, seconds=2.0))
    entry = next(a for a in actions.menu.actions() if "Animation" in a.text())
    entry.trigger()
    assert actions.animation is not None
    qtbot.waitUntil(lambda: actions.animation is None, timeout=30_000)
    with Image.open(tmp_path / "first.gif") as gif:
        assert gif.n_frames == 12 and gif.width == 480

    def progress_dialogs():
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QProgressDialog) and w.isVisible()]

    qtbot.waitUntil(lambda: not progress_dialogs())
    monkeypatch.setattr(AnimationDialog, "options",
                        lambda self: AnimationOptions(frames=300, width=960, seconds=2.0))
    entry.trigger()
    qtbot.waitUntil(lambda: bool(progress_dialogs()))
    from PySide6.QtWidgets import QPushButton

    progress_dialogs()[0].findChild(QPushButton).click()  # the Cancel button
    qtbot.waitUntil(lambda: actions.animation is None, timeout=10_000)
    assert not (tmp_path / "second.gif").exists()
