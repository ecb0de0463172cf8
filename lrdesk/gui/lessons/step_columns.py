"""The columns of the step table: what each shows, its formula, and how to read it from a run.

Each column reads the history's arrays with one NumPy expression that works for a single row
(the table asks cell by cell) and for the whole column (the CSV export). No Qt here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lrdesk.core.experiment.history import RunHistory
from lrdesk.gui.shared.formatting import format_number, format_rate

Arrays = dict[str, np.ndarray]
NO_STEP = "–"  # the point where a run ended: no step is taken from it
DIGITS = 6


@dataclass(frozen=True)
class StepColumn:
    """One column: its CSV name, its header, the formula it shows, and how to read it.

    ``read(arrays, i)`` works for a row number and for ``slice(None)`` (the whole column).
    """

    key: str
    header: str
    tooltip: str
    read: Callable[[Arrays, int | slice], np.ndarray | float]
    per_step: bool = True  # empty where the run ended, since no step is taken from there


def axis_names(dim: int) -> tuple[str, ...]:
    return ("w",) if dim == 1 else ("x", "y")


# What each optimizer's state arrays mean, as (name in the history, header, formula).
_STATE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "momentum": {"buffer": ("b", "b ← μ·b + (1 − τ)·g: the velocity; the step is −α·b")},
    "nesterov": {"buffer": ("b", "b ← μ·b + g: the velocity; the step is −α·(g + μ·b)")},
    "adagrad": {"sum_sq": ("s", "s ← s + g²: the sum of every squared gradient so far")},
    "rmsprop": {
        "square_avg": ("v", "v ← ρ·v + (1 − ρ)·g²: the mean of g² (ρ is RMSprop's 'alpha')"),
        "grad_avg": ("ḡ", "ḡ ← ρ·ḡ + (1 − ρ)·g: the running mean of g (centred RMSprop)"),
        "buffer": ("b", "b ← μ·b + g/(√v + ε): the velocity of RMSprop with momentum"),
    },
    "adam": {
        "exp_avg": ("m", "m ← β₁·m + (1 − β₁)·g: the running mean of the gradient"),
        "exp_avg_sq": ("v", "v ← β₂·v + (1 − β₂)·g²: the running mean of the squared gradient"),
        "max_exp_avg_sq": ("v̂max", "the largest bias-corrected v so far (AMSGrad)"),
    },
}
_EFFECTIVE = {
    "momentum": "b",
    "nesterov": "g + μ·b",
    "adagrad": "g/(√s + ε), with α shrunk by the rate decay",
    "rmsprop": "g/(√v + ε), or b with momentum",
    "adam": "m̂/(√v̂ + ε), with m̂ = m/(1 − β₁ᵗ) and v̂ = v/(1 − β₂ᵗ)",
}


def shown_state(optimizer: str, hypers: dict[str, float]) -> list[str]:
    """The state arrays worth a column for these settings (unused ones stay hidden)."""
    names = list(_STATE_LABELS.get(optimizer, {}))
    if optimizer == "rmsprop":
        if hypers.get("centered", 0.0) < 0.5:
            names.remove("grad_avg")
        if hypers.get("momentum", 0.0) <= 0.0:
            names.remove("buffer")
    if optimizer == "adam" and hypers.get("amsgrad", 0.0) < 0.5:
        names.remove("max_exp_avg_sq")
    return names


def step_columns(optimizer: str, hypers: dict[str, float], dim: int) -> list[StepColumn]:
    """The columns of the step table for one run."""
    axes = axis_names(dim)
    point = "w" if dim == 1 else "(x, y)"

    def each_axis(key, header, tooltip, read, per_step=True) -> list[StepColumn]:
        """One column per axis; ``header`` may use {axis} (w, x, y) and {sub} ("", " (x)")."""
        out = []
        for d, name in enumerate(axes):
            label = header.format(axis=name, sub="" if dim == 1 else f" ({name})")
            column_key = key if dim == 1 else f"{key}_{name}"
            out.append(StepColumn(column_key, label, tooltip, _bind(read, d), per_step))
        return out

    columns = [
        StepColumn(
            "step", "step", "Step s: this row shows the point before step s and what step s does.",
            lambda a, i: a["steps"][i], per_step=False,
        ),
        *each_axis("position", "{axis}", f"{point}: where the run is before this step.",
                   lambda a, i, d: a["positions"][i, d], per_step=False),
        StepColumn("loss", "loss", f"L{point if dim == 2 else '(w)'}: the loss at that point.",
                   lambda a, i: a["losses"][i], per_step=False),
        *each_axis("gradient", "g{sub}", "g = ∇L: the slope there (it points uphill).",
                   lambda a, i, d: a["gradients"][i, d], per_step=False),
        StepColumn("learning_rate", "α", "α: the learning rate of this step, after any schedule.",
                   lambda a, i: a["learning_rates"][i]),
    ]
    if optimizer == "sgd":
        columns += each_axis("alpha_g", "α·g{sub}", "α·g: the step moves this far, downhill.",
                             lambda a, i, d: a["learning_rates"][i] * a["gradients"][i, d])
    else:
        labels = _STATE_LABELS[optimizer]
        for name in shown_state(optimizer, hypers):
            header, formula = labels[name]
            columns += each_axis(name, header + "{sub}", formula, _state_reader(name))
        columns += each_axis(
            "effective_gradient", "effective g{sub}",
            f"Δ / (−α): what this optimizer follows instead of g: {_EFFECTIVE[optimizer]}.",
            lambda a, i, d: a["updates"][i, d] / -a["learning_rates"][i],
        )
        columns += each_axis("update", "Δ{sub}", "Δ: what this step adds to the point.",
                             lambda a, i, d: a["updates"][i, d])
    new_formula = "new w = w − α·g" if optimizer == "sgd" else "new w = w + Δ"
    columns += each_axis("new_position", "new {axis}", f"{new_formula}: where the run goes next.",
                         lambda a, i, d: a["positions"][i, d] + a["updates"][i, d])
    return columns


def _bind(read, d: int):
    return lambda a, i: read(a, i, d)


def _state_reader(name: str):
    return lambda a, i, d: a[f"state.{name}"][i, d]


def history_arrays(history: RunHistory) -> Arrays:
    """Views of a history's kept rows, keyed as the columns read them."""
    if len(history) == 0:
        return {}
    arrays = {
        name: getattr(history, name)
        for name in ("steps", "positions", "losses", "gradients", "learning_rates", "updates")
    }
    arrays.update({f"state.{k}": v for k, v in history.state.items()})
    return arrays


