"""The window's views on their own: canvas, loss plot, runs table, banner, palette and themes."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from lrdesk.core.experiment.simulation import run_experiment
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.core.functions import make_function
from lrdesk.gui.canvas.follow import FOLLOW_SPAN_1D
from lrdesk.gui.canvas.paths import FRESH_POINTS
from lrdesk.gui.canvas.view import LossCanvas
from lrdesk.gui.live.loss_plot import LINEAR_CAP, LOG_CAP, LOG_PADDING, LossPlot
from lrdesk.gui.live.runs_table import MAX_LIVE_RUNS, RESULT, RunsTable
from lrdesk.gui.shared.palette import (
    ALARM_COLOR,
    RUN_COLORS,
    THEMES,
    VERDICT_ICONS,
    apply_theme,
    level_icon,
    verdict_icon,
)
from lrdesk.gui.shared.path_geometry import Box, clip_segments, drawable_path, last_visible_point
from lrdesk.gui.shared.plot_base import PATH_WIDTH, ui_scale
from lrdesk.gui.window.banner import NoticeBanner

SHOTS = Path(__file__).resolve().parents[2] / "shots"

# The offscreen platform (tests only) says this whenever a shown window's size hints change.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")

# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------
LESSON = ExperimentSpec()  # w² from w = 5 at 0.01, 0.1, 1.1: slow, converges, diverges
ROSENBROCK = ExperimentSpec(
    function="rosenbrock",
    start=(-1.5, 2.0),
    runs=(RunSpec(0.001), RunSpec(0.002, "momentum"), RunSpec(0.0035)),
    steps=3000,
)
VALLEY = ExperimentSpec(
    function="ill_conditioned",
    function_params=(("angle", 30.0),),
    start=(-4.0, 3.0),
    runs=(RunSpec(0.05), RunSpec(0.17), RunSpec(0.21)),
    steps=200,
)


@pytest.fixture(params=["light", "dark"])
def theme(request, qapp):
    """Each theme applied to the application, the light one restored afterwards."""
    apply_theme(qapp, THEMES[request.param])
    yield THEMES[request.param]
    apply_theme(qapp, THEMES["light"])


def colors(n: int) -> list[str]:
    return [RUN_COLORS[i % len(RUN_COLORS)] for i in range(n)]


def show(qtbot, widget: QWidget, width: int, height: int) -> QWidget:
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def save_shot(widget: QWidget, name: str) -> Path:
    """Save a screenshot under shots/ and check it is a real picture, not a blank."""
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    QApplication.processEvents()  # let layouts settle (axis labels) as the event loop would
    image = widget.grab().toImage()
    assert image.save(str(path))
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 8, f"{name} looks blank"
    return path


def canvas_with(qtbot, spec: ExperimentSpec, theme=None) -> tuple[LossCanvas, object]:
    result = run_experiment(spec)
    canvas = show(qtbot, LossCanvas(), 820, 620)
    if theme is not None:
        canvas.set_theme(theme)
    canvas.set_function(result.function, spec.start)
    canvas.set_runs(colors(len(spec.runs)))
    for run in result.runs:
        h = run.history
        canvas.set_run_path(run.index, h.positions, h.losses, h.steps)
        canvas.set_run_status(run.index, run.verdict, run.verdict_step)
    # the view moves (smoothly) to follow runs that swing away: measure it once it is there
    qtbot.waitUntil(canvas.view_at_rest)
    return canvas, result


def curve_points(item) -> tuple[np.ndarray, np.ndarray]:
    x, y = item.getData()
    return (np.empty(0), np.empty(0)) if x is None else (np.asarray(x), np.asarray(y))


def path_points(path) -> tuple[np.ndarray, np.ndarray]:
    """Every segment of a run's line: its settled part and its fresh part."""
    return path.drawn_segments()


def view_range(canvas: LossCanvas) -> Box:
    return canvas.visible_box()


def to_viewport(canvas: LossCanvas, x: float, y: float) -> QPoint:
    """The viewport pixel of data point (x, y)."""
    scene = canvas.plot_widget.getPlotItem().getViewBox().mapViewToScene(QPointF(x, y))
    return canvas.plot_widget.mapFromScene(scene)


def send_mouse(widget: QWidget, kind: QEvent.Type, pos: QPoint, buttons) -> None:
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    event = QMouseEvent(
        kind,
        QPointF(pos),
        widget.mapToGlobal(QPointF(pos)),
        button,
        buttons,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)


# ------------------------------------------------------------------------------------------
# palette and themes
# ------------------------------------------------------------------------------------------
def test_run_colours_are_eight_distinct_and_the_alarm_is_none_of_them():
    assert len(RUN_COLORS) == 8
    assert len({c.upper() for c in RUN_COLORS}) == 8
    assert ALARM_COLOR.upper() not in {c.upper() for c in RUN_COLORS}
    for color in (*RUN_COLORS, ALARM_COLOR):
        assert QColor(color).isValid()


