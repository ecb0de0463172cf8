"""Starting the application: the QApplication, the main window, and the ``--smoke`` run.

``run_app(smoke=OUT.png)`` opens the window (offscreen when there is no display) with the
default experiment, plays it to the end as fast as the machine goes, waits until every verdict
is shown, saves a screenshot and closes cleanly: a whole-app check for tests and bundles.
"""

from __future__ import annotations

import faulthandler
import os
import sys
from importlib import resources
from pathlib import Path

SMOKE_TIMEOUT_MS = 60_000
#: if even the event loop is stuck, this ends the process (with every thread's traceback)
SMOKE_HARD_TIMEOUT_S = 90
SMOKE_SIZE = (1280, 800)
SETTLE_MS = 100


def create_app(argv: list[str] | None = None):
    """The QApplication (created once), named for QSettings, in the Fusion style (indicators
    ringed for projectors: ``shared.style``), with its icon."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication

    from lrdesk._version import __version__
    from lrdesk.gui.settings import APPLICATION, ORGANIZATION

    app = QApplication.instance()
    if app is None:
        # fractional scale factors (1.25, 1.5) stay exact instead of being rounded to 1 or 2
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("LR Desk")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("org.lrdesk.LRDesk")
    from lrdesk.gui.shared.style import classroom_style

    app.setStyle(classroom_style())
    icon = _icon_path()
    if icon is not None:
        app.setWindowIcon(QIcon(str(icon)))
    import pyqtgraph as pg

    pg.setConfigOptions(antialias=True)
    return app


def _icon_path() -> Path | None:
    try:
        path = resources.files("lrdesk.resources") / "icons" / "lrdesk.svg"
    except ModuleNotFoundError:
        return None
    return Path(str(path)) if path.is_file() else None


def run_app(files: tuple[str, ...] | list[str] = (), smoke: str | None = None,
            view: str | None = None) -> int:
    """Open the window (with ``files``) and run until it closes; or do a smoke run.

    ``view`` "3d" shows the 3-D surface (where OpenGL can draw), "2d" the heat map."""
    if smoke is not None:
        return run_smoke(smoke, view)
    _use_offscreen_without_display(required=False)
    app = create_app()
    _quiet_offscreen_noise(app)
    from lrdesk.gui.settings import Settings
    from lrdesk.gui.window.main_window import MainWindow

    window = MainWindow(settings=Settings())
    window.show()
    open_files(window, files)
    if view is not None:
        window.surface_view.choose(view)
    return app.exec()


def open_files(window, files) -> None:
    """Open the first of ``files`` in ``window``. Whatever goes wrong, the window stays up with
    the experiment it had and says why: an exception here would end the process with the
    window's threads still running (Qt then aborts it)."""
    for path in list(files)[:1]:
        try:
            window.file_actions.open_path(str(path))
        except Exception as exc:  # the boundary: a file given at start-up never takes the app down
            show_start_problem(window, str(path), exc)
            return
    if len(files) > 1:
        window.statusBar().showMessage("Opened the first file only: one experiment per window.", 8000)


def show_start_problem(window, path: str, exc: Exception) -> None:
    """A message box (not blocking) and a status line saying the file could not be opened."""
    from PySide6.QtWidgets import QMessageBox

    name = os.path.basename(path) or path
    reason = " ".join(str(exc).split())[:200] or type(exc).__name__
    box = QMessageBox(QMessageBox.Icon.Warning, "LR Desk", f"“{name}” cannot be opened.",
                      QMessageBox.StandardButton.Ok, window)
    box.setInformativeText(f"{reason}. LR Desk shows its usual experiment instead.")
    box.open()
    window.start_problem_box = box
    window.statusBar().showMessage(f"“{name}” cannot be opened: {reason}", 15000)


def _use_offscreen_without_display(required: bool) -> None:
    """On Linux without X11 or Wayland, Qt would abort: draw offscreen instead."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return
    no_display = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if required or no_display:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


# ------------------------------------------------------------------------------------------
# The smoke run
# ------------------------------------------------------------------------------------------
def run_smoke(out_path: str, view: str | None = None) -> int:
    """Play the default experiment to its end, save a screenshot; 0 on success."""
    _use_offscreen_without_display(required=False)
    faulthandler.dump_traceback_later(SMOKE_HARD_TIMEOUT_S, exit=True)
    try:
        return _smoke(Path(out_path), view)
    except Exception as exc:  # any failure is a failed smoke run, said in one line
        print(f"lrdesk --smoke: failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        faulthandler.cancel_dump_traceback_later()


def smoke_spec(view: str | None):
    """The smoke run's experiment: the default one; for the 3-D view, one on a 2-D surface."""
    from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec

    if view != "3d":
        return ExperimentSpec()
    runs = (RunSpec(0.002), RunSpec(0.01), RunSpec(0.03))
    return ExperimentSpec(function="himmelblau", start=(-0.5, -4.5), runs=runs, view="3d")


def _smoke(out_path: Path, view: str | None = None) -> int:
    from PySide6.QtCore import QTimer

    from lrdesk.gui.live.playback import SPEEDS
    from lrdesk.gui.window.main_window import MainWindow

    app = create_app()
    _quiet_offscreen_noise(app)
    window = MainWindow(settings=None, spec=smoke_spec(view))
    window.resize(*SMOKE_SIZE)
    window.show()
    outcome: dict[str, str] = {}

    def finish(problem: str = "") -> None:
        if "result" in outcome:
            return
        if not problem:
            problem = _save_screenshot(window, out_path)
        outcome["result"] = problem
        poll.stop()
        deadline.stop()
        window.close()

    def check() -> None:
        if window.recording().all_ended and window.playback.at_end() and _verdicts_shown(window):
            poll.stop()
            # a few more turns of the event loop let word-wrapped notices settle their height
            QTimer.singleShot(SETTLE_MS, finish)

    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(check)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(lambda: finish(f"not finished within {SMOKE_TIMEOUT_MS // 1000} s"))
    window.playback_bar.set_speed(SPEEDS[-1])
    window.playback.set_speed(SPEEDS[-1])
    window.play()
    poll.start()
    deadline.start(SMOKE_TIMEOUT_MS)
    app.exec()
    problem = outcome.get("result", "the window closed before the run finished")
    if problem:
        print(f"lrdesk --smoke: {problem}", file=sys.stderr)
        return 1
    print(f"lrdesk --smoke: saved {out_path}")
    return 0


def _quiet_offscreen_noise(app) -> None:
    """The offscreen platform warns that it cannot pass size hints on: true, and harmless."""
    if app.platformName() != "offscreen":
        return
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    names = {QtMsgType.QtWarningMsg: "warning", QtMsgType.QtCriticalMsg: "critical",
             QtMsgType.QtFatalMsg: "fatal", QtMsgType.QtInfoMsg: "info", QtMsgType.QtDebugMsg: "debug"}

    def handler(kind, _context, message: str) -> None:
        if "does not support propagateSizeHints" not in message:
            print(f"Qt {names.get(kind, 'message')}: {message}", file=sys.stderr)

    qInstallMessageHandler(handler)


def _verdicts_shown(window) -> bool:
    events = window.events()
    return bool(events) and window.revealed_events() == events and window.banner.isVisible()


def _save_screenshot(window, out_path: Path) -> str:
    window.repaint()
    image = window.grab()
    if image.isNull() or image.width() < 100:
        return "the screenshot is empty"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out_path)):
        return f"cannot write {out_path}"
    return ""
