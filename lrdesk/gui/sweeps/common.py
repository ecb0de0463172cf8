"""What the sweep view and the regime map view share: a view that runs its jobs on its own thread,
labelled rows of controls, and installing such a view as a hidden dock with a Tools menu action.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QHBoxLayout, QLabel, QMainWindow, QWidget

from lrdesk.core.experiment.spec import ExperimentSpec
from lrdesk.gui.shared.formatting import format_rate
from lrdesk.gui.shared.link import DockSite, ExperimentLink
from lrdesk.gui.shared.palette import current_theme
from lrdesk.gui.sweeps.worker import RunBar, SweepRunner


def rounded_range(low: float, high: float) -> tuple[float, float]:
    """A suggested rate range widened to one significant digit: 1.9968e-07..0.003994 -> 1e-07..0.004."""
    def digit(value: float, up: bool) -> float:
        power = 10.0 ** math.floor(math.log10(value))
        lead = value / power
        lead = math.ceil(lead - 1e-9) if up else math.floor(lead + 1e-9)
        return float(f"{lead * power:.1g}")

    return digit(low, False), digit(high, True)


#: significant digits of a rate read by people; the exact value goes in the tooltip
READABLE_DIGITS = 3


def readable_rate(rate: float) -> str:
    """A rate as a person reads it: 0.024532473489 -> 0.0245 (three significant digits)."""
    return format_rate(float(f"{float(rate):.{READABLE_DIGITS}g}")) if math.isfinite(rate) \
        else format_rate(rate)


def exact_rate(rate: float) -> str:
    """Every digit of a rate, as Python reads it back: 0.49643220309897257."""
    return repr(float(rate))


def rate_rounded_down(rate: float) -> float:
    """``rate`` cut to three significant digits, never rounded up (0.4964322 -> 0.496): a rate
    that was below a limit stays below it."""
    if not math.isfinite(rate) or rate <= 0:
        return float(rate)
    unit = 10.0 ** (math.floor(math.log10(rate)) - READABLE_DIGITS + 1)
    units = math.floor(rate / unit)
    down = float(f"{units * unit:.{READABLE_DIGITS}g}")
    return down if down <= rate else float(f"{(units - 1) * unit:.{READABLE_DIGITS}g}")


def labelled_row(parent: QWidget, pairs) -> QHBoxLayout:
    """One line of ``(label text, control)`` pairs, each label the control's buddy (Alt+key)."""
    line = QHBoxLayout()
    for text, widget in pairs:
        label = QLabel(text, parent)
        label.setBuddy(widget)
        line.addWidget(label)
        line.addWidget(widget)
    line.addStretch(1)
    return line


