"""The File > Export menu and Copy figure: the window's figures offered as PNG, SVG, CSV and GIF."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QMenu

from lrdesk.gui.export.render import (
    PNG_WIDTHS,
    ExportError,
    copy_figure,
    export_png,
    export_svg,
    runs_csv,
    write_file,
)
from lrdesk.gui.shared.dialogs import ask_save_path


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
            export_png(view, path, width, self._key_for(view))
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
        copy_figure(view, self._key_for(view))
        self._tell("Figure copied: paste it into your slides or notes")

    def _key_for(self, view: pg.GraphicsView):
        """The runs' key for the canvas and the loss plot (the pictures of the runs), else None."""
        window = self.window
        if view not in (window.canvas.plot_widget, window.loss_plot.plot_widget):
            return None
        from lrdesk.gui.export.key import window_key

        return window_key(window)

    # --- menu handlers ------------------------------------------------------------------------
    def ask_figure(self, name: str, fmt: str) -> None:
        from lrdesk.gui.export.dialogs import FigureExportDialog

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
        from lrdesk.gui.export.animation import start_window_animation

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
