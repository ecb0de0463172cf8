"""Small input widgets shared by the control panels: a number box and a form of named numbers."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QFormLayout, QLabel, QWidget

_SYMBOL_HELP = re.compile(r"^(\S{1,3}):\s*(.+)$")


class NumberBox(QDoubleSpinBox):
    """A spin box that shows and takes any float: '0.5', '3e-4', '1e-10'.

    Qt's own box rounds to a fixed number of decimals, which would turn ε = 1e-8 into 0. Here
    the decimals are at their maximum and the text is formatted with ``%g``. The value changes
    only when typing is finished (Enter or leaving the box), never on a half-typed number.
    """

    def __init__(self, low: float, high: float, value: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.setDecimals(323)  # Qt clamps this to what a double can hold
        self.setRange(low, high)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)
        self.setValue(value)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            partial = re.fullmatch(r"[-+]?(\d*\.?\d*)?([eE][-+]?\d*)?", stripped) is not None
            state = QValidator.State.Intermediate if partial else QValidator.State.Invalid
            return state, text, pos
        if not math.isfinite(value):
            return QValidator.State.Invalid, text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def fixup(self, text: str) -> str:
        return self.textFromValue(self.value())

    def stepBy(self, steps: int) -> None:
        """Arrow keys change the second significant digit: 0.5 -> 0.51, 3e-4 -> 3.1e-4."""
        value = self.value()
        if value == 0:
            step = min(0.1, (self.maximum() - self.minimum()) / 10)
        else:
            step = 10.0 ** (math.floor(math.log10(abs(value))) - 1)
        self.setValue(min(max(value + steps * step, self.minimum()), self.maximum()))


@dataclass(frozen=True)
class Field:
    """One named number of a form: a function parameter, a hyperparameter, a schedule setting."""

    name: str
    default: float
    low: float
    high: float
    help: str
    switch: bool = False  # an on/off setting stored as 0 or 1
    title: str | None = None  # the words shown, where they differ from the stored name

    @property
    def label(self) -> str:
        words = self.title or self.name.replace("_", " ")
        match = _SYMBOL_HELP.match(self.help)
        return f"{words} ({match.group(1)})" if match else words

    @property
    def tooltip(self) -> str:
        match = _SYMBOL_HELP.match(self.help)
        text = match.group(2) if match else self.help
        if self.switch:
            return text[0].upper() + text[1:]
        return f"{text[0].upper()}{text[1:]} (from {self.low:g} to {self.high:g})"


class ParameterForm(QWidget):
    """A form of number boxes (and check boxes for on/off settings), rebuilt per field list."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QFormLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._fields: tuple[Field, ...] = ()
        self._inputs: dict[str, NumberBox | QCheckBox] = {}

    def set_fields(self, fields: Sequence[Field]) -> None:
        if tuple(fields) == self._fields:
            return
        while self._layout.rowCount():
            self._layout.removeRow(0)
        self._fields = tuple(fields)
        self._inputs = {}
        for field in self._fields:
            widget = self._make_input(field)
            widget.setToolTip(field.tooltip)
            widget.setAccessibleName(field.label)
            label = QLabel(field.label)
            label.setToolTip(field.tooltip)
            label.setBuddy(widget)
            self._layout.addRow(label, widget)
            self._inputs[field.name] = widget
        self.setVisible(bool(self._fields))

    def _make_input(self, field: Field) -> NumberBox | QCheckBox:
        if field.switch:
            box = QCheckBox()
            box.setChecked(field.default >= 0.5)
            box.toggled.connect(self.edited)
            return box
        number = NumberBox(field.low, field.high, field.default)
        number.valueChanged.connect(self.edited)
        return number

    def fields(self) -> tuple[Field, ...]:
        return self._fields

    def values(self) -> dict[str, float]:
        out = {}
        for name, widget in self._inputs.items():
            if isinstance(widget, QCheckBox):
                out[name] = 1.0 if widget.isChecked() else 0.0
            else:
                out[name] = float(widget.value())
        return out

    def changed_values(self) -> dict[str, float]:
        """Only the values that differ from their defaults (what a spec stores)."""
        defaults = {f.name: f.default for f in self._fields}
        return {k: v for k, v in self.values().items() if v != defaults[k]}

    def set_values(self, values: Mapping[str, float]) -> None:
        """Show ``values`` (missing names show their defaults) without emitting ``edited``."""
        for field in self._fields:
            widget = self._inputs[field.name]
            value = float(values.get(field.name, field.default))
            widget.blockSignals(True)
            if isinstance(widget, QCheckBox):
                widget.setChecked(value >= 0.5)
            else:
                widget.setValue(value)
            widget.blockSignals(False)

    def input(self, name: str) -> NumberBox | QCheckBox:
        return self._inputs[name]
