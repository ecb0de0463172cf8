"""The 3-D view: the loss surface as a shaded mesh, each run's path on it, turned with the mouse.

Drag to rotate, wheel to zoom, middle-drag (or Ctrl-drag) to pan; "Reset view" brings the
starting angle back. The mesh is built once per surface; during playback only the paths move.
Where OpenGL cannot draw (Qt's offscreen platform, a remote desktop, a broken driver) the view
says so in words and never opens a GL widget.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QImage, QOffscreenSurface, QOpenGLContext
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from lrdesk.core.surfaces import LossFunction
from lrdesk.gui.canvas.contours import contour_segments
from lrdesk.gui.shared import colormap
from lrdesk.gui.shared.palette import Theme, current_theme
from lrdesk.gui.surface3d.mesh import HEIGHT, SurfaceMesh

Array = np.ndarray

CAMERA = {"distance": 2.7, "elevation": 32, "azimuth": -60}
FLOOR_LEVELS = 14
FLOOR_Z = -0.25  # under the lowest point of the mesh: seen when the surface is tilted
NO_GL_PLATFORMS = ("offscreen", "minimal", "vnc")
ONLY_2D = "The 3-D view shows functions of two variables (x, y); this one has one."


def gl_unavailable_reason() -> str:
    """Why OpenGL cannot draw here, in words; "" when it can."""
    app = QGuiApplication.instance()
    platform = app.platformName() if app is not None else ""
    if platform in NO_GL_PLATFORMS:
        return (f"The 3-D view needs OpenGL, which the '{platform}' display does not offer. "
                "The 2-D view shows the same runs.")
    try:
        import OpenGL.GL  # noqa: F401  (PyOpenGL draws pyqtgraph's 3-D items)
        import pyqtgraph.opengl  # noqa: F401
    except Exception as exc:  # a missing or broken library: say so, keep the 2-D view
        return f"The 3-D view needs OpenGL, which could not be loaded here ({type(exc).__name__})."
    context, surface = QOpenGLContext(), QOffscreenSurface()
    surface.create()
    if not context.create() or not context.makeCurrent(surface):
        return "The 3-D view needs OpenGL, which this display's driver could not start."
    context.doneCurrent()
    return ""


def _rgba(color: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    c = QColor(color)
    return (c.redF(), c.greenF(), c.blueF(), alpha)


def _mesh_colors(levels: Array) -> Array:
    """(n*m, 4) colours of the heat map's colour map at levels in [0, 1]."""
    rgb = colormap.colors_at(np.asarray(levels).ravel())
    return np.column_stack([rgb, np.ones(len(rgb))]).astype(np.float32)


class _Path:
    def __init__(self, gl, color: str) -> None:
        self.color = color
        self.verdict: str | None = None
        # no line smoothing: with software GL it costs more than the whole mesh
        self.line = gl.GLLinePlotItem(color=_rgba(color), width=2.0, antialias=False, mode="line_strip")
        self.head = gl.GLScatterPlotItem(color=_rgba(color), size=12.0, pxMode=True)
        self.points = np.zeros((0, 3), dtype=np.float32)
        for item in (self.line, self.head):
            item.setGLOptions(_on_top())  # a path is never hidden behind a hill, nor tinted by it

    def show(self, points: Array) -> None:
        self.points = points
        color = _rgba(self.color)  # the run's colour in every view
        self.line.setData(pos=points, color=color)
        self.head.setData(pos=points[-1:] if len(points) else np.zeros((0, 3)), color=color)


