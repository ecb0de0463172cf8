"""The selected run's controls: its learning rate, its optimizer and the optimizer's settings."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from lrdesk.core.experiment.spec import RunSpec
from lrdesk.core.optim.optimizers import OPTIMIZERS, resolve_hypers
from lrdesk.core.theory.hessian import Theory
from lrdesk.gui.controls.lr_control import LearningRateControl
from lrdesk.gui.shared.fields import Field, ParameterForm

#: settings stored as numbers that are really on/off switches
SWITCHES = frozenset({"centered", "amsgrad"})


def optimizer_fields(kind: str) -> list[Field]:
    return [
        Field(h.name, h.default, h.low, h.high, h.help, switch=h.name in SWITCHES)
        for h in OPTIMIZERS[kind].hypers
    ]


def rate_marks(run: RunSpec, theory: Theory) -> tuple[float | None, float | None]:
    """(stable limit, fastest rate) for the slider: the theory is that of plain descent."""
    if run.optimizer == "sgd":
        return theory.lr_max_stable, theory.lr_optimal
    return None, None  # momentum and adaptive methods move the limits: not marked


class RunControls(QGroupBox):
    """Edits the run selected in the runs table."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Selected run", parent)
        self._run = RunSpec(0.1)
        layout = QVBoxLayout(self)
        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setToolTip("The run these controls change: pick another one in the table")
        layout.addWidget(self.header)
        self.lr_control = LearningRateControl()
        self.lr_control.setToolTip("The learning rate of the selected run")
        self.lr_control.value_changed.connect(self.edited)
        layout.addWidget(self.lr_control)
        form = QFormLayout()
        self.optimizer_picker = QComboBox()
        for key, info in OPTIMIZERS.items():
            self.optimizer_picker.addItem(info.title, key)
            self.optimizer_picker.setItemData(
                self.optimizer_picker.count() - 1, info.rule, Qt.ItemDataRole.ToolTipRole
            )
        self.optimizer_picker.setToolTip("How the selected run turns the slope into a step")
        self.optimizer_picker.activated.connect(self._on_optimizer_picked)
        form.addRow("Optimizer", self.optimizer_picker)
        layout.addLayout(form)
        self.rule_label = QLabel()
        self.rule_label.setWordWrap(True)
        self.rule_label.setToolTip("The update rule: α is the learning rate, g the slope (gradient)")
        self.rule_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.rule_label)
        self.hypers = ParameterForm()
        self.hypers.edited.connect(self.edited)
        layout.addWidget(self.hypers)
        layout.addStretch(1)

    def _on_optimizer_picked(self, _index: int) -> None:
        kind = self.optimizer_picker.currentData()
        self.hypers.set_fields(optimizer_fields(kind))
        self.rule_label.setText(OPTIMIZERS[kind].rule)
        self.edited.emit()

    def show_run(self, number: int, run: RunSpec, color: str, theory: Theory) -> None:
        """Show run ``number`` (counted from 1) without emitting ``edited``."""
        self._run = run
        # rich text, not a style sheet: a style sheet would stop the theme reaching the children
        self.header.setText(f'<span style="color:{color}">●</span> <b>Run {number}</b>')
        self.optimizer_picker.blockSignals(True)
        self.optimizer_picker.setCurrentIndex(self.optimizer_picker.findData(run.optimizer))
        self.optimizer_picker.blockSignals(False)
        self.hypers.set_fields(optimizer_fields(run.optimizer))
        self.hypers.set_values(dict(run.hypers))
        self.rule_label.setText(OPTIMIZERS[run.optimizer].rule)
        self.lr_control.set_value(run.learning_rate)
        self.lr_control.set_theory(*rate_marks(run, theory))

    def read(self) -> RunSpec:
        """The shown run with this panel's rate, optimizer and settings (checked)."""
        kind = self.optimizer_picker.currentData()
        hypers = self.hypers.changed_values()
        resolve_hypers(kind, hypers)  # raises InvalidOptimizer with a readable message
        return replace(
            self._run,
            learning_rate=float(self.lr_control.value()),
            optimizer=kind,
            hypers=tuple(sorted(hypers.items())),
        )
