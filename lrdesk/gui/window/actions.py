"""The main window's menus and keyboard shortcuts: File, View, Run and Help.

Each action carries a tooltip and a status tip; buttons elsewhere (the playback strip) reuse
these actions, so a shortcut, a menu entry and a button always do the same thing. The actions
are made here without slots: the window connects each ``triggered`` to what it does.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMenuBar, QMessageBox, QStyle, QWidget

from lrdesk._version import __version__

PLAY_TEXT, PAUSE_TEXT = "Play", "Pause"


def make_action(
    parent: QWidget,
    text: str,
    tip: str,
    slot: Callable[[], object] | None = None,
    shortcuts: tuple[str | QKeySequence, ...] = (),
) -> QAction:
    """An action of ``parent`` showing ``text``, with ``tip`` as tooltip (the first shortcut
    added) and status tip; triggering it calls ``slot()`` if one is given."""
    action = QAction(text, parent)
    action.setToolTip(tip if not shortcuts else f"{tip} ({_key_text(shortcuts[0])})")
    action.setStatusTip(tip)
    if shortcuts:
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
    if slot is not None:
        action.triggered.connect(lambda _checked=False: slot())
    parent.addAction(action)  # shortcuts work even while the menu bar is hidden
    return action


def connect_actions(pairs) -> None:
    """Connect each ``(action, slot)`` pair: triggering the action calls ``slot()``."""
    for action, slot in pairs:
        action.triggered.connect(lambda _checked=False, slot=slot: slot())


def _key_text(key: str | QKeySequence) -> str:
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)


class WindowActions:
    """The window's actions by name, and its menus in ``menu_bar``.

    ``owner`` holds the actions (their shortcuts work wherever the focus is in it), and
    ``recent_menu`` is the File menu's list of recent files.
    """

    def __init__(self, owner: QWidget, menu_bar: QMenuBar, recent_menu: QMenu) -> None:
        self._owner = owner
        self._menu_bar = menu_bar
        icon = owner.style().standardIcon
        pixmap = QStyle.StandardPixmap
        key = QKeySequence.StandardKey

        def a(text, tip, shortcuts=()):  # short local name: the list below reads as a table
            return make_action(owner, text, tip, None, shortcuts)

        self.new = a("New", "Start again from the first picture: L = w² from w = 5, three rates",
                     ("Ctrl+Shift+N",))
        self.open = a("Open…", "Open an experiment file", (key.Open,))
        self.save = a("Save", "Save the experiment", (key.Save,))
        # no shortcut: Ctrl+Shift+S is taken by the learning-rate sweep in the Tools menu
        self.save_as = a("Save As…", "Save the experiment under a new name")
        self.quit = a("Quit", "Close LR Desk", ("Ctrl+Q",))
        self.undo = a("Undo", "Go back to the experiment before the last change", ("Ctrl+Z",))
        self.redo = a("Redo", "Bring back the change just undone", ("Ctrl+Shift+Z", "Ctrl+Y"))
        self.undo.setEnabled(False)
        self.redo.setEnabled(False)
        self.quit.setMenuRole(QAction.MenuRole.QuitRole)

        self.play = a(PLAY_TEXT, "Play or pause the descent", ("Space",))
        self.play.setIcon(icon(pixmap.SP_MediaPlay))
        self.step_back = a("Step back", "Go back one step", ("Left",))
        self.step_back.setIcon(icon(pixmap.SP_MediaSeekBackward))
        self.step = a("Step", "Take one step", ("Right",))
        self.step.setIcon(icon(pixmap.SP_MediaSeekForward))
        self.reset = a("Reset", "Back to the start (step 0)", ("R",))
        self.reset.setIcon(icon(pixmap.SP_MediaSkipBackward))
        self.jump_bad = a("Jump to first bad step",
                          "Show the first step where a run diverged or oscillated", ("B",))
        self.jump_bad.setIcon(icon(pixmap.SP_MessageBoxWarning))
        self.add_run = a("Add a run", "Add a run with another learning rate", ("Ctrl+N",))

        self.zoom_in = a("Zoom in", "Make everything bigger (for a projector)", ("Ctrl+=", "Ctrl++"))
        self.zoom_out = a("Zoom out", "Make everything smaller", ("Ctrl+-",))
        self.zoom_reset = a("Normal size", "Back to the normal size", ("Ctrl+0",))
        self.full_screen = a("Full screen", "Fill the whole screen; the same key leaves", ("F11",))
        self.full_screen.setCheckable(True)
        self.side_panel = a("Side panel", "Show or hide the settings and lessons beside the canvas",
                            ("F9",))
        self.side_panel.setCheckable(True)
        self.side_panel.setChecked(True)
        self.present = a("Present", "Full screen for a class: canvas and loss plot large, "
                         "lessons step by step (PageDown, PageUp); Esc leaves", ("F5",))
        self.present.setCheckable(True)
        self.themes = QActionGroup(owner)
        self.theme_actions: dict[str, QAction] = {}
        for name, title in (("light", "Light theme"), ("dark", "Dark theme")):
            action = a(title, f"Use the {name} colours")
            action.setCheckable(True)
            self.themes.addAction(action)
            self.theme_actions[name] = action

        self.shortcuts = a("Keyboard shortcuts", "Every key LR Desk answers to", ("Ctrl+/",))
        self.about = a("About LR Desk", "Version and purpose of LR Desk")
        self.about.setMenuRole(QAction.MenuRole.AboutRole)
        self._build_menus(recent_menu)

    def _build_menus(self, recent_menu: QMenu) -> None:
        bar = self._menu_bar
        self.file_menu = bar.addMenu("&File")
        self.file_menu.addActions([self.new, self.open, self.save, self.save_as])
        self.file_menu.addMenu(recent_menu)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit)
        self.edit_menu = bar.addMenu("&Edit")
        self.edit_menu.addActions([self.undo, self.redo])
        self.view_menu = bar.addMenu("&View")
        self.view_menu.addActions(list(self.theme_actions.values()))
        self.view_menu.addSeparator()
        self.view_menu.addActions([self.zoom_in, self.zoom_out, self.zoom_reset])
        self.view_menu.addActions([self.full_screen, self.present, self.side_panel])
        self.view_menu.addSeparator()
        self.panels_menu = self.view_menu.addMenu("Panels")
        self.panels_menu.setToolTip("Show or hide the side panels")
        self.run_menu = bar.addMenu("&Run")
        self.run_menu.addActions([self.play, self.step, self.step_back, self.reset, self.jump_bad])
        self.run_menu.addSeparator()
        self.run_menu.addAction(self.add_run)
        self.help_menu = bar.addMenu("&Help")
        self.help_menu.addActions([self.shortcuts, self.about])
        # QAction.menu() hands back a wrapper that may delete the menu: keep them by name instead
        self._menus: dict[str, QMenu] = {}
        for menu in (self.file_menu, self.edit_menu, self.view_menu, self.run_menu, self.help_menu):
            menu.setToolTipsVisible(True)
            self._menus[_menu_key(menu.title())] = menu

    def playback_actions(self) -> list[QAction]:
        """The actions the playback strip shows as buttons, in order."""
        return [self.play, self.step_back, self.step, self.reset, self.jump_bad]

    def set_playing(self, playing: bool) -> None:
        """Show Play or Pause on the play action."""
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.play.setText(PAUSE_TEXT if playing else PLAY_TEXT)
        self.play.setIcon(self._owner.style().standardIcon(icon))

    def menu(self, title: str) -> QMenu:
        """The top-level menu called ``title`` ('File', 'Tools'...), made before Help if new."""
        key = _menu_key(title)
        if key not in self._menus:
            menu = QMenu(title, self._owner)
            menu.setToolTipsVisible(True)
            self._menu_bar.insertMenu(self.help_menu.menuAction(), menu)
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


def shortcut_rows(owner: QWidget) -> list[tuple[str, str]]:
    """(keys, what they do) for every action of ``owner`` that has a shortcut, in the order made:
    the menus' actions and those the window's parts add (lessons, sweeps, export...)."""
    rows, seen = [], set()
    for action in [*owner.actions(), *owner.findChildren(QAction)]:
        keys = ", ".join(_key_text(k) for k in action.shortcuts())
        if keys and keys not in seen:
            seen.add(keys)
            rows.append((keys, action.statusTip() or action.text().replace("&", "")))
    return rows


def show_shortcuts(window: QMainWindow) -> QMessageBox:
    """The keyboard-shortcut sheet, opened without blocking (the window keeps a reference)."""
    cells = "".join(f"<tr><td><b>{escape(keys)}</b></td><td>&nbsp;&nbsp;{escape(what)}</td></tr>"
                    for keys, what in shortcut_rows(window))
    box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts", "Keyboard shortcuts",
                      parent=window)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setInformativeText(f"<table>{cells}</table>")
    box.open()
    return box
