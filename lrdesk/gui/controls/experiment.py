"""The experiment panel: loss function and its constants, start point, budget and schedule.

The panel never changes a spec itself. Any edit emits ``edited``; the window (after a short
debounce) calls ``read(spec)`` for a new spec and, once it is in use, ``show_spec`` to show it.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lrdesk.core.experiment.edits import set_start, switch_function
from lrdesk.core.experiment.spec import MAX_COORD, MAX_STEPS, ExperimentSpec
from lrdesk.core.optim.schedules import _LIMITS as SCHEDULE_LIMITS
from lrdesk.core.optim.schedules import SCHEDULE_TITLES, SCHEDULES, ScheduleSpec
from lrdesk.core.surfaces import CUSTOM, FUNCTIONS, LossFunction
from lrdesk.gui.shared.fields import Field, NumberBox, ParameterForm

SCHEDULE_HELP = {
    "step_size": "how many steps pass between two cuts of the rate",
    "gamma": "what the rate is multiplied by at each cut (step) or each step (exponential)",
    "decay": "how fast the rate shrinks: it is divided by 1 + decay × step",
    "t_max": "how many steps the rate takes to glide down to its lowest value",
    "min_factor": "the lowest the rate gets, as a share of the starting rate",
}
CUSTOM_TITLE = "Your own function…"


def schedule_fields(kind: str) -> list[Field]:
    return [
        Field(name, default, *SCHEDULE_LIMITS[name], SCHEDULE_HELP[name])
        for name, default in SCHEDULES[kind].items()
    ]


def function_fields(function_class: type[LossFunction]) -> list[Field]:
    return [Field(p.name, p.default, p.low, p.high, p.help) for p in function_class.parameters]


class FunctionPicker(QComboBox):
    """Every built-in surface, grouped into curves (1-D) and surfaces (2-D), then 'your own'."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip("The loss surface the runs descend on")
        self.setAccessibleName("Loss function")
        self._add_group("Curves: one weight w", 1)
        self._add_group("Surfaces: two weights x and y", 2)
        self._add_header("Type it in")
        self.addItem(CUSTOM_TITLE, CUSTOM)
        self.setItemData(self.count() - 1, "Type a formula in w, or in x and y", Qt.ItemDataRole.ToolTipRole)

    def _add_group(self, title: str, dim: int) -> None:
        self._add_header(title)
        for key, cls in FUNCTIONS.items():
            if cls.dim == dim:
                self.addItem(cls.title, key)
                tip = f"{cls.formula}\n{cls.description}"
                self.setItemData(self.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)

    def _add_header(self, title: str) -> None:
        self.addItem(title)
        model = self.model()
        assert isinstance(model, QStandardItemModel)
        item = model.item(self.count() - 1)
        item.setEnabled(False)
        font = QFont(item.font())
        font.setBold(True)
        item.setFont(font)

    def key(self) -> str:
        return self.currentData()

    def set_key(self, key: str) -> None:
        index = self.findData(key)
        if index >= 0:
            self.setCurrentIndex(index)


