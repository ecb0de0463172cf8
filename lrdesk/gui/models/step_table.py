"""The step table of the Model training tool: for the selected run, one row per step with its
minibatch, loss, gradient norm ‖g‖, learning rate α and the size of the update it made ‖Δθ‖.

The rows are read from the newest snapshot's arrays when Qt asks for them, so a run of a million
steps costs no more to show than one of ten.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QAbstractTableModel, Qt
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

COLUMNS = ("Step", "Batch", "Loss", "‖g‖", "α", "‖Δθ‖")
TIPS = ("The step number",
        "Which minibatch of which epoch the step used: '2/3 e1' is batch 2 of 3 in epoch 1 "
        "('full': every training row)",
        "The training loss on that minibatch, before the step",
        "Gradient norm: the length of the gradient g at that step",
        "Alpha: the learning rate used at that step, after the schedule",
        "Update size: how far the step moved the parameters, ‖θ after − θ before‖")


def batch_words(step: int, per_epoch: int) -> str:
    """'full' for full-batch training, else 'b/per e<epoch>' (both counted from 1)."""
    if per_epoch <= 1:
        return "full"
    epoch, index = divmod(int(step), per_epoch)
    return f"{index + 1}/{per_epoch} e{epoch + 1}"


def number(value: float) -> str:
    value = float(value)
    return "—" if not math.isfinite(value) else f"{value:.4g}"  # the tooltip has every digit


class StepModel(QAbstractTableModel):
    """The rows of one run of a ``Snapshot``."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._snap = None
        self._run = 0

    def show(self, snap, run: int) -> None:
        self.beginResetModel()
        self._snap, self._run = snap, run
        self.endResetModel()

    def rowCount(self, parent=None) -> int:  # Qt override
        if (parent is not None and parent.isValid()) or self._snap is None or self._snap.alpha is None:
            return 0
        return len(self._snap.steps)

    def columnCount(self, parent=None) -> int:  # Qt override
        return 0 if parent is not None and parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # Qt override
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return TIPS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # Qt override
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell(index.row(), index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() >= 2:
            return repr(self.value(index.row(), index.column()))
        return None

    def cell(self, row: int, column: int) -> str:
        snap, k = self._snap, self._run
        step = int(snap.steps[row])
        if column == 0:
            return str(step)
        if column == 1:
            per = snap.per_epoch[k] if snap.per_epoch else 1
            return batch_words(step, per)
        return number(self.value(row, column))

    def value(self, row: int, column: int) -> float:
        """The number in a column from the third on (loss, ‖g‖, α, ‖Δθ‖), every digit."""
        snap = self._snap
        source = (snap.train_loss, snap.grad_norm, snap.alpha, snap.update_norm)[column - 2]
        return float(source[row, self._run])


class ModelStepTable(QTableView):
    """The step table: ``show(snapshot, run)`` after training or when another run is picked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = StepModel(self)
        self.setModel(self.rows)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)

    def show_run(self, snap, run: int) -> None:
        self.rows.show(snap, run)
