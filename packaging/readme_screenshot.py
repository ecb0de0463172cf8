"""Make the README's picture of the window: the first picture (L = w², three rates), mid-play.

Usage: `QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/readme_screenshot.py [OUT.png]`
(default resources/screenshot.png). It opens the real window with no remembered settings at
1280x800, plays until step 12, when the slow run crawls, the suitable one is nearly down and
the large one has overshot several times, lets the views settle, and saves the window.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "resources" / "screenshot.png"
SIZE = (1280, 800)
STEP = 12
SETTLE_S = 0.6  # word-wrapped notices and the throttled text settle in a few frames
TIMEOUT_S = 60.0


def make_screenshot(out: Path) -> Path:
    from PySide6.QtWidgets import QApplication

    from lrdesk.core.experiment.spec import ExperimentSpec
    from lrdesk.gui.app import create_app
    from lrdesk.gui.window.main_window import MainWindow

    app = create_app()
    window = MainWindow(settings=None, spec=ExperimentSpec())
    window.resize(*SIZE)
    window.show()
    try:
        _wait(app, lambda: window.recording().frontier() >= STEP)
        window.set_step(STEP)
        _wait(app, lambda: window.current_step() == STEP)
        _pump(app, SETTLE_S)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(out)):
            raise OSError(f"could not write {out}")
    finally:
        window.close()
        QApplication.processEvents()
    return out


def _pump(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def _wait(app, done) -> None:
    end = time.monotonic() + TIMEOUT_S
    while not done():
        if time.monotonic() > end:
            raise TimeoutError("the window did not reach the step in time")
        _pump(app, 0.02)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    print(f"saved {make_screenshot(out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
