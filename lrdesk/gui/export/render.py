"""Exports for slides and handouts: figures as PNG (at a chosen width) or SVG, runs as CSV,
a figure on the clipboard. The File > Export menu that offers them is in ``menu``.

Every file is written whole to a temporary name next to the target and then renamed over it,
so a failed or cancelled export never leaves half a file behind.
"""

from __future__ import annotations

import contextlib
import html
import io
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage, QPen
from PySide6.QtWidgets import QApplication

from lrdesk.core.experiment.history import RunHistory
from lrdesk.core.experiment.simulation import RunEvent
from lrdesk.core.experiment.spec import ExperimentSpec

PNG_WIDTHS = (1280, 1920, 3840)
MIN_PNG_WIDTH, MAX_PNG_WIDTH = 200, 8000


class ExportError(Exception):
    """An export that could not be done; the message says why in plain words."""


# ------------------------------------------------------------------------------------------
# Figures
# ------------------------------------------------------------------------------------------
def figure_image(view: pg.GraphicsView, width: int) -> QImage:
    """The whole figure drawn at ``width`` pixels (height in proportion), text scaled along."""
    width = int(width)
    if not MIN_PNG_WIDTH <= width <= MAX_PNG_WIDTH:
        raise ExportError(f"The width must be from {MIN_PNG_WIDTH} to {MAX_PNG_WIDTH} pixels.")
    return render_figure(view, width)


def render_figure(view: pg.GraphicsView, width: int) -> QImage:
    """Draw the figure's scene at ``width`` pixels, whatever its size on screen."""
    if view.width() <= 0 or view.height() <= 0:
        raise ExportError("This figure is not on screen yet: show it, then export it.")
    from pyqtgraph.exporters import ImageExporter  # only on export: it slows the start

    exporter = ImageExporter(view.scene())
    exporter.parameters()["width"] = max(1, int(width))
    with _curves_scaled(view, width / view.width()):
        image = exporter.export(toBytes=True)
    if image is None or image.isNull():
        raise ExportError("The figure could not be drawn.")
    return image


@contextlib.contextmanager
def _curves_scaled(view: pg.GraphicsView, factor: float):
    """Thicken the curves by ``factor`` while a bigger picture is drawn, then restore them.

    pyqtgraph draws curves with cosmetic pens, which ignore the export's scaling: without this
    a 4K picture for slides would show the runs as hairlines next to large text.
    """
    changed = []
    items = view.scene().items() if factor > 1.05 else []
    for item in items:
        # a PlotDataItem hands its own pens to its curve whenever it redraws: scale its pens
        owned = isinstance(item, pg.PlotCurveItem) and isinstance(
            item.parentItem(), pg.PlotDataItem
        )
        if not isinstance(item, (pg.PlotDataItem, pg.PlotCurveItem)) or owned:
            continue
        for key, setter in (("pen", item.setPen), ("shadowPen", item.setShadowPen)):
            pen = item.opts.get(key)
            if not isinstance(pen, QPen):
                continue
            thicker = QPen(pen)
            thicker.setWidthF(max(pen.widthF(), 1.0) * factor)
            changed.append((setter, QPen(pen)))
            setter(thicker)
    try:
        yield
    finally:
        for setter, original in reversed(changed):
            setter(original)


def image_bytes(image: QImage, fmt: str = "PNG") -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    ok = image.save(buffer, fmt)
    buffer.close()
    if not ok:
        raise ExportError(f"The picture could not be encoded as {fmt}.")
    return bytes(data.data())


def keyed_image(view: pg.GraphicsView, width: int, key) -> QImage:
    """The figure at ``width``; with a key around it, the plot's own legend is left out (the
    key says the same, and more)."""
    if key is None:
        return figure_image(view, width)
    shown = [item for item in view.scene().items()
             if isinstance(item, pg.LegendItem) and item.isVisible()]
    for item in shown:
        item.hide()
    try:
        return figure_image(view, width)
    finally:
        for item in shown:
            item.show()


