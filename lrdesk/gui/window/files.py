"""File menu work: open, save and save as experiment files (``.lrdesk.json``), recent files.

A file that cannot be used (bad JSON, a wrong field, written by a newer LR Desk, too big,
unreadable) opens a message box that says why, and the experiment on screen stays as it was.
A file with a typed function is worked out off the GUI thread (the symbolic build can take a
while), and its experiment follows when it is ready. A model experiment (kind ``"model"``) is read
and checked here too, then handed to the tool that shows it (``set_model_opener``). Saving is atomic
(``lrdesk.core.experiment.fileio``), so a failed save never damages the old file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from lrdesk.core.experiment.fileio import NotRegularFile, atomic_write_text, read_text
from lrdesk.core.experiment.spec import MAX_FILE_BYTES, ExperimentSpec, SpecError, dumps, loads
from lrdesk.core.surfaces import CUSTOM
from lrdesk.gui.settings import Settings
from lrdesk.gui.shared.background import Lane
from lrdesk.gui.window.unsaved import may_discard_edits

#: at closing, how long to wait for a typed function still being worked out (seconds)
CLOSE_WAIT_S = 1.0

SUFFIX = ".lrdesk.json"
FILE_FILTER = "LR Desk experiments (*.lrdesk.json *.json);;All files (*)"


def with_suffix(path: str) -> str:
    """'lesson' -> 'lesson.lrdesk.json'; a name that already ends in .json is kept."""
    return path if path.lower().endswith(".json") else path + SUFFIX


def read_experiment_text(path: str) -> str:
    """The text of an experiment file; raises SpecError with a plain reason."""
    try:
        return read_text(path, MAX_FILE_BYTES)
    except UnicodeDecodeError:
        raise SpecError("file: this is not a text file") from None
    except NotRegularFile as exc:  # refused before opening: a pipe would block for ever
        raise SpecError(f"file: this is {exc.kind}, not a file") from None
    except OSError as exc:
        raise SpecError(f"file: cannot be read ({exc.strerror or exc})") from None


def has_typed_function(text: str) -> bool:
    """Whether an experiment file's text names a typed function (slow to check: the symbolic
    build), judged from its JSON alone; False for text that is not such a file."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return False
    function = data.get("function") if isinstance(data, dict) else None
    return isinstance(function, dict) and function.get("name") == CUSTOM


def is_model_text(text: str) -> bool:
    """Whether an experiment file's text is a model experiment (kind "model"), from its JSON."""
    from lrdesk.core.models.spec import is_model_file

    try:
        return is_model_file(json.loads(text))
    except (ValueError, RecursionError):
        return False


def remembered_experiment(settings: Settings | None) -> tuple[ExperimentSpec | None, str]:
    """What to start with from the last session: ``(spec, "")``, or ``(None, text)`` when the
    remembered experiment has a typed function (to be worked out off the GUI thread), or
    ``(None, "")`` when nothing usable is remembered."""
    text = settings.last_experiment_text() if settings is not None else ""
    if has_typed_function(text):
        return None, text
    return (settings.last_experiment() if text else None), ""


def loaded(text: str) -> ExperimentSpec | SpecError:
    """An experiment file's text read and checked, its function's minima found (and cached);
    or the reason it cannot be used. Slow for a typed function: not in the GUI thread."""
    try:
        spec = loads(text)
        spec.make_function().minima()
    except SpecError as exc:
        return exc
    return spec


