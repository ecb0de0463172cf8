"""The smoke run of a model experiment file: open it in the Model training tool, train it to the
end, and picture the tool (floating at the smoke size, so it is drawn large and whole)."""

from __future__ import annotations

from lrdesk.gui.models.tool import MODEL_TOOL
from lrdesk.gui.models.window_files import model_view


class SmokeFileError(ValueError):
    """The file given to the smoke run cannot be opened, in the words the window would show."""


def open_model_for_smoke(window, path: str, size: tuple[int, int]):
    """Open the model file ``path`` in ``window``'s tool; returns ``(finished, widget)``:
    ``finished()`` is True once training ended and every view is drawn, ``widget`` is what to
    picture. Raises SmokeFileError when the window refuses the file."""
    files = window.file_actions
    if not files.open_path(path):
        box = files.message_box
        words = f"{box.text()} {box.informativeText()}" if box is not None else "not opened"
        raise SmokeFileError(words)
    dock = window.dock_site.find_dock(MODEL_TOOL.dock_name)
    view = model_view(dock)
    dock.setFloating(True)
    dock.resize(*size)

    def finished() -> bool:
        snap = view.snapshot()
        return snap is not None and snap.done and not view.is_training() and view.is_drawn()

    return finished, dock
