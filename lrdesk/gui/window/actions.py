"""The main window's menus and keyboard shortcuts: File, View, Run and Help.

Each action carries a tooltip and a status tip; buttons elsewhere (the playback strip) reuse
these actions, so a shortcut, a menu entry and a button always do the same thing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QStyle

from lrdesk._version import __version__

PLAY_TEXT, PAUSE_TEXT = "Play", "Pause"


def make_action(
    parent: QMainWindow,
    text: str,
    tip: str,
    slot: Callable[[], object] | None = None,
    shortcuts: tuple[str | QKeySequence, ...] = (),
) -> QAction:
    action = QAction(text, parent)
    action.setToolTip(tip if not shortcuts else f"{tip} ({_key_text(shortcuts[0])})")
    action.setStatusTip(tip)
    if shortcuts:
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
    if slot is not None:
        action.triggered.connect(lambda _checked=False: slot())
    parent.addAction(action)  # shortcuts work even while the menu bar is hidden
    return action


def _key_text(key: str | QKeySequence) -> str:
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)


class WindowActions:
    """Builds the menu bar of ``window`` and keeps its actions by name."""

    def __init__(self, window) -> None:
        self.window = window
        style = window.style()
        icon = style.standardIcon
        pixmap = QStyle.StandardPixmap
        a = make_action  # short local name: the list below reads as a table
        files = window.file_actions
        self.open = a(window, "Open…", "Open an experiment file", files.open_dialog, (QKeySequence.StandardKey.Open,))
        self.save = a(window, "Save", "Save the experiment", files.save, (QKeySequence.StandardKey.Save,))
        # no shortcut: Ctrl+Shift+S is taken by the learning-rate sweep in the Tools menu
        self.save_as = a(window, "Save As…", "Save the experiment under a new name", files.save_as)
        self.quit = a(window, "Quit", "Close LR Desk", window.close, ("Ctrl+Q",))
        self.quit.setMenuRole(QAction.MenuRole.QuitRole)

        self.play = a(window, PLAY_TEXT, "Play or pause the descent", window.toggle_play, ("Space",))
        self.play.setIcon(icon(pixmap.SP_MediaPlay))
        self.step_back = a(window, "Step back", "Go back one step", window.step_back, ("Left",))
        self.step_back.setIcon(icon(pixmap.SP_MediaSeekBackward))
        self.step = a(window, "Step", "Take one step", window.step_forward, ("Right",))
        self.step.setIcon(icon(pixmap.SP_MediaSeekForward))
        self.reset = a(window, "Reset", "Back to the start (step 0)", window.reset, ("R",))
        self.reset.setIcon(icon(pixmap.SP_MediaSkipBackward))
        self.jump_bad = a(
            window, "Jump to first bad step", "Show the first step where a run diverged or oscillated",
            window.jump_to_first_bad_step, ("B",),
        )
        self.jump_bad.setIcon(icon(pixmap.SP_MessageBoxWarning))
        self.add_run = a(window, "Add a run", "Add a run with another learning rate", window.add_suggested_run, ("Ctrl+N",))

        self.zoom_in = a(window, "Zoom in", "Make everything bigger (for a projector)", window.zoom_in, ("Ctrl+=", "Ctrl++"))
        self.zoom_out = a(window, "Zoom out", "Make everything smaller", window.zoom_out, ("Ctrl+-",))
        self.zoom_reset = a(window, "Normal size", "Back to the normal size", window.zoom_reset, ("Ctrl+0",))
        self.themes = QActionGroup(window)
        self.theme_actions: dict[str, QAction] = {}
        for name, title in (("light", "Light theme"), ("dark", "Dark theme")):
            action = a(window, title, f"Use the {name} colours", lambda n=name: window.set_theme(n))
            action.setCheckable(True)
            self.themes.addAction(action)
            self.theme_actions[name] = action

        self.about = a(window, "About LR Desk", "Version and purpose of LR Desk", window.show_about)
        self.about.setMenuRole(QAction.MenuRole.AboutRole)
        self._build_menus(files)

    def _build_menus(self, files) -> None:
        bar = self.window.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.file_menu.addActions([self.open, self.save, self.save_as])
        self.file_menu.addMenu(files.recent_menu)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit)
        self.view_menu = bar.addMenu("&View")
        self.view_menu.addActions(list(self.theme_actions.values()))
        self.view_menu.addSeparator()
        self.view_menu.addActions([self.zoom_in, self.zoom_out, self.zoom_reset])
        self.view_menu.addSeparator()
        self.panels_menu = self.view_menu.addMenu("Panels")
        self.panels_menu.setToolTip("Show or hide the side panels")
        self.run_menu = bar.addMenu("&Run")
        self.run_menu.addActions([self.play, self.step, self.step_back, self.reset, self.jump_bad])
        self.run_menu.addSeparator()
        self.run_menu.addAction(self.add_run)
        self.help_menu = bar.addMenu("&Help")
        self.help_menu.addAction(self.about)
        # QAction.menu() hands back a wrapper that may delete the menu: keep them by name instead
        self._menus: dict[str, QMenu] = {}
        for menu in (self.file_menu, self.view_menu, self.run_menu, self.help_menu):
            menu.setToolTipsVisible(True)
            self._menus[_menu_key(menu.title())] = menu

    def playback_actions(self) -> list[QAction]:
        return [self.play, self.step_back, self.step, self.reset, self.jump_bad]

    def set_playing(self, playing: bool) -> None:
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.play.setText(PAUSE_TEXT if playing else PLAY_TEXT)
        self.play.setIcon(self.window.style().standardIcon(icon))

    def menu(self, title: str) -> QMenu:
        """The top-level menu called ``title`` ('File', 'Tools'...), made before Help if new."""
        key = _menu_key(title)
        if key not in self._menus:
            menu = QMenu(title, self.window)
            menu.setToolTipsVisible(True)
            self.window.menuBar().insertMenu(self.help_menu.menuAction(), menu)
            self._menus[key] = menu
        return self._menus[key]


def _menu_key(title: str) -> str:
    return title.replace("&", "").strip().lower()


def show_about(window: QMainWindow) -> QMessageBox:
    """The About box, opened without blocking (the window keeps a reference to it)."""
    box = QMessageBox(QMessageBox.Icon.Information, "About LR Desk", f"LR Desk {__version__}",
                      parent=window)
    box.setInformativeText(
        "See how the learning rate steers gradient descent: too small crawls, "
        "suitable arrives, too large overshoots and blows up."
    )
    box.open()
    return box
