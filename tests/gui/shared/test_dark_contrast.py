"""The dark theme on a projector: radio buttons and check boxes show their rings, and the
'slow' blue (run 1's colour) shows on the sweep's 'slow' band."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import (
    no_qthread_left,  # noqa: F401 - autouse: no test here leaves a QThread running
    show_widget,
    view_fixture,
)
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QRadioButton, QStyle, QStyleOptionButton

from lrdesk.core.experiment.spec import ExperimentSpec
from lrdesk.gui.shared.colormap import contrast_ratio
from lrdesk.gui.shared.palette import THEMES, VERDICT_COLORS, _qt_palette, apply_theme, run_color
from lrdesk.gui.sweeps.sweep_view import SweepView

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def _rgb(color: QColor) -> np.ndarray:
    return np.array([color.redF(), color.greenF(), color.blueF()])


@pytest.fixture
def themed(qapp):
    def use(name: str) -> None:
        apply_theme(qapp, THEMES[name])

    yield use
    apply_theme(qapp, THEMES["light"])


@pytest.mark.parametrize("name", ["light", "dark"])
def test_the_ring_colour_contrasts_with_the_window(name):
    palette = _qt_palette(THEMES[name])
    ring = palette.color(QPalette.ColorRole.PlaceholderText)
    window = palette.color(QPalette.ColorRole.Window)
    assert contrast_ratio(_rgb(ring), _rgb(window)) >= 3.0


@pytest.mark.parametrize("name", ["light", "dark"])
@pytest.mark.parametrize("kind", [QRadioButton, QCheckBox])
def test_drawn_indicators_reach_three_to_one(qtbot, themed, name, kind):
    themed(name)
    button = show_widget(qtbot, kind("4.9"), (160, 40))
    option = QStyleOptionButton()
    button.initStyleOption(option)
    element = (QStyle.SubElement.SE_RadioButtonIndicator if kind is QRadioButton
               else QStyle.SubElement.SE_CheckBoxIndicator)
    rect = button.style().subElementRect(element, option, button)
    image = button.grab().toImage()
    ratio = image.devicePixelRatio()
    window = _rgb(QApplication.palette().color(QPalette.ColorRole.Window))
    best = max(contrast_ratio(_rgb(image.pixelColor(round(x * ratio), round(y * ratio))), window)
               for x in range(rect.left(), rect.right() + 1)
               for y in range(rect.top(), rect.bottom() + 1))
    # before, Fusion's ring on the dark window reached about 1.1:1
    assert best >= 3.0, best


sweep_view = view_fixture("sweep_view", SweepView, (900, 560))


def test_slow_dots_show_on_the_dark_slow_band(qtbot, themed, sweep_view):
    themed("dark")
    theme = THEMES["dark"]
    sweep_view.set_theme(theme)
    sweep_view.set_spec(ExperimentSpec(steps=100))
    sweep_view.set_range(1e-4, 2.0)
    with qtbot.waitSignal(sweep_view.sweep_finished, timeout=30_000):
        sweep_view.run_sweep()
    assert VERDICT_COLORS["slow"] == run_color(0)  # the blue in question
    background = _rgb(QColor(theme.background))
    slow = QColor(VERDICT_COLORS["slow"])
    band = next(c for _l, _r, c in sweep_view.plot.bands._bands if c.rgb() == slow.rgb())
    under = band.alphaF() * _rgb(band) + (1 - band.alphaF()) * background
    ring = sweep_view.plot.dots.opts["pen"].color()
    assert contrast_ratio(_rgb(ring), under) >= 3.0
    assert contrast_ratio(_rgb(slow), under) >= 2.9  # the blue itself stands out from its band
