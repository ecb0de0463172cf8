"""Extra panels that other parts of LR Desk add to the main window.

Each installer is a callable ``installer(window)`` that adds its docks and menu entries through
the window's public API (``add_panel``, ``menu``, signals); the window calls them, in order,
at the end of its construction.
"""

from __future__ import annotations

from collections.abc import Callable

PANEL_INSTALLERS: tuple[Callable[[object], None], ...] = ()


def install_panels(window) -> None:
    for installer in PANEL_INSTALLERS:
        installer(window)
