"""The loss-surface panel of the Model training tool: the runs' paths on the model's landscape.

For a line fitted by least squares the landscape is the exact (w, b) bowl, drawn from its closed
form as the runs train, with the stable limit 2/λmax and the fastest rate said beside it. For any
other model "Slice" computes, off the GUI thread with a progress bar and Cancel, the loss on a
plane through the shown run's last parameters, and projects every run's path on it. "3-D" shows
the same surface and paths in the 3-D view (or says why OpenGL cannot draw here).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from lrdesk.core.models.bowl import LineBowl, bowl_region
from lrdesk.core.models.landscape import CHUNK_POINTS
from lrdesk.gui.models.landscape_job import (
    DIRECTION_NAMES,
    DIRECTIONS,
    RESOLUTION,
    SliceProgress,
    SliceResult,
    slice_job,
)
from lrdesk.gui.models.landscape_plot import LandscapePlot
from lrdesk.gui.models.landscape_surface import BowlSurface, GridSurface
from lrdesk.gui.models.scrub import recorded_index
from lrdesk.gui.shared.background import Lane
from lrdesk.gui.shared.formatting import format_number

Array = np.ndarray

BOWL_SAMPLES = 121
DIVERGED = "diverged"


def is_line_model(snap) -> bool:
    """A line y = w·x + b fitted by least squares: two parameters, an exact bowl."""
    net = snap.network
    return net is not None and tuple(net.widths) == (1, 1) and net.loss_kind == "mse"


class LandscapePanel(QWidget):
    """The bowl or slice with the paths, its controls, and the 3-D view of the same."""

    def __init__(self, parent: QWidget | None = None, selected_run=None) -> None:
        """``selected_run()``: the run the slice goes through (the one the data view shows)."""
        super().__init__(parent)
        self._selected_run = selected_run
        self.lane = Lane("model-landscape", self)
        self.lane.yielded.connect(self._progressed)
        self.lane.returned.connect(self._sliced)
        self.lane.errored.connect(self._failed)
        self.lane.busy_changed.connect(self._busy)
        self._snap = None
        self._colors: list[str] = []
        self._selected = 0
        self._bowl: LineBowl | None = None
        self._bowl_key: tuple | None = None
        self._region = None
        self.slice: SliceResult | None = None
        self._slice_network = None
        self._surface = None  # what the 3-D view shows
        self.view3d = None
        self._colors_3d: list[str] = []
        self._step: int | None = None  # the scrubbed step, None: the newest
        self.chunk_points = CHUNK_POINTS  # grid points between two looks at Cancel
        self._build()

    def _build(self) -> None:
        self.title = QLabel("Loss surface", self)
        self.directions = QComboBox(self)
        self.directions.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.directions.setMinimumContentsLength(8)
        for key, text in DIRECTION_NAMES.items():
            self.directions.addItem(text, key)
            self.directions.setItemData(self.directions.count() - 1, DIRECTIONS[key].capitalize(),
                                        Qt.ItemDataRole.ToolTipRole)
        self.directions.setToolTip("The two directions of the plane through the shown run's "
                                   "last parameters: filter-normalised random ones (Li et al., "
                                   "2018), the two its path moved along most, or the two of "
                                   "sharpest curvature")
        self.resolution_box = QSpinBox(self)
        self.resolution_box.setRange(3, 401)
        self.resolution_box.setValue(RESOLUTION)
        self.resolution_box.setSuffix(" pts")
        self.resolution_box.setToolTip("Grid points a side: more show finer detail and take "
                                       "longer (the time grows with the square)")
        self.slice_button = QPushButton("Slice", self)
        self.slice_button.setToolTip("Compute the loss on a plane through the shown run's "
                                     "parameters and project every run's path on it")
        self.slice_button.clicked.connect(self.compute_slice)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar(self)
        self.progress.setFormat("%p%")
        self.progress.setValue(0)
        self.progress.setMaximumWidth(self.fontMetrics().horizontalAdvance("0" * 12))
        self.three_d = QCheckBox("3-D", self)
        self.three_d.setToolTip("The same surface and paths as a landscape to turn with the mouse")
        self.three_d.toggled.connect(self._show_3d)
        self.info = QLabel("Train a model to see its loss surface and the runs' paths.", self)
        self.info.setWordWrap(True)
        self.info.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.plot = LandscapePlot(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.plot)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.three_d)
        controls = QHBoxLayout()  # a row of its own: the column stays narrow at 1024 pixels
        for widget, stretch in ((self.directions, 1), (self.resolution_box, 0),
                                (self.slice_button, 0), (self.cancel_button, 0),
                                (self.progress, 1)):
            controls.addWidget(widget, stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(controls)
        layout.addWidget(self.info)
        layout.addWidget(self.stack, 1)
        self._set_slice_controls(False)

    @property
    def resolution(self) -> int:
        """Grid points a side of the next slice."""
        return self.resolution_box.value()

    @resolution.setter
    def resolution(self, points: int) -> None:
        self.resolution_box.setValue(points)

    # --- from the model view ------------------------------------------------------------------
    def show_snapshot(self, snap, colors: list[str], selected: int) -> None:
        """Draw the newest training snapshot: the bowl and its paths, or the paths on the slice."""
        self._snap, self._colors, self._selected = snap, list(colors), selected
        self._step = None
        if snap is None or snap.network is None:
            return
        if is_line_model(snap):
            self._set_slice_controls(False)
            self._show_bowl(snap)
        else:
            self._set_slice_controls(True)
            if self._slice_network is not snap.network:
                self._forget_slice()
            elif self.slice is not None:
                self._draw_paths(self.slice.paths)
        self._update_3d_paths()

    def show_step(self, step: int | None) -> None:
        """Cut every path at ``step`` (None: show them whole), in 2-D and in 3-D."""
        self._step = step
        if self._snap is None:
            return
        if is_line_model(self._snap):
            self._draw_paths(self._snap.paths)
        elif self.slice is not None:
            self._draw_paths(self.slice.paths)
        self._update_3d_paths()

    def shutdown(self) -> None:
        self.lane.shutdown(2.0)

    # --- the exact bowl ---------------------------------------------------------------------
    def _show_bowl(self, snap) -> None:
        key = (snap.X_train.shape, float(snap.X_train.sum()), float(snap.y_train.sum()))
        start = snap.paths[0][0] if snap.paths and len(snap.paths[0]) else np.zeros(2)
        if key != self._bowl_key:
            self._bowl_key = key
            self._bowl = LineBowl.from_rows(snap.X_train, snap.y_train)
            self._region = bowl_region(self._bowl, start)
            (w0, w1), (b0, b1) = self._region
            ws, bs = np.linspace(w0, w1, BOWL_SAMPLES), np.linspace(b0, b1, BOWL_SAMPLES)
            self.plot.set_grid(ws, bs, self._bowl.grid(ws, bs))
            self.plot.set_optimum(self._bowl.optimum)
            vectors = np.linalg.eigh(self._bowl.hessian)[1]
            self.plot.set_axes(self._bowl.optimum, [vectors[:, 1], vectors[:, 0]])
            self.plot.setLabel("bottom", "w (slope)")
            self.plot.setLabel("left", "b (intercept)")
            self._surface = BowlSurface(self._bowl, self._region)
            self._rebuild_3d()
            self.info.setText(self.bowl_text())
        self.title.setText("Loss surface: the exact (w, b) bowl")
        self._draw_paths(snap.paths)

    def bowl_text(self) -> str:
        bowl = self._bowl
        low, high = np.linalg.eigvalsh(bowl.hessian)
        limit, fastest = bowl.rates()
        w, b = bowl.optimum
        return (f"L(w, b) = mean((w·x + b − y)²), exactly. Curvatures λ = {format_number(low, 3)}"
                f" and {format_number(high, 3)}: plain gradient descent diverges from the "
                f"stable limit 2/λmax = {format_number(limit, 3)}; fastest at 2/(λmin + λmax) = "
                f"{format_number(fastest, 3)}. Best fit (star): w = {format_number(w, 3)}, "
                f"b = {format_number(b, 3)}; dashed: the steepest and the flattest directions.")

    # --- the slice ----------------------------------------------------------------------------
    def compute_slice(self) -> bool:
        snap = self._snap
        if snap is None or snap.network is None or not snap.paths:
            self.info.setText("Train first: a slice is taken through a run's parameters.")
            return False
        chosen = self._selected_run() if self._selected_run is not None else self._selected
        run = max(0, min(chosen, len(snap.paths) - 1))
        if not len(snap.paths[run]) or not np.all(np.isfinite(snap.paths[run][-1])):
            self.info.setText(f"Run {run + 1} blew up: its parameters are no longer numbers, so "
                              "no plane goes through them. Show a run that did not diverge.")
            return False
        if len(snap.paths[run]) < 3 and self.directions.currentData() == "pca":
            self.info.setText("The path is too short for its principal directions: train longer "
                              "or choose random directions.")
            return False
        framed = [k for k, v in enumerate(snap.verdicts) if v != DIVERGED and len(snap.paths[k])]
        if run not in framed:
            framed.append(run)
        paths = [p.copy() for p in snap.paths]
        self._slice_network = snap.network
        self.slice = None
        self.progress.setFormat("%p%")
        self.progress.setValue(0)
        self.plot.set_optimum(None)
        self.plot.set_axes(None, [])
        self.plot.set_paths([], [])
        self.plot.setLabel("bottom", "α (first direction)")
        self.plot.setLabel("left", "β (second direction)")
        self.info.setText(f"Computing the slice along {DIRECTIONS[self.directions.currentData()]}…")
        self.lane.start(slice_job(snap.network, snap.X_train, snap.y_train, paths, run,
                                  self.directions.currentData(), self.resolution,
                                  framed=framed, chunk_points=self.chunk_points))
        return True

    def cancel(self) -> None:
        self.lane.stop()

    def is_slicing(self) -> bool:
        return self.lane.is_busy()

    def _progressed(self, part: SliceProgress) -> None:
        self.progress.setRange(0, part.rows)
        self.progress.setValue(part.rows_done)
        self.plot.set_grid(part.alphas, part.betas, part.losses)

    def _sliced(self, result: SliceResult) -> None:
        self.slice = result
        done = int(np.isfinite(result.losses).all(axis=0).sum())
        self.progress.setRange(0, len(result.betas))
        self.progress.setValue(done)
        self.progress.setFormat("%p%" if result.complete else "cancelled at %p%")
        self.plot.set_grid(result.alphas, result.betas, result.losses)
        self.title.setText(f"Loss slice through run {result.centre_run + 1}")
        words = (f"The training loss on the plane through run {result.centre_run + 1}'s last "
                 f"parameters along {DIRECTIONS[result.plane.kind]}; each run's path projected "
                 "on it.")
        if result.plane.explained is not None:
            a, b = result.plane.explained
            words += f" The two directions hold {100 * (a + b):.0f} % of the path's movement."
        if result.plane.kind == "random":
            words += (" Random directions show the basin around the end; a path moves mostly "
                      "along other directions, so its projection is short (the path's main "
                      "directions follow it).")
        curvatures = getattr(result.plane, "curvatures", None)
        if curvatures is not None:
            top = curvatures[0]
            words += (f" Their curvatures are λ1 = {format_number(top, 3)} and λ2 = "
                      f"{format_number(curvatures[1], 3)}: plain gradient descent is stable "
                      f"along them below the rate 2/λ1 = {format_number(2 / top, 3)}." if top > 0
                      else "")
        if not result.complete:
            words = f"Cancelled: {done} of {len(result.betas)} rows computed. " + words
        self.info.setText(words)
        self._draw_paths(result.paths)
        self._surface = GridSurface(result.alphas, result.betas, result.losses) \
            if result.complete else None
        self._rebuild_3d()

    def _failed(self, exc: Exception) -> None:
        self.info.setText(f"The slice could not be computed: {exc}")

    def _busy(self, busy: bool) -> None:
        self.slice_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)

    def _forget_slice(self) -> None:
        self.lane.drop()
        self.slice = None
        self._slice_network = self._snap.network if self._snap is not None else None
        self._surface = None
        self.plot.clear_grid()
        self.plot.set_axes(None, [])
        self.plot.set_optimum(None)
        self.plot.set_paths([], [])
        self.title.setText("Loss slice")
        self.info.setText("Slice: the loss on a plane through the shown run's parameters, "
                          "with every run's path projected on it (computed when asked).")
        self._rebuild_3d()

    def _set_slice_controls(self, on: bool) -> None:
        for widget in (self.directions, self.resolution_box, self.slice_button, self.cancel_button,
                       self.progress):
            widget.setVisible(on)

    def _draw_paths(self, paths: list[Array]) -> None:
        self.plot.set_paths(self._cut(paths), self._path_colors(len(paths)))

    def _cut(self, paths: list[Array]) -> list[Array]:
        """Each path up to the scrubbed step (its last recorded point not after it)."""
        paths = [np.asarray(p, dtype=float)[:, :2] for p in paths]
        snap, step = self._snap, self._step
        if step is None or snap is None:
            return paths
        return [p[:recorded_index(snap.path_steps[k], step) + 1] if k < len(snap.path_steps)
                else p for k, p in enumerate(paths)]

    def _path_colors(self, n: int) -> list[str]:
        return (list(self._colors) + ["#555555"] * max(0, n - len(self._colors)))[:n]

    # --- 3-D ---------------------------------------------------------------------------------
    def _show_3d(self, on: bool) -> None:
        if on and self.view3d is None:
            from lrdesk.gui.surface3d.view import Surface3DView

            self.view3d = Surface3DView(self)
            self.stack.addWidget(self.view3d)
        if on and not self.view3d.is_available():  # say why, and keep the flat view
            reason = self.view3d.unavailable_reason()
            self.three_d.blockSignals(True)
            self.three_d.setChecked(False)
            self.three_d.blockSignals(False)
            self.three_d.setEnabled(False)
            self.three_d.setToolTip(reason)
            self.info.setText(f"{reason} {self.info.text()}")
            return
        self.stack.setCurrentWidget(self.view3d if on else self.plot)
        if on:
            self._rebuild_3d()

    def _rebuild_3d(self) -> None:
        if self.view3d is None or not self.three_d.isChecked():
            return
        if self._surface is not None:
            self.view3d.set_function(self._surface)
            self._colors_3d = []
        self._update_3d_paths()

    def _update_3d_paths(self) -> None:
        view, snap = self.view3d, self._snap
        if view is None or not self.three_d.isChecked() or snap is None or self._surface is None:
            return
        paths = self.plot_paths()
        colors = self._path_colors(len(paths))
        if colors != self._colors_3d:  # new GL items only when the runs change
            self._colors_3d = colors
            view.set_runs(colors)
        for k, xy in enumerate(paths):
            with np.errstate(all="ignore"):
                losses = self._surface.value(np.nan_to_num(xy, nan=0.0)) if len(xy) else \
                    np.zeros(0)
            steps = snap.path_steps[k] if k < len(snap.path_steps) else np.arange(len(xy))
            view.set_run_path(k, xy, losses, steps[:len(xy)])
            view.set_run_status(k, snap.verdicts[k] if k < len(snap.verdicts) else None, None)

    def plot_paths(self) -> list[Array]:
        """The paths as the surface shows them: (w, b) on the bowl, (α, β) on a slice."""
        if self._snap is not None and is_line_model(self._snap):
            return self._cut(self._snap.paths)
        return [] if self.slice is None else self._cut(self.slice.paths)
