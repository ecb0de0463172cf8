"""Pieces every part of the window uses: the one way off the GUI thread (``Lane``), the link a
panel gets instead of the window, colours, number formatting, plot set-up, input fields, path
geometry, save dialogs.

Public names (imported from their module on first use, so start-up stays lazy):

- ``background``: ``Lane``, ``Task``
- ``link``: ``DockSite``, ``ExperimentLink``
- ``palette``: ``THEMES``, ``Theme``, ``apply_theme``, ``current_theme``, ``run_color``
- ``formatting``: ``format_number``, ``format_rate``, ``format_step``
- ``fields``: ``Field``, ``NumberBox``, ``ParameterForm``
- ``dialogs``: ``ask_save_path``
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {
    "Lane": "background", "Task": "background", "DockSite": "link", "ExperimentLink": "link",
    "THEMES": "palette", "Theme": "palette", "apply_theme": "palette", "current_theme":
    "palette", "run_color": "palette", "format_number": "formatting", "format_rate":
    "formatting", "format_step": "formatting", "Field": "fields", "NumberBox": "fields",
    "ParameterForm": "fields", "ask_save_path": "dialogs"
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
