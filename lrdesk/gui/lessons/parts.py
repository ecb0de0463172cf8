"""Pieces of the lesson panel: the learner's progress kept between sessions, and small widget
makers (word-wrapped labels, buttons with tooltips, scaled fonts, paragraphs as HTML).
"""

from __future__ import annotations

import html
import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QPushButton

from lrdesk.gui.settings import settings_store


class LessonProgress:
    """The lesson open last and the lessons answered, remembered between sessions."""

    def __init__(self) -> None:
        self._store = settings_store()

    def last(self) -> str:
        value = self._store.value("lessons/last", "")
        return value if isinstance(value, str) else ""

    def set_last(self, key: str) -> None:
        self._store.setValue("lessons/last", key)

    def completed(self) -> set[str]:
        raw = self._store.value("lessons/completed", "[]")
        try:
            keys = json.loads(raw) if isinstance(raw, str) else []
        except ValueError:
            return set()  # a hand-edited settings file: start again rather than fail
        return {k for k in keys if isinstance(k, str)} if isinstance(keys, list) else set()

    def mark_completed(self, key: str) -> None:
        done = self.completed() | {key}
        self._store.setValue("lessons/completed", json.dumps(sorted(done)))

    def forget(self) -> None:
        self._store.remove("lessons")


def scaled_font(font: QFont, factor: float) -> QFont:
    out = QFont(font)
    if out.pointSizeF() > 0:
        out.setPointSizeF(out.pointSizeF() * factor)
    elif out.pixelSize() > 0:
        out.setPixelSize(round(out.pixelSize() * factor))
    return out


def text_label(rich: bool = False) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def push_button(text: str, tooltip: str, slot) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tooltip)
    button.clicked.connect(slot)
    return button


def paragraphs_html(paragraphs) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
