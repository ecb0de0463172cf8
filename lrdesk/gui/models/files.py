"""Saving and opening model experiments, and exporting a trained model's curves as CSV.

The file is ``core.models.spec``'s JSON format (the same as ``lrdesk train --spec``); saving is
atomic, opening refuses special and oversized files, and every failure is a sentence for the
banner, never an exception for the window.
"""

from __future__ import annotations

import csv
import io
import os

import numpy as np

from lrdesk.core.experiment.fileio import atomic_write_text, read_text
from lrdesk.core.models.spec import MAX_FILE_BYTES, ModelExperiment, dumps_model, loads_model


class ModelFileError(ValueError):
    """Why a model experiment file could not be saved or opened, in plain words."""


def save_model_experiment(path: str | os.PathLike, spec: ModelExperiment) -> None:
    try:
        atomic_write_text(path, dumps_model(spec))
    except OSError as exc:
        raise ModelFileError(f"Could not save {os.fspath(path)}: {exc.strerror or exc}") from None


def open_model_experiment(path: str | os.PathLike) -> ModelExperiment:
    try:
        text = read_text(path, MAX_FILE_BYTES)
    except OSError as exc:
        raise ModelFileError(f"Could not open {os.fspath(path)}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ModelFileError(f"{os.fspath(path)} is not a text file.") from None
    try:
        return loads_model(text)
    except ValueError as exc:
        raise ModelFileError(f"{os.fspath(path)} is not a model experiment: {exc}") from None


def losses_csv(snap) -> str:
    """One row per step: the step, then each run's training loss, gradient norm, learning rate
    alpha (after the schedule) and update size (empty where a run took no step)."""
    out = io.StringIO()
    writer = csv.writer(out)
    K = len(snap.learning_rates)
    names = ("loss", "grad_norm", "alpha", "update_size")
    writer.writerow(["step"] + [f"{name} run {k + 1} (lr {snap.learning_rates[k]:g})"
                                for k in range(K) for name in names])
    nothing = np.full_like(snap.train_loss, np.nan)
    columns = (snap.train_loss, snap.grad_norm,
               nothing if snap.alpha is None else snap.alpha,
               nothing if snap.update_norm is None else snap.update_norm)
    for i, step in enumerate(snap.steps):
        row = [int(step)]
        for k in range(K):
            row += [_num(column[i, k]) for column in columns]
        writer.writerow(row)
    return out.getvalue()


def _num(value: float) -> str:
    return "" if not np.isfinite(value) else repr(float(value))


def export_losses(path: str | os.PathLike, snap) -> None:
    try:
        atomic_write_text(path, losses_csv(snap))
    except OSError as exc:
        raise ModelFileError(f"Could not write {os.fspath(path)}: {exc.strerror or exc}") from None
