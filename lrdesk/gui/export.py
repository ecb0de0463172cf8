"""Exports for slides and handouts: figures as PNG (at a chosen width) or SVG, runs as CSV,
a figure on the clipboard, and the File > Export menu that offers them (and the animation).

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
from PySide6.QtGui import QAction, QImage, QKeySequence, QPen
from PySide6.QtWidgets import QApplication, QDockWidget, QMenu, QWidget

from lrdesk.core.history import RunHistory
from lrdesk.core.simulation import RunEvent
from lrdesk.core.spec import ExperimentSpec
from lrdesk.gui.settings import settings_store

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


def export_png(view: pg.GraphicsView, path: str | os.PathLike, width: int) -> QImage:
    """Save the figure as a PNG ``width`` pixels wide; returns the image written."""
    image = figure_image(view, width)
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


def copy_figure(view: pg.GraphicsView) -> QImage:
    """Put the figure on the clipboard at twice its size on screen (crisp when pasted)."""
    width = min(max(2 * view.width(), MIN_PNG_WIDTH), MAX_PNG_WIDTH)
    image = figure_image(view, width)
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

    from lrdesk.gui.step_columns import axis_names, history_arrays, steps_taken

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


def remembered_folder() -> str:
    value = settings_store().value("export/folder", "")
    return value if isinstance(value, str) and os.path.isdir(value) else str(Path.home())


def remember_folder(path: str) -> None:
    settings_store().setValue("export/folder", str(Path(path).parent))


def ask_save_path(parent: QWidget, title: str, name: str, pattern: str) -> str | None:
    """A save dialog opened in the last export folder; None when cancelled."""
    from PySide6.QtWidgets import QFileDialog  # only when asked: it slows the start

    path, _ = QFileDialog.getSaveFileName(
        parent, title, str(Path(remembered_folder()) / name), pattern
    )
    if not path:
        return None
    remember_folder(path)
    return path


# ------------------------------------------------------------------------------------------
# The File > Export menu
# ------------------------------------------------------------------------------------------
def find_figures(window) -> dict[str, pg.GraphicsView]:
    """The figures of the window by name: canvas, loss plot, then every plot in a dock."""
    figures = {"Canvas": window.canvas.plot_widget, "Loss plot": window.loss_plot.plot_widget}
    known = set(map(id, figures.values()))
    for dock in window.findChildren(QDockWidget):
        views = [v for v in dock.findChildren(pg.GraphicsView) if id(v) not in known]
        for n, view in enumerate(views, start=1):
            name = dock.windowTitle().replace("&", "") or "Figure"
            figures[name if len(views) == 1 else f"{name} {n}"] = view
            known.add(id(view))
    return figures


class ExportActions:
    """The export actions of one window; each ``export_*`` method also works without dialogs."""

    def __init__(self, window) -> None:
        self.window = window
        self.animation = None  # the running AnimationExport, if any

    # --- work ---------------------------------------------------------------------------------
    def export_figure(self, name: str, fmt: str, path: str, width: int = PNG_WIDTHS[1]) -> None:
        view = find_figures(self.window)[name]
        if fmt == "svg":
            export_svg(view, path, f"LR Desk: {name}")
        else:
            export_png(view, path, width)
        self._tell(f"Saved {Path(path).name}")

    def export_runs(self, path: str) -> None:
        window = self.window
        text = runs_csv(window.spec(), window.histories(), window.events())
        write_file(path, text.encode("utf-8"))
        self._tell(f"Saved {Path(path).name}")

    def copy(self) -> None:
        focus = QApplication.focusWidget()
        figures = find_figures(self.window).values()
        view = next((v for v in figures if focus is not None and v.isAncestorOf(focus)), None)
        if view is None:
            view = next((v for v in figures if v is focus), self.window.canvas.plot_widget)
        copy_figure(view)
        self._tell("Figure copied: paste it into your slides or notes")

    # --- menu handlers ------------------------------------------------------------------------
    def ask_figure(self, name: str, fmt: str) -> None:
        from lrdesk.gui.export_dialogs import FigureExportDialog

        dialog = FigureExportDialog(find_figures(self.window), name, fmt, self.window)
        if not dialog.exec():
            return
        name, fmt, width = dialog.choice()
        stem = name.lower().replace(" ", "-")
        pattern = "SVG pictures (*.svg)" if fmt == "svg" else "PNG pictures (*.png)"
        path = ask_save_path(self.window, f"Export the {name.lower()}", f"{stem}.{fmt}", pattern)
        if path:
            self._guard(lambda: self.export_figure(name, fmt, _with_suffix(path, fmt), width))

    def ask_runs(self) -> None:
        path = ask_save_path(self.window, "Export the runs as CSV", "runs.csv", "CSV files (*.csv)")
        if path:
            self._guard(lambda: self.export_runs(_with_suffix(path, "csv")))

    def ask_animation(self) -> None:
        from lrdesk.gui.animation import start_window_animation

        self.animation = start_window_animation(self.window, self)

    def stop(self) -> None:
        """Cancel an animation still being drawn (the window is closing)."""
        if self.animation is not None and self.animation.running:
            self.animation.cancel()

    def _guard(self, work) -> bool:
        try:
            work()
        except ExportError as exc:
            from PySide6.QtWidgets import QMessageBox  # only on failure: it slows the start

            QMessageBox.warning(self.window, "Export", str(exc))
            return False
        return True

    def _tell(self, message: str) -> None:
        status = getattr(self.window, "statusBar", None)
        if callable(status):
            status().showMessage(message, 6000)


def _add_before_quit(file_menu: QMenu, actions: list[QAction]) -> None:
    """Put our entries in their own group above Quit (or at the end if there is no Quit)."""
    items = file_menu.actions()
    quit_at = next(
        (i for i, a in enumerate(items) if a.menuRole() == QAction.MenuRole.QuitRole), len(items)
    )
    if quit_at > 0 and quit_at < len(items) and items[quit_at - 1].isSeparator():
        quit_at -= 1  # keep Quit's own separator right above it
    if quit_at == len(items):
        file_menu.addSeparator()
        file_menu.addActions(actions)
    else:
        file_menu.insertSeparator(items[quit_at])
        file_menu.insertActions(items[quit_at], actions)


def _with_suffix(path: str, suffix: str) -> str:
    return path if path.lower().endswith(f".{suffix}") else f"{path}.{suffix}"


def install(window) -> ExportActions:
    """Add File > Export (figures, runs, animation) and Copy figure (Ctrl+Shift+C)."""
    actions = ExportActions(window)
    file_menu = window.menu("File")
    menu = QMenu("&Export", window)
    menu.setToolTipsVisible(True)
    entries = [
        ("Canvas as &PNG…", "Save the canvas as a picture, at a width for slides",
         lambda: actions.ask_figure("Canvas", "png")),
        ("Canvas as &SVG…", "Save the canvas as a vector drawing",
         lambda: actions.ask_figure("Canvas", "svg")),
        ("&Loss plot as PNG…", "Save the loss plot as a picture",
         lambda: actions.ask_figure("Loss plot", "png")),
        ("Loss plot as S&VG…", "Save the loss plot as a vector drawing",
         lambda: actions.ask_figure("Loss plot", "svg")),
        ("Any &figure…", "Choose any figure of the window (sweeps too) and how to save it",
         lambda: actions.ask_figure("Canvas", "png")),
        None,
        ("&Runs as CSV…", "Save every recorded step of every run as a spreadsheet table",
         actions.ask_runs),
        ("&Animation as GIF…", "Save the runs as an animated picture for slides",
         actions.ask_animation),
    ]
    for entry in entries:
        if entry is None:
            menu.addSeparator()
            continue
        text, tip, slot = entry
        action = menu.addAction(text)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
    copy = QAction("Copy &figure", window)
    copy.setShortcut(QKeySequence("Ctrl+Shift+C"))
    copy.setToolTip("Copy the canvas (or the figure you clicked last) to the clipboard")
    copy.setStatusTip(copy.toolTip())
    copy.triggered.connect(lambda: actions._guard(actions.copy))
    _add_before_quit(file_menu, [menu.menuAction(), copy])
    window.addAction(copy)  # the shortcut works wherever the focus is
    actions.menu, actions.copy_action = menu, copy
    closing = getattr(window, "about_to_close", None)
    if closing is not None:
        closing.connect(actions.stop)
    return actions
