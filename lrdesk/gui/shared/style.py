"""The widget style: Fusion, with radio buttons and check boxes ringed so they show on a projector.

Fusion draws an indicator's ring in the window colour made darker, which on a dark window is
nearly the window itself (about 1.1:1). Here the ring is drawn again in the palette's muted text
colour (``PlaceholderText``), which each theme keeps at 3:1 or more against its window.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter, QPalette, QPen
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleFactory, QStyleOption, QWidget

RING_ROLE = QPalette.ColorRole.PlaceholderText
_RING_WIDTH = 1.4  # pixels at zoom 1, grows with the indicator


class ClassroomStyle(QProxyStyle):
    """Fusion, with indicators whose rings contrast with the window."""

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption,
                      painter: QPainter, widget: QWidget | None = None) -> None:  # Qt override
        super().drawPrimitive(element, option, painter, widget)
        radio = element == QStyle.PrimitiveElement.PE_IndicatorRadioButton
        if not radio and element != QStyle.PrimitiveElement.PE_IndicatorCheckBox:
            return
        color = option.palette.color(QPalette.ColorGroup.Disabled
                                     if not option.state & QStyle.StateFlag.State_Enabled
                                     else QPalette.ColorGroup.Active, RING_ROLE)
        width = max(_RING_WIDTH, option.rect.height() / 10)
        box = QRectF(option.rect).adjusted(width / 2 + 0.5, width / 2 + 0.5,
                                           -width / 2 - 0.5, -width / 2 - 0.5)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(color, width))
        painter.setBrush(QPalette().brush(QPalette.ColorRole.NoRole))
        if radio:
            painter.drawEllipse(box)
        else:
            painter.drawRoundedRect(box, width, width)
        painter.restore()


_style: ClassroomStyle | None = None


def classroom_style() -> ClassroomStyle:
    """The one style object of the application (Qt takes it over; keep it alive here too)."""
    global _style
    if _style is None:
        _style = ClassroomStyle()
    return _style