def test_verdict_and_level_icons_are_drawn(qapp):
    for verdict in ("converged", "slow", "oscillating", "diverged", "stalled"):
        icon = verdict_icon(verdict)
        assert not icon.isNull()
        image = icon.pixmap(32, 32).toImage()
        middle = image.pixelColor(image.width() // 2, image.height() // 2)
        assert middle.alpha() > 0  # something is painted in the middle
    assert set(VERDICT_ICONS) == {"converged", "slow", "oscillating", "diverged", "stalled"}
    assert verdict_icon(None).isNull()
    assert verdict_icon("nonsense").isNull()
    for level in ("alarm", "warning", "info"):
        assert not level_icon(level).isNull()


def test_apply_theme_sets_the_widget_palette(qapp, theme):
    palette = qapp.palette()
    assert palette.color(palette.ColorRole.Window) == QColor(theme.window)
    assert palette.color(palette.ColorRole.WindowText) == QColor(theme.text)
    assert qapp.style().baseStyle().name().lower() == "fusion"  # under the ringed indicators
    assert theme.is_dark == (theme.name == "dark")


# ------------------------------------------------------------------------------------------
# path geometry (pure NumPy)
# ------------------------------------------------------------------------------------------
BOX = Box(-1.0, 1.0, -2.0, 2.0)
coordinate = st.one_of(
    st.floats(-5, 5), st.sampled_from([1e300, -1e300, 1e15, np.inf, -np.inf, np.nan])
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=30))
def test_drawable_paths_stay_finite_and_inside_the_box(points):
    x = np.array([p[0] for p in points])
    y = np.array([p[1] for p in points])
    path = drawable_path(x, y, BOX)
    assert np.all(np.isfinite(path.x)) and np.all(np.isfinite(path.y))
    assert np.all(BOX.contains(path.x, path.y))
    if isinstance(path.connect, str):
        assert path.connect == "all"
        assert np.array_equal(path.x, x)


@settings(max_examples=200, deadline=None)
@given(st.floats(-3, 3), st.floats(-3, 3), st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))
def test_clipped_segments_lie_on_the_original_line(x0, y0, x1, y1):
    cx0, cy0, cx1, cy1, hit = clip_segments(
        np.array([x0]), np.array([y0]), np.array([x1]), np.array([y1]), BOX
    )
    if not hit[0]:
        return
    for px, py in ((cx0[0], cy0[0]), (cx1[0], cy1[0])):
        assert BOX.contains(np.array([px]), np.array([py]))[0]
        # on the line through the segment: the cross product is ~0 relative to its size
        cross = (x1 - x0) * (py - y0) - (y1 - y0) * (px - x0)
        scale = max(1.0, math.hypot(x1 - x0, y1 - y0)) * max(1.0, math.hypot(px - x0, py - y0))
        assert abs(cross) <= 1e-9 * scale


def test_a_path_that_leaves_is_marked_where_it_crosses_the_edge():
    x = np.array([0.0, 0.5, 4.0, 1e300])
    y = np.array([0.0, 0.0, 0.0, 0.0])
    assert last_visible_point(x, y, BOX) == (1.0, 0.0)
    assert last_visible_point(np.array([0.2]), np.array([0.3]), BOX) == (0.2, 0.3)
    assert last_visible_point(np.array([9.0]), np.array([9.0]), BOX) is None


# ------------------------------------------------------------------------------------------
# canvas
# ------------------------------------------------------------------------------------------
def test_canvas_1d_follows_a_diverging_run_out_to_its_limit(qtbot, theme):
    canvas, result = canvas_with(qtbot, LESSON, theme)
    diverged = next(r for r in result.runs if r.verdict == "diverged")
    assert diverged.index == 2
    view = view_range(canvas)
    ((lo, hi),) = result.function.view_box()
    # the region of interest is still on screen, widened for the diverging run's first swings
    # (up to the widest view: FOLLOW_SPAN_1D times the region)
    assert view.x_min < lo and view.x_max > hi
    assert view.width <= FOLLOW_SPAN_1D * (hi - lo) * 1.2
    w, loss = diverged.history.positions[:6, 0], diverged.history.losses[:6]
    assert np.all(view.contains(w, loss))
    # every drawn point is finite and within a view-sized margin of what is on screen
    margin = view.grown(1.0)
    for path in canvas._paths:
        x, y = path_points(path)
        assert len(x) > 0
        assert np.all(np.isfinite(x)) and np.all(np.isfinite(y))
        assert np.all(margin.contains(x, y))
    alarm = canvas._paths[2]
    assert alarm.line.opts["pen"].color() == QColor(RUN_COLORS[2])  # its colour; dashed
    assert alarm.line.opts["pen"].style() == Qt.PenStyle.DashLine
    ax, ay = curve_points(alarm.alarm)
    assert len(ax) == 1 and view.contains(ax, ay)[0]
    save_shot(canvas, f"canvas_1d_diverged_{theme.name}")


