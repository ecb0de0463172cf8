"""Your own data from a CSV file, and writing the data a run actually used back to CSV.

The file has a header row naming its columns and numeric cells only; one column is the target,
the others are the features. Rows are numbered as a spreadsheet shows them (the header is row 1).
A bad file is refused with one line naming the row and column. The rows are shuffled and split
like the built-in sets (``datasets``).
"""

from __future__ import annotations

import csv
import io
import math
import os

import numpy as np

from lrdesk.core.models.datasets import Dataset, DatasetError, split_and_prepare

#: the most cells (rows × columns) a file may hold: enough for a lesson, far below memory limits
MAX_CELLS = 5_000_000
MAX_BYTES = 200_000_000


def read_csv_dataset(
    path: str | os.PathLike,
    target: str,
    train_fraction: float = 0.8,
    seed: int = 0,
    standardize: bool = True,
    features: tuple[str, ...] = (),
    task: str = "regression",
) -> Dataset:
    """A dataset from a CSV file, checked cell by cell."""
    name = os.path.basename(os.fspath(path))
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise DatasetError(f"{name}: {size / 1e6:.0f} MB is too large (at most "
                               f"{MAX_BYTES // 1_000_000} MB)")
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise DatasetError(f"{name}: cannot read it ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DatasetError(f"{name}: not a text file (it is not UTF-8)") from None
    header, X, y = parse_csv(text, target, name)
    rng = np.random.default_rng(seed)
    classes = _classes(y, task, name, target)
    return split_and_prepare("csv", name, task, header, X, y, rng, train_fraction, standardize,
                             features, f"{len(y)} rows from {name}, target '{target}'", classes)


def parse_csv(text: str, target: str, name: str = "file"):
    """(feature names, X, y) from CSV text; DatasetError naming row and column on bad cells."""
    rows = csv.reader(io.StringIO(text))
    try:
        header = next(rows)
    except StopIteration:
        raise DatasetError(f"{name}: the file is empty") from None
    except csv.Error as exc:
        raise DatasetError(f"{name}: row 1: {exc}") from None
    header = [h.strip() for h in header]
    if target not in header:
        shown = ", ".join(header[:12]) + (", ..." if len(header) > 12 else "")
        raise DatasetError(f"{name}: no column named '{target}' (its columns: {shown})")
    if len(header) < 2:
        raise DatasetError(f"{name}: needs at least one feature column besides '{target}'")
    for j, h in enumerate(header):
        if not h:
            raise DatasetError(f"{name}: row 1, column {j + 1}: the column has no name")
        if header.index(h) != j:
            raise DatasetError(f"{name}: row 1: two columns are named '{h}'")
    width = len(header)
    values: list[list[float]] = []
    try:
        for number, row in enumerate(rows, start=2):
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != width:
                raise DatasetError(f"{name}: row {number} has {len(row)} cells, the header "
                                   f"has {width}")
            if (len(values) + 1) * width > MAX_CELLS:
                raise DatasetError(f"{name}: too many rows for memory (at most "
                                   f"{MAX_CELLS // width:,} rows of {width} columns)")
            values.append([_cell(c, number, header[j], name) for j, c in enumerate(row)])
    except csv.Error as exc:
        raise DatasetError(f"{name}: row {rows.line_num}: {exc}") from None
    if len(values) < 2:
        raise DatasetError(f"{name}: needs at least 2 data rows, found {len(values)}")
    data = np.array(values)
    t = header.index(target)
    keep = [j for j in range(width) if j != t]
    return tuple(header[j] for j in keep), data[:, keep], data[:, t].copy()


def _cell(text: str, row: int, column: str, name: str) -> float:
    cell = text.strip()
    try:
        value = float(cell)
    except ValueError:
        what = "is empty" if not cell else f"'{cell[:20]}' is not a number"
        raise DatasetError(f"{name}: row {row}, column '{column}': {what}") from None
    if not math.isfinite(value):
        raise DatasetError(f"{name}: row {row}, column '{column}': {cell[:20]} is not a finite "
                           "number")
    return value


def _classes(y: np.ndarray, task: str, name: str, target: str) -> int:
    if task == "regression":
        return 1
    if np.any(y != np.round(y)) or y.min() < 0:
        raise DatasetError(f"{name}: column '{target}': class labels must be whole numbers "
                           "0, 1, 2, ...")
    classes = int(y.max()) + 1
    if task == "binary" and classes > 2:
        raise DatasetError(f"{name}: column '{target}': logistic regression needs labels 0 and "
                           f"1, found up to {classes - 1}")
    if classes > 100:
        raise DatasetError(f"{name}: column '{target}': at most 100 classes, found {classes}")
    return max(classes, 2)


def dataset_to_csv(dataset: Dataset) -> str:
    """The data used: one column per feature, ``target``, ``split``; training rows first, in the
    order the trainer indexes them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*dataset.feature_names, "target", "split"])
    for X, y, split in ((dataset.X_train, dataset.y_train, "train"),
                        (dataset.X_test, dataset.y_test, "test")):
        for row, target in zip(X, y, strict=True):
            writer.writerow([*(repr(float(v)) for v in row), repr(float(target)), split])
    return out.getvalue()
