"""Undo and redo of experiment edits: the specs the window showed before, and after an undo.

Specs are frozen, so the history keeps them as they are: an undo hands back the spec shown
before, a redo the one undone. A new edit after an undo drops what could be redone, as editors
do. The history is bounded, so a long lesson never grows it without end.
"""

from __future__ import annotations

from collections import deque
from typing import Generic, TypeVar

Spec = TypeVar("Spec")

#: how many earlier experiments an undo can go back to
UNDO_DEPTH = 100


class UndoHistory(Generic[Spec]):
    """Past and undone specs; the caller keeps the current one and hands it in."""

    def __init__(self, depth: int = UNDO_DEPTH) -> None:
        self._past: deque[Spec] = deque(maxlen=depth)
        self._undone: list[Spec] = []

    def record(self, replaced: Spec) -> None:
        """``replaced`` gave way to a new edit: it can be undone back to; nothing can be redone."""
        self._past.append(replaced)
        self._undone.clear()

    def can_undo(self) -> bool:
        return bool(self._past)

    def can_redo(self) -> bool:
        return bool(self._undone)

    def undo(self, current: Spec) -> Spec | None:
        """The spec shown before ``current`` (None: nothing to undo); ``current`` can be redone."""
        if not self._past:
            return None
        self._undone.append(current)
        return self._past.pop()

    def redo(self, current: Spec) -> Spec | None:
        """The spec last undone (None: nothing to redo); ``current`` can be undone again."""
        if not self._undone:
            return None
        self._past.append(current)
        return self._undone.pop()