@pytest.mark.parametrize("spec", [ROSENBROCK, VALLEY], ids=["rosenbrock", "ill_conditioned"])
def test_canvas_2d_heat_map_paths_and_diverged_run(qtbot, theme, spec):
    canvas, result = canvas_with(qtbot, spec, theme)
    assert "diverged" in [r.verdict for r in result.runs]
    (x_lo, x_hi), (y_lo, y_hi) = result.function.view_box()
    view = view_range(canvas)
    # the whole region of interest is on screen, at equal x and y scale, and no more than
    # the window's shape demands
    assert view.x_min <= x_lo + 1e-9 and view.x_max >= x_hi - 1e-9
    assert view.y_min <= y_lo + 1e-9 and view.y_max >= y_hi - 1e-9
    assert view.width < 4 * (x_hi - x_lo) and view.height < 4 * (y_hi - y_lo)
    surface = canvas._surface
    if spec.function == "rosenbrock":
        assert surface.log_colors  # values from 0 to 2,500: colours on a log scale
    assert np.all(np.isfinite(surface.image.image))
    cx, _cy = curve_points(surface.contours)
    assert len(cx) > 100
    stars_x, _ = curve_points(surface.global_minima)
    assert len(stars_x) == 1
    for run in result.runs:
        path = canvas._paths[run.index]
        x, y = path_points(path)
        assert np.all(np.isfinite(x)) and np.all(np.isfinite(y))
        head_x, _ = curve_points(path.head)
        alarm_x, _ = curve_points(path.alarm)
        if run.verdict == "diverged":
            assert len(alarm_x) == 1 and len(head_x) == 0
        else:
            assert len(alarm_x) == 0
    save_shot(canvas, f"canvas_{spec.function}_{theme.name}")


def test_canvas_colours_a_round_bowl_linearly(qtbot):
    canvas = show(qtbot, LossCanvas(), 400, 400)
    bowl = make_function("bowl")
    canvas.set_function(bowl, bowl.default_start())
    assert not canvas._surface.log_colors
    canvas.set_function(make_function("beale"), (1.0, 1.5))
    assert canvas._surface.log_colors


def test_canvas_survives_nan_inf_and_huge_positions(qtbot):
    canvas = show(qtbot, LossCanvas(), 600, 450)
    for key in ("quadratic", "bowl"):
        function = make_function(key)
        canvas.set_function(function, function.default_start())
        canvas.set_runs(colors(2))
        dim = function.dim
        nasty = np.array([1.0, 2.0, 1e300, -1e300, np.inf, -np.inf, np.nan, 3.0, 1e15, 0.5])
        positions = np.column_stack([nasty] * dim) if dim == 2 else nasty[:, None]
        losses = np.array([1.0, 4.0, 1e300, np.inf, np.inf, np.inf, np.nan, 9.0, 1e30, 0.25])
        steps = np.arange(len(nasty))
        canvas.set_run_path(0, positions, losses, steps)
        canvas.set_run_status(0, "diverged", 6)
        canvas.set_run_path(1, np.full((3, dim), np.nan), np.full(3, np.nan), np.arange(3))
        canvas.set_run_path(1, np.empty((0, dim)), np.empty(0), np.empty(0, dtype=int))
        canvas.set_run_path(1, np.zeros((4, 3 - dim)), np.zeros(4), np.arange(4))  # wrong dim
        canvas.set_run_path(7, positions, losses, steps)  # no such run: ignored
        canvas.grab()  # paints without raising or warning
        before = view_range(canvas)
        (lo, hi) = function.view_box()[0]
        assert before.x_min >= lo - 1.0 and before.x_max <= hi + 1.0 if dim == 1 else True
        for path in canvas._paths:
            x, y = path_points(path)
            assert np.all(np.isfinite(x)) and np.all(np.isfinite(y))
            assert np.all(np.abs(x) < 1e6) and np.all(np.abs(y) < 1e6)
        assert all(
            math.isfinite(v) for v in (before.x_min, before.x_max, before.y_min, before.y_max)
        )


def test_canvas_repaints_with_setdata_only(qtbot):
    canvas, result = canvas_with(qtbot, LESSON)
    item = canvas.plot_widget.getPlotItem()
    count = len(item.items)
    lines = [path.line for path in canvas._paths]
    history = result.runs[1].history
    for end in range(1, len(history.steps), 5):
        canvas.set_run_path(1, history.positions[:end], history.losses[:end], history.steps[:end])
    assert len(item.items) == count
    assert [path.line for path in canvas._paths] == lines
    x, _ = path_points(canvas._paths[1])
    assert len(x) >= 2
    # the 1-D path's newest steps are dots on the curve
    dots_x, dots_y = curve_points(canvas._paths[1].dots)
    assert len(dots_x) > 10
    assert np.allclose(dots_y, dots_x**2)  # L(w) = w²: the dots sit on the curve


def segment_set(x: np.ndarray, y: np.ndarray) -> set:
    return {tuple(pair) for pair in np.column_stack([x, y]).reshape(-1, 4).round(9)}


