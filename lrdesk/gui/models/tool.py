"""How the Model training tool appears in the window: a hidden bottom dock and a Tools action."""

from __future__ import annotations

from lrdesk.gui.models.window_files import connect_model_files
from lrdesk.gui.sweeps.common import DockedTool, install_later

MODEL_TOOL = DockedTool("Model training", "Ctrl+Shift+T",
                        "Train a real model on data and watch its loss, fit and sharpness",
                        "lrdesk.gui.models.model_view")


def install_model_later(window):
    """The Model training dock and its Tools action; the view is built when first shown. Model
    files opened from the File menu (or dropped on the window) open in it."""
    dock = install_later(window.link, window.dock_site, MODEL_TOOL)
    connect_model_files(window.file_actions, dock)
    return dock
