"""The 3-D view of the loss surface: a shaded mesh with each run's path lifted onto it.

Public names (imported from their module on first use, so start-up stays lazy):

- ``view``: ``Surface3DView``, ``gl_unavailable_reason``
- ``mesh``: ``SurfaceMesh``
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {"Surface3DView": "view", "gl_unavailable_reason": "view", "SurfaceMesh": "mesh"}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