def test_canvas_paints_only_the_fresh_part_while_a_run_plays(qtbot):
    canvas, result = canvas_with(qtbot, ROSENBROCK)
    history = result.runs[0].history
    path = canvas._paths[0]
    pixel_width, pixel_height = canvas._pixel_size()
    canvas.set_run_path(0, history.positions[:40], history.losses[:40], history.steps[:40])
    settled = curve_points(path.line)
    for end in range(41, 80, 3):
        canvas.set_run_path(0, history.positions[:end], history.losses[:end], history.steps[:end])
        # the settled part is not drawn again; the fresh part ends at the newest point
        line = curve_points(path.line)
        assert all(np.array_equal(a, b) for a, b in zip(line, settled, strict=True))
        fresh_x, fresh_y = curve_points(path.fresh)
        newest_x, newest_y = history.positions[end - 1]
        assert abs(fresh_x[-1] - newest_x) <= 2 * pixel_width  # the same screen pixel
        assert abs(fresh_y[-1] - newest_y) <= 2 * pixel_height
    split = segment_set(*path_points(path))
    # the same rows drawn at once give the same segments
    path.clear()
    canvas.set_run_path(0, history.positions[:end], history.losses[:end], history.steps[:end])
    assert len(curve_points(path.fresh)[0]) == 0
    whole = segment_set(*path_points(path))
    # the same picture: only the segments next to the split may be thinned differently
    assert len(whole ^ split) <= 4 and len(whole & split) >= len(whole) - 2
    # rows that do not extend what was drawn (another run's) are drawn afresh
    other = result.runs[1].history
    canvas.set_run_path(0, other.positions[:end], other.losses[:end], other.steps[:end])
    assert len(curve_points(path.fresh)[0]) == 0
    x, y = path_points(path)
    assert abs(x[-1] - other.positions[end - 1][0]) <= 2 * pixel_width
    assert abs(y[-1] - other.positions[end - 1][1]) <= 2 * pixel_height


def test_canvas_adds_a_long_fresh_part_to_the_settled_part(qtbot):
    canvas, _ = canvas_with(qtbot, ROSENBROCK)
    path = canvas._paths[0]
    box = canvas.visible_box()
    # a path that goes round the same ring again and again (500 points a turn): many repeats
    turns = np.arange(3 * FRESH_POINTS) * (2 * np.pi / 500)
    radius = 0.4
    positions = np.column_stack(
        [
            (box.x_min + box.x_max) / 2 + radius * box.width * np.cos(turns) / 2,
            (box.y_min + box.y_max) / 2 + radius * box.height * np.sin(turns) / 2,
        ]
    )
    steps = np.arange(len(turns))
    losses = np.ones(len(turns))
    for end in range(1, len(turns) + 1, 250):
        canvas.set_run_path(0, positions[:end], losses[:end], steps[:end])
    canvas.set_run_path(0, positions, losses, steps)
    line, fresh = curve_points(path.line), curve_points(path.fresh)
    assert len(fresh[0]) < 2 * 2 * FRESH_POINTS  # the fresh part was merged, not kept growing
    merged = segment_set(*path_points(path))
    # the later turns add nothing: the settled part holds about one turn, each segment once
    assert len(segment_set(*line)) == len(line[0]) // 2 <= 600
    path.clear()
    canvas.set_run_path(0, positions, losses, steps)
    whole = segment_set(*path_points(path))
    # the same picture: only segments next to the splits may be thinned differently
    assert len(whole ^ merged) <= 0.05 * len(whole)


def test_canvas_status_none_restores_the_run_colour(qtbot):
    canvas, _ = canvas_with(qtbot, LESSON)
    path = canvas._paths[2]
    canvas.set_run_status(2, None, None)
    assert path.line.opts["pen"].color() == QColor(RUN_COLORS[2])
    assert path.line.opts["pen"].style() == Qt.PenStyle.SolidLine
    assert len(curve_points(path.alarm)[0]) == 0


def test_canvas_theme_recolours_the_plot(qtbot):
    canvas, _ = canvas_with(qtbot, VALLEY)
    for theme in THEMES.values():
        canvas.set_theme(theme)
        assert canvas.plot_widget.backgroundBrush().color() == QColor(theme.background)
        axis = canvas.plot_widget.getPlotItem().getAxis("bottom")
        assert axis.textPen().color() == QColor(theme.foreground)


def test_canvas_font_zoom_thickens_lines(qtbot):
    canvas, _ = canvas_with(qtbot, LESSON)
    width = canvas._paths[0].line.opts["pen"].widthF()
    font = canvas.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    canvas.setFont(font)
    assert canvas._paths[0].line.opts["pen"].widthF() == pytest.approx(2 * width, rel=0.05)


def test_line_widths_follow_the_screen_pixel_ratio(qtbot):
    """pyqtgraph's pens are in device pixels: on a 2x screen they must be twice as wide."""
    canvas, _ = canvas_with(qtbot, LESSON)
    expected = PATH_WIDTH * ui_scale(canvas) * max(1.0, canvas.devicePixelRatioF())
    assert canvas._paths[0].line.opts["pen"].widthF() == pytest.approx(expected)


