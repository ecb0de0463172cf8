"""The landscape-slice job that runs on a ``Lane``'s thread, and what it hands the GUI.

The slice is ``core.models.landscape``'s: the training loss at θ + α·d1 + β·d2 around the shown
run's last parameters θ, along two filter-normalised random directions, the path's top two
principal directions or the Hessian's two sharpest directions at θ. The grid is computed a few rows at a time; between chunks the job sends
its progress with a fresh copy of the rows done so far and stops once it is no longer wanted
(Cancel, a new slice, the window closing), returning what it has.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from lrdesk.core.models.landscape import (
    Plane,
    grid_around,
    hessian_plane,
    pca_plane,
    random_plane,
    slice_rows,
)

Array = np.ndarray

DIRECTIONS = {"random": "filter-normalised random directions", "pca": "the path's top two "
              "principal directions", "hessian": "the two sharpest directions (the top "
              "eigenvectors of the Hessian)"}
#: the same, short enough for a menu
DIRECTION_NAMES = {"random": "Random", "pca": "Along the path",
                   "hessian": "Sharpest"}
RESOLUTION = 41
SEND_SECONDS = 1 / 20


@dataclass(frozen=True)
class SliceProgress:
    rows_done: int
    rows: int
    alphas: Array
    betas: Array
    losses: Array  # (len(alphas), len(betas)), NaN where not computed yet


@dataclass(frozen=True)
class SliceResult:
    plane: Plane
    alphas: Array
    betas: Array
    losses: Array  # (len(alphas), len(betas)): sample (i, j) at (alphas[i], betas[j])
    paths: list[Array]  # each run's path projected on the plane, (T, 2)
    complete: bool
    centre_run: int


def make_plane(network, centre: Array, path: Array, directions: str, X: Array, y: Array,
               seed: int = 0) -> Plane:
    if directions == "hessian":
        return hessian_plane(network, centre, X, y)
    if directions == "pca":
        return pca_plane(path, centre)
    if directions == "random":
        return random_plane(network, centre, seed)
    raise ValueError(f"unknown directions '{directions}'")


def project_finite(plane: Plane, path: Array) -> Array:
    """(α, β) of each point of ``path``; NaN for points that are not finite (a diverged run)."""
    out = np.full((len(path), 2), np.nan)
    ok = np.all(np.isfinite(path), axis=1) if len(path) else np.zeros(0, dtype=bool)
    if ok.any():
        with np.errstate(all="ignore"):
            out[ok] = plane.project(path[ok])
    return out


def slice_job(network, X: Array, y: Array, paths: list[Array], centre_run: int,
              directions: str = "random", resolution: int = RESOLUTION, seed: int = 0,
              framed: list[int] | None = None, chunk_points: int = 256,
              send_seconds: float = SEND_SECONDS):
    """A ``Lane`` job for the slice around ``paths[centre_run][-1]``; ``framed``: the runs
    whose paths the grid must hold (the others, diverged ones, may leave it)."""
    paths = [np.asarray(p, dtype=float) for p in paths]

    def job(task):
        centre = paths[centre_run][-1]
        plane = make_plane(network, centre, paths[centre_run], directions, X, y, seed)
        keep = framed if framed is not None else list(range(len(paths)))
        inside = [p for k, p in enumerate(paths) if k in keep and len(p)]
        frame = np.vstack(inside) if inside else None
        if frame is not None:
            frame = frame[np.all(np.isfinite(frame), axis=1)]
        margin = 0.25
        if directions == "random":  # Li et al.'s ±1 (a unit of each filter's own size), or more
            corners = centre + np.array([[-1.0, -1.0], [1.0, 1.0]]) @ np.vstack([plane.d1,
                                                                                plane.d2])
            frame = corners if frame is None else np.vstack([frame, corners])
            margin = 0.05
        alphas, betas = grid_around(plane, frame, resolution, margin)
        losses = np.full((len(alphas), len(betas)), np.nan)
        complete, last = True, time.perf_counter()
        for first, rows in slice_rows(network, X, y, plane, alphas, betas, chunk_points):
            if not task.wanted():
                complete = False
                break
            losses[:, first:first + len(rows)] = rows.T
            now = time.perf_counter()
            if now - last >= send_seconds:
                task.send(SliceProgress(first + len(rows), len(betas), alphas, betas,
                                        losses.copy()))
                last = now
        projected = [project_finite(plane, p) for p in paths]
        return SliceResult(plane, alphas, betas, losses, projected, complete, centre_run)

    return job