class FileActions(QObject):
    """Open / Save / Save As / Recent files for one window.

    ``parent`` is the window (dialogs and message boxes sit over it), ``spec`` gives the
    experiment on screen; an experiment read and checked from a file goes out as ``opened``.
    """

    path_changed = Signal(str)  # the file the experiment belongs to ('' for none)
    opened = Signal(object)  # a checked ExperimentSpec from a file: the window shows it

    def __init__(self, parent: QWidget, settings: Settings | None,
                 spec: Callable[[], ExperimentSpec]) -> None:
        super().__init__(parent)
        self._parent = parent
        self._spec = spec
        self._settings = settings
        self._path = ""
        self._saved: ExperimentSpec | None = None
        self._opening: str | None = None  # the file being worked out ('': remembered text)
        self._checker = Lane("lrdesk-file-check", self)
        self._checker.returned.connect(self._on_checked)
        self._checker.errored.connect(self._on_checked)
        self.recent_menu = QMenu("Recent files", parent)
        self.recent_menu.setToolTip("Experiments opened or saved lately")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.message_box: QMessageBox | None = None
        self._model_opener: Callable[[object, str], bool] | None = None
        self._closing_guards: list[Callable[[str], bool]] = []

    def set_model_opener(self, opener: Callable[[object, str], bool]) -> None:
        """Who shows a model experiment read from a file: ``opener(spec, path)``, True when
        shown (False: the user kept what was there)."""
        self._model_opener = opener

    def add_closing_guard(self, guard: Callable[[str], bool]) -> None:
        """Another document of the window to ask about before closing: ``guard(doing)`` is
        False when the user cancels."""
        self._closing_guards.append(guard)

    def may_close(self) -> bool:
        """Ask about every document with unsaved changes; False when one answer was Cancel."""
        doing = "closing the window"
        return self.may_discard_edits(doing) and all(guard(doing) for guard in self._closing_guards)

    def add_recent(self, path: str) -> None:
        """Put ``path`` first in the recent files (any kind of experiment file)."""
        if self._settings is not None:
            self._settings.add_recent_file(os.path.abspath(path))

    def drag_entered(self, event: QDragEnterEvent) -> None:
        """Files dragged over the window: take them if one is a local file."""
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropped(self, event: QDropEvent) -> None:
        """Files dropped on the window: open the first local one."""
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.open_path(files[0])

    @property
    def path(self) -> str:
        return self._path

    def forget_path(self) -> None:
        """Let the experiment belong to no file any more: nothing is left to ask about."""
        self._saved = None
        if self._path:
            self._path = ""
            self.path_changed.emit("")

    def is_modified(self, spec: ExperimentSpec) -> bool:
        """True when ``spec`` differs from the one last opened or saved."""
        return self._saved is not None and spec != self._saved

    # --- open ----------------------------------------------------------------------------
    def open_dialog(self) -> None:
        folder = str(Path(self._path).parent) if self._path else ""
        path, _ = QFileDialog.getOpenFileName(self._parent, "Open an experiment", folder, FILE_FILTER)
        if path:
            self.open_path(path)

    def may_discard_edits(self, doing: str) -> bool:
        """Ask Save / Discard / Cancel when the experiment has changes not saved to its file."""
        return may_discard_edits(self, self._spec(), doing)

    def open_path(self, path: str) -> bool:
        """Open ``path``; on any problem say why and change nothing. False when the file is
        refused at once; a typed function is worked out in the background, and its experiment
        is opened (or refused, with a message) when that is done."""
        try:
            text = read_experiment_text(path)
        except SpecError as exc:
            self._refuse(path, exc)
            return False
        if path and is_model_text(text):
            return self._open_model(text, path)
        if not self.may_discard_edits("opening another file"):
            return False
        return self.open_text(text, path)

    def _open_model(self, text: str, path: str) -> bool:
        """A model experiment file: checked here, shown by the model opener, remembered."""
        from lrdesk.core.models.spec import loads_model

        try:
            spec = loads_model(text)
        except SpecError as exc:
            self._refuse(path, exc)
            return False
        if self._model_opener is None:
            self._refuse(path, SpecError("file: model experiments open in Tools > Model training"))
            return False
        if not self._model_opener(spec, path):
            return False
        self.add_recent(path)
        return True

    def open_text(self, text: str, path: str = "") -> bool:
        """Open an experiment file's ``text``, read from ``path`` ('': the experiment remembered
        from the last session, which belongs to no file and is dropped without a word if it
        cannot be used). Returns as ``open_path`` does."""
        self._checker.drop()  # a file still being worked out is not wanted any more
        self._opening = None
        try:
            if has_typed_function(text):
                self._opening = path
                self._checker.start(lambda _task: loaded(text))
                return True
            spec = loads(text)
        except SpecError as exc:
            self._refuse(path, exc)
            return False
        self._accept(path, spec)
        return True

    def is_opening(self) -> bool:
        """True while a file's typed function is being worked out."""
        return self._opening is not None

    def shutdown(self) -> None:
        """Give up a file still being worked out, waiting for it at most ``CLOSE_WAIT_S``."""
        self._opening = None
        self._checker.shutdown(timeout=CLOSE_WAIT_S)

    def _on_checked(self, result) -> None:
        path, self._opening = self._opening, None
        if path is None:
            return
        if isinstance(result, ExperimentSpec):
            self._accept(path, result)
        elif isinstance(result, SpecError):
            self._refuse(path, result)
        else:  # the build itself failed: say so in words
            self._refuse(path, SpecError(f"function: cannot be worked out ({type(result).__name__})"))

    def _accept(self, path: str, spec: ExperimentSpec) -> None:
        self.opened.emit(spec)
        if path:
            self._remember(path, spec)

    def _refuse(self, path: str, exc: SpecError) -> None:
        if not path:
            return  # remembered text that no longer works: the window keeps what it shows
        self._show_problem(f"“{os.path.basename(path)}” cannot be opened.", _reason(exc))

    # --- save ----------------------------------------------------------------------------
    def save(self) -> bool:
        """Save to the experiment's file (asking for one if none); True when saved."""
        if not self._path:
            return self.save_as()
        return self.save_to(self._path)

    def save_as(self) -> bool:
        """Ask for a file and save there; True when saved."""
        start = self._path or str(Path.home() / f"experiment{SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(self._parent, "Save the experiment", start, FILE_FILTER)
        return self.save_to(with_suffix(path)) if path else False

    def save_to(self, path: str) -> bool:
        """Save the experiment on screen to ``path`` atomically; True when saved, else a
        message box says why and the old file is untouched."""
        spec = self._spec()
        try:
            atomic_write_text(path, dumps(spec))
        except OSError as exc:
            self._show_problem(
                f"“{os.path.basename(path)}” could not be saved.",
                f"{exc.strerror or exc}. Nothing was changed on disk.",
            )
            return False
        self._remember(path, spec)
        return True

    # --- bookkeeping ------------------------------------------------------------------------
    def _remember(self, path: str, spec: ExperimentSpec) -> None:
        self._path = os.path.abspath(path)
        self._saved = spec
        if self._settings is not None:
            self._settings.add_recent_file(self._path)
        self.path_changed.emit(self._path)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self._settings.recent_files() if self._settings is not None else []
        for path in paths:
            action = self.recent_menu.addAction(os.path.basename(path))
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self._open_recent(p))
        if not paths:
            self.recent_menu.addAction("No recent files").setEnabled(False)

    def _open_recent(self, path: str) -> None:
        if not os.path.exists(path) and self._settings is not None:
            self._settings.remove_recent_file(path)
        self.open_path(path)

    def _show_problem(self, title: str, detail: str) -> None:
        """A message box that does not block: the window stays usable (and testable)."""
        box = QMessageBox(QMessageBox.Icon.Warning, "LR Desk", title, QMessageBox.StandardButton.Ok, self._parent)
        box.setInformativeText(detail)
        box.setModal(True)
        box.open()
        self.message_box = box


def _reason(exc: SpecError) -> str:
    """The spec error in plain words: 'runs[2].learning_rate: ...' -> 'Run 2, learning rate: ...'."""
    field, sep, message = str(exc).partition(": ")
    if not sep:
        return _sentence(str(exc))
    if field == "format":
        return "This is not an LR Desk experiment file."
    if field in ("file", "version"):
        return _sentence(message)
    return _sentence(exc.in_words())


def _sentence(text: str, capital: bool = True) -> str:
    text = text.strip()
    if capital:
        text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."