def test_click_on_the_canvas_requests_that_start(qtbot):
    canvas, _ = canvas_with(qtbot, ROSENBROCK)
    viewport = canvas.plot_widget.viewport()
    with qtbot.waitSignal(canvas.start_point_requested) as blocker:
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=to_viewport(canvas, 0.5, 1.5))
    x, y = blocker.args[0]
    assert x == pytest.approx(0.5, abs=0.05) and y == pytest.approx(1.5, abs=0.05)
    assert x == round(x, 2) and y == round(y, 2)  # snapped to tidy numbers
    start_x, start_y = curve_points(canvas._surface.start_marker)
    assert (start_x[0], start_y[0]) == (x, y)


def test_dragging_on_the_canvas_moves_the_start(qtbot):
    canvas, _ = canvas_with(qtbot, LESSON)
    before = canvas.visible_box()
    viewport = canvas.plot_widget.viewport()
    picks = []
    canvas.start_point_requested.connect(picks.append)
    left = Qt.MouseButton.LeftButton
    send_mouse(viewport, QEvent.Type.MouseButtonPress, to_viewport(canvas, -4.0, 10.0), left)
    for w in (-3.0, -2.0, -1.0):
        send_mouse(viewport, QEvent.Type.MouseMove, to_viewport(canvas, w, 10.0), left)
    send_mouse(
        viewport,
        QEvent.Type.MouseButtonRelease,
        to_viewport(canvas, -1.0, 10.0),
        Qt.MouseButton.NoButton,
    )
    assert len(picks) >= 2
    assert all(len(p) == 1 for p in picks)  # 1-D: only w
    assert picks[-1][0] == pytest.approx(-1.0, abs=0.1)
    assert canvas.visible_box() == before  # dragging never pans the view


def loneliest_point(canvas: LossCanvas, result) -> tuple[int, int, float, float]:
    """(run, step, x, y) of the path point farthest from every other one on screen."""
    points = []
    for run in result.runs:
        for step, (x, y) in zip(run.history.steps, run.history.positions, strict=True):
            pixel = to_viewport(canvas, x, y)
            if 10 < pixel.x() < 700 and 10 < pixel.y() < 500:
                points.append((run.index, int(step), x, y, pixel.x(), pixel.y()))
    pixels = np.array([p[4:] for p in points], dtype=float)
    gaps = np.linalg.norm(pixels[:, None] - pixels[None], axis=2) + np.eye(len(points)) * 1e9
    best = points[int(np.argmax(gaps.min(axis=1)))]
    return best[:4]


def hover_until(qtbot, canvas: LossCanvas, pos: QPoint, done) -> None:
    """Move the mouse to ``pos`` until the hover text satisfies ``done``.

    pyqtgraph drops mouse moves that come too quickly after the last one, so keep moving.
    """
    viewport = canvas.plot_widget.viewport()

    def moved() -> bool:
        send_mouse(viewport, QEvent.Type.MouseMove, pos, Qt.MouseButton.NoButton)
        return done(canvas.hover_label.text())

    qtbot.waitUntil(moved)


def emptiest_spot(canvas: LossCanvas, result) -> QPoint:
    """A viewport pixel inside the plot as far as possible from every path point."""
    view = canvas.visible_box()
    pixels = np.array(
        [
            (p.x(), p.y())
            for run in result.runs
            for p in (to_viewport(canvas, x, y) for x, y in run.history.positions)
        ],
        dtype=float,
    )
    best, best_gap = None, -1.0
    for fx in np.linspace(0.1, 0.9, 9):
        for fy in np.linspace(0.1, 0.9, 9):
            spot = to_viewport(canvas, view.x_min + fx * view.width, view.y_min + fy * view.height)
            gap = np.min(np.hypot(pixels[:, 0] - spot.x(), pixels[:, 1] - spot.y()))
            if gap > best_gap:
                best, best_gap = spot, gap
    assert best_gap > 30
    return best


def test_hover_names_the_nearest_step(qtbot):
    canvas, result = canvas_with(qtbot, VALLEY)
    run, step, x, y = loneliest_point(canvas, result)
    hover_until(qtbot, canvas, to_viewport(canvas, x, y), lambda t: "step" in t)
    text = canvas.hover_label.text()
    assert "x = " in text and "L = " in text
    assert f"run {run + 1}, step {step}:" in text
    hover_until(qtbot, canvas, emptiest_spot(canvas, result), lambda t: "step" not in t)
    assert "x = " in canvas.hover_label.text()


