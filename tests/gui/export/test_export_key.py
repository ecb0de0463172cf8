"""Exported pictures carry their key: a title with the formula, a legend with each run's colour,
rate and verdict; GIF frames too, with the verdicts reached by each frame's step."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import window_fixture
from PIL import Image

from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.core.functions import make_function
from lrdesk.gui.export.animation import AnimationOptions, show_step_now, window_animation
from lrdesk.gui.export.key import STILL_RUNNING, figure_key, window_key, with_key
from lrdesk.gui.export.render import figure_image
from lrdesk.gui.shared.palette import run_color

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")

SPEC = ExperimentSpec(function="quadratic", start=(5.0,),
                      runs=(RunSpec(0.1), RunSpec(0.024532473489), RunSpec(1.1)), steps=60)
window = window_fixture(SPEC, (1280, 800))


def test_the_key_names_the_formula_the_rule_and_every_run():
    events = {}
    key = figure_key(SPEC, make_function("quadratic"), events)
    assert "L(w) = " in key.title and "w ← w − α·g" in key.title
    assert [e.label for e in key.entries] == ["run 1: α = 0.1", "run 2: α = 0.0245",
                                              "run 3: α = 1.1"]
    assert all(e.verdict == STILL_RUNNING for e in key.entries)
    mixed = ExperimentSpec(function="bowl", start=(4.0, 3.0),
                           runs=(RunSpec(0.1), RunSpec(0.05, "momentum")))
    key = figure_key(mixed, make_function("bowl"), {})
    assert "Momentum" in key.entries[1].label and "Gradient descent" in key.entries[0].label
    assert [e.color for e in key.entries] == [run_color(0), run_color(1)]


def _has_color(pixels: np.ndarray, color: str, tolerance: int = 40) -> bool:
    target = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)])
    return bool((np.abs(pixels[..., :3].astype(int) - target).max(axis=-1) < tolerance).any())


def test_an_exported_canvas_has_a_title_above_and_the_runs_below(qtbot, window, tmp_path):
    from lrdesk.gui.export import menu as export

    actions = export.install(window)
    qtbot.waitUntil(lambda: len(window.events()) == len(window.spec().runs), timeout=20_000)
    show_step_now(window, 10**9)
    figure = figure_image(window.canvas.plot_widget, 1280)
    path = tmp_path / "canvas.png"
    actions.export_figure("Canvas", "png", str(path), 1280)
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB"))
    assert pixels.shape[1] == 1280
    extra = pixels.shape[0] - figure.height()
    assert extra >= 2 * 18  # a title line and at least one legend line
    key = window_key(window)
    assert {e.verdict for e in key.entries} >= {"converged", "diverged"}
    legend = pixels[figure.height():]
    for run in range(len(SPEC.runs)):
        assert _has_color(legend, run_color(run)), f"run {run + 1}'s colour is not in the legend"
    background = pixels[0, 0]
    title = pixels[: extra // 3]
    assert (np.abs(title.astype(int) - background).max(axis=-1) > 100).sum() > 200  # text


def test_gif_frames_keep_one_size_and_show_the_verdicts_reached(qtbot, window, tmp_path):
    qtbot.waitUntil(lambda: len(window.events()) == len(window.spec().runs), timeout=20_000)
    show_step_now(window, 0)
    early = window_key(window)
    show_step_now(window, 10**9)
    late = window_key(window)
    assert all(e.verdict == STILL_RUNNING for e in early.entries)
    assert all(e.verdict != STILL_RUNNING for e in late.entries)
    # the key's size depends on the runs only: both give the same picture size
    blank = figure_image(window.canvas.plot_widget, 640)
    assert with_key(blank, early).size() == with_key(blank, late).size()
    path = tmp_path / "runs.gif"
    job = window_animation(window, str(path), AnimationOptions(frames=8, width=640))
    with qtbot.waitSignal(job.finished, timeout=60_000):
        job.start()
    with Image.open(path) as gif:
        assert gif.n_frames >= 2
        gif.seek(gif.n_frames - 1)
        last = np.asarray(gif.convert("RGB"))
    bottom = last[-last.shape[0] // 5:]
    assert _has_color(bottom, run_color(1), tolerance=60)


def test_the_key_takes_the_place_of_the_canvas_legend_in_an_export(qtbot, window):
    from lrdesk.gui.export.render import keyed_image

    qtbot.waitUntil(lambda: len(window.events()) == len(window.spec().runs), timeout=20_000)
    show_step_now(window, 10**9)
    legend = window.canvas.legend.item
    assert legend.isVisible()
    plot = window.canvas.plot_widget
    with_legend = figure_image(plot, 1000)
    assert figure_image(plot, 1000) == with_legend  # the same picture when asked twice
    without = keyed_image(plot, 1000, window_key(window))
    assert without.size() == with_legend.size() and without != with_legend
    assert legend.isVisible()  # back on screen after the export
