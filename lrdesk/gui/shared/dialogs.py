"""Save dialogs that open where the user saved last: one remembered folder for every export."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QWidget

from lrdesk.gui.settings import settings_store


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
