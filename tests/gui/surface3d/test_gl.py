"""The 3-D view drawn for real: under a virtual X display (xvfb-run) with Mesa's OpenGL, in a
separate process (the default test run is Qt's offscreen platform, which has no OpenGL).
Skipped, saying why, where no such display or GL context can be made."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHECKS = Path(__file__).with_name("gl_checks.py")


def run_under_xvfb(script: Path, *args: str, timeout: float = 240.0) -> dict:
    """Run ``script`` with the platform xcb under ``xvfb-run -a``; its last line of JSON."""
    if shutil.which("xvfb-run") is None:
        pytest.skip("no xvfb-run here: the 3-D view needs a virtual X display to be checked")
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    env.pop("DISPLAY", None)
    root = Path(__file__).resolve().parents[3]
    env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24", sys.executable, str(script), *args],
        capture_output=True, text=True, timeout=timeout, env=env, cwd=root,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        if "could not connect to display" in done.stderr or "platform plugin \"xcb\"" in done.stderr:
            pytest.skip(f"no X display could be started: {done.stderr.strip()[-300:]}")
        raise AssertionError(f"GL checks failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result = json.loads(lines[-1])
    if "skip" in result:
        pytest.skip(f"no OpenGL context under Xvfb: {result['skip']}")
    return result


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> dict:
    return run_under_xvfb(CHECKS, str(tmp_path_factory.mktemp("gl")))


def test_the_mesh_and_the_paths_are_drawn(drawn):
    assert drawn["not_background"] > 0.15  # the surface fills a good part of the view
    assert drawn["run_color"] > 0.0003  # the run's current point, in its colour, is on it
    assert drawn["diverged_points_finite"]


def test_turning_moves_the_picture_and_reset_brings_it_back(drawn):
    assert drawn["turned_differs"] > 0.05
    assert drawn["reset_matches"] < drawn["turned_differs"] / 3
    assert drawn["same_mesh"]  # a new frame of the paths does not rebuild the mesh


def test_export_is_a_png_at_the_chosen_width(drawn):
    width, height = drawn["export_size"]
    assert width == 900 and 0 < height < 900
    assert drawn["export_not_background"] > 0.15
