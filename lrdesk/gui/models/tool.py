"""How the Model training tool and its rate finder appear in the window: hidden bottom docks and
Tools actions."""

from __future__ import annotations

from lrdesk.gui.sweeps.common import DockedTool, install_later

MODEL_TOOL = DockedTool("Model training", "Ctrl+Shift+T",
                        "Train a real model on data and watch its loss, fit and sharpness",
                        "lrdesk.gui.models.model_view")


def install_model_later(window):
    """The Model training dock and its Tools action; the view is built when first shown."""
    return install_later(window.link, window.dock_site, MODEL_TOOL)


RATE_FINDER_TOOL = DockedTool("Model rate finder", "Ctrl+Shift+F",
                              "Sweep the learning rate, run the range test or map rate × batch "
                              "size on the Model training tool's experiment",
                              "lrdesk.gui.models.rate_finder")


def install_rate_finder_later(window):
    """The Model rate finder's dock and Tools action; the view is built when first shown."""
    return install_later(window.link, window.dock_site, RATE_FINDER_TOOL)
