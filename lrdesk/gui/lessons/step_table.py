"""The arithmetic of each step: a table of one run's recorded rows, following the playhead.

Row s shows the point w before step s, its loss and gradient g, the rate α used, the step's
own sums (α·g for plain gradient descent; the optimizer's running averages and the effective
gradient for the others) and the new point w + Δ (columns: ``step_columns``). Cells are
computed from the history's arrays when Qt asks for them, so a run of 100,000 rows costs no
Python object per row.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lrdesk.core.experiment.fileio import atomic_write_text
from lrdesk.core.experiment.history import RunHistory
from lrdesk.core.experiment.spec import RunSpec
from lrdesk.core.optim.optimizers import OPTIMIZERS
from lrdesk.gui.lessons.step_columns import (
    Arrays,
    StepColumn,
    cell_text,
    csv_text,
    history_arrays,
    step_columns,
)
from lrdesk.gui.shared.dialogs import ask_save_path
from lrdesk.gui.shared.formatting import format_number, format_rate
from lrdesk.gui.shared.palette import run_color

Index = QModelIndex | QPersistentModelIndex
DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_ROLES = frozenset((DISPLAY, ALIGNMENT, BACKGROUND, TOOLTIP))
RIGHT_ALIGNED = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
STEPS_TITLE = "Steps"  # the dock's title
FIT_ROWS = 200  # column widths are fitted to this many rows, not to all of a long run
CONTEXT_ROWS = 2
SCROLL_INTERVAL_MS = 100
#: fitting measures FIT_ROWS rows of every column (tens of ms): a new run or new rows are fitted
#: this long after, once for a burst of them (a dragged rate restarts the runs many times a
#: second), and never in the frame that brought them; the widths kept meanwhile are the last ones
FIT_DELAY_MS = 150


#: significant digits on screen, so an optimizer's many columns fit across a 1024 px window
#: (every digit is in the cell's tooltip and in the CSV)
SHOWN_DIGITS = 4
#: share of the window's height the Steps dock gets when first shown
STEPS_HEIGHT_SHARE = 0.35


def short_cell_text(column: StepColumn, value: float, step_taken: bool) -> str:
    """A cell as shown: numbers to ``SHOWN_DIGITS`` digits (steps and rates as they are)."""
    if column.key in ("step", "learning_rate") or (column.per_step and not step_taken):
        return cell_text(column, value, step_taken)
    return format_number(float(value), SHOWN_DIGITS)


def compact_header(header: str) -> str:
    """A column title short enough for 17 columns across 1024 px: 'effective g (x)' -> 'eff. g (x)'
    (the tooltip keeps the whole title and its formula)."""
    return header.replace("effective ", "eff. ")


def give_room(window, dock: QDockWidget) -> None:
    """Give the docked table ``STEPS_HEIGHT_SHARE`` of ``window``'s height (it opens at its
    minimum otherwise)."""
    if dock.isFloating() or not hasattr(window, "resizeDocks"):
        return
    height = max(dock.minimumSizeHint().height(), round(STEPS_HEIGHT_SHARE * window.height()))
    window.resizeDocks([dock], [height], Qt.Orientation.Vertical)


class StepTableModel(QAbstractTableModel):
    """One run's rows; cells are formatted on demand, the playhead's row is highlighted."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.history: RunHistory | None = None
        self.columns: list[StepColumn] = []
        self._arrays: Arrays = {}
        self._rows = 0
        self._stride = 1
        self.current_row = -1
        self.end_step: int | None = None
        #: show rows only up to the playhead, its step not yet taken (a lesson's answer waits)
        self.up_to_playhead = False
        self._playhead: int | None = None
        self._shown = 0
        self.highlight = QColor(255, 200, 0, 140)  # replaced by the view's palette colour

    def set_run(self, history: RunHistory | None, columns: list[StepColumn]) -> None:
        self.beginResetModel()
        self.history, self.columns = history, columns
        self._take_snapshot()
        self.current_row = -1
        self.end_step = None
        self._shown = self._rows_to_show()
        self.endResetModel()

    def refresh(self) -> None:
        """Take in rows recorded since the last call (a thinned history is re-read whole)."""
        history = self.history
        if history is None:
            return
        grown = len(history) >= self._rows and history.stride == self._stride
        if grown and len(history) == self._rows:
            return
        if not grown:
            self.beginResetModel()
            self._take_snapshot()
            self._shown = self._rows_to_show()
            self.current_row = min(self.current_row, self._shown - 1)
            self.endResetModel()
            return
        self._take_snapshot()
        self._show_rows(self._rows_to_show())

    def _rows_to_show(self) -> int:
        if not self.up_to_playhead or self._playhead is None or self._rows == 0:
            return self._rows
        return self.row_for_step(self._playhead) + 1

    def _show_rows(self, count: int) -> None:
        """Insert or remove rows at the end so that ``count`` rows show."""
        if count > self._shown:
            self.beginInsertRows(QModelIndex(), self._shown, count - 1)
            self._shown = count
            self.endInsertRows()
        elif count < self._shown:
            self.beginRemoveRows(QModelIndex(), count, self._shown - 1)
            self._shown = count
            self.endRemoveRows()

    def set_playhead(self, step: int) -> None:
        """The step on screen: with ``up_to_playhead``, rows after it are not shown yet."""
        before = self._playhead
        self._playhead = step
        self._show_rows(self._rows_to_show())
        if self.up_to_playhead and before != step and self._shown:
            # the playhead's row shows its step only once the playhead has moved past it
            for row in {self._shown - 1, max(self._shown - 2, 0)}:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def _take_snapshot(self) -> None:
        history = self.history
        self._arrays = history_arrays(history) if history is not None else {}
        self._rows = len(self._arrays.get("steps", ()))
        self._stride = history.stride if history is not None else 1

    def set_current_row(self, row: int) -> None:
        row = min(row, self._shown - 1)
        if row == self.current_row:
            return
        old, self.current_row = self.current_row, row
        last = len(self.columns) - 1
        for r in (old, row):
            if 0 <= r < self._rows:
                self.dataChanged.emit(self.index(r, 0), self.index(r, last))

    def row_for_step(self, step: int) -> int:
        if self._rows == 0:
            return -1
        return int(np.searchsorted(self._arrays["steps"], step, side="right")) - 1

    def value(self, row: int, column: int) -> float:
        return float(self.columns[column].read(self._arrays, row))

    def step_taken(self, row: int) -> bool:
        if not math.isfinite(self._arrays["learning_rates"][row]):
            return False
        step = self._arrays["steps"][row]
        if self.up_to_playhead and self._playhead is not None and step >= self._playhead:
            return False  # not taken yet on screen
        return self.end_step is None or step < self.end_step

    def set_end_step(self, step: int | None) -> None:
        """The step where the run's verdict came: nothing is taken from that point on."""
        if step == self.end_step:
            return
        self.end_step = step
        if self._shown:
            last = self.index(self._shown - 1, len(self.columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def csv(self) -> str:
        return csv_text(self.columns, self._arrays, self.end_step)

    def widest_texts(self) -> list[str]:
        """Each column's longest cell over the recorded rows, shown or not (at most
        ``FIT_ROWS`` of them, spread over the run)."""
        if self._rows == 0:
            return ["" for _ in self.columns]
        rows = np.unique(np.linspace(0, self._rows - 1, min(self._rows, FIT_ROWS)).astype(int))
        # a row whose step is never taken (the last) shows a dash, not its missing numbers
        taken = np.isfinite(self._arrays["learning_rates"][rows])
        return [max((short_cell_text(c, c.read(self._arrays, int(r)), bool(t))
                     for r, t in zip(rows, taken, strict=True)), key=len)
                for c in self.columns]

    # --- Qt model API ---------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = DISPLAY):
        # Qt asks for several roles per visible cell on every repaint: keep each answer cheap
        if role not in _ROLES or not index.isValid():
            return None
        row = index.row()
        if role == DISPLAY:
            column = self.columns[index.column()]
            return short_cell_text(column, column.read(self._arrays, row), self.step_taken(row))
        if role == ALIGNMENT:
            return RIGHT_ALIGNED
        if role == BACKGROUND:
            return self.highlight if row == self.current_row else None
        column = self.columns[index.column()]
        if column.per_step and not self.step_taken(row):
            if self.up_to_playhead and self._playhead is not None \
                    and self._arrays["steps"][row] >= self._playhead:
                return "Not taken yet: press Step to take it and see its numbers."
            return "The run ended here: no step is taken from this point."
        return f"{column.header}: {float(column.read(self._arrays, row))!r}"

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return compact_header(self.columns[section].header)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self.columns[section].header}: {self.columns[section].tooltip}"
        return None


class StepTable(QWidget):
    """The step table with its run title, "follow the playhead" switch and CSV export."""

    export_failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = StepTableModel(self)
        self.title = QLabel("No run yet")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignRight)
        self.view.horizontalHeader().setResizeContentsPrecision(FIT_ROWS)
        self.view.verticalHeader().setResizeContentsPrecision(FIT_ROWS)
        self.view.setToolTip("Each row is one step. Hover a column title for its formula.")
        self.follow = QCheckBox("Follow the &playhead")
        self.follow.setChecked(True)
        self.follow.setToolTip("Keep the row of the current step in view as the run plays.")
        self.export_button = QPushButton("&Export CSV…")
        self.export_button.setToolTip("Save every row of this table as a CSV file, in full.")
        self.export_button.clicked.connect(self.choose_csv_path)
        self.export_button.setEnabled(False)
        controls = QHBoxLayout()
        controls.addWidget(self.follow)
        controls.addStretch(1)
        controls.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        layout.addLayout(controls)
        self._step = 0
        self._columns_fitted = False  # fitting waits while the table is hidden (behind a tab)
        self._on_screen = True
        self._scroll_row = -1  # the row the view should bring into sight next
        # scrolling repaints every visible cell: during fast playback do it a few times a second
        self._scroll_timer = QTimer(self)
        self._scroll_timer.setSingleShot(True)
        self._scroll_timer.setInterval(SCROLL_INTERVAL_MS)
        self._scroll_timer.timeout.connect(self._scroll_later)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(FIT_DELAY_MS)
        self._fit_timer.timeout.connect(self._fit_columns)
        self._follow_palette()

    def showEvent(self, event) -> None:  # Qt override
        super().showEvent(event)
        if not self._columns_fitted:
            self._fit_columns()

    def set_on_screen(self, on_screen: bool) -> None:
        """Whether the table can be seen (a docked table behind another tab cannot)."""
        self._on_screen = on_screen
        if on_screen and not self._columns_fitted:
            self._fit_columns()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._follow_palette()
        super().changeEvent(event)

    def _follow_palette(self) -> None:
        color = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        color.setAlpha(140)
        self.model.highlight = color

    def set_run(
        self, run: int, run_spec: RunSpec, history: RunHistory | None, dim: int,
        end_step: int | None = None,
    ) -> None:
        """Show ``history`` of run number ``run`` (0-based) with the columns its optimizer needs.

        ``end_step``: the step of the run's verdict, once known (no step is taken from there).
        """
        columns = step_columns(run_spec.optimizer, run_spec.hyper_dict(), dim)
        self.model.set_run(history, columns)
        self.model.set_end_step(end_step)
        title = OPTIMIZERS[run_spec.optimizer].title
        swatch = f"<span style='color:{run_color(run)}'>■</span>"
        self.title.setText(
            f"{swatch} <b>Run {run + 1}</b>: {title}, α = {format_rate(run_spec.learning_rate)}"
        )
        self._fit_soon()
        self.export_button.setEnabled(self.model.rowCount() > 0)
        self.set_current_step(self._step)

    def refresh(self) -> None:
        had_rows = self.model.rowCount() > 0
        self.model.refresh()
        if not had_rows and self.model.rowCount() > 0:
            self._fit_soon()
        self.export_button.setEnabled(self.model.rowCount() > 0)
        self.set_current_step(self._step)

    def set_current_step(self, step: int) -> None:
        """Highlight the row of ``step`` (the last recorded row at or before it)."""
        self._step = step
        self.model.set_playhead(step)
        row = self.model.row_for_step(step)
        self.model.set_current_row(row)
        if row < 0 or not self.follow.isChecked():
            return
        self._scroll_row = row
        if not self._scroll_timer.isActive():
            self._scroll_to(row)
            self._scroll_timer.start()

    def _scroll_later(self) -> None:
        row = self._scroll_row
        if self.follow.isChecked() and 0 <= row < self.model.rowCount() and self._scroll_to(row):
            self._scroll_timer.start()

    def _scroll_to(self, row: int) -> bool:
        """Keep ``row`` in view, scrolling a page at a time: most steps then repaint two rows."""
        view = self.view
        top = view.rowAt(0)
        bottom = view.rowAt(view.viewport().height() - 1)  # -1: the rows end above the bottom
        if 0 <= top <= row and (bottom < 0 or row < bottom):
            return False
        context = max(row - CONTEXT_ROWS, 0)  # show the steps that led here too
        view.scrollTo(self.model.index(context, 0), QAbstractItemView.ScrollHint.PositionAtTop)
        return True

    def _fit_soon(self) -> None:
        """Fit the columns ``FIT_DELAY_MS`` from now (hidden: once the table is next shown)."""
        if not (self.isVisible() and self._on_screen):
            self._columns_fitted = False
        elif not self._fit_timer.isActive():
            self._fit_timer.start()

    def _fit_columns(self) -> None:
        """Columns as wide as their contents; while hidden, once the table is next shown."""
        self._fit_timer.stop()
        self._columns_fitted = self.isVisible() and self._on_screen
        if not self._columns_fitted:
            return
        self.view.resizeColumnsToContents()
        # rows still to come (after the playhead) get room now: the columns do not jump later
        metrics = self.view.fontMetrics()
        padding = 2 * metrics.averageCharWidth()
        for column, text in enumerate(self.model.widest_texts()):
            wanted = metrics.horizontalAdvance(text) + padding
            if wanted > self.view.columnWidth(column):
                self.view.setColumnWidth(column, wanted)
        height = self.view.fontMetrics().height() + 6
        self.view.verticalHeader().setDefaultSectionSize(height)

    def choose_csv_path(self) -> None:
        path = ask_save_path(self, "Export the steps as CSV", "steps.csv", "CSV files (*.csv)")
        if path:
            self.export_csv(path if path.lower().endswith(".csv") else f"{path}.csv")

    def export_csv(self, path: str) -> bool:
        """Write the table to ``path``; on failure say why in plain words and keep going."""
        try:
            atomic_write_text(path, self.model.csv())
        except OSError as exc:
            message = f"The steps could not be saved to {path}: {exc.strerror or exc}."
            self.export_failed.emit(message)
            if self.isVisible():
                QMessageBox.warning(self, "Export CSV", message)
            return False
        return True


