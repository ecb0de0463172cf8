"""The selected run's controls: its learning rate, its optimizer and the optimizer's settings."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from lrdesk.core.experiment.spec import RunSpec
from lrdesk.core.optim.optimizers import OPTIMIZERS, resolve_hypers
from lrdesk.core.theory.hessian import Theory
from lrdesk.core.theory.stability import limit_formula, stability_limit
from lrdesk.gui.controls.lr_control import LearningRateControl
from lrdesk.gui.shared.fields import Field, ParameterForm
from lrdesk.gui.shared.formatting import format_number

#: settings stored as numbers that are really on/off switches
SWITCHES = frozenset({"centered", "amsgrad"})
#: optimizers that rescale each step by the gradient's history: no curvature limit applies
ADAPTIVE = frozenset({"adagrad", "rmsprop", "adam"})
#: fastest/limit = κ/(κ + 1): above this (κ > 19) the two buttons read as the same number
NEARLY_SAME = 0.95


def optimizer_fields(kind: str) -> list[Field]:
    return [
        Field(h.name, h.default, h.low, h.high, h.help, switch=h.name in SWITCHES, title=h.title)
        for h in OPTIMIZERS[kind].hypers
    ]


def rate_marks(run: RunSpec, theory: Theory) -> tuple[float | None, float | None]:
    """(stable limit, fastest rate) for the slider, for this run's optimizer.

    Heavy-ball momentum and Nesterov have their own limits (``stability_limit``); the fastest
    rate 2/(λmin + λmax) is plain gradient descent's only. Adaptive methods: (None, None),
    said in words by ``theory_note``.
    """
    if run.optimizer == "sgd":
        return theory.lr_max_stable, theory.lr_optimal
    limit = stability_limit(run.optimizer, run.hyper_dict(), theory.lambda_max)
    return limit, None


def _count(value: float) -> str:
    """A large ratio for people: 2,508 rather than 2.51e+03."""
    return f"{value:,.0f}" if 100 <= value < 1e9 else format_number(value, 3)


def theory_note(run: RunSpec, theory: Theory) -> str:
    """One sentence under the slider on what the theory says about this run's rate."""
    if run.optimizer in ADAPTIVE:
        return (f"No limit or fastest rate for {OPTIMIZERS[run.optimizer].title}: it divides each "
                "step by the size of recent gradients, so its steps stay about α long whatever "
                "the curvature. Start near a tenth of the distance to cover, then adjust.")
    kappa = theory.condition_number
    limit, fastest = rate_marks(run, theory)
    if fastest is not None and limit is not None and kappa is not None and fastest > NEARLY_SAME * limit:
        return (f"Fastest and Limit almost coincide: the condition number κ = λmax/λmin = "
                f"{_count(kappa)} is large, and the fastest rate 2/(λmin + λmax) "
                "tends to the limit 2/λmax as λmin becomes small next to λmax.")
    if limit is not None and run.optimizer != "sgd":
        formula = limit_formula(run.optimizer, run.hyper_dict())
        return f"Limit for {OPTIMIZERS[run.optimizer].title}: {formula}."
    return ""


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
        self.theory_label = QLabel()
        self.theory_label.setWordWrap(True)
        self.theory_label.setToolTip("What the theory of the curvature says about this run's rate")
        self.theory_label.hide()
        layout.addWidget(self.theory_label)
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
        limit_tip = None
        if run.optimizer in ("momentum", "nesterov"):
            limit_tip = (f"Above this learning rate {OPTIMIZERS[run.optimizer].title.lower()} "
                         f"overshoots more at every step and diverges here: "
                         f"{limit_formula(run.optimizer, run.hyper_dict())}.")
        self.lr_control.set_theory(*rate_marks(run, theory), limit_tip)
        note = theory_note(run, theory)
        self.theory_label.setText(note)
        self.theory_label.setVisible(bool(note))

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
