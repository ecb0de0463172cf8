"""The model experiment as a document: the file it belongs to, Save / Save As, and asking before
unsaved changes are lost (Save / Discard / Cancel, the same question as the main window's).

Saving is atomic (``core.experiment.fileio``): a failed save leaves the old file as it was and says
why in a message box. An experiment that belongs to no file is never asked about.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from lrdesk.core.models.spec import ModelExperiment
from lrdesk.gui.models.files import ModelFileError, save_model_experiment
from lrdesk.gui.window.unsaved import may_discard_edits

SUFFIX = ".lrdesk.json"
FILE_FILTER = "Model experiments (*.lrdesk.json *.json);;All files (*)"


class ModelDocument(QObject):
    """The file of the model experiment on screen. ``spec()`` gives that experiment (None while
    a control holds something that is not a setting); ``remember(path)`` puts a saved or opened
    file in the window's recent files."""

    path_changed = Signal(str)

    def __init__(self, parent: QWidget, spec: Callable[[], ModelExperiment | None]) -> None:
        super().__init__(parent)
        self._parent = parent
        self._spec = spec
        self._path = ""
        self._saved: ModelExperiment | None = None
        self.remember: Callable[[str], None] | None = None
        self.message_box: QMessageBox | None = None

    @property
    def path(self) -> str:
        return self._path

    def is_modified(self, spec=None) -> bool:
        """True when the experiment differs from the file it belongs to (a control holding
        something that is not a setting counts as a change)."""
        if self._saved is None:
            return False
        spec = self._spec() if spec is None else spec
        return spec != self._saved

    def may_discard_edits(self, doing: str) -> bool:
        """Ask Save / Discard / Cancel when the experiment has changes not saved to its file."""
        return may_discard_edits(self, self._spec(), doing)

    def opened(self, path: str, spec: ModelExperiment) -> None:
        """``spec`` was read from ``path`` and is now on screen."""
        self._belong_to(path, spec)

    def forget_path(self) -> None:
        self._saved = None
        if self._path:
            self._path = ""
            self.path_changed.emit("")

    # --- saving -----------------------------------------------------------------------------
    def save(self) -> bool:
        """Save to the experiment's file (asking for one if none); True when saved."""
        return self.save_to(self._path) if self._path else self.save_as()

    def save_as(self) -> bool:
        start = self._path or str(Path.home() / f"model{SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(self._parent, "Save the model experiment", start,
                                              FILE_FILTER)
        return self.save_to(with_suffix(path)) if path else False

    def save_to(self, path: str | os.PathLike) -> bool:
        """Save atomically; True when saved, else a message box says why, nothing changed."""
        path = os.fspath(path)
        spec = self._spec()
        if spec is None:
            self._show_problem(f"“{os.path.basename(path)}” could not be saved.",
                               "A setting is not valid: the banner says which. Nothing was "
                               "changed on disk.")
            return False
        try:
            save_model_experiment(path, spec)
        except ModelFileError as exc:
            self._show_problem(f"“{os.path.basename(path)}” could not be saved.",
                               f"{exc}. Nothing was changed on disk.")
            return False
        self._belong_to(path, spec)
        return True

    def _belong_to(self, path: str, spec: ModelExperiment) -> None:
        self._path = os.path.abspath(path)
        self._saved = spec
        if self.remember is not None:
            self.remember(self._path)
        self.path_changed.emit(self._path)

    def _show_problem(self, title: str, detail: str) -> None:
        """A message box that does not block: the window stays usable (and testable)."""
        box = QMessageBox(QMessageBox.Icon.Warning, "LR Desk", title,
                          QMessageBox.StandardButton.Ok, self._parent)
        box.setInformativeText(detail)
        box.setModal(True)
        box.open()
        self.message_box = box


def with_suffix(path: str) -> str:
    """'model' -> 'model.lrdesk.json'; a name that already ends in .json is kept."""
    return path if path.lower().endswith(".json") else path + SUFFIX
