"""`lrdesk FILE` and `lrdesk --smoke OUT.png FILE` with a saved model experiment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import close_windows, show_window
from PySide6.QtGui import QImage

from lrdesk.core.models.spec import DataSpec, ModelExperiment, ModelRunSpec, ModelSpec, dumps_model
from lrdesk.gui import app as gui_app
from lrdesk.gui.models.model_view import ModelView

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
SHOTS = Path(__file__).resolve().parents[3] / "shots"
ROOT = Path(__file__).resolve().parents[3]
CIRCLE = ModelExperiment(DataSpec("circle", points=120), ModelSpec("mlp", (6,)),
                         (ModelRunSpec(0.3), ModelRunSpec(3.0)), steps=None, epochs=60,
                         sharpness_every=20)


def _env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    return env


def _smoke(tmp_path, *files):
    out = tmp_path / "smoke.png"
    done = subprocess.run([sys.executable, "-m", "lrdesk", "--smoke", str(out), *map(str, files)],
                          env=_env(tmp_path), capture_output=True, text=True, timeout=180)
    return done, out


def test_lrdesk_file_opens_a_model_experiment_in_the_tool(qtbot, tmp_path):
    path = tmp_path / "circle.lrdesk.json"
    path.write_text(dumps_model(CIRCLE))
    window = show_window(qtbot, size=(1024, 768))
    try:
        surface = window.spec()
        gui_app.open_files(window, [str(path)])  # what `lrdesk circle.lrdesk.json` does
        view = window.dock_site.find_dock("dock_model_training").widget()
        assert isinstance(view, ModelView) and view.parentWidget().isVisible()
        assert view.experiment() == CIRCLE and window.spec() == surface
        qtbot.waitUntil(lambda: view.snapshot() is not None and view.snapshot().done
                        and view.is_drawn(), timeout=120_000)
        assert view.snapshot().learning_rates == [0.3, 3.0]
        SHOTS.mkdir(exist_ok=True)
        assert window.grab().save(str(SHOTS / "model_file_opened_1024.png"))
    finally:
        close_windows([window])


def test_smoke_run_of_a_model_file_trains_it_and_pictures_the_tool(tmp_path):
    path = tmp_path / "circle.lrdesk.json"
    path.write_text(dumps_model(CIRCLE))
    done, out = _smoke(tmp_path, path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Qt warning" not in done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        from check_screenshot import screenshot_problems
    finally:
        sys.path.remove(str(ROOT / "packaging"))
    assert screenshot_problems(out) == []
    # the picture is of the model tool: its train/test points in the class colours are there
    colours = {image.pixelColor(x, y).name() for x in range(0, 1280, 4) for y in range(0, 800, 4)}
    assert "#0072b2" in colours and "#e69f00" in colours
    assert not (tmp_path / "config").exists()  # the smoke run remembers nothing


def test_smoke_run_of_a_bad_model_file_fails_in_one_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(dumps_model(CIRCLE).replace('"circle"', '"nowhere"'))
    done, out = _smoke(tmp_path, path)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown dataset 'nowhere'" in lines[0], done.stderr
    assert "“broken.json” cannot be opened" in lines[0]
    assert not out.exists()
