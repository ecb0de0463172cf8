"""The small dialogs of File > Export: which figure, which format and width; animation options."""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lrdesk.gui.export.render import MAX_PNG_WIDTH, MIN_PNG_WIDTH, PNG_WIDTHS

WIDTH_NAMES = {
    1280: "1280 pixels (slides)", 1920: "1920 pixels (full HD)", 3840: "3840 pixels (4K)"
}
CUSTOM = "Another width…"


class WidthChooser(QWidget):
    """Preset widths for slides and a spin box for any other width."""

    def __init__(
        self, presets: tuple[int, ...], default: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.presets = presets
        self.combo = QComboBox()
        for width in presets:
            self.combo.addItem(WIDTH_NAMES.get(width, f"{width} pixels"), width)
        self.combo.addItem(CUSTOM, 0)
        self.combo.setToolTip("How wide the picture will be; its height follows the figure.")
        self.custom = QSpinBox()
        self.custom.setRange(MIN_PNG_WIDTH, MAX_PNG_WIDTH)
        self.custom.setSingleStep(100)
        self.custom.setSuffix(" px")
        self.custom.setValue(default)
        self.custom.setToolTip(f"Any width from {MIN_PNG_WIDTH} to {MAX_PNG_WIDTH} pixels")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.custom)
        self.combo.currentIndexChanged.connect(self._sync)
        self.combo.setCurrentIndex(presets.index(default) if default in presets else len(presets))
        self._sync()

    def _sync(self) -> None:
        self.custom.setVisible(self.combo.currentData() == 0)

    def value(self) -> int:
        preset = self.combo.currentData()
        return int(preset) if preset else self.custom.value()


class FigureExportDialog(QDialog):
    """Which figure, PNG or SVG, and for PNG how wide."""

    def __init__(
        self,
        figures: dict[str, pg.GraphicsView],
        name: str,
        fmt: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export a figure")
        self.figures = figures
        self.figure = QComboBox()
        self.figure.addItems(list(figures))
        self.figure.setCurrentText(name if name in figures else next(iter(figures)))
        self.figure.setToolTip("The figure to save")
        self.png = QRadioButton("&PNG picture")
        self.png.setToolTip("A picture at the width you choose: best for slides")
        self.svg = QRadioButton("&SVG drawing")
        self.svg.setToolTip("A vector drawing: sharp at any size, editable in drawing programs")
        group = QButtonGroup(self)
        group.addButton(self.png)
        group.addButton(self.svg)
        (self.svg if fmt == "svg" else self.png).setChecked(True)
        formats = QHBoxLayout()
        formats.addWidget(self.png)
        formats.addWidget(self.svg)
        formats.addStretch(1)
        self.width_chooser = WidthChooser(PNG_WIDTHS, PNG_WIDTHS[1])
        self.size_label = QLabel()
        self.size_label.setToolTip("The size of the picture that will be saved")
        form = QFormLayout()
        form.addRow("&Figure:", self.figure)
        form.addRow("Format:", formats)
        form.addRow("&Width:", self.width_chooser)
        form.addRow("", self.size_label)
        _lay_out(self, form, _save_cancel(self))
        for signal in (self.figure.currentIndexChanged, self.png.toggled,
                       self.width_chooser.combo.currentIndexChanged,
                       self.width_chooser.custom.valueChanged):
            signal.connect(self._update)
        self._update()

    def _update(self, *_args) -> None:
        is_png = self.png.isChecked()
        self.width_chooser.setEnabled(is_png)
        view = self.figures[self.figure.currentText()]
        if not is_png:
            self.size_label.setText("SVG drawings have no fixed size.")
        elif view.width() > 0:
            width = self.width_chooser.value()
            height = round(width * view.height() / view.width())
            self.size_label.setText(f"The picture will be {width} × {height} pixels.")
        else:
            self.size_label.setText("This figure is hidden: show it before saving it.")

    def choice(self) -> tuple[str, str, int]:
        fmt = "png" if self.png.isChecked() else "svg"
        return self.figure.currentText(), fmt, self.width_chooser.value()


@dataclass(frozen=True)
class AnimationOptions:
    """What an animated GIF shows and how long it plays."""

    frames: int = 100
    width: int = 960
    with_loss_plot: bool = True
    seconds: float = 8.0
    hold_seconds: float = 2.0  # the last frame stays up this long before the loop restarts


GIF_WIDTHS = (640, 960, 1280)


class AnimationDialog(QDialog):
    """Frames, size, length and whether the loss plot goes beside the canvas."""

    def __init__(
        self, options: AnimationOptions | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        options = options or AnimationOptions()
        self.setWindowTitle("Export the animation")
        self.frames = QSpinBox()
        self.frames.setRange(10, 300)
        self.frames.setValue(options.frames)
        self.frames.setToolTip("How many pictures the animation is made of, spread over the run")
        self.width_chooser = WidthChooser(GIF_WIDTHS, options.width)
        self.seconds = QDoubleSpinBox()
        self.seconds.setRange(2.0, 60.0)
        self.seconds.setDecimals(1)
        self.seconds.setSuffix(" s")
        self.seconds.setValue(options.seconds)
        self.seconds.setToolTip("How long one pass through the run takes to play")
        self.loss_plot = QCheckBox("Show the loss plot beside the canvas")
        self.loss_plot.setChecked(options.with_loss_plot)
        self.loss_plot.setToolTip("Put the loss curve to the right of the canvas in every frame")
        form = QFormLayout()
        form.addRow("&Frames:", self.frames)
        form.addRow("&Width:", self.width_chooser)
        form.addRow("&Length:", self.seconds)
        form.addRow("", self.loss_plot)
        note = QLabel("An animated GIF plays in slides, web pages and chat, without LR Desk.")
        note.setWordWrap(True)
        _lay_out(self, form, note, _save_cancel(self))

    def options(self) -> AnimationOptions:
        return AnimationOptions(
            frames=self.frames.value(),
            width=self.width_chooser.value(),
            with_loss_plot=self.loss_plot.isChecked(),
            seconds=self.seconds.value(),
        )


def _save_cancel(dialog: QDialog) -> QDialogButtonBox:
    """Save and Cancel buttons that accept or reject ``dialog``."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def _lay_out(dialog: QDialog, form, *widgets) -> None:
    """The form on top, then ``widgets`` one under the other."""
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    for widget in widgets:
        layout.addWidget(widget)