class RunnerView(QWidget):
    """A view whose long jobs run on its own ``SweepRunner``, drawn as partial results arrive.

    Subclasses make ``run_bar`` (a ``RunBar``) and ``readout`` (a QLabel), and provide
    ``set_theme(theme)``, ``_redraw()`` and ``_on_result(result)``.
    """

    #: the readout before anything has run
    ready_text = ""
    #: what the view computes, in "The ... stopped: ..."
    job_name = ""

    run_bar: RunBar
    readout: QLabel

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._spec: ExperimentSpec | None = None
        self._run_index = 0
        self._shown_key: tuple | None = None
        self._result = None
        self._theme = current_theme()
        self.runner = SweepRunner(self)

    def result(self):
        return self._result

    def cancel(self) -> None:
        self.runner.cancel()

    def shutdown(self) -> None:
        self.runner.shutdown()

    def closeEvent(self, event) -> None:  # Qt override
        self.shutdown()
        super().closeEvent(event)

    def changeEvent(self, event) -> None:  # Qt override: the window switched theme
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and current_theme() is not self._theme:
            self.set_theme(current_theme())

    # --- for the subclasses -----------------------------------------------------------------
    def _add_run_shortcut(self, text: str, run: Callable[[], None]) -> None:
        """Ctrl+Return anywhere in the view runs it."""
        action = QAction(text, self)
        action.setShortcut(QKeySequence("Ctrl+Return"))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(run)
        self.addAction(action)

    def _connect_runner(self, run: Callable[[], None]) -> None:
        self.run_bar.run_clicked.connect(run)
        self.run_bar.cancel_clicked.connect(self.runner.cancel)
        self.runner.partial_result.connect(self._on_partial)
        self.runner.result_ready.connect(self._on_result)
        self.runner.failed.connect(self._on_failed)
        self.runner.busy_changed.connect(self.run_bar.set_busy)

    def _no_experiment(self) -> bool:
        """True (and said in the readout) while there is no experiment to run."""
        if self._spec is None:
            self.readout.setText("No experiment yet.")
        return self._spec is None

    def _reset_run_bar(self) -> None:
        self.run_bar.set_progress(0, 1)
        self.run_bar.progress.setFormat("ready")
        self.readout.setText(self.ready_text)
        self.readout.setToolTip("")  # no exact rate of a result no longer shown

    def _on_partial(self, result) -> None:
        self._result = result
        self.run_bar.set_progress(result.steps_done, result.total_steps)
        self._redraw()

    def _show_final(self, result) -> None:
        """Draw a job's last result; the bar says whether it was cancelled."""
        self._on_partial(result)
        self.run_bar.set_progress(result.steps_done, result.total_steps, result.cancelled)

    def _on_failed(self, message: str) -> None:
        self.readout.setText(f"The {self.job_name} stopped: {message}")


# ------------------------------------------------------------------------------------------
# Installing into the main window
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DockedTool:
    """How a runner view appears in the window: its dock title, Tools shortcut and tooltip."""

    title: str
    shortcut: str
    tip: str
    module: str  # the view's module, whose ``install(window)`` builds it
    #: too tall to share the window's height (it would squeeze the canvas to a strip): opens as
    #: a window of its own over the main one, within its screen; its title bar docks it back
    own_window: bool = False

    @property
    def dock_name(self) -> str:
        return "dock_" + re.sub(r"\W+", "_", self.title).strip("_").lower()


SWEEP_TOOL = DockedTool("Learning-rate sweep", "Ctrl+Shift+S",
                        "Try every learning rate in full and see which one works best",
                        "lrdesk.gui.sweeps.sweep_view")
MAP_TOOL = DockedTool("Regime map", "Ctrl+Shift+M",
                      "Colour a grid of learning rates against momentum, valley shape or start "
                      "by how each full run ends", "lrdesk.gui.sweeps.map_view")


class _NotBuiltYet(QWidget):
    """Stands in a tool's dock until the dock is first shown; then the real view replaces it.

    The views (and the modules behind them) are only needed once a student opens the tool, so a
    new window starts faster without them.
    """

    def __init__(self, link: ExperimentLink, site: DockSite, tool: DockedTool) -> None:
        super().__init__()
        self._link = link
        self._site = site
        self._tool = tool

    def build(self) -> None:
        import_module(self._tool.module).install(self._link, self._site)


def install_later(link: ExperimentLink, site: DockSite, tool: DockedTool) -> QDockWidget:
    """Add ``tool``'s hidden dock and Tools menu action now; build its view when first shown."""
    dock, _action = _dock_and_action(link, site, tool)
    dock.visibilityChanged.connect(lambda visible: _built_view(dock) if visible else None)
    return dock


def installed_view(site: DockSite, tool: DockedTool, kind: type) -> QWidget | None:
    """The view of ``kind`` already in ``tool``'s dock, or None."""
    dock = site.find_dock(tool.dock_name)
    view = dock.widget() if dock is not None else None
    return view if isinstance(view, kind) else None


