"""The one colour map of a loss surface, shared by the heat map, its contours and the 3-D view.

Viridis (van der Walt & Smith, matplotlib, 2015): its lightness rises evenly from the lowest
loss (dark) to the highest (bright), so the picture still reads on a washed-out projector, in
grey print and under the common kinds of colour blindness. Its stops are written out here, so
nothing is loaded from files at run time.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray

NAME = "viridis"
#: viridis at 17 evenly spaced levels, lowest loss first
STOPS: tuple[str, ...] = (
    "#440154", "#48186A", "#472D7B", "#424086", "#3B528B", "#33638D", "#2C728E", "#26828E",
    "#21918D", "#1F9F88", "#27AD81", "#3EBC74", "#5DC863", "#82D34D", "#AADC32", "#D5E21A",
    "#FDE725",
)
#: contour lines: light on the dark part of the map, dark on the bright part
LIGHT_LINE, DARK_LINE = "#FFFFFF", "#111111"
CONTOUR_ALPHA = 0.85
CONTOUR_WIDTH = 1.6  # pixels at zoom 1: thin grey hairlines vanish on a projector


def _stops_rgb() -> Array:
    return np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in STOPS], dtype=float)


def colors_at(levels: Array) -> Array:
    """RGB in [0, 1], shape (..., 3), of the map at ``levels`` in [0, 1] (clipped; NaN -> top)."""
    levels = np.asarray(levels, dtype=float)
    flat = np.clip(np.where(np.isnan(levels), 1.0, levels).ravel(), 0.0, 1.0)
    where = np.linspace(0.0, 1.0, len(STOPS))
    rgb = _stops_rgb() / 255.0
    channels = [np.interp(flat, where, rgb[:, k]) for k in range(3)]
    return np.column_stack(channels).reshape((*levels.shape, 3))


def lookup_table(points: int = 256) -> Array:
    """(points, 3) uint8 table for ``pg.ImageItem.setLookupTable``."""
    return np.round(colors_at(np.linspace(0.0, 1.0, points)) * 255).astype(np.uint8)


def relative_luminance(rgb: Array) -> Array:
    """WCAG 2 relative luminance of sRGB colours in [0, 1], shape (..., 3)."""
    rgb = np.asarray(rgb, dtype=float)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast_ratio(first: Array, second: Array) -> Array:
    """WCAG 2 contrast ratio (1 to 21) of two colours (RGB in [0, 1])."""
    a, b = relative_luminance(first), relative_luminance(second)
    return (np.maximum(a, b) + 0.05) / (np.minimum(a, b) + 0.05)


def _hex_rgb(color: str) -> Array:
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], dtype=float) / 255.0


def line_color_at(level: float) -> str:
    """The contour colour (light or dark) that stands out more on the map at ``level``."""
    under = colors_at(np.array([level]))[0]
    light = contrast_ratio(_hex_rgb(LIGHT_LINE), under)
    dark = contrast_ratio(_hex_rgb(DARK_LINE), under)
    return LIGHT_LINE if light >= dark else DARK_LINE
