"""Colours, themes and drawn icons shared by every view of the window.

Run colours are the Okabe-Ito palette (Okabe & Ito, "Color Universal Design", 2002), which stays
distinguishable under the common kinds of colour blindness; its black is swapped for grey so that
the eighth run shows on the dark theme too. A run has one colour everywhere (its chip in the runs
table, its path on the canvas, its loss curve, exports); a state such as diverged is shown by
style (dashes, a cross where it left), never by another colour. The alarm red, none of the run
colours, is for notices and limits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QApplication

# The most distinct colours first: the default lesson shows three runs.
RUN_COLORS: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#999999",  # grey (Okabe-Ito's black, readable on both themes)
    "#F0E442",  # yellow (last: weakest on a white background)
)
ALARM_COLOR = "#E4002B"
FASTEST_COLOR = "#009E73"

VERDICT_COLORS: dict[str, str] = {
    "converged": "#009E73",
    "slow": "#0072B2",
    "oscillating": "#E69F00",
    "diverged": ALARM_COLOR,
    "stalled": "#8C8C8C",
}
LEVEL_COLORS: dict[str, str] = {"alarm": ALARM_COLOR, "warning": "#E69F00", "info": "#0072B2"}


#: each run's marker shape (pyqtgraph symbols), so runs on the same stretch of a path stay
#: told apart where one's markers sit on the other's
RUN_SYMBOLS: tuple[str, ...] = ("o", "s", "t", "d", "h", "p", "t1", "star")


def run_color(run: int) -> str:
    return RUN_COLORS[run % len(RUN_COLORS)]


def run_symbol(run: int) -> str:
    return RUN_SYMBOLS[run % len(RUN_SYMBOLS)]


# ------------------------------------------------------------------------------------------
# Themes
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Theme:
    """Every colour a view needs, for one look of the window."""

    name: str
    background: str  # plot background
    foreground: str  # axes, tick labels, plot text
    grid: str
    contour: str  # contour lines on the 3-D view's floor (the heat map's: shared.colormap)
    curve: str  # the 1-D loss curve L(w)
    marker_outline: str  # ring around markers so they show on any colour
    start_color: str
    minimum_color: str
    muted: str  # secondary text (hints, labels)
    window: str
    base: str
    text: str
    button: str
    highlight: str
    highlight_text: str
    disabled_text: str

    @property
    def is_dark(self) -> bool:
        return QColor(self.window).lightnessF() < 0.5


THEMES: dict[str, Theme] = {
    "light": Theme(
        name="light",
        background="#FFFFFF",
        foreground="#1C1F23",
        grid="#C9CDD3",
        contour="#8C7F6E",
        curve="#1C1F23",
        marker_outline="#FFFFFF",
        start_color="#1C1F23",
        minimum_color="#1C1F23",
        muted="#5B6470",
        window="#F3F4F6",
        base="#FFFFFF",
        text="#1C1F23",
        button="#E6E8EC",
        highlight="#3B4F68",  # slate: none of the run or verdict colours
        highlight_text="#FFFFFF",
        disabled_text="#9AA0A8",
    ),
    "dark": Theme(
        name="dark",
        background="#15181C",
        foreground="#E4E7EB",
        grid="#3A4048",
        contour="#7D8A99",
        curve="#E4E7EB",
        marker_outline="#15181C",
        start_color="#F4F5F7",
        minimum_color="#F4F5F7",
        muted="#A3ACB7",
        window="#23272D",
        base="#1A1D21",
        text="#E4E7EB",
        button="#2F343B",
        highlight="#52698A",  # slate: none of the run or verdict colours
        highlight_text="#FFFFFF",
        disabled_text="#6B737D",
    ),
}

_current_theme: Theme = THEMES["light"]


def current_theme() -> Theme:
    """The theme last applied to the application (light until one is)."""
    return _current_theme


def apply_theme(app: QApplication, theme: Theme) -> None:
    """Give the widgets the theme's colours (Fusion style); plots are recoloured by their views."""
    global _current_theme
    _current_theme = theme
    from lrdesk.gui.shared.style import ClassroomStyle, classroom_style

    if not isinstance(app.style(), ClassroomStyle):  # a new style would re-polish every widget
        app.setStyle(classroom_style())
    app.setPalette(_qt_palette(theme))


def _qt_palette(theme: Theme) -> QPalette:
    role = QPalette.ColorRole
    palette = QPalette()
    colors = {
        role.Window: theme.window,
        role.WindowText: theme.text,
        role.Base: theme.base,
        role.AlternateBase: theme.window,
        role.Text: theme.text,
        role.Button: theme.button,
        role.ButtonText: theme.text,
        role.BrightText: ALARM_COLOR,
        role.Highlight: theme.highlight,
        role.HighlightedText: theme.highlight_text,
        role.ToolTipBase: theme.base,
        role.ToolTipText: theme.text,
        role.PlaceholderText: theme.muted,
        role.Link: theme.highlight,
    }
    for r, value in colors.items():
        palette.setColor(r, QColor(value))
    dark = QColor(theme.window).lightnessF() < 0.5
    palette.setColor(role.Light, QColor(theme.button).lighter(130 if dark else 115))
    palette.setColor(role.Midlight, QColor(theme.button).lighter(115 if dark else 105))
    palette.setColor(role.Mid, QColor(theme.button).darker(130))
    palette.setColor(role.Dark, QColor(theme.button).darker(170))
    palette.setColor(role.Shadow, QColor("#000000"))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(disabled, r, QColor(theme.disabled_text))
    return palette


