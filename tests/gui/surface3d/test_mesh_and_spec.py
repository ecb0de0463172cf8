"""The 3-D view's numbers (heights, clipping, orientation) and the experiment file's view field."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lrdesk.core.experiment.spec import ExperimentSpec, SpecError, dumps, loads
from lrdesk.core.functions import make_function
from lrdesk.gui.surface3d.mesh import CLIP_ABOVE, HEIGHT, LOG_FLOOR, SurfaceMesh


def _mesh(name: str, samples: int = 41) -> tuple[SurfaceMesh, object]:
    function = make_function(name, {}, "")
    return SurfaceMesh.build(function, samples), function


def test_heights_are_ij_ordered_and_equal_the_function():
    mesh, function = _mesh("ill_conditioned")  # not symmetric in x and y: a transposed grid shows
    assert not mesh.log
    i, j = 7, 30
    loss = function.value(np.asfortranarray([[mesh.xs[i], mesh.ys[j]]]))[0]
    expected = (loss - mesh.low) / (mesh.high - mesh.low) * HEIGHT
    assert mesh.heights[i, j] == pytest.approx(min(max(expected, 0.0), HEIGHT))
    assert mesh.heights[j, i] != pytest.approx(mesh.heights[i, j])


def test_wide_range_goes_logarithmic_like_the_heat_map():
    mesh, _ = _mesh("rosenbrock")
    assert mesh.log
    span = mesh.high - mesh.low
    floor = span * LOG_FLOOR
    loss = mesh.low + span * 1e-2
    level = (np.log10(loss - mesh.low + floor) - np.log10(floor)) / (
        np.log10(span + floor) - np.log10(floor))
    assert mesh.height_of(np.array([loss]))[0] == pytest.approx(level * HEIGHT)


def test_a_diverging_run_is_clipped_not_autoranged():
    mesh, _ = _mesh("bowl")
    top = CLIP_ABOVE * HEIGHT
    heights = mesh.height_of(np.array([1e300, np.inf, np.nan, mesh.low - 5.0]))
    np.testing.assert_allclose(heights, [top, top, top, 0.0])
    points = mesh.path_points(np.array([[1e300, -1e300], [np.nan, 0.0]]), np.array([1e300, np.nan]))
    assert np.isfinite(points).all()
    assert np.abs(points[:, :2]).max() <= 1.0 + 1e-6
    assert points[:, 2].max() <= top + 0.02
    assert mesh.heights.max() <= HEIGHT + 1e-9 and mesh.heights.min() >= 0.0


def test_scene_keeps_x_and_y_at_the_same_scale():
    mesh, _ = _mesh("saddle")  # a region wider than tall
    sx, sy = mesh.scene_axes()
    assert sx[-1] - sx[0] == pytest.approx(2.0)
    assert (sy[-1] - sy[0]) / (sx[-1] - sx[0]) == pytest.approx(
        (mesh.ys[-1] - mesh.ys[0]) / (mesh.xs[-1] - mesh.xs[0]))


def test_the_file_remembers_the_view_and_old_files_load_in_2d():
    spec = ExperimentSpec(function="bowl", start=(1.0, 2.0), view="3d")
    text = dumps(spec)
    assert json.loads(text)["view"] == "3d"
    assert loads(text) == spec
    old = json.loads(text)
    del old["view"]
    assert loads(json.dumps(old)).view == "2d"
    assert "view" not in json.loads(dumps(ExperimentSpec()))  # 2-D files are written as before


def test_an_unknown_view_is_refused_in_words():
    text = dumps(ExperimentSpec(view="3d")).replace('"3d"', '"sideways"')
    with pytest.raises(SpecError, match='view: must be "2d" or "3d"'):
        loads(text)
