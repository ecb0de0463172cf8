"""Points on screen: which ones are drawn when many share a pixel."""

import warnings

import numpy as np

from lrdesk.gui.shared.path_geometry import Box, distinct_points


def test_the_newest_point_of_each_pixel_is_kept():
    x = np.array([0.1, 0.2, 5.0, 0.15])
    y = np.array([0.1, 0.1, 5.0, 0.12])
    box = Box(0.0, 10.0, 0.0, 10.0)
    # one-unit pixels: points 0, 1 and 3 share the first pixel, whose newest point is 3
    assert distinct_points(x, y, box, 1.0, 1.0).tolist() == [2, 3]


def test_a_far_out_box_over_a_tiny_pixel_warns_of_nothing():
    x = np.array([-1e300, 0.0, 1e300])
    y = np.array([-1e300, 0.0, 1e300])
    box = Box(-1e300, 1e300, -1e300, 1e300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kept = distinct_points(x, y, box, 1e-300, 1e-300)
    assert set(kept.tolist()) <= {0, 1, 2} and len(kept) >= 1
