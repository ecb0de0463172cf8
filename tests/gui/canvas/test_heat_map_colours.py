"""The heat map on a washed-out projector: a perceptual colour map, contours that stand out,
and the 3-D view coloured by the very same map."""

from __future__ import annotations

import numpy as np
import pytest

pg = pytest.importorskip("pyqtgraph")

from lrdesk.core.functions import make_function  # noqa: E402
from lrdesk.gui.canvas.surface import Surface2D  # noqa: E402
from lrdesk.gui.shared import colormap  # noqa: E402
from lrdesk.gui.shared.palette import THEMES  # noqa: E402
from lrdesk.gui.shared.plot_base import Sizes  # noqa: E402


@pytest.fixture(params=["light", "dark"])
def heat_map(qapp, request):
    plot = pg.PlotItem()
    surface = Surface2D(plot, make_function("bowl"))
    surface.apply_style(THEMES[request.param], Sizes())
    return surface


def _table(surface) -> np.ndarray:
    return np.asarray(surface.image.lut, dtype=float)[:, :3] / 255.0


def test_the_colours_span_dark_to_bright_evenly(heat_map):
    rgb = _table(heat_map)
    assert len(rgb) >= 64
    # the old beige map spanned a contrast of about 1.9:1, which a projector flattens
    assert colormap.contrast_ratio(rgb[0], rgb[-1]) >= 7.0
    luminance = colormap.relative_luminance(rgb)
    # (a table of whole bytes may dip by a rounding step, far below what an eye can see)
    assert np.all(np.diff(luminance) > -1e-3), "lightness must rise with the loss, never fall"


def test_every_contour_stands_out_from_the_map_under_it(heat_map):
    low, high = heat_map.image.levels
    for item in (heat_map.contours, heat_map.dark_contours):
        pen = item.opts["pen"]
        assert pen.widthF() >= 1.5
        assert pen.color().alphaF() >= 0.8
    checked = 0
    for item in (heat_map.contours, heat_map.dark_contours):
        x, y = item.getData()
        if x is None or len(x) == 0:
            continue
        line = np.array(item.opts["pen"].color().getRgbF()[:3])
        # the map's colour where each contour passes: its level, read from the shading
        shade = colormap.colors_at((_shade_at(heat_map, x, y) - low) / (high - low))
        assert np.all(colormap.contrast_ratio(line, shade) >= 3.0)
        checked += len(x)
    assert checked > 100


def _shade_at(surface, x, y):
    values = surface.function.value(np.column_stack([x, y]))
    if surface.log_colors:
        pytest.skip("the bowl's colours are linear")
    return values


def test_the_3d_view_uses_the_heat_maps_colours(qapp, heat_map):
    from lrdesk.gui.surface3d import view as view3d

    levels = np.linspace(0.0, 1.0, 256)
    mesh = view3d._mesh_colors(levels)
    assert mesh.shape == (256, 4)
    np.testing.assert_allclose(mesh[:, :3], _table(heat_map), atol=1.5 / 255)