# ------------------------------------------------------------------------------------------
# loss plot
# ------------------------------------------------------------------------------------------
def loss_plot_with(qtbot, spec: ExperimentSpec = LESSON, theme=None) -> tuple[LossPlot, object]:
    result = run_experiment(spec)
    plot = show(qtbot, LossPlot(), 700, 360)
    if theme is not None:
        plot.set_theme(theme)
    plot.set_runs(colors(len(spec.runs)))
    for run in result.runs:
        plot.set_run_losses(run.index, run.history.steps, run.history.losses)
        plot.set_run_status(run.index, run.verdict)
    plot.set_current_step(spec.steps // 2)
    return plot, result


def test_loss_plot_caps_the_range_for_a_diverging_run(qtbot, theme):
    plot, result = loss_plot_with(qtbot, LESSON, theme)
    start = result.runs[0].start_loss  # 25 for every run
    assert plot.is_log_y()  # losses over 30 decades: the log scale came on by itself
    plot.set_log_y(False)  # the user's choice
    low, high = plot.y_range()
    assert low <= 0.0 and high <= LINEAR_CAP * start * 1.1
    assert high >= start  # every start is on the plot
    # the diverging curve is clipped just above the top, not drawn at 1e12
    _x, y = curve_points(plot._curves[2])
    finite = y[np.isfinite(y)]
    assert finite.max() <= LINEAR_CAP * start * 1.5 + 1e-9
    assert plot._curves[2].opts["pen"].color() == QColor(RUN_COLORS[2])
    assert plot._curves[2].opts["pen"].style() == Qt.PenStyle.DashLine
    save_shot(plot, f"loss_plot_{theme.name}")
    plot.set_log_y(True)
    low, high = plot.y_range()
    assert 0 < low < 1e-6  # the converged run reaches tiny losses
    assert start <= high <= LOG_CAP * start * 10**LOG_PADDING * 1.001
    save_shot(plot, f"loss_plot_log_{theme.name}")


def test_loss_plot_ignores_nan_and_inf(qtbot):
    plot = show(qtbot, LossPlot(), 500, 300)
    plot.set_runs(colors(3))
    plot.set_run_losses(0, np.arange(6), np.array([4.0, 2.0, np.nan, 1.0, 0.5, 0.25]))
    plot.set_run_losses(1, np.arange(5), np.array([4.0, 40.0, 1e300, np.inf, np.nan]))
    plot.set_run_losses(2, np.arange(3), np.array([np.nan, np.nan, np.nan]))
    plot.set_run_losses(2, np.arange(5), np.array([np.nan, np.nan, np.nan]))  # lengths differ
    plot.set_run_losses(9, np.arange(3), np.ones(3))  # no such run: ignored
    plot.set_run_status(1, "diverged")
    for log in (False, True):
        plot.set_log_y(log)
        low, high = plot.y_range()
        assert math.isfinite(low) and math.isfinite(high) and low < high
        cap = LOG_CAP * 4.0 * 10**LOG_PADDING if log else LINEAR_CAP * 4.0 * 1.1
        assert high <= cap
        plot.grab()
    end_x, _end_y = curve_points(plot._ends[1])
    assert list(end_x) == [3]  # the cross sits where the loss became infinite


def test_loss_plot_log_checkbox_and_playhead(qtbot):
    plot, _ = loss_plot_with(qtbot)
    assert plot.is_log_y() and plot.log_check.isChecked()  # on by itself: a wide range
    with qtbot.waitSignal(plot.log_y_toggled) as blocker:
        qtbot.mouseClick(plot.log_check, Qt.MouseButton.LeftButton)
    assert blocker.args == [False] and not plot.is_log_y()
    with qtbot.waitSignal(plot.log_y_toggled) as blocker:
        qtbot.mouseClick(plot.log_check, Qt.MouseButton.LeftButton)
    assert blocker.args == [True] and plot.is_log_y()
    with qtbot.assertNotEmitted(plot.log_y_toggled):
        plot.set_log_y(False)
    assert not plot.is_log_y() and not plot.log_check.isChecked()
    plot.set_current_step(42)
    assert plot.playhead.value() == 42
    x_low, x_high = plot.plot_widget.getPlotItem().getViewBox().viewRange()[0]
    assert x_low <= 0 and x_high >= 100


def test_loss_plot_handles_long_series(qtbot):
    plot = show(qtbot, LossPlot(), 600, 300)
    plot.set_log_y(False)  # measured in loss units, on the linear scale
    plot.set_runs(colors(MAX_LIVE_RUNS))
    steps = np.arange(100_000)
    for run in range(MAX_LIVE_RUNS):
        plot.set_run_losses(run, steps, 25.0 * np.exp(-steps * (run + 1) * 1e-4))
    plot.grab()
    view_box = plot.plot_widget.getPlotItem().getViewBox()
    columns = view_box.width()
    _pixel_width, pixel_height = view_box.viewPixelSize()
    for run, curve in enumerate(plot._curves):
        losses = 25.0 * np.exp(-steps * (run + 1) * 1e-4)
        x, y = curve_points(curve)
        # a few points per pixel column, not every step
        assert len(x) <= 4 * columns + 4
        assert np.all(np.diff(x) > 0) and x[0] == 0 and x[-1] == steps[-1]
        # yet the line passes within a pixel of every step's loss
        assert np.abs(np.interp(steps, x, y) - losses).max() <= pixel_height


def test_loss_plot_envelope_grows_with_the_rows_and_keeps_breaks(qtbot):
    plot = show(qtbot, LossPlot(), 600, 300)
    plot.set_runs(colors(1))
    steps = np.arange(60_000)
    losses = 4.0 + np.sin(steps * 0.37)  # wiggles far faster than a pixel column
    losses[30_000] = np.nan
    for end in range(1_000, 60_001, 7_000):
        plot.set_run_losses(0, steps[:end], losses[:end])
    plot.set_run_losses(0, steps, losses)
    grown = curve_points(plot._curves[0])
    # the same rows given at once are drawn the same
    plot.set_runs(colors(1))
    plot.set_run_losses(0, steps, losses)
    whole = curve_points(plot._curves[0])
    assert all(np.array_equal(a, b, equal_nan=True) for a, b in zip(grown, whole, strict=True))
    x, y = whole
    assert len(x) < len(steps) // 10
    # every column's lowest and highest loss is drawn (to the pixel): the band stays full
    _pixel_width, pixel_height = plot.plot_widget.getPlotItem().getViewBox().viewPixelSize()
    (x_low, x_high), columns = plot._columns()
    pixel_width = (x_high - x_low) / columns
    assert abs(np.nanmin(y) - losses[np.isfinite(losses)].min()) <= pixel_height
    assert abs(np.nanmax(y) - losses[np.isfinite(losses)].max()) <= pixel_height
    column_of = np.floor((steps - x_low) / pixel_width)
    drawn_column = np.floor((x - x_low) / pixel_width)
    for column in np.unique(column_of)[::11]:
        wanted = losses[(column_of == column) & np.isfinite(losses)]
        got = y[(drawn_column == column) & np.isfinite(y)]
        assert got.min() <= wanted.min() + pixel_height
        assert got.max() >= wanted.max() - pixel_height
    assert 30_000 in x[np.isnan(y)]  # the NaN still breaks the line
    # rows that are not an extension (another run) are thinned afresh
    plot.set_run_losses(0, steps[:500], np.full(500, 2.0))
    x, y = curve_points(plot._curves[0])
    assert x[-1] == 499 and np.all(y == 2.0)


# ------------------------------------------------------------------------------------------
# runs table
# ------------------------------------------------------------------------------------------
def table_with(qtbot, runs: list[RunSpec]) -> RunsTable:
    table = show(qtbot, RunsTable(), 760, 300)
    table.set_runs(runs, colors(len(runs)))
    return table


def cell(table: RunsTable, row: int, column: int, role=Qt.ItemDataRole.DisplayRole):
    return table.model.data(table.model.index(row, column), role)


def test_table_shows_runs_and_limits_the_buttons(qtbot, theme):
    table = table_with(qtbot, list(LESSON.runs))
    assert table.run_count() == 3
    assert [cell(table, r, 2) for r in range(3)] == ["0.01", "0.1", "1.1"]
    assert cell(table, 0, 1) == "Gradient descent"
    assert table.selected_run() == 0
    assert table.add_button.isEnabled() and table.remove_button.isEnabled()
    table.set_runs([RunSpec(0.1 * (i + 1)) for i in range(MAX_LIVE_RUNS)], colors(MAX_LIVE_RUNS))
    assert not table.add_button.isEnabled() and not table.duplicate_button.isEnabled()
    table.set_runs([RunSpec(0.1)], colors(1))
    assert not table.remove_button.isEnabled() and table.add_button.isEnabled()
    table.set_runs(list(LESSON.runs), colors(3))
    result = run_experiment(LESSON)
    for run in result.runs:
        h = run.history
        grad = float(np.linalg.norm(h.gradients[-1]))
        table.update_live(run.index, int(h.steps[-1]), float(h.losses[-1]), grad, 0.1)
        table.set_verdict(run.index, run.verdict, run.oscillated)
    save_shot(table, f"runs_table_{theme.name}")


def test_table_formats_numbers_compactly_and_in_words(qtbot):
    table = table_with(qtbot, [RunSpec(0.000123), RunSpec(3e-4, "adam"), RunSpec(1.1)])
    assert cell(table, 0, 2) == "0.000123"
    assert cell(table, 1, 2) == "0.0003" and cell(table, 1, 1) == "Adam"
    table.update_live(2, 40, 3.1e9, float("nan"), 1.1)
    assert [cell(table, 2, c) for c in (3, 4, 5)] == ["40", "3.1e+09", "not a number"]
    table.update_live(2, 41, float("inf"), float("-inf"), 1.1)
    assert cell(table, 2, 4) == "infinite" and cell(table, 2, 5) == "minus infinite"
    table.update_live(0, 12345, 0.5, 0.25, 0.0000615)
    assert cell(table, 0, 3) == "12,345"
    assert cell(table, 0, 2) == "0.000123 (now 6.15e-05)"  # a schedule changed the rate
    table.set_verdict(2, "diverged", False)
    assert cell(table, 2, RESULT) == "Diverged"
    assert not cell(table, 2, RESULT, Qt.ItemDataRole.DecorationRole).isNull()
    assert "too large" in cell(table, 2, RESULT, Qt.ItemDataRole.ToolTipRole)
    table.set_verdict(0, "converged", True)
    assert cell(table, 0, RESULT) == "Converged (zig-zagged)"
    table.set_verdict(0, None, False)
    assert cell(table, 0, RESULT) == ""
    # unknown run numbers are ignored, not errors
    table.update_live(99, 1, 1.0, 1.0, 1.0)
    table.set_verdict(-1, "slow", False)


def test_table_takes_every_run_s_numbers_in_one_update(qtbot):
    table = table_with(qtbot, [RunSpec(0.01), RunSpec(0.1), RunSpec(1.1)])
    changes = []
    table.model.dataChanged.connect(lambda top, bottom: changes.append((top.row(), bottom.row())))
    table.update_live_rows({0: (5, 0.25, 0.5, 0.01), 2: (5, 3.1e9, 2e5, 1.1), 7: (1, 1, 1, 1)})
    assert changes == [(0, 2)]  # one signal for the rows that exist, so the view measures once
    assert [cell(table, r, 4) for r in (0, 2)] == ["0.25", "3.1e+09"]
    table.update_live_rows({})
    assert len(changes) == 1


def test_table_buttons_keys_and_selection_emit(qtbot):
    table = table_with(qtbot, list(LESSON.runs))
    with qtbot.waitSignal(table.add_requested):
        qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)
    view = table.view
    row_1 = view.visualRect(table.model.index(1, 1)).center()
    with qtbot.waitSignal(table.selection_changed) as selected:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=row_1)
    assert selected.args == [1] and table.selected_run() == 1
    with qtbot.waitSignal(table.duplicate_requested) as duplicated:
        qtbot.mouseClick(table.duplicate_button, Qt.MouseButton.LeftButton)
    assert duplicated.args == [1]
    with qtbot.waitSignal(table.remove_requested) as removed:
        qtbot.mouseClick(table.remove_button, Qt.MouseButton.LeftButton)
    assert removed.args == [1]
    table.activateWindow()
    qtbot.waitUntil(table.isActiveWindow)  # shortcuts work in the active window only
    view.setFocus()
    with qtbot.waitSignal(table.remove_requested) as removed:
        qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert removed.args == [1]
    with qtbot.waitSignal(table.duplicate_requested) as duplicated:
        qtbot.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert duplicated.args == [1]


