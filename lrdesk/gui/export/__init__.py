"""Exports: figures as PNG or SVG, runs as CSV, the animation as GIF, and the File > Export
menu.

Public names (imported from their module on first use, so start-up stays lazy):

- ``menu``: ``install``
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {
    "install": "menu"
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