def install_docked(link: ExperimentLink, site: DockSite, view: RunnerView, tool: DockedTool) -> None:
    """Put ``view`` in ``tool``'s dock (a new hidden bottom dock with a Tools menu action that
    shows it, unless ``install_later`` made them), keep it on the link's experiment and
    selected run, and stop its thread when the window closes."""
    dock, action = _dock_and_action(link, site, tool)
    placeholder = dock.widget()
    dock.setWidget(view)
    if isinstance(placeholder, _NotBuiltYet):
        placeholder.deleteLater()
    view.set_spec(link.spec(), link.selected_run())
    link.spec_changed.connect(lambda spec: view.set_spec(spec, link.selected_run()))
    link.run_selected.connect(lambda index: view.set_spec(link.spec(), index))
    link.closing.connect(view.shutdown)  # docked widgets get no close event of their own
    view.install_action = action


def _dock_and_action(link: ExperimentLink, site: DockSite, tool: DockedTool) -> tuple[QDockWidget, QAction]:
    """The tool's dock and menu action: found if already made, else made (the dock hidden)."""
    dock = site.find_dock(tool.dock_name)
    if dock is not None:
        return dock, dock.property("tool_action")
    dock = site.add_panel(_NotBuiltYet(link, site, tool), tool.title,
                          Qt.DockWidgetArea.BottomDockWidgetArea)
    dock.hide()
    menu = site.menu("Tools")
    action = QAction(tool.title, menu)
    action.setShortcut(QKeySequence(tool.shortcut))
    action.setToolTip(tool.tip)
    action.triggered.connect(lambda: _show(dock, link))
    menu.addAction(action)
    dock.setProperty("tool_action", action)
    dock.setProperty("own_window", tool.own_window)
    # a tool in a window of its own goes when the main window does (it would stay open alone)
    link.closing.connect(lambda: dock.close() if dock.isFloating() else None)
    return dock, action


def _built_view(dock: QDockWidget) -> RunnerView:
    widget = dock.widget()
    if isinstance(widget, _NotBuiltYet):
        widget.build()
    return dock.widget()


def _show(dock: QDockWidget, link: ExperimentLink) -> None:
    view = _built_view(dock)
    view.set_spec(link.spec(), link.selected_run())
    if dock.property("own_window") and not dock.property("placed"):
        open_as_window(dock)  # before it shows: docked, it would stretch the main window first
    dock.show()
    if dock.isFloating():
        dock.activateWindow()  # a window of its own comes to the front by being activated
    else:
        dock.raise_()  # a tab behind another comes to the front
    give_room(dock)
    view.run_bar.run_button.setFocus()


#: share of the window's height a tool's dock gets when opened (it opened at its minimum, a
#: strip under everything); the rest stays the canvas's, with the loss plot and runs table
TOOL_HEIGHT_SHARE = 0.45


#: share of the screen a tool opened as its own window covers, each way
OWN_WINDOW_SHARE = 0.9


def open_as_window(dock: QDockWidget) -> None:
    """Float ``dock`` as a window of its own, ``OWN_WINDOW_SHARE`` of its screen and centred on
    it: the first time only, afterwards it stays where the user put it."""
    dock.setProperty("placed", True)
    window = dock.parentWidget()
    screen = (window.screen() if window is not None else dock.screen()).availableGeometry()
    dock.setFloating(True)
    width, height = round(OWN_WINDOW_SHARE * screen.width()), round(OWN_WINDOW_SHARE * screen.height())
    dock.setGeometry(screen.x() + (screen.width() - width) // 2,
                     screen.y() + (screen.height() - height) // 2, width, height)


def give_room(dock: QDockWidget) -> None:
    """Make an opened tool's dock a sensible height: ``TOOL_HEIGHT_SHARE`` of its window."""
    window = dock.parentWidget()
    if not isinstance(window, QMainWindow) or dock.isFloating():
        return
    height = max(dock.minimumSizeHint().height(), round(TOOL_HEIGHT_SHARE * window.height()))
    window.resizeDocks([dock], [height], Qt.Orientation.Vertical)
