"""The key an exported picture carries, so a slide needs no hand annotation: a title with the
loss formula (and the update rule, when every run shares it) above the figure, and a legend with
each run's colour, rate and verdict below it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen

from lrdesk.core.engine.batch import VERDICTS
from lrdesk.core.experiment.simulation import RunEvent
from lrdesk.core.experiment.spec import ExperimentSpec
from lrdesk.core.optim.catalog import OPTIMIZERS
from lrdesk.gui.shared.formatting import format_rate
from lrdesk.gui.shared.palette import run_color

STILL_RUNNING = "running"
#: the widest verdict word sets every cell's width, so a GIF's frames keep one size
_LONGEST_VERDICT = max((*VERDICTS, STILL_RUNNING), key=len)


@dataclass(frozen=True)
class KeyEntry:
    """One run in the legend: its colour and what it is, e.g. 'run 1: α = 0.1, converged'."""

    color: str
    label: str  # everything but the verdict
    verdict: str

    @property
    def text(self) -> str:
        return f"{self.label}, {self.verdict}"

    @property
    def widest_text(self) -> str:
        return f"{self.label}, {_LONGEST_VERDICT}"


@dataclass(frozen=True)
class FigureKey:
    title: str
    entries: tuple[KeyEntry, ...]


def figure_key(spec: ExperimentSpec, function, events: Mapping[int, RunEvent]) -> FigureKey:
    """The key of ``spec``'s picture: ``function``'s formula, every run with its verdict so far."""
    formula = getattr(function, "formula", "") or getattr(function, "title", "")
    optimizers = {run.optimizer for run in spec.runs}
    title = formula
    if len(optimizers) == 1:
        info = OPTIMIZERS.get(next(iter(optimizers)))
        if info is not None:
            title = f"{formula}     {info.title}: {info.rule}" if formula else info.rule
    entries = []
    for index, run in enumerate(spec.runs):
        event = events.get(index)
        verdict = event.verdict if event is not None else STILL_RUNNING
        optimizer = "" if len(optimizers) == 1 else f"{_optimizer_title(run.optimizer)}, "
        label = f"run {index + 1}: {optimizer}α = {format_rate(float(f'{run.learning_rate:.3g}'))}"
        entries.append(KeyEntry(run_color(index), label, verdict))
    return FigureKey(title, tuple(entries))


def _optimizer_title(key: str) -> str:
    info = OPTIMIZERS.get(key)
    return info.title if info is not None else key


def window_key(window, revealed: bool = True) -> FigureKey:
    """The key of what ``window`` shows: verdicts the playhead has reached (or all of them)."""
    events = window.revealed_events() if revealed else window.events()
    return figure_key(window.spec(), window.function(), events)


# ------------------------------------------------------------------------------------------
# Drawing
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Layout:
    font_px: int
    pad: float
    swatch: float
    cell: float  # width of one legend cell
    columns: int
    rows: int

    @property
    def line(self) -> float:
        return self.font_px * 1.5

    @property
    def title_height(self) -> float:
        return self.line + self.pad

    @property
    def legend_height(self) -> float:
        return self.rows * self.line + self.pad


def _layout(width: int, key: FigureKey, font: QFont) -> _Layout:
    font_px = max(12, round(width / 70))
    font.setPixelSize(font_px)
    metrics = QFontMetricsF(font)
    pad, swatch = font_px * 0.6, font_px * 1.6
    widest = max((metrics.horizontalAdvance(e.widest_text) for e in key.entries), default=0.0)
    cell = swatch + pad + widest + 2 * pad
    columns = max(1, min(len(key.entries), int((width - 2 * pad) // max(cell, 1.0))))
    rows = -(-len(key.entries) // columns) if key.entries else 0
    return _Layout(font_px, pad, swatch, cell, columns, rows)


def with_key(image: QImage, key: FigureKey, background: QColor | None = None) -> QImage:
    """``image`` with ``key``'s title above it and its legend below, on ``background``
    (the figure's own: its top-left pixel, if not given)."""
    width = image.width()
    font = QFont()
    lay = _layout(width, key, font)
    background = QColor(background) if background is not None else image.pixelColor(0, 0)
    ink = QColor("#FFFFFF" if background.lightnessF() < 0.5 else "#111111")
    top, bottom = round(lay.title_height), round(lay.legend_height)
    out = QImage(width, image.height() + top + bottom, QImage.Format.Format_RGB32)
    out.fill(background)
    painter = QPainter(out)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(font)
        painter.drawImage(0, top, image)
        painter.setPen(ink)
        title_box = QRectF(lay.pad, 0, width - 2 * lay.pad, top)
        painter.drawText(title_box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         key.title)
        _draw_legend(painter, key.entries, lay, image.height() + top, ink)
    finally:
        painter.end()
    return out


def _draw_legend(painter: QPainter, entries: Sequence[KeyEntry], lay: _Layout, y0: float,
                 ink: QColor) -> None:
    for n, entry in enumerate(entries):
        row, column = divmod(n, lay.columns)
        x = lay.pad + column * lay.cell
        y = y0 + row * lay.line + lay.pad / 2
        middle = y + lay.line / 2
        pen = QPen(QColor(entry.color), lay.font_px / 4)
        if entry.verdict == "diverged":  # dashed: colour alone is not enough
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(round(x), round(middle), round(x + lay.swatch), round(middle))
        painter.setPen(ink)
        box = QRectF(x + lay.swatch + lay.pad, y, lay.cell - lay.swatch - lay.pad, lay.line)
        painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         entry.text)
