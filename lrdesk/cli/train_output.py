"""What `lrdesk train` prints: CSV rows, the text table, and the landscape it adds to the JSON."""

from __future__ import annotations

import csv

import numpy as np

from lrdesk.cli.common import CliError
from lrdesk.core.models.landscape import (
    axes_plane,
    grid_around,
    loss_slice,
    pca_plane,
    random_plane,
)
from lrdesk.core.models.report import finite
from lrdesk.core.models.training import Trainer


def landscape(trainer: Trainer, k: int, kind: str, size: int) -> dict:
    """The loss on a plane through run k's final parameters, and its path projected on it."""
    net, d = trainer.network, trainer.data
    centre = trainer.final_params[k]
    path = np.array([p for _, p in trainer.path[k]])
    try:
        if kind == "axes":
            plane = axes_plane(centre)
        elif kind == "random":
            plane = random_plane(net, centre, seed=trainer.spec.runs[k].seed)
        else:
            plane = pca_plane(path, centre)
    except ValueError as exc:
        raise CliError(f"--landscape: {exc}") from None
    finite_path = path[np.all(np.isfinite(path), axis=1)]
    alphas, betas = grid_around(plane, finite_path if kind != "random" else None,
                                size, span=1.0)
    result = loss_slice(net, d.X_train, d.y_train, plane, alphas, betas)
    return {"kind": kind, "alphas": finite(alphas), "betas": finite(betas),
            "losses": [finite(row) for row in result.losses],
            "directions": [finite(plane.d1), finite(plane.d2)],
            "explained": list(plane.explained) if plane.explained else None,
            "path": [finite(xy) for xy in plane.project(finite_path)] if len(finite_path)
            else []}


def write_csv(report: dict, out) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["run", "learning_rate", "batch_size", "step", "train_loss", "gradient_norm"])
    for run in report["runs"]:
        for step, (loss, norm) in enumerate(zip(run["train_loss"], run["gradient_norm"],
                                                strict=True)):
            writer.writerow([run["run"], repr(run["learning_rate"]), run["batch_size"] or "",
                             step, "" if loss is None else repr(loss),
                             "" if norm is None else repr(norm)])


def write_text(report: dict, out) -> None:
    d, m, theory = report["dataset"], report["model"], report["theory"]
    out.write(f"{d['title']}: {d['n_train']} training rows, {d['n_test']} test rows, features "
              f"{', '.join(d['features'])}{' (standardised)' if d['standardized'] else ''}\n")
    out.write(f"Model: {m['title']}, {m['parameters']} parameters\n")
    if theory:
        out.write(f"Theory (exact): gradient descent is stable below 2/λmax = "
                  f"{theory['lr_max_stable']:.4g}; fastest at 2/(λmin + λmax) = "
                  f"{theory['lr_optimal']:.4g}; condition number {theory['condition_number']:.4g};"
                  f" least-squares loss {theory['optimum_loss']:.6g}\n")
    out.write("\n run  optimizer  learning rate  batch  verdict      at step  train loss  "
              "test loss  test acc.\n")  # losses over the whole sets, at the last evaluation
    for r in report["runs"]:
        last = r["evaluations"]
        train = last["train_loss"][-1] if last["train_loss"] else r["final_loss"]
        test = last["test_loss"][-1] if last["test_loss"] else None
        acc = last["test_accuracy"][-1] if last["test_accuracy"] else None
        out.write(f"{r['run']:4d}  {r['optimizer']:<9}  {r['learning_rate']:13.6g}  "
                  f"{r['batch_size'] or 'all'!s:>5}  {r['verdict']:<11}  {r['verdict_step']:7,d}"
                  f"  {_num(train):>10}  {_num(test):>9}  "
                  f"{'' if acc is None else f'{100 * acc:.1f} %':>9}\n")
    out.write("\n")
    for r in report["runs"]:
        line = f"run {r['run']}: {r['reason']}"
        if r["sharpness"]["values"]:
            line += (f"; sharpness {_num(r['sharpness']['values'][-1])} "
                     f"(2/η = {r['sharpness']['threshold']:.4g})")
        out.write(line + "\n")


def _num(value) -> str:
    return "-" if value is None else f"{value:.4g}"
