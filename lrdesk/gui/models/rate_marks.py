"""The stable limit and the fastest rate beside the model tool's learning rates, as on a surface.

For linear regression the loss is exactly a quadratic bowl (``core.models.theory``), so the rate
above which plain gradient descent diverges, 2/λmax, and the fastest one, 2/(λmin + λmax), are
known before training. The two buttons show them with the slider's marks (green: fastest, red:
limit); a click adds that rate to the runs. For other models they are hidden: no rate is exact.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QWidget

from lrdesk.core.models.data_setup import make_data
from lrdesk.core.models.theory import linear_theory
from lrdesk.core.optim.catalog import resolve_hypers
from lrdesk.gui.controls.lr_widgets import mark_icon
from lrdesk.gui.shared.formatting import format_number
from lrdesk.gui.shared.palette import ALARM_COLOR, FASTEST_COLOR

MAX_RATES = 8


def exact_rates(data_spec, model_kind: str, optimizer: str = "sgd"
                ) -> tuple[float | None, float | None]:
    """(2/λmax, 2/(λmin + λmax)) of the data for linear regression by plain gradient descent;
    with heavy-ball momentum β the limit (2 + 2β)/λmax and no fastest rate (it depends on β
    too); Nones for other models and optimizers, where no rate is exact."""
    if model_kind != "linear" or optimizer not in ("sgd", "momentum"):
        return None, None
    try:
        data = make_data(data_spec)
    except (ValueError, OSError):
        return None, None
    if data.task != "regression":
        return None, None
    theory = linear_theory(data)
    if optimizer == "momentum":
        beta = resolve_hypers("momentum", {})["momentum"]
        return (2.0 + 2.0 * beta) * theory.lr_max_stable / 2.0, None
    return theory.lr_max_stable, theory.lr_optimal


class RateMarks(QWidget):
    """"Fastest" and "Limit" buttons for the rates field; ``refresh`` recomputes them."""

    def __init__(self, rates: QLineEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rates = rates
        self.limit: float | None = None
        self.optimizer = "sgd"
        self.fastest: float | None = None
        self.fastest_button = QPushButton(self)
        self.fastest_button.setIcon(mark_icon(FASTEST_COLOR))
        self.fastest_button.clicked.connect(lambda: self.add_rate(self.fastest))
        self.limit_button = QPushButton(self)
        self.limit_button.setIcon(mark_icon(ALARM_COLOR))
        self.limit_button.clicked.connect(lambda: self.add_rate(self.limit))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.fastest_button)
        row.addWidget(self.limit_button)
        row.addStretch(1)
        self.show_rates(None, None)

    def refresh(self, data_spec, model_kind: str, optimizer: str = "sgd") -> None:
        self.optimizer = optimizer
        self.show_rates(*exact_rates(data_spec, model_kind, optimizer))

    def show_rates(self, limit: float | None, fastest: float | None) -> None:
        self.limit, self.fastest = limit, fastest
        for button, name, rate, tip in (
            (self.fastest_button, "Fastest", fastest, "The rate that gets plain gradient descent "
             "to the best fit in the fewest steps: 2 / (smallest + largest curvature)."),
            (self.limit_button, "Limit", limit, "Above this rate gradient descent with "
             "momentum β diverges: (2 + 2β) / (largest curvature)." if self.optimizer ==
             "momentum" else "Above this rate plain gradient descent overshoots more at every "
             "step and diverges: 2 / (largest curvature)."),
        ):
            button.setVisible(rate is not None)
            if rate is not None:
                button.setText(f"{name}: {format_number(rate, 3)}")
                button.setToolTip(f"{tip} Exact here: the loss of linear regression is a "
                                  "quadratic bowl. Click to add this rate to the runs.")

    def add_rate(self, rate: float | None) -> None:
        """Add ``rate`` (3 significant digits, as shown) to the rates, unless there already."""
        if rate is None:
            return
        text = f"{rate:.3g}"
        parts = [p for p in self.rates.text().replace(";", ",").replace(" ", ",").split(",") if p]
        if text in parts or len(parts) >= MAX_RATES:
            return
        self.rates.setText(", ".join([*parts, text]))