def steps_taken(arrays: Arrays, end_step: int | None) -> np.ndarray:
    """Rows from which a step was taken: not the budget's last point, not past the verdict."""
    taken = np.isfinite(arrays["learning_rates"])
    if end_step is not None:
        taken &= arrays["steps"] < end_step
    return taken


def cell_text(column: StepColumn, value: float, step_taken: bool) -> str:
    if column.per_step and not step_taken:
        return NO_STEP
    if column.key == "step":
        return f"{int(value):,}"
    if column.key == "learning_rate":
        return format_rate(float(value))
    return format_number(float(value), DIGITS)


def csv_text(columns: list[StepColumn], arrays: Arrays, end_step: int | None = None) -> str:
    """All rows at full precision; a step not taken (where the run ended) is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.key for c in columns])
    if not arrays:
        return out.getvalue()
    data = [np.asarray(c.read(arrays, slice(None))) for c in columns]
    no_step = ~steps_taken(arrays, end_step)
    for r in range(len(arrays["steps"])):
        cells = zip(columns, data, strict=True)
        writer.writerow([_csv_cell(c, v[r], no_step[r]) for c, v in cells])
    return out.getvalue()


def _csv_cell(column: StepColumn, value, no_step: bool) -> str:
    if column.per_step and no_step:
        return ""
    return str(int(value)) if column.key == "step" else repr(float(value))
