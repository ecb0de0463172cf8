"""The canvas's key: each run's colour, marker and learning rate, and its state (dashed when
it diverged), in a corner of the plot, so a screenshot or an exported figure explains itself."""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtGui import QColor

from lrdesk.core.experiment.spec import RunSpec
from lrdesk.core.optim.optimizers import OPTIMIZERS
from lrdesk.gui.shared.formatting import format_rate
from lrdesk.gui.shared.palette import Theme
from lrdesk.gui.shared.plot_base import DOT_SIZE, PATH_WIDTH, Sizes, make_pen

#: the key sits at the top centre, where a bowl-shaped curve leaves the most room
ANCHOR = ((0.5, 0.0), (0.5, 0.0), (0.0, 6.0))  # item point, parent point, offset in pixels
Z_LEGEND = 60


@dataclass(frozen=True)
class LegendEntry:
    label: str  # 'Run 1: α = 0.01'
    color: str
    symbol: str
    diverged: bool = False

    def text(self) -> str:
        return f"{self.label} · diverged (dashed)" if self.diverged else self.label


def run_label(number: int, run: RunSpec) -> str:
    """'Run 1: α = 0.01', with the optimizer named when it is not plain gradient descent."""
    name = "" if run.optimizer == "sgd" else f", {OPTIMIZERS[run.optimizer].title}"
    return f"Run {number}: α = {format_rate(run.learning_rate)}{name}"


class RunLegend:
    """A ``pg.LegendItem`` over the view box; rebuilt only when an entry changes."""

    def __init__(self, plot_item: pg.PlotItem) -> None:
        self.item = pg.LegendItem(offset=None, verSpacing=-4)
        self.item.setParentItem(plot_item.getViewBox())
        self.item.setZValue(Z_LEGEND)
        item_pos, parent_pos, offset = ANCHOR
        self.item.anchor(itemPos=item_pos, parentPos=parent_pos, offset=offset)
        self._entries: tuple[LegendEntry, ...] = ()
        self._style: tuple | None = None
        self._samples: list[pg.PlotDataItem] = []
        self.item.hide()

    def entries(self) -> tuple[LegendEntry, ...]:
        return self._entries

    def texts(self) -> list[str]:
        return [label.text for _sample, label in self.item.items]

    def samples(self) -> list[pg.PlotDataItem]:
        return list(self._samples)

    def show(self, entries: list[LegendEntry], theme: Theme, sizes: Sizes, point_size: float) -> None:
        """Show ``entries``. A change of state or label restyles the entries in place, a run
        more or fewer adds or removes only its row (runs restart many times a second while a
        rate slider is dragged, and making a legend row costs milliseconds)."""
        style = (theme.name, round(sizes.line, 3), round(sizes.marker, 3), round(point_size, 1))
        entries = tuple(entries)
        if entries == self._entries and style == self._style:
            return
        common = min(len(entries), len(self._entries))
        same_runs = style == self._style and [(e.color, e.symbol) for e in entries[:common]] == [
            (e.color, e.symbol) for e in self._entries[:common]
        ]
        old, self._entries, self._style = self._entries, entries, style
        if not same_runs:
            self._restyle_box(theme, point_size)
            for sample in self._samples:
                self.item.removeItem(sample)
            self._samples = []
            old, common = (), 0
        rows = zip(self._samples[:common], self.item.items[:common], entries, old, strict=False)
        for sample, (shown, label), entry, before in rows:
            if entry != before:
                sample.setPen(self._pen(entry, sizes))
                label.setText(entry.text())
                shown.update()
        for sample in self._samples[len(entries):]:
            self.item.removeItem(sample)
        del self._samples[len(entries):]
        outline = pg.mkPen(QColor(theme.marker_outline), width=1.2 * sizes.marker)
        for entry in entries[len(self._samples):]:
            sample = pg.PlotDataItem(
                [0, 1], [0, 0], pen=self._pen(entry, sizes),
                symbol=entry.symbol, symbolBrush=pg.mkBrush(QColor(entry.color)),
                symbolPen=outline, symbolSize=DOT_SIZE * 1.4 * sizes.marker,
            )
            self._samples.append(sample)
            self.item.addItem(sample, entry.text())
        self.item.updateSize()
        self.item.setVisible(bool(entries))

    def _pen(self, entry: LegendEntry, sizes: Sizes):
        return make_pen(entry.color, PATH_WIDTH * sizes.line, dashed=entry.diverged)

    def _restyle_box(self, theme: Theme, point_size: float) -> None:
        background = QColor(theme.background)
        background.setAlphaF(0.85)
        self.item.setBrush(pg.mkBrush(background))
        self.item.setPen(pg.mkPen(QColor(theme.grid)))
        self.item.setLabelTextColor(QColor(theme.foreground))
        self.item.setLabelTextSize(f"{point_size:.1f}pt")
