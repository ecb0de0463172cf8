"""A bare PySide6 + pyqtgraph window: the yardstick that LR Desk's bundle is measured against.

Built with the same spec and the same exclusions as the real app (`build.py --bare`), so the
difference in size and start-up time is what LR Desk itself adds. `--smoke` closes the window
after its first paint, prints `first-paint` and exits 0 (the benchmark's start-up probe, also
enabled by the variable LRDESK_FIRST_PAINT_PROBE=1, as for the real app).
"""

from __future__ import annotations

import sys

import first_paint
import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication, QMainWindow


def build_window() -> QMainWindow:
    window = QMainWindow()
    window.setWindowTitle("Bare PySide6 + pyqtgraph window")
    plot = pg.PlotWidget()
    w = np.linspace(-5.0, 5.0, 201)
    plot.plot(w, w**2, pen=pg.mkPen("#0072B2", width=3))
    window.setCentralWidget(plot)
    window.resize(800, 600)
    return window


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    window = build_window()
    watcher = None
    if "--smoke" in argv or first_paint.probe_requested():
        watcher = first_paint.install(app)
    window.show()
    status = app.exec()
    if watcher is not None:
        app.removeEventFilter(watcher)
    return status


if __name__ == "__main__":
    sys.exit(main())