# ------------------------------------------------------------------------------------------
class _WindowLink:
    """Keeps the table on the window's selected run, its new rows and its playhead."""

    def __init__(self, window, table: StepTable) -> None:
        self.window, self.table = window, table
        self.run = -1
        window.spec_changed.connect(self.show_selected_run)
        window.run_selected.connect(self.show_selected_run)
        window.history_updated.connect(self.refresh)
        window.step_changed.connect(table.set_current_step)
        self.show_selected_run()

    def show_selected_run(self, *_args) -> None:
        window = self.window
        spec, histories = window.spec(), window.histories()
        run = min(max(window.selected_run(), 0), len(spec.runs) - 1)
        self.run = run
        history = histories[run] if run < len(histories) else None
        self.table.set_run(run, spec.runs[run], history, len(spec.start), self._end_step())
        self.table.set_current_step(window.current_step())

    def _end_step(self) -> int | None:
        event = self.window.events().get(self.run)
        return None if event is None else event.step

    def refresh(self) -> None:
        histories = self.window.histories()
        if self.run >= len(histories) or histories[self.run] is not self.table.model.history:
            self.show_selected_run()  # a new computation replaced the rows
        else:
            self.table.model.set_end_step(self._end_step())
            self.table.refresh()


def install(window) -> StepTable:
    """Dock the step table under the canvas; it follows the selected run and the playhead."""
    table = StepTable()
    table.model.up_to_playhead = True  # in class: the rows come one per step, as the run plays
    kept = [d for d in window.findChildren(QDockWidget)
            if d.windowTitle() == STEPS_TITLE and not isinstance(d.widget(), StepTable)]
    if kept:  # the window kept the table's place (see panels.py): the table takes it now
        dock = kept[0]
        dock.widget().deleteLater()
        dock.setWidget(table)
    else:
        dock = window.add_panel(table, STEPS_TITLE, Qt.DockWidgetArea.BottomDockWidgetArea)
    # a tab behind another is not hidden, only moved out of sight: the dock says which it is
    table.set_on_screen(False)
    dock.visibilityChanged.connect(table.set_on_screen)
    table.link = _WindowLink(window, table)  # kept alive as long as the table
    return table