def test_table_setters_emit_nothing_and_keep_the_selection(qtbot):
    table = table_with(qtbot, list(LESSON.runs))
    with qtbot.assertNotEmitted(table.selection_changed):
        table.select_run(2)
        table.set_runs(list(LESSON.runs), colors(3))
        assert table.selected_run() == 2
        table.set_runs(list(LESSON.runs[:2]), colors(2))  # the selected run went away
        assert table.selected_run() == 1
    table.set_runs([RunSpec(0.1)], colors(1))
    table.activateWindow()
    qtbot.waitUntil(table.isActiveWindow)
    with qtbot.assertNotEmitted(table.remove_requested):
        table.view.setFocus()
        qtbot.keyClick(table.view, Qt.Key.Key_Delete)  # the last run cannot be removed


# ------------------------------------------------------------------------------------------
# banner
# ------------------------------------------------------------------------------------------
ALARM_TEXT = (
    "Run 3, learning rate 1.1: the loss grew from 25 to 3.1e+09 in 40 steps; each step "
    "overshot further. The stable limit for this surface is 1.0."
)


def test_banner_shows_and_clears(qtbot, theme):
    host = show(qtbot, QWidget(), 760, 200)
    banner = NoticeBanner(host)
    banner.resize(760, 120)
    assert not banner.isVisible()
    for level, text in (
        ("alarm", ALARM_TEXT),
        ("warning", "Run 2 keeps bouncing."),
        ("info", "Run 1 reached the bottom in 73 steps."),
    ):
        banner.show_notice(level, text)
        assert banner.isVisible() and banner.text() == text and banner.level() == level
        banner.resize(760, banner.heightForWidth(760))
        save_shot(banner, f"banner_{level}_{theme.name}")
    assert banner.text_label.wordWrap()
    assert banner.text_label.font().pointSizeF() > host.font().pointSizeF()  # projector size
    with qtbot.assertNotEmitted(banner.dismissed):
        banner.clear()
    assert not banner.isVisible()
    banner.show_notice("shouting", "odd level")
    assert banner.level() == "info"


def test_banner_close_button_and_escape_dismiss(qtbot):
    host = show(qtbot, QWidget(), 600, 200)
    banner = NoticeBanner(host)
    banner.show_notice("alarm", ALARM_TEXT)
    with qtbot.waitSignal(banner.dismissed):
        qtbot.mouseClick(banner.close_button, Qt.MouseButton.LeftButton)
    assert not banner.isVisible()
    banner.show_notice("warning", "again")
    host.activateWindow()
    qtbot.waitUntil(host.isActiveWindow)
    with qtbot.waitSignal(banner.dismissed):
        qtbot.keyClick(host, Qt.Key.Key_Escape)
    assert not banner.isVisible()
    with qtbot.assertNotEmitted(banner.dismissed):
        qtbot.keyClick(host, Qt.Key.Key_Escape)  # nothing showing: Esc does nothing
