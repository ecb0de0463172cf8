"""The window's look: light or dark theme, zoom for projectors, and the remembered layout.

Zoom scales the application font; the plots follow the font (thicker lines, bigger markers
and tick labels), so one shortcut makes everything readable from the back of a classroom.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QMainWindow

from lrdesk.gui.settings import Settings
from lrdesk.gui.shared.palette import THEMES, apply_theme

ZOOM_STEPS = (0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5, 3.0)
NORMAL = ZOOM_STEPS.index(1.0)


class WindowLook(QObject):
    """Theme and zoom, read from and saved to the settings (None: remember nothing).

    ``views`` are the widgets that colour themselves (those with a ``set_theme(theme)``);
    a new theme is announced as ``theme_changed(name)``, a new zoom as ``message``.
    """

    theme_changed = Signal(str)
    message = Signal(str, int)  # text for the status bar, and how long to show it (ms)

    def __init__(self, settings: Settings | None, views: Sequence[object],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self._views = list(views)
        self.base_font = QFont(QApplication.font())
        self.zoom_index = NORMAL
        self.theme_name = "light"
        if settings is not None:
            self.zoom_index = _nearest_step(settings.zoom())
            self.theme_name = settings.theme()

    @property
    def zoom(self) -> float:
        return ZOOM_STEPS[self.zoom_index]

    @staticmethod
    def steps() -> tuple[float, ...]:
        return ZOOM_STEPS

    def base_font_char_width(self) -> int:
        """The average character width of the normal (unzoomed) font, in pixels."""
        return QFontMetrics(self.base_font).averageCharWidth()

    def apply(self) -> None:
        """Put the remembered theme and zoom in place."""
        self.set_theme(self.theme_name)
        self._apply_zoom()

    def set_theme(self, name: str) -> None:
        """Colour the application and the views with theme ``name`` ('light' or 'dark')."""
        theme = THEMES[name]
        self.theme_name = name
        apply_theme(QApplication.instance(), theme)
        for view in self._views:
            setter = getattr(view, "set_theme", None)
            if setter is not None:
                setter(theme)
        self.theme_changed.emit(name)

    def zoom_by(self, steps: int) -> None:
        """+1 bigger, -1 smaller, 0 back to normal."""
        index = NORMAL if steps == 0 else self.zoom_index + steps
        self.zoom_index = min(max(index, 0), len(ZOOM_STEPS) - 1)
        self._apply_zoom()
        self.message.emit(f"Zoom {self.zoom:.0%}", 2000)

    def _apply_zoom(self) -> None:
        font = QFont(self.base_font)
        if self.base_font.pointSizeF() > 0:
            font.setPointSizeF(self.base_font.pointSizeF() * self.zoom)
        else:
            font.setPixelSize(round(self.base_font.pixelSize() * self.zoom))
        QApplication.setFont(font)
        tell_fonts_set_by_hand()

    def restore_layout(self, window: QMainWindow) -> bool:
        """Geometry and dock layout of ``window`` as last closed (after every panel is added);
        True if a dock layout was restored."""
        if self.settings is None:
            return False
        geometry = self.settings.geometry()
        if geometry is not None:
            window.restoreGeometry(geometry)
        state = self.settings.window_state()
        return state is not None and window.restoreState(state)

    def save_and_restore_font(self, window: QMainWindow) -> None:
        """Remember the look and ``window``'s layout, and give the application its font back."""
        if self.settings is not None:
            self.settings.set_geometry(window.saveGeometry())
            self.settings.set_window_state(window.saveState())
            self.settings.set_theme(self.theme_name)
            self.settings.set_zoom(self.zoom)
            self.settings.sync()
        QApplication.setFont(self.base_font)


def _nearest_step(factor: float) -> int:
    return min(range(len(ZOOM_STEPS)), key=lambda i: abs(ZOOM_STEPS[i] - factor))


def tell_fonts_set_by_hand() -> None:
    """Widgets with a font of their own (the lesson text, larger than the rest) no longer follow
    the application's: tell each one, as Qt does not, so it can scale its own with the zoom."""
    for widget in QApplication.allWidgets():
        if widget.testAttribute(Qt.WidgetAttribute.WA_SetFont):
            QApplication.sendEvent(widget, QEvent(QEvent.Type.ApplicationFontChange))