def export_png(view: pg.GraphicsView, path: str | os.PathLike, width: int, key=None) -> QImage:
    """Save the figure as a PNG ``width`` pixels wide, with ``key`` (a ``key.FigureKey``: title
    and legend) around it if given; returns the image written."""
    image = keyed_image(view, width, key)
    if key is not None:
        from lrdesk.gui.export.key import with_key

        image = with_key(image, key)
    write_file(path, image_bytes(image, "PNG"))
    return image


def export_svg(
    view: pg.GraphicsView, path: str | os.PathLike, title: str = "LR Desk figure"
) -> None:
    """Save the figure as SVG (vector: sharp at any size, editable in slide software)."""
    if view.width() <= 0 or view.height() <= 0:
        raise ExportError("This figure is not on screen yet: show it, then export it.")
    from pyqtgraph.exporters import SVGExporter  # only on export: it slows the start

    try:
        data = SVGExporter(view.scene()).export(toBytes=True)
    except ValueError as exc:  # pyqtgraph 0.14 with Qt >= 6.11 (see STACK.md)
        raise ExportError(f"SVG export failed in the plotting library ({exc}).") from None
    text = data.decode("utf-8").replace(
        "<title>pyqtgraph SVG export</title>", f"<title>{html.escape(title)}</title>", 1
    )
    write_file(path, text.encode("utf-8"))


def copy_figure(view: pg.GraphicsView, key=None) -> QImage:
    """Put the figure on the clipboard at twice its size on screen (crisp when pasted), with
    ``key`` around it if given."""
    width = min(max(2 * view.width(), MIN_PNG_WIDTH), MAX_PNG_WIDTH)
    image = keyed_image(view, width, key)
    if key is not None:
        from lrdesk.gui.export.key import with_key

        image = with_key(image, key)
    QApplication.clipboard().setImage(image)
    return image


# ------------------------------------------------------------------------------------------
# Runs as CSV
# ------------------------------------------------------------------------------------------
def runs_csv(
    spec: ExperimentSpec,
    histories: list[RunHistory],
    events: Mapping[int, RunEvent] | None = None,
) -> str:
    """Every recorded row of every run, one line each, at full precision.

    Where a run ended (its verdict step, or the budget's last point) no step is taken, so the
    rate and update cells of that row are left empty.
    """
    import csv  # this and the next: only on export, they slow the start

    from lrdesk.gui.lessons.step_columns import axis_names, history_arrays, steps_taken

    events = events or {}
    dim = len(spec.start)
    axes = axis_names(dim)
    suffix = [""] if dim == 1 else [f"_{a}" for a in axes]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["run", "optimizer", "base_learning_rate", "step", *axes, "loss",
         *[f"gradient{s}" for s in suffix], "learning_rate", *[f"update{s}" for s in suffix]]
    )
    for run, (run_spec, history) in enumerate(zip(spec.runs, histories, strict=False)):
        if len(history) == 0:
            continue
        fixed = [run + 1, run_spec.optimizer, repr(run_spec.learning_rate)]
        event = events.get(run)
        taken = steps_taken(history_arrays(history), None if event is None else event.step)
        for r in range(len(history)):
            rate = history.learning_rates[r]
            step_taken = bool(taken[r])
            writer.writerow(
                [*fixed, int(history.steps[r]), *_numbers(history.positions[r]),
                 repr(float(history.losses[r])), *_numbers(history.gradients[r]),
                 repr(float(rate)) if step_taken else "",
                 *(_numbers(history.updates[r]) if step_taken else [""] * dim)]
            )
    return out.getvalue()


def _numbers(values) -> list[str]:
    return [repr(float(v)) for v in values]


# ------------------------------------------------------------------------------------------
# Files
# ------------------------------------------------------------------------------------------
def write_file(path: str | os.PathLike, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step; raises ExportError in plain words."""
    target = Path(path)
    try:
        handle, temp = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent or "."
        )
    except OSError as exc:
        raise ExportError(f"Cannot write in {target.parent}: {exc.strerror or exc}.") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise ExportError(f"Cannot save {target.name}: {exc.strerror or exc}.") from None
