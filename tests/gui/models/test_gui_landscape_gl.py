"""The Model tool's loss surface in 3-D, drawn for real under a virtual X display with Mesa's
OpenGL in a separate process (as the 3-D view's own checks are); skipped, saying why, where
no such display or GL context can be made."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CHECKS = HERE / "landscape_gl_checks.py"


def _runner():
    where = HERE.parent / "surface3d" / "test_gl.py"
    spec = importlib.util.spec_from_file_location("surface3d_gl_runner", where)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.run_under_xvfb


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> dict:
    return _runner()(CHECKS, str(tmp_path_factory.mktemp("landscape_gl")))


def test_the_bowl_is_a_mesh_with_the_paths_lifted_onto_it(drawn):
    assert drawn["bowl_not_background"] > 0.1
    assert drawn["bowl_run_color"] > 0.0003  # the converging run's path, in its colour
    assert drawn["bowl_path_points"] == 41  # one point per recorded step of 40 epochs
    assert drawn["bowl_path_finite"]  # the diverged run is clipped, not sent to 1e300
    assert drawn["bowl_path_rises_to_start"]  # lifted: it starts high and ends low


def test_a_slice_replaces_the_bowl_in_3d_once_computed(drawn):
    assert drawn["slice_forgot_old_surface"]  # a new model shows no stale bowl
    assert drawn["slice_not_background"] > 0.1
    assert drawn["slice_run_color"] > 0.0003
    assert drawn["slice_paths"] == [61, 61]


def test_scrubbing_cuts_the_lifted_paths_at_the_step(drawn):
    whole, half = drawn["scrubbed_path_points"]
    assert whole == 61 and 25 <= half <= 35  # half-way through 60 epochs
    assert drawn["scrub_moves_picture"] > 0.0005