class ExperimentControls(QWidget):
    """Loss function, start point, steps budget, tolerance and schedule."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._expression = ""
        self._custom_editor: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self._function_box())
        layout.addWidget(self._start_box())
        layout.addWidget(self._budget_box())
        layout.addWidget(self._schedule_box())
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setObjectName("controlsError")
        self.error_label.setStyleSheet("color: #E4002B;")
        self.error_label.hide()
        layout.addWidget(self.error_label)
        layout.addStretch(1)

    # --- building ------------------------------------------------------------------------
    def _function_box(self) -> QGroupBox:
        box = QGroupBox("Loss function")
        layout = QVBoxLayout(box)
        self.function_picker = FunctionPicker()
        self.function_picker.activated.connect(self._on_function_picked)
        layout.addWidget(self.function_picker)
        self.formula_label = QLabel()
        self.formula_label.setWordWrap(True)
        self.formula_label.setToolTip("The formula of the loss and its constants")
        self.formula_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.formula_label)
        self.function_params = ParameterForm()
        self.function_params.edited.connect(self.edited)
        layout.addWidget(self.function_params)
        # the typed-function editor goes here, built the first time it is chosen
        self.custom_slot = QWidget()
        QVBoxLayout(self.custom_slot).setContentsMargins(0, 0, 0, 0)
        self.custom_slot.hide()
        layout.addWidget(self.custom_slot)
        return box

    def _start_box(self) -> QGroupBox:
        box = QGroupBox("Start point")
        box.setToolTip("Where every run starts. You can also click or drag on the picture.")
        self._start_form = QFormLayout(box)
        self.start_boxes: list[NumberBox] = []
        for name in ("x", "y"):
            number = NumberBox(-MAX_COORD, MAX_COORD, 0.0)
            number.setToolTip(f"Starting value of {name}; or click the picture to move the start")
            number.valueChanged.connect(self.edited)
            self._start_form.addRow(name, number)
            self.start_boxes.append(number)
        return box

    def _budget_box(self) -> QGroupBox:
        box = QGroupBox("When to stop")
        form = QFormLayout(box)
        self.steps_box = QSpinBox()
        self.steps_box.setRange(1, MAX_STEPS)
        self.steps_box.setGroupSeparatorShown(True)
        self.steps_box.setKeyboardTracking(False)
        self.steps_box.setToolTip("The most steps each run may take (from 1 to 100,000,000)")
        self.steps_box.valueChanged.connect(self.edited)
        form.addRow("Steps", self.steps_box)
        self.tolerance_box = NumberBox(0.0, 999_999.0, 1e-6)
        self.tolerance_box.setToolTip(
            "A run has arrived when the slope (the gradient's length) is below this number"
        )
        self.tolerance_box.valueChanged.connect(self.edited)
        form.addRow("Tolerance", self.tolerance_box)
        return box

    def _schedule_box(self) -> QGroupBox:
        box = QGroupBox("Learning-rate schedule")
        form = QFormLayout(box)
        self.schedule_picker = QComboBox()
        for kind, title in SCHEDULE_TITLES.items():
            self.schedule_picker.addItem(title, kind)
        self.schedule_picker.setToolTip("How the learning rate changes as the steps go by")
        self.schedule_picker.activated.connect(self._on_schedule_picked)
        form.addRow("Schedule", self.schedule_picker)
        self.schedule_params = ParameterForm()
        self.schedule_params.edited.connect(self.edited)
        form.addRow(self.schedule_params)
        self.warmup_steps_box = QSpinBox()
        self.warmup_steps_box.setRange(0, 1_000_000_000)
        self.warmup_steps_box.setKeyboardTracking(False)
        self.warmup_steps_box.setToolTip(
            "Steps at the start during which the rate grows gently to its full value (0: none)"
        )
        self.warmup_steps_box.valueChanged.connect(self.edited)
        form.addRow("Warm-up steps", self.warmup_steps_box)
        self.warmup_start_box = NumberBox(0.0, 1.0, 0.1)
        self.warmup_start_box.setToolTip("The share of the rate used at the very first warm-up step")
        self.warmup_start_box.valueChanged.connect(self.edited)
        form.addRow("Warm-up starts at", self.warmup_start_box)
        return box

    # --- user edits ------------------------------------------------------------------------
    def _on_function_picked(self, _index: int) -> None:
        is_custom = self.function_picker.key() == CUSTOM
        if is_custom:
            self._ensure_custom_editor()
        self.custom_slot.setVisible(is_custom)
        self.edited.emit()

    def _on_schedule_picked(self, _index: int) -> None:
        self.schedule_params.set_fields(schedule_fields(self.schedule_picker.currentData()))
        self.edited.emit()

    def _ensure_custom_editor(self) -> None:
        if self._custom_editor is not None:
            return
        try:
            from lrdesk.gui.controls.expression_editor import ExpressionEditor
        except ImportError:
            editor: QWidget = QLabel("Typing your own function is not available in this version.")
            editor.setWordWrap(True)
        else:
            editor = ExpressionEditor()
            editor.expression_accepted.connect(self._on_expression_accepted)
            if self._expression:
                editor.set_expression(self._expression)
        self._custom_editor = editor
        self.custom_slot.layout().addWidget(editor)

    def custom_editor(self) -> QWidget | None:
        """The typed-function editor, once 'Your own function…' has been chosen."""
        return self._custom_editor

    def _on_expression_accepted(self, text: str) -> None:
        self._expression = text
        self.edited.emit()

    # --- spec <-> widgets -------------------------------------------------------------------
    def read(self, spec: ExperimentSpec) -> ExperimentSpec:
        """A new spec: ``spec`` with everything this panel shows. May raise on a bad value."""
        key = self.function_picker.key()
        if key == CUSTOM and not self._expression:
            return spec  # nothing typed yet: the previous function stays in use
        expression = self._expression if key == CUSTOM else ""
        if key != spec.function or expression != spec.expression:
            return switch_function(spec, key, expression)
        start = tuple(box.value() for box in self.start_boxes[: len(spec.start)])
        if start != spec.start:
            spec = set_start(spec, start)
        schedule_kind = self.schedule_picker.currentData()
        schedule = ScheduleSpec(
            kind=schedule_kind,
            params=tuple(sorted(self.schedule_params.changed_values().items())),
            warmup_steps=self.warmup_steps_box.value(),
            warmup_start=self.warmup_start_box.value(),
        )
        return replace(
            spec,
            function_params=tuple(sorted(self.function_params.changed_values().items())),
            schedule=schedule,
            steps=self.steps_box.value(),
            tolerance=self.tolerance_box.value(),
        )

    def show_spec(self, spec: ExperimentSpec, function: LossFunction) -> None:
        """Show ``spec`` in every widget without emitting ``edited``."""
        widgets = [
            self.function_picker, self.steps_box, self.tolerance_box, self.schedule_picker,
            self.warmup_steps_box, self.warmup_start_box, *self.start_boxes,
        ]
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self._show_function(spec, function)
            self._show_start(spec.start)
            self.steps_box.setValue(spec.steps)
            self.tolerance_box.setValue(spec.tolerance)
            self._show_schedule(spec.schedule)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self.show_error(None)

    def _show_function(self, spec: ExperimentSpec, function: LossFunction) -> None:
        self.function_picker.set_key(spec.function)
        is_custom = spec.function == CUSTOM
        if is_custom:
            self._expression = spec.expression
            self._ensure_custom_editor()
            setter = getattr(self._custom_editor, "set_expression", None)
            if setter is not None and self._custom_editor.expression() != spec.expression:
                setter(spec.expression)
        self.custom_slot.setVisible(is_custom)
        fields = [] if is_custom else function_fields(type(function))
        self.function_params.set_fields(fields)
        self.function_params.set_values(dict(spec.function_params))
        self.formula_label.setText(function.describe())

    def set_start(self, start: tuple[float, ...]) -> None:
        """Show a start picked elsewhere (the canvas) without emitting ``edited``."""
        for box, value in zip(self.start_boxes, start, strict=False):
            box.blockSignals(True)
            box.setValue(float(value))
            box.blockSignals(False)

    def _show_start(self, start: tuple[float, ...]) -> None:
        names = ("w",) if len(start) == 1 else ("x", "y")
        for i, box in enumerate(self.start_boxes):
            visible = i < len(start)
            self._start_form.setRowVisible(i, visible)
            if visible:
                box.setValue(start[i])
                label = self._start_form.labelForField(box)
                label.setText(names[i])
                box.setToolTip(f"Starting value of {names[i]}; or click the picture to move the start")

    def _show_schedule(self, schedule: ScheduleSpec) -> None:
        self.schedule_picker.setCurrentIndex(self.schedule_picker.findData(schedule.kind))
        self.schedule_params.set_fields(schedule_fields(schedule.kind))
        self.schedule_params.set_values(dict(schedule.params))
        self.warmup_steps_box.setValue(schedule.warmup_steps)
        self.warmup_start_box.setValue(schedule.warmup_start)

    def shutdown(self) -> None:
        """Stop background work of the typed-function editor, if it was ever opened."""
        stop = getattr(self._custom_editor, "shutdown", None)
        if stop is not None:
            stop()

    def show_error(self, message: str | None) -> None:
        """A plain-words reason why the last edit could not be used (None hides it)."""
        self.error_label.setText(message or "")
        self.error_label.setVisible(bool(message))
