"""Feature scaling side by side: the housing bowl with raw and with standardised features.

Each side shows the loss over the two weights (the intercept at its best value), the path of
plain gradient descent at that side's fastest rate, and in words the condition number, the
stable rate and where the run got. The numbers come from ``core.models.scaling``; the view is
built the first time it is shown (a few milliseconds of arithmetic).
"""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from lrdesk.core.models.scaling import ScalingSide, compare_scaling
from lrdesk.gui.models.landscape_plot import LandscapePlot
from lrdesk.gui.shared.formatting import format_number
from lrdesk.gui.shared.palette import RUN_COLORS


def side_text(side: ScalingSide) -> str:
    t = side.theory
    low, high = t.eigenvalues[0], t.eigenvalues[-1]
    return (f"Condition number κ = λmax/λmin = {format_number(high, 3)}/{format_number(low, 3)}"
            f" = {format_number(side.condition_number, 3)}. Stable rate 2/λmax = "
            f"{format_number(t.lr_max_stable, 3)}; at the fastest rate "
            f"{format_number(t.lr_optimal, 3)} the loss went from "
            f"{format_number(side.path_loss[0], 4)} to {format_number(side.path_loss[-1], 4)} "
            f"in {len(side.path_loss) - 1} steps (best possible "
            f"{format_number(t.optimum_loss, 4)}).")


class ScalingView(QWidget):
    """Raw and standardised housing data, side by side."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sides: tuple[ScalingSide, ScalingSide] | None = None
        self.plots = [LandscapePlot(self, title=t) for t in ("Raw", "Standardised")]
        self.texts = [QLabel(self), QLabel(self)]
        intro = QLabel("House prices, fitted by linear regression with plain gradient descent "
                       "at each version's fastest rate. The loss over the two weights (the "
                       "intercept at its best value); the star is the best fit.", self)
        for label in (intro, *self.texts):  # wrapped text takes the width it is given
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(intro, 0, 0, 1, 2)
        for column, (plot, text) in enumerate(zip(self.plots, self.texts, strict=True)):
            plot.setMinimumSize(120, 120)
            plot.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
            grid.addWidget(plot, 1, column)
            grid.setColumnStretch(column, 1)
            grid.addWidget(text, 2, column)
        grid.setRowStretch(1, 1)

    def showEvent(self, event) -> None:  # Qt override
        super().showEvent(event)
        if self.sides is None:
            self.refresh()

    def refresh(self) -> None:
        self.sides = compare_scaling()
        for plot, text, side in zip(self.plots, self.texts, self.sides, strict=True):
            plot.set_grid(side.ws, side.vs, side.losses)
            plot.set_optimum(side.theory.optimum[:2])
            plot.set_paths([side.path[:, :2]], [RUN_COLORS[0]])
            first, second = side.feature_names
            plot.setLabel("bottom", f"w {first}")
            plot.setLabel("left", f"w {second}")
            text.setText(side_text(side))
