"""The main window: it composes the parts, wires their signals, and owns the menus, the files,
the banner and the look.

Public names (imported from their module on first use, so start-up stays lazy):

- ``main_window``: ``MainWindow``
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {
    "MainWindow": "main_window"
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
