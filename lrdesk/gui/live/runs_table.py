"""The runs table: one row per run with its colour, settings, live numbers and verdict.

A QTableView over a small QAbstractTableModel, with Add / Duplicate / Remove buttons. Setters
called by the window emit nothing; only the user's clicks and keys emit signals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QRectF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPainter, QPen, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lrdesk.core.engine.reasons import CRITERION_WORDS
from lrdesk.core.experiment.spec import RunSpec
from lrdesk.core.optim.catalog import shown_hyper
from lrdesk.core.optim.optimizers import OPTIMIZERS
from lrdesk.gui.shared.formatting import format_number, format_rate, format_step
from lrdesk.gui.shared.palette import icon_from, verdict_icon

#: runs shown and computed live at once (the colour palette has this many colours)
MAX_LIVE_RUNS = 8
#: live numbers change every frame: the columns are fitted to them at most this often (ms);
#: measuring every cell on each change (ResizeToContents) cost several ms a frame
FIT_INTERVAL_MS = 250

VERDICT_WORDS: dict[str, str] = {
    "converged": "Converged",
    "slow": "Too slow",
    "oscillating": "Bouncing",
    "diverged": "Diverged",
    "stalled": "Stuck",
}
VERDICT_HELP: dict[str, str] = {
    "converged": "The run reached the bottom of a valley: the slope there is almost flat.",
    "slow": "The run was still going downhill when the steps ran out: the steps are too small.",
    "oscillating": "The run kept bouncing from side to side without settling: the steps "
    "are a bit too large.",
    "diverged": "The loss grew without limit: each step overshot further than the last. "
    "The learning rate is too large.",
    "stalled": "The run stopped on a flat spot that is not a valley floor (a saddle or a plateau).",
}
#: two words on two lines: the seven columns fit beside the loss plot on a 1024 px screen
COLUMNS = ("Run", "Optimizer", "Learning\nrate", "Step", "Loss", "Gradient\nsize", "Result")
COLUMN_HELP = (
    "The run's number and its colour on the plots.",
    "The rule that turns the slope into a step.",
    "How big a step each run takes, compared with the slope.",
    "The step the playhead is at.",
    "The loss (how wrong the model is) at this step; lower is better.",
    "How steep the surface is here (the length of the gradient).",
    "How the run ended.",
)
RUN, OPTIMIZER, RATE, STEP, LOSS, GRADIENT, RESULT = range(len(COLUMNS))


@dataclass
class _Row:
    spec: RunSpec
    color: str
    step: int | None = None
    loss: float | None = None
    grad_norm: float | None = None
    live_rate: float | None = None
    verdict: str | None = None
    oscillated: bool = False
    criterion: str = ""


def verdict_text(verdict: str | None, oscillated: bool) -> str:
    if verdict is None:
        return ""
    words = VERDICT_WORDS.get(verdict, verdict)
    if oscillated and verdict in ("converged", "slow"):
        words += " (zig-zagged)"
    return words


@lru_cache(maxsize=32)
def _swatch(color: str, size: int = 32) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    # a white ring inside a dark edge: the swatch shows on any row colour, selected or not
    painter.setPen(QPen(QColor(0, 0, 0, 110), 2))
    painter.setBrush(QColor("#FFFFFF"))
    painter.drawRoundedRect(QRectF(2, 2, size - 4, size - 4), 7, 7)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    painter.drawRoundedRect(QRectF(5, 5, size - 10, size - 10), 5, 5)
    painter.end()
    return icon_from(pixmap)


class RunsModel(QAbstractTableModel):
    """The rows of the runs table."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMN_HELP[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(index.row(), row, column)
        if role == Qt.ItemDataRole.DecorationRole:
            if column == RUN:
                return _swatch(row.color)
            if column == RESULT and row.verdict is not None:
                return verdict_icon(row.verdict)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (RATE, STEP, LOSS, GRADIENT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, number: int, row: _Row, column: int) -> str:
        if column == RUN:
            return str(number + 1)
        if column == OPTIMIZER:
            info = OPTIMIZERS.get(row.spec.optimizer)
            return info.title if info else row.spec.optimizer
        if column == RATE:
            return self._rate_text(row)
        if column == STEP:
            return format_step(row.step)
        if column == LOSS:
            return format_number(row.loss)
        if column == GRADIENT:
            return format_number(row.grad_norm)
        return verdict_text(row.verdict, row.oscillated)

    @staticmethod
    def _rate_text(row: _Row) -> str:
        base = format_rate(row.spec.learning_rate)
        live = row.live_rate
        if live is None or not math.isfinite(live) or math.isclose(live, row.spec.learning_rate):
            return base
        return f"{base} (now {format_number(live)})"

    def _tooltip(self, row: _Row, column: int) -> str:
        if column == RESULT and row.verdict is not None:
            words = CRITERION_WORDS.get(row.criterion, "")
            if row.criterion == "gap":  # converged, though the slope is not quite flat
                return "The run reached the bottom of the valley.\n" + words
            help_ = VERDICT_HELP.get(row.verdict, "")
            return f"{help_}\n{words}" if words else help_
        if column == OPTIMIZER:
            info = OPTIMIZERS.get(row.spec.optimizer)
            hypers = ", ".join(f"{shown_hyper(row.spec.optimizer, k)} = {v:g}"
                               for k, v in row.spec.hyper_dict().items())
            rule = info.rule if info else ""
            return f"{rule}\n{hypers}" if hypers else rule
        if column == RATE and row.live_rate is not None and math.isfinite(row.live_rate):
            return (
                f"Set to {format_rate(row.spec.learning_rate)}; the schedule makes it "
                f"{format_number(row.live_rate, 4)} at this step."
            )
        return COLUMN_HELP[column]

    # --- edits from the window ---------------------------------------------------------------
    def set_runs(self, runs: list[RunSpec], colors: list[str]) -> None:
        self.beginResetModel()
        self._rows = [_Row(run, colors[i % len(colors)]) for i, run in enumerate(runs)]
        self.endResetModel()

    def row(self, run: int) -> _Row | None:
        return self._rows[run] if 0 <= run < len(self._rows) else None

    def update_live(self, run: int, step: int, loss: float, grad_norm: float, rate: float) -> None:
        self.update_live_rows({run: (step, loss, grad_norm, rate)})

    def update_live_rows(self, numbers: dict[int, tuple[int, float, float, float]]) -> None:
        """Set (step, loss, gradient norm, rate) of several runs; the view hears of it once."""
        changed = []
        for run, (step, loss, grad_norm, rate) in numbers.items():
            row = self.row(run)
            if row is not None:
                row.step, row.loss, row.grad_norm, row.live_rate = int(step), loss, grad_norm, rate
                changed.append(run)
        if changed:  # one signal: the view and its header measure the cells once, not per run
            self.dataChanged.emit(self.index(min(changed), RATE), self.index(max(changed), GRADIENT))

    def set_verdict(self, run: int, verdict: str | None, oscillated: bool,
                    criterion: str = "") -> None:
        row = self.row(run)
        if row is None:
            return
        row.verdict, row.oscillated, row.criterion = verdict, bool(oscillated), criterion
        self.dataChanged.emit(self.index(run, RESULT), self.index(run, RESULT))


