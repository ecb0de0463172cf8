"""Model experiments through the main window's File menu: Open, Open Recent and drag and drop of
a model file show it in the Model training tool, and closing the window asks about its unsaved
changes. The tool's view is built only when a model file is opened.
"""

from __future__ import annotations

import os


def connect_model_files(file_actions, dock) -> None:
    """Let ``file_actions`` (the window's) hand model files to the tool in ``dock``."""
    file_actions.set_model_opener(lambda spec, path: open_in_tool(dock, spec, path,
                                                                  file_actions.add_recent))
    file_actions.add_closing_guard(lambda doing: _may_discard(dock, doing))
    # the tool opened from its menu: its saves are recent files too
    dock.visibilityChanged.connect(lambda _shown: _remember_with(dock, file_actions.add_recent))


def model_view(dock, build: bool = False):
    """The tool's view in ``dock``: None if not built yet (unless ``build``, which builds it
    and shows the dock)."""
    if build:
        dock.property("tool_action").trigger()  # builds the view and shows its dock
    view = dock.widget()
    return view if hasattr(view, "show_file") else None  # not the stand-in of an unbuilt view


def open_in_tool(dock, spec, path: str, remember) -> bool:
    """Show the tool with ``spec`` (read from ``path``) and train it; False if the user kept
    the experiment it had (Cancel on unsaved changes)."""
    view = model_view(dock)
    if view is not None and not view.document.may_discard_edits("opening another file"):
        return False
    view = model_view(dock, build=True)
    if view is None:
        return False
    _remember_with(dock, remember)
    return view.show_file(spec, path)


def _remember_with(dock, remember) -> None:
    """The view's saves go to the recent files, and its dock's title names its file."""
    view = model_view(dock)
    if view is None or view.document.remember is not None:
        return
    view.document.remember = remember
    title = dock.windowTitle()
    view.document.path_changed.connect(
        lambda path: dock.setWindowTitle(f"{title} — {os.path.basename(path)}" if path else title))


def _may_discard(dock, doing: str) -> bool:
    view = model_view(dock)
    return view is None or view.document.may_discard_edits(doing)
