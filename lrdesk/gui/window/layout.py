"""Where everything sits in the main window: the canvas is the hero, the settings one narrow
tabbed panel at the side, so the whole window fits a 1024x768 projector.

  ┌ playback strip ─────────────────────────────────────┬──────────────┐
  │ banner                                              │ Selected run │
  │ canvas (most of the window)                         │ Experiment   │
  │                                                     │ Lessons ...  │
  │─────────────────────────────┬───────────────────────│ (tabs)       │
  │ loss plot                   │ runs table            │              │
  └─────────────────────────────┴───────────────────────┴──────────────┘
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QMainWindow,
    QMenu,
    QScrollArea,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from lrdesk.gui.canvas.view import LossCanvas
from lrdesk.gui.controls.experiment import ExperimentControls
from lrdesk.gui.controls.run import RunControls
from lrdesk.gui.live.loss_plot import LossPlot
from lrdesk.gui.live.playback_bar import PlaybackBar
from lrdesk.gui.live.runs_table import RunsTable
from lrdesk.gui.window.banner import NoticeBanner
from lrdesk.gui.window.fitting import (
    FoldingSidePanel,
    RowsRoom,
    TableRoom,
    columns_width,
    dock_tabs_width,
)

#: docks added by panels in these areas share the space as tabs instead of squeezing each other
#: the side panel's width, in average characters of the window's font
SIDE_CHARS = 36
TABBED_AREAS = (Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea)


class WindowLayout:
    """Creates the views and controls and puts them in place in ``window``, through Qt's own
    ``QMainWindow`` API only (central widget, docks, toolbars): it reads nothing of the window."""

    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.banner = NoticeBanner()
        self.canvas = LossCanvas()
        self.loss_plot = LossPlot()
        self.runs_table = RunsTable()
        self.run_controls = RunControls()
        self.controls = ExperimentControls()
        self.docks: list[QDockWidget] = []
        self._panels_menu: QMenu | None = None
        self._toggles: list[QAction] = []
        self.bottom = _splitter(Qt.Orientation.Horizontal, self.loss_plot, self.runs_table, (1, 2))
        self.bottom.setSizes([1000, 2000])
        self.middle = _splitter(Qt.Orientation.Vertical, self.canvas, self.bottom, (4, 1))
        self.middle.setSizes([4000, 1000])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.middle, 1)
        window.setCentralWidget(central)
        side = Qt.DockWidgetArea.RightDockWidgetArea
        self.run_dock = self._dock(_scrolling(self.run_controls), "Selected run", side)
        self.run_dock.setToolTip("The learning rate and optimizer of the run picked in the table")
        self.controls_dock = self._dock(_scrolling(self.controls), "Experiment", side)
        self.controls_dock.setToolTip("The loss function, where the runs start, and when they stop")
        window.tabifyDockWidget(self.run_dock, self.controls_dock)
        self.run_dock.raise_()
        self.fit_side_panel()
        self.table_room = TableRoom(self.bottom, self.runs_table.view, self.runs_table)
        self.rows_room = RowsRoom(self.middle, self.runs_table.view, window)
        self.side_panel = FoldingSidePanel(window, self._side_panel_shown, self.fit_side_panel,
                                           self._width_with_side_panel)
        self._side_action: QAction | None = None
        self._side_remembered = False
        QTimer.singleShot(0, self._fit_unless_remembered)  # once shown, docks take their widths

    def add_playback_bar(self, actions: list[QAction]) -> PlaybackBar:
        """The playback strip (buttons for ``actions``) in a fixed toolbar at the top."""
        bar = PlaybackBar(actions)
        toolbar = QToolBar("Playback")
        toolbar.setObjectName("playbackToolBar")
        toolbar.setMovable(False)
        toolbar.addWidget(bar)
        self.window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.playback_toolbar = toolbar
        self._add_toggle(toolbar.toggleViewAction())
        return bar

    def add_panel(self, widget: QWidget, title: str, area: Qt.DockWidgetArea) -> QDockWidget:
        """A dock for ``widget``; in the right and bottom areas it joins the others as a tab."""
        neighbours = [d for d in self.docks if self.window.dockWidgetArea(d) == area]
        dock = self._dock(widget, title, area)
        if area in TABBED_AREAS and neighbours:
            self.window.tabifyDockWidget(neighbours[-1], dock)
        dock.show()
        self.fit_side_panel()
        return dock

    def attach_side_panel_action(self, action: QAction) -> None:
        """``action`` (F9) shows or hides the side panel and is checked while it shows."""
        self._side_action = action
        action.triggered.connect(lambda _checked=False: self.side_panel.toggle())
        action.setChecked(self.side_panel.is_shown())

    def _side_panel_shown(self, shown: bool) -> None:
        if self._side_action is not None:
            self._side_action.setChecked(shown)
        if shown:
            self.fit_side_panel()

    def keep_side_panel(self) -> None:
        """The dock layout was restored as the user left it: do not narrow the side panel."""
        self._side_remembered = True

    def _fit_unless_remembered(self) -> None:
        if not self._side_remembered:
            self.fit_side_panel()

    def _side_docks(self) -> list[QDockWidget]:
        return [d for d in self.docks
                if self.window.dockWidgetArea(d) == Qt.DockWidgetArea.RightDockWidgetArea]

    def side_panel_width(self) -> int:
        """About 36 characters, or what its widest control or its tab titles need."""
        side = self._side_docks()
        if not side:
            return 0
        return max(self.window.fontMetrics().averageCharWidth() * SIDE_CHARS,
                   max(d.minimumSizeHint().width() for d in side),
                   dock_tabs_width(self.window, {d.windowTitle() for d in side}))

    def _width_with_side_panel(self) -> int:
        """The window's width that shows the side panel, the loss plot and every table column."""
        margins = 2 * self.bottom.handleWidth() + 16  # the central widget's and the docks'
        return (self.side_panel_width() + self.loss_plot.minimumSizeHint().width()
                + columns_width(self.runs_table.view) + margins)

    def fit_side_panel(self) -> None:
        """Keep the tabbed side panel narrow (about 36 characters), so the canvas gets the room."""
        side = self._side_docks()
        if side:
            self.window.resizeDocks(side[:1], [self.side_panel_width()], Qt.Orientation.Horizontal)

    def _dock(self, widget: QWidget, title: str, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName("dock_" + re.sub(r"\W+", "_", title).strip("_").lower())
        dock.setWidget(widget)
        self.window.addDockWidget(area, dock)
        dock.toggleViewAction().setStatusTip(f"Show or hide the {title} panel")
        self._add_toggle(dock.toggleViewAction())
        self.docks.append(dock)
        return dock

    def attach_panels_menu(self, menu: QMenu) -> None:
        """From now on every panel's show/hide entry goes into ``menu``."""
        self._panels_menu = menu
        for action in self._toggles:
            menu.addAction(action)
        self._toggles = []

    def _add_toggle(self, action: QAction) -> None:
        if self._panels_menu is None:
            self._toggles.append(action)
        else:
            self._panels_menu.addAction(action)


class _FittingScrollArea(QScrollArea):
    """Scrolls up and down only, and asks for the width its contents need (zoom included)."""

    def _with_contents_width(self, hint: QSize, inner: QSize) -> QSize:
        extra = self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
        return QSize(max(hint.width(), inner.width() + extra), hint.height())

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        inner = self.widget()
        return hint if inner is None else self._with_contents_width(hint, inner.minimumSizeHint())

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        inner = self.widget()
        return hint if inner is None else self._with_contents_width(hint, inner.sizeHint())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.updateGeometry()


def fitting_size(available: QSize, wanted: tuple[int, int]) -> tuple[int, int]:
    """``wanted`` (width, height), shrunk to the ``available`` screen geometry."""
    return min(wanted[0], available.width()), min(wanted[1], available.height())


def _scrolling(widget: QWidget) -> QScrollArea:
    scroll = _FittingScrollArea()
    scroll.setWidget(widget)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return scroll


def _splitter(orientation: Qt.Orientation, first: QWidget, second: QWidget, stretch: tuple[int, int]) -> QSplitter:
    splitter = QSplitter(orientation)
    splitter.addWidget(first)
    splitter.addWidget(second)
    splitter.setStretchFactor(0, stretch[0])
    splitter.setStretchFactor(1, stretch[1])
    splitter.setChildrenCollapsible(False)
    return splitter