class Surface3DView(QWidget):
    """The surface as a mesh with the runs' paths; the same data calls as the 2-D canvas."""

    availability_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme: Theme = current_theme()
        self._function: LossFunction | None = None
        self._mesh: SurfaceMesh | None = None
        self._colors: list[str] = []
        self._paths: list[_Path] = []
        self._data: dict[int, tuple[Array, Array]] = {}
        self._status: dict[int, str | None] = {}
        self._gl = None  # pyqtgraph.opengl, once a GL widget exists
        self.gl_widget = None
        self._mesh_item = None
        self._floor_item = None
        self._reason: str | None = None  # None: not checked yet
        self.reset_button = QPushButton("Reset view")
        self.reset_button.setToolTip("Turn the surface back to the starting angle and zoom.")
        self.floor_box = QCheckBox("Contours on the floor")
        self.floor_box.setToolTip("Draw the heat map's contour lines on the floor under the surface.")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        #: the line under the view: its buttons, and room at its end for a view toggle
        self.footer = bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.reset_button)
        bar.addWidget(self.floor_box)
        bar.addStretch(1)
        self._stack = QStackedLayout()
        self._stack.addWidget(self.message)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._stack, 1)
        layout.addLayout(bar)
        self.reset_button.clicked.connect(self.reset_view)
        self.floor_box.toggled.connect(self._draw_floor)

    # --- availability ------------------------------------------------------------------------
    def unavailable_reason(self) -> str:
        if self._reason is None:
            self._reason = gl_unavailable_reason()
        return self._reason

    def is_available(self) -> bool:
        return not self.unavailable_reason()

    def showEvent(self, event) -> None:  # Qt override
        super().showEvent(event)
        self._ensure_widget()

    def _ensure_widget(self) -> None:
        if self.gl_widget is not None:
            return
        if not self.is_available():
            self.message.setText(self.unavailable_reason())
            self.reset_button.setEnabled(False)
            self.floor_box.setEnabled(False)
            return
        import pyqtgraph.opengl as gl

        self._gl = gl
        self.gl_widget = gl.GLViewWidget()
        self.gl_widget.setToolTip("Drag to turn the surface, wheel to zoom, Ctrl-drag to move it.")
        self._stack.addWidget(self.gl_widget)
        self._stack.setCurrentWidget(self.gl_widget)
        self.reset_view()
        self._apply_background()
        # items go in after the widget is shown (pyqtgraph needs the GL context first)
        self._build_mesh()
        self._build_paths()

    # --- the same calls as the 2-D canvas ----------------------------------------------------
    def set_function(self, function: LossFunction, start: tuple[float, ...] = ()) -> None:
        self._function = function
        self._mesh = SurfaceMesh.build(function) if function.dim == 2 else None
        self._data.clear()
        self._status.clear()
        self._build_mesh()
        self._build_paths()

    def set_start(self, start: tuple[float, ...]) -> None:
        pass  # the start is the first point of every path

    def set_runs(self, colors: list[str]) -> None:
        self._colors = list(colors)
        self._data = {k: v for k, v in self._data.items() if k < len(colors)}
        self._build_paths()

    def set_run_path(self, run: int, positions: Array, losses: Array, steps: Array) -> None:
        if self._mesh is None or not 0 <= run < len(self._colors):
            return
        positions = np.asarray(positions, dtype=float)
        if positions.ndim != 2 or positions.shape[1] != 2:
            return
        n = min(len(positions), len(losses))
        self._data[run] = (positions[:n], np.asarray(losses, dtype=float)[:n])
        self._show_path(run)

    def set_run_status(self, run: int, verdict: str | None, event_step: int | None) -> None:
        self._status[run] = verdict
        if 0 <= run < len(self._paths):
            self._paths[run].verdict = verdict
            self._show_path(run)

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._apply_background()
        self._build_mesh()

    def reset_view(self) -> None:
        if self.gl_widget is not None:
            self.gl_widget.setCameraPosition(pos=_vector(0.0, 0.0, HEIGHT / 3), **CAMERA)

    def path_points(self, run: int) -> Array:
        """The scene points of a run's path as drawn (for checks and exports)."""
        return self._paths[run].points if 0 <= run < len(self._paths) else np.zeros((0, 3))

    def render_image(self, width: int, height: int | None = None) -> QImage:
        """The 3-D view drawn at width x height pixels (aspect of the widget when no height)."""
        if self.gl_widget is None:
            raise RuntimeError(self.unavailable_reason() or "the 3-D view is not shown")
        if height is None:
            height = max(1, round(width * self.gl_widget.height() / max(1, self.gl_widget.width())))
        array = self.gl_widget.renderToArray((int(width), int(height)))
        from pyqtgraph import makeQImage

        return makeQImage(array, alpha=False, transpose=False).copy()

    def export_png(self, path: str, width: int) -> None:
        if not self.render_image(width).save(str(path), "PNG"):
            raise OSError(f"could not write {path}")

    # --- drawing -----------------------------------------------------------------------------
    def _apply_background(self) -> None:
        if self.gl_widget is not None:
            self.gl_widget.setBackgroundColor(QColor(self._theme.background))

    def _build_mesh(self) -> None:
        if self.gl_widget is None:
            return
        for item in (self._mesh_item, self._floor_item):
            if item is not None:
                self.gl_widget.removeItem(item)
        self._mesh_item = self._floor_item = None
        if self._mesh is None:
            self.message.setText(ONLY_2D if self._function is not None else "")
            self._stack.setCurrentWidget(self.message)
            return
        self._stack.setCurrentWidget(self.gl_widget)
        mesh = self._mesh
        sx, sy = mesh.scene_axes()
        colors = _mesh_colors(mesh.heights / HEIGHT)
        self._mesh_item = self._gl.GLSurfacePlotItem(
            x=sx.astype(np.float32), y=sy.astype(np.float32), z=mesh.heights.astype(np.float32),
            colors=colors, shader="shaded", computeNormals=True, smooth=True,
        )
        self._mesh_item.setGLOptions("opaque")
        self.gl_widget.addItem(self._mesh_item)
        self._draw_floor(self.floor_box.isChecked())

    def _draw_floor(self, on: bool) -> None:
        if self.gl_widget is None or self._mesh is None:
            return
        if self._floor_item is not None:
            self.gl_widget.removeItem(self._floor_item)
            self._floor_item = None
        if not on:
            return
        levels = np.linspace(0.0, HEIGHT, FLOOR_LEVELS + 2)[1:-1]
        px, py = contour_segments(self._mesh.heights, levels)
        if len(px) == 0:
            return
        sx, sy = self._mesh.scene_axes()
        x = sx[0] + px * (sx[1] - sx[0])
        y = sy[0] + py * (sy[1] - sy[0])
        points = np.column_stack([x, y, np.full_like(x, FLOOR_Z)]).astype(np.float32)
        self._floor_item = self._gl.GLLinePlotItem(
            pos=points, mode="lines", color=_rgba(self._theme.contour, 0.9), width=1.0
        )
        self._floor_item.setGLOptions("opaque")
        self.gl_widget.addItem(self._floor_item)

    def _build_paths(self) -> None:
        if self.gl_widget is None:
            return
        for path in self._paths:
            self.gl_widget.removeItem(path.line)
            self.gl_widget.removeItem(path.head)
        self._paths = [_Path(self._gl, color) for color in self._colors]
        for run, path in enumerate(self._paths):
            path.verdict = self._status.get(run)
            self.gl_widget.addItem(path.line)
            self.gl_widget.addItem(path.head)
            self._show_path(run)

    def _show_path(self, run: int) -> None:
        if self._mesh is None or not 0 <= run < len(self._paths) or run not in self._data:
            return
        positions, losses = self._data[run]
        self._paths[run].show(self._mesh.path_points(positions, losses))


def _on_top() -> dict:
    """GL state for the paths: drawn over the mesh, blended normally (pyqtgraph's lines are
    'additive' by default, which tints them with the surface below)."""
    from OpenGL import GL

    return {GL.GL_DEPTH_TEST: False, GL.GL_BLEND: True, GL.GL_CULL_FACE: False,
            "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA)}


def _vector(x: float, y: float, z: float):
    from pyqtgraph import Vector

    return Vector(x, y, z)
