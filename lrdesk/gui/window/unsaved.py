"""Asking before edits that are not saved are lost: Save, Discard or Cancel, as editors do.

Opening another file or closing the window with a changed experiment that belongs to a file asks
first. An experiment that belongs to no file loses nothing on closing (the window remembers the
last experiment), so it is never asked about.
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import QMessageBox, QWidget

Button = QMessageBox.StandardButton


def ask_to_save(parent: QWidget, name: str, doing: str) -> Button:
    """Save / Discard / Cancel for the changes to ``name``; Escape or closing the box cancels."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, "LR Desk", f"“{name}” has changes that are not saved.",
        Button.Save | Button.Discard | Button.Cancel, parent,
    )
    box.setInformativeText(f"Save them before {doing}? Discarded changes are lost.")
    box.setDefaultButton(Button.Save)
    box.setEscapeButton(Button.Cancel)
    try:
        return _as_button(box.exec())
    finally:
        box.deleteLater()  # one box per question, gone once answered


def _as_button(answer) -> Button:
    if isinstance(answer, Button):
        return answer
    try:
        return Button(int(answer))
    except (TypeError, ValueError):
        return Button.Cancel


def may_discard_edits(files, spec, doing: str) -> bool:
    """True when going on loses nothing wanted: nothing unsaved, saved now, or 'Discard' chosen.

    ``files`` is the window's FileActions (its path, ``is_modified`` and ``save``).
    """
    if not files.is_modified(spec):
        return True
    answer = ask_to_save(files.parent(), os.path.basename(files.path) or "The experiment", doing)
    if answer == Button.Save:
        return files.save()
    return answer == Button.Discard
