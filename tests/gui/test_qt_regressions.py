"""Guards against two known breakages of the Qt stack, so an upgrade is caught, not shipped.

- PySide6 6.12.0 on Python 3.11 drops a reference to ``None`` on every call that returns
  void; after a few thousand such calls the process aborts (``Fatal Python error:
  none_dealloc``). The first test makes 10,000 of them in this process.
- Qt >= 6.11 writes closed paths with ``Z``, which pyqtgraph 0.14's SVG exporter cannot parse
  (pyqtgraph issue 3495). The second test exports a real plot as SVG.
"""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QSlider, QWidget

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
VOID_CALLS = 10_000


def test_ten_thousand_void_calls_keep_none_alive(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    slider = QSlider(widget)
    timer = QTimer()
    none_refs = sys.getrefcount(None)
    for i in range(VOID_CALLS // 4):
        widget.resize(100 + i % 50, 80)  # each of these four returns void
        slider.setValue(i % 100)
        timer.start(1000)
        timer.stop()
    QApplication.processEvents()
    # a binding that leaks references to None would have lowered this by ~10,000
    assert sys.getrefcount(None) > none_refs - VOID_CALLS // 2
    assert slider.value() == (VOID_CALLS // 4 - 1) % 100


def test_svg_export_of_a_real_plot(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    steps = np.arange(100)
    plot.plot(steps, 25 * 0.8 ** steps, pen=pg.mkPen("#0072B2", width=2))
    plot.plot(steps[:20], 25 * 1.44 ** steps[:20], pen=pg.mkPen("#E4002B", width=2))
    plot.addItem(pg.InfiniteLine(30))
    scatter = pg.ScatterPlotItem(steps[::10], 25 * 0.8 ** steps[::10], symbol="o", size=10)
    plot.addItem(scatter)
    plot.resize(400, 300)
    plot.show()
    qtbot.waitExposed(plot)
    svg = pg.exporters.SVGExporter(plot.getPlotItem()).export(toBytes=True)
    text = bytes(svg).decode("utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    lowered = text.lower()
    assert "#0072b2" in lowered and "#e4002b" in lowered  # both curves made it into the file
    assert lowered.count("<path") + lowered.count("<polyline") >= 2