# ------------------------------------------------------------------------------------------
# Icons, drawn in code so they are crisp at any size and need no files
# ------------------------------------------------------------------------------------------
_ICON_SIZE = 64  # drawn large; QIcon scales down smoothly for the table and the banner


def _canvas() -> tuple[QPixmap, QPainter]:
    pixmap = QPixmap(_ICON_SIZE, _ICON_SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pixmap, painter


def _round_pen(width: float, color: str = "#FFFFFF") -> QPen:
    pen = QPen(QColor(color), width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _disc(painter: QPainter, color: str) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    painter.drawEllipse(QRectF(4, 4, 56, 56))


def _triangle(painter: QPainter, color: str) -> None:
    painter.setPen(_round_pen(6, color))  # round joins soften the corners
    painter.setBrush(QColor(color))
    painter.drawPolygon(QPolygonF([QPointF(32, 6), QPointF(60, 56), QPointF(4, 56)]))


def _exclamation(painter: QPainter, top: float, bottom: float) -> None:
    painter.setPen(_round_pen(7))
    painter.drawLine(QPointF(32, top), QPointF(32, bottom))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#FFFFFF"))
    painter.drawEllipse(QPointF(32, bottom + 9), 4.2, 4.2)


def _draw_converged(painter: QPainter) -> None:
    _disc(painter, VERDICT_COLORS["converged"])
    painter.setPen(_round_pen(7))
    path = QPainterPath(QPointF(18, 33))
    path.lineTo(28, 43)
    path.lineTo(46, 22)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)


def _draw_slow(painter: QPainter) -> None:
    _disc(painter, VERDICT_COLORS["slow"])
    painter.setPen(_round_pen(4))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(QPointF(32, 32), 18, 18)
    painter.setPen(_round_pen(5))
    painter.drawLine(QPointF(32, 32), QPointF(32, 19))
    painter.drawLine(QPointF(32, 32), QPointF(41, 37))


def _draw_oscillating(painter: QPainter) -> None:
    _disc(painter, VERDICT_COLORS["oscillating"])
    painter.setPen(_round_pen(6))
    path = QPainterPath(QPointF(13, 32))
    for i, y in enumerate((20, 44, 20, 44)):
        path.lineTo(13 + 8 * (i + 1), y)
    path.lineTo(51, 32)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)


def _draw_diverged(painter: QPainter) -> None:
    _triangle(painter, VERDICT_COLORS["diverged"])
    _exclamation(painter, 22, 38)


def _draw_stalled(painter: QPainter) -> None:
    _disc(painter, VERDICT_COLORS["stalled"])
    painter.setPen(_round_pen(7))
    painter.drawLine(QPointF(19, 26), QPointF(45, 26))
    painter.drawLine(QPointF(19, 39), QPointF(45, 39))


def _draw_alarm(painter: QPainter) -> None:
    _triangle(painter, LEVEL_COLORS["alarm"])
    _exclamation(painter, 22, 38)


def _draw_warning(painter: QPainter) -> None:
    _disc(painter, LEVEL_COLORS["warning"])
    _exclamation(painter, 14, 34)


def _draw_info(painter: QPainter) -> None:
    _disc(painter, LEVEL_COLORS["info"])
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#FFFFFF"))
    painter.drawEllipse(QPointF(32, 18), 4.5, 4.5)
    painter.setPen(_round_pen(7))
    painter.drawLine(QPointF(32, 29), QPointF(32, 48))


def _draw(draw: Callable[[QPainter], None]) -> QIcon:
    pixmap, painter = _canvas()
    try:
        draw(painter)
    finally:
        painter.end()
    return icon_from(pixmap)


def icon_from(pixmap: QPixmap) -> QIcon:
    """An icon that looks the same in a selected row (Qt would tint it with the highlight)."""
    icon = QIcon(pixmap)
    icon.addPixmap(pixmap, QIcon.Mode.Selected)
    icon.addPixmap(pixmap, QIcon.Mode.Active)
    return icon


class _LazyIcons(Mapping):
    """Icons built on first use: a QPixmap needs a running QGuiApplication."""

    def __init__(self, painters: dict[str, Callable[[QPainter], None]]) -> None:
        self._painters = painters
        self._icons: dict[str, QIcon] = {}

    def __getitem__(self, key: str) -> QIcon:
        if key not in self._icons:
            self._icons[key] = _draw(self._painters[key])
        return self._icons[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._painters)

    def __len__(self) -> int:
        return len(self._painters)


VERDICT_ICONS: Mapping[str, QIcon] = _LazyIcons(
    {
        "converged": _draw_converged,
        "slow": _draw_slow,
        "oscillating": _draw_oscillating,
        "diverged": _draw_diverged,
        "stalled": _draw_stalled,
    }
)
LEVEL_ICONS: Mapping[str, QIcon] = _LazyIcons(
    {"alarm": _draw_alarm, "warning": _draw_warning, "info": _draw_info}
)


def verdict_icon(verdict: str | None) -> QIcon:
    """The icon of a verdict ('converged', 'slow', ...); an empty icon for None or unknown."""
    return VERDICT_ICONS[verdict] if verdict in VERDICT_ICONS else QIcon()


def level_icon(level: str) -> QIcon:
    """The icon of a notice level ('alarm', 'warning', 'info')."""
    return LEVEL_ICONS[level] if level in LEVEL_ICONS else LEVEL_ICONS["info"]
