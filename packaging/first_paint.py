"""Start-up probe for the bundle benchmark: say when a window is first painted, then close it.

Both the bare reference window and the frozen LR Desk use it, so their start-up times are
measured the same way: the benchmark times the `first-paint` line from outside the process.
"""

from __future__ import annotations

import os

PROBE_VARIABLE = "LRDESK_FIRST_PAINT_PROBE"
MESSAGE = "first-paint"


def probe_requested() -> bool:
    return os.environ.get(PROBE_VARIABLE, "") not in ("", "0")


def install(app):
    """Watch every widget of `app`; on the first paint print MESSAGE and close all windows.

    Closing (rather than quitting) lets the application shut down through its normal path.
    Returns the watcher, which must stay referenced while the event loop runs.
    """
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QWidget

    class FirstPaintWatcher(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.seen = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            # An opaque central widget covering the window means the window itself may never
            # get a paint event, only its children: accept a paint of any widget.
            if not self.seen and event.type() == QEvent.Type.Paint and isinstance(watched, QWidget):
                self.seen = True
                print(MESSAGE, flush=True)
                # Leave this paint alone; close once the event loop is idle again.
                QTimer.singleShot(0, app.closeAllWindows)
            return False

    watcher = FirstPaintWatcher()
    app.installEventFilter(watcher)
    return watcher