class RunsTable(QWidget):
    """The table of runs with Add / Duplicate / Remove."""

    add_requested = Signal()
    duplicate_requested = Signal(int)
    remove_requested = Signal(int)
    selection_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RunsModel(self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setToolTip("Pick a run to change its learning rate and optimizer.")
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)  # fitted by _fit_columns
        header.setStretchLastSection(True)
        header.setSectionResizeMode(RESULT, QHeaderView.ResizeMode.Stretch)  # long verdicts: see the tip
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(FIT_INTERVAL_MS)
        self._fit_timer.timeout.connect(self._fit_columns)
        self.model.dataChanged.connect(self._fit_soon)
        self.model.modelReset.connect(self._on_reset)
        self._fitted_rows = -1
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.selectionModel().selectionChanged.connect(self._on_selection)
        self._programmatic = False
        self.add_button = self._button(
            "Add run",
            f"Add a run with its own learning rate (at most {MAX_LIVE_RUNS} runs).",
            self.add_requested.emit,
        )
        self.duplicate_button = self._button(
            "Duplicate", "Add a copy of the selected run (Ctrl+D).", self._duplicate
        )
        self.remove_button = self._button(
            "Remove", "Remove the selected run (Delete).", self._remove
        )
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.add_button, self.duplicate_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        for keys, slot in (
            (QKeySequence.StandardKey.Delete, self._remove),
            ("Ctrl+D", self._duplicate),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self._update_buttons()

    def _fit_soon(self, *_args) -> None:
        if not self._fit_timer.isActive():
            self._fit_timer.start()

    def _on_reset(self) -> None:
        """A run more or fewer is fitted at once; the same runs restarted (every edit of a rate
        restarts them all) are fitted with the live numbers."""
        if self.model.rowCount() != self._fitted_rows:
            self._fit_columns()
        else:
            self._fit_soon()

    def _fit_columns(self) -> None:
        """Every column but the result as wide as its contents and title."""
        self._fit_timer.stop()
        self._fitted_rows = self.model.rowCount()
        for column in range(self.model.columnCount()):
            if column != RESULT:
                self.view.resizeColumnToContents(column)

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_columns()  # zoom or theme: the same text takes another width

    def _button(self, text: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    # --- public API ------------------------------------------------------------------------
    def set_runs(self, runs: list[RunSpec], colors: list[str]) -> None:
        """Show these runs; keeps the selected row where it still exists (emits nothing)."""
        selected = self.selected_run()
        self._programmatic = True
        try:
            self.model.set_runs(list(runs), list(colors))
        finally:
            self._programmatic = False
        if runs:
            self.select_run(min(max(selected, 0), len(runs) - 1))
        self._update_buttons()

    def update_live(
        self, run: int, step: int, loss: float, grad_norm: float, learning_rate: float
    ) -> None:
        self.model.update_live(run, step, loss, grad_norm, learning_rate)

    def update_live_rows(self, numbers: dict[int, tuple[int, float, float, float]]) -> None:
        """``{run: (step, loss, gradient norm, learning rate)}`` for several runs at once."""
        self.model.update_live_rows(numbers)

    def set_verdict(self, run: int, verdict: str | None, oscillated: bool,
                    criterion: str = "") -> None:
        self.model.set_verdict(run, verdict, oscillated, criterion)

    def selected_run(self) -> int:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def select_run(self, run: int) -> None:
        """Select row ``run`` (-1 clears the selection); emits nothing."""
        self._programmatic = True
        try:
            selection = self.view.selectionModel()
            if 0 <= run < self.model.rowCount():
                flags = (
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows
                )
                selection.select(self.model.index(run, 0), flags)
                selection.setCurrentIndex(
                    self.model.index(run, 0), QItemSelectionModel.SelectionFlag.NoUpdate
                )
            else:
                selection.clearSelection()
        finally:
            self._programmatic = False
        self._update_buttons()

    def run_count(self) -> int:
        return self.model.rowCount()

    # --- the user's actions ----------------------------------------------------------------
    def _on_selection(self, *_args) -> None:
        self._update_buttons()
        if not self._programmatic:
            self.selection_changed.emit(self.selected_run())

    def _duplicate(self) -> None:
        run = self.selected_run()
        if run >= 0 and self.duplicate_button.isEnabled():
            self.duplicate_requested.emit(run)

    def _remove(self) -> None:
        run = self.selected_run()
        if run >= 0 and self.remove_button.isEnabled():
            self.remove_requested.emit(run)

    def _update_buttons(self) -> None:
        count = self.model.rowCount()
        selected = self.selected_run() >= 0
        self.add_button.setEnabled(count < MAX_LIVE_RUNS)
        self.duplicate_button.setEnabled(selected and count < MAX_LIVE_RUNS)
        self.remove_button.setEnabled(selected and count > 1)
