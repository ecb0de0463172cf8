"""Fitting the window to the room it has: the runs table keeps its columns in view, and on a
narrow screen (a zoomed 1024 px projector) the side panel folds away, one key (F9) from view.

Both work in characters of the window's font, so zoom and screen size are one question: how
many characters wide is the window?
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QDockWidget,
    QHeaderView,
    QMainWindow,
    QSplitter,
    QTabBar,
    QTableView,
    QWidget,
)

#: below this many average characters of width, the side panel folds away (1024 px from 130 %, 1260 px at 150 %)
COMPACT_CHARS = 140


def columns_width(table: QTableView) -> int:
    """The width ``table`` needs to show every column without a horizontal scroll bar."""
    header = table.horizontalHeader()
    stretching = QHeaderView.ResizeMode.Stretch
    stretch_least = max(header.defaultSectionSize(), header.minimumSectionSize())
    sections = sum(  # a stretching column takes what is left, down to the default section size
        max(header.sectionSizeFromContents(c).width(), stretch_least)
        if header.sectionResizeMode(c) == stretching else header.sectionSize(c)
        for c in range(header.count()) if not header.isSectionHidden(c))
    scroll_bar = table.verticalScrollBar().sizeHint().width()
    return sections + scroll_bar + 2 * table.frameWidth()


def dock_tabs_width(window: QMainWindow, titles: set[str]) -> int:
    """The width the tab bar of the docks called ``titles`` needs to show every title whole."""
    widths = [0]
    now = window.fontMetrics()  # a zoom reaches the tab bars a little after the window
    for bar in window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if any(bar.tabText(i) in titles for i in range(bar.count())):
            was = bar.fontMetrics()
            widths.append(sum(bar.tabSizeHint(i).width() - was.horizontalAdvance(bar.tabText(i))
                              + now.horizontalAdvance(bar.tabText(i)) for i in range(bar.count())))
    return max(widths)


class TableRoom(QObject):
    """Keeps ``table`` (the second widget of ``splitter``) at least as wide as its columns:
    the loss plot beside it gives way instead of the table scrolling sideways."""

    def __init__(self, splitter: QSplitter, table: QTableView, outer: QWidget) -> None:
        super().__init__(splitter)
        self._splitter, self._table, self._outer = splitter, table, outer
        self.active = True  # False while presenting: the table is put away then
        table.horizontalHeader().sectionResized.connect(lambda *_: self.fit())
        table.horizontalHeader().sectionCountChanged.connect(lambda *_: self.fit())
        splitter.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() in (QEvent.Type.Resize, QEvent.Type.FontChange, QEvent.Type.Show):
            self.fit()
        return False

    def fit(self) -> None:
        """Sizes, not a minimum width: a window too narrow for the table stays on the screen."""
        if not self.active:
            return
        sizes = self._splitter.sizes()
        least = self._splitter.widget(0).minimumSizeHint().width()
        need = columns_width(self._table) + self._outer.width() - self._table.width()
        if len(sizes) == 2 and sizes[1] < need and sum(sizes) > need:
            self._splitter.setSizes([max(sum(sizes) - need, least), min(need, sum(sizes) - least)])


class FoldingSidePanel(QObject):
    """Folds the docks of the window's right-hand side panel away while the window is narrower
    than ``COMPACT_CHARS`` characters or than ``wanted_width()`` (the panel beside the loss plot
    and the runs table's columns), and brings them back when it widens again.

    ``changed(shown)`` is called whenever the panel is shown or hidden here; ``toggle()`` (F9)
    shows or hides it whatever the width, and from then on the width no longer decides.
    """

    def __init__(self, window: QMainWindow, changed: Callable[[bool], None],
                 refit: Callable[[], None], wanted_width: Callable[[], int] = lambda: 0) -> None:
        super().__init__(window)
        self._window = window
        self._wanted_width = wanted_width  # the window's width with the panel, canvas and table
        self._changed = changed
        self._refit = refit  # sizes the panel again once a zoom has reached every widget
        self._folded: list[QDockWidget] = []
        self._raised: list[QDockWidget] = []
        self._compact = False
        self.held = False  # shown or hidden by hand: the width no longer decides
        window.installEventFilter(self)

    def side_docks(self) -> list[QDockWidget]:
        return [d for d in self._window.findChildren(QDockWidget)
                if self._window.dockWidgetArea(d) == Qt.DockWidgetArea.RightDockWidgetArea
                and not d.isFloating()]

    def is_shown(self) -> bool:
        return not self._folded

    def is_compact(self) -> bool:
        return self._compact

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() in (QEvent.Type.Resize, QEvent.Type.FontChange):
            self.follow_width()
        if event.type() == QEvent.Type.FontChange:
            QTimer.singleShot(0, self, self._refit)
        return False

    def follow_width(self) -> None:
        window = self._window
        compact = (window.width() < COMPACT_CHARS * window.fontMetrics().averageCharWidth()
                   or window.width() < self._wanted_width())
        self._compact = compact
        if self.held:
            return
        if compact and not self._folded:
            self.fold()
        elif not compact and self._folded:
            self.unfold()

    def toggle(self) -> None:
        self.held = True
        self.unfold() if self._folded else self.fold()

    def fold(self) -> None:
        open_docks = [d for d in self.side_docks() if d.toggleViewAction().isChecked()]
        if self._folded or not open_docks:
            return
        self._raised = [d for d in open_docks if d.isVisible()]  # the tab on top of each group
        self._folded = open_docks
        for dock in open_docks:
            dock.hide()
        self._changed(False)

    def unfold(self) -> None:
        """Show again what was folded away (the window is closing, or wide enough)."""
        folded, self._folded = self._folded, []
        for dock in folded:
            dock.show()
        for dock in self._raised:
            dock.raise_()
        self._raised = []
        self._changed(True)


#: the canvas keeps at least this share of the window when the runs table asks for rows
CANVAS_SHARE = 0.42
#: rows of the runs table shown below the canvas, when the canvas can spare the room
TABLE_ROWS = 3


class RowsRoom(QObject):
    """Gives the bottom of ``splitter`` (loss plot and runs table) room for a few table rows,
    as long as the canvas above keeps ``CANVAS_SHARE`` of ``window``; set on every resize and
    zoom, so a dragged handle lasts until the window changes size."""

    def __init__(self, splitter: QSplitter, table: QTableView, window: QMainWindow) -> None:
        super().__init__(splitter)
        self._splitter, self._table, self._window = splitter, table, window
        self.active = True
        splitter.installEventFilter(self)
        self._rows = table.model().rowCount()
        table.model().modelReset.connect(self._rows_may_have_changed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() in (QEvent.Type.Resize, QEvent.Type.FontChange):
            self.fit()
        return False

    def _rows_may_have_changed(self) -> None:
        """A run added or removed asks for room again; a new rate for the same runs does not."""
        rows = self._table.model().rowCount()
        if rows != self._rows:
            self._rows = rows
            self.fit()

    def wanted_height(self) -> int:
        """Header, ``TABLE_ROWS`` rows and the buttons under them."""
        table = self._table
        rows = max(1, min(TABLE_ROWS, table.model().rowCount()))
        row = table.verticalHeader().defaultSectionSize()
        outside = table.parentWidget().sizeHint().height() - table.sizeHint().height()
        return table.horizontalHeader().sizeHint().height() + rows * row + 2 * table.frameWidth() + outside

    def fit(self) -> None:
        if not self.active:
            return
        splitter, window = self._splitter, self._window
        total = sum(splitter.sizes())
        width = splitter.width()
        if total <= 0 or width <= 0:
            return
        canvas_at_least = CANVAS_SHARE * window.width() * window.height() / width
        bottom = max(min(self.wanted_height(), int(total - canvas_at_least)),
                     splitter.widget(1).minimumSizeHint().height())
        if abs(splitter.sizes()[1] - bottom) > 2:
            splitter.setSizes([total - bottom, bottom])
