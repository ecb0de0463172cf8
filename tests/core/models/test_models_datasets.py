"""Datasets: generation rules, the split, standardising from the training rows, CSV files."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from lrdesk.core.models.csv_data import dataset_to_csv, parse_csv, read_csv_dataset
from lrdesk.core.models.datasets import DATASETS, DatasetError, make_dataset


@pytest.mark.parametrize("key", list(DATASETS))
def test_every_dataset_is_seeded_split_and_finite(key):
    a = make_dataset(key, seed=3)
    b = make_dataset(key, seed=3)
    info = DATASETS[key]
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, make_dataset(key, seed=4).X_train)
    assert a.n_train + len(a.y_test) == info.points
    assert a.n_train == round(0.8 * info.points)
    assert np.all(np.isfinite(a.X_train)) and np.all(np.isfinite(a.y_train))
    if info.task != "regression":
        assert set(np.unique(a.y_train)) <= set(range(a.n_classes))


def test_housing_follows_its_formula_and_is_badly_scaled_raw():
    d = make_dataset("housing", points=500, noise=0.0, standardize=False)
    size, bedrooms = d.X_train[:, 0], d.X_train[:, 1]
    assert size.min() >= 500 and size.max() <= 3500
    assert set(np.unique(bedrooms)) == {1, 2, 3, 4, 5}
    np.testing.assert_allclose(d.y_train, 50 + 0.1 * size + 20 * bedrooms, rtol=1e-12)


def test_standardising_uses_the_training_rows_only():
    raw = make_dataset("housing", standardize=False, seed=2)
    std = make_dataset("housing", standardize=True, seed=2)
    mean, scale = raw.X_train.mean(axis=0), raw.X_train.std(axis=0)
    np.testing.assert_allclose(std.X_train, (raw.X_train - mean) / scale, rtol=1e-12)
    np.testing.assert_allclose(std.X_test, (raw.X_test - mean) / scale, rtol=1e-12)
    np.testing.assert_allclose(std.X_train.mean(axis=0), 0, atol=1e-12)
    assert abs(std.X_test.mean()) > 1e-6  # the test rows were not used for the statistics


def test_playground_rules():
    xor = make_dataset("xor", points=400, noise=0.0, standardize=False)
    X = np.vstack([xor.X_train, xor.X_test])
    y = np.concatenate([xor.y_train, xor.y_test])
    assert np.all(np.abs(X) >= 0.3) and np.all(np.abs(X) <= 5.3)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(float))
    circle = make_dataset("circle", noise=0.0, standardize=False)
    r = np.hypot(circle.X_train[:, 0], circle.X_train[:, 1])
    np.testing.assert_array_equal(circle.y_train, (r < 2.5).astype(float))
    assert np.all((r <= 2.5) | (r >= 3.5))
    spiral3 = make_dataset("spiral3", standardize=False)
    assert np.all(np.hypot(spiral3.X_train[:, 0], spiral3.X_train[:, 1]) <= 1 + 1e-12)
    assert spiral3.n_classes == 3


def test_extra_features_are_appended_before_standardising():
    d = make_dataset("gauss", features=("x1^2", "x1*x2", "sin_x2"), standardize=False)
    assert d.feature_names == ("x1", "x2", "x1^2", "x1*x2", "sin_x2")
    x1, x2 = d.X_train[:, 0], d.X_train[:, 1]
    np.testing.assert_allclose(d.X_train[:, 2:], np.column_stack([x1 * x1, x1 * x2, np.sin(x2)]))
    with pytest.raises(DatasetError, match="unknown feature"):
        make_dataset("gauss", features=("cos",))
    with pytest.raises(DatasetError, match="exactly two features"):
        make_dataset("line", features=("x1^2",))


@pytest.mark.parametrize("kwargs,message", [
    ({"points": 2}, "points"), ({"noise": 0.9}, "noise"), ({"train_fraction": 0.0}, "train"),
    ({"seed": -1}, "seed"),
])
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(DatasetError, match=message):
        make_dataset("circle", **kwargs)


# --- CSV ---------------------------------------------------------------------------------------
GOOD = "size,rooms,price\n1000,2,200\n1500,3,260\n2000,3,300\n2500,4,370\n3000,5,420\n"


@pytest.mark.parametrize("text,target,message", [
    ("a,b\n1,2\n3,x\n", "b", "row 3, column 'b': 'x' is not a number"),
    ("a,b\n1,2\n3,nan\n", "b", "row 3, column 'b': nan is not a finite number"),
    ("a,b\n1,2\n,4\n", "b", "row 3, column 'a': is empty"),
    ("a,b\n1,2\n", "b", "needs at least 2 data rows, found 1"),
    ("a,b\n1,2\n3,4\n", "c", "no column named 'c'"),
    ("a,b\n1,2\n3,4,5\n", "b", "row 3 has 3 cells"),
    ("", "b", "empty"),
    ("b\n1\n2\n", "b", "at least one feature"),
])
def test_bad_csv_is_refused_in_one_line(text, target, message):
    with pytest.raises(DatasetError) as info:
        parse_csv(text, target, "data.csv")
    assert message in str(info.value)
    assert "\n" not in str(info.value) and str(info.value).startswith("data.csv: ")


def test_constant_column_and_binary_labels_are_checked(tmp_path):
    path = tmp_path / "flat.csv"
    path.write_text("a,b,y\n1,5,0\n2,5,1\n3,5,0\n4,5,1\n5,5,1\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="column 'b' has the same value in every training row"):
        read_csv_dataset(path, "y")
    assert read_csv_dataset(path, "y", standardize=False).n_features == 2
    with pytest.raises(DatasetError, match="labels 0 and 1"):
        read_csv_dataset(path, "a", task="binary", standardize=False)
    with pytest.raises(DatasetError, match="cannot read"):
        read_csv_dataset(tmp_path / "missing.csv", "y")


def test_too_many_rows_are_refused(monkeypatch):
    import lrdesk.core.models.csv_data as csv_data

    monkeypatch.setattr(csv_data, "MAX_CELLS", 10)
    with pytest.raises(DatasetError, match="too many rows for memory"):
        parse_csv(GOOD, "price", "big.csv")


def test_csv_dataset_and_save_data_round_trip(tmp_path):
    path = tmp_path / "houses.csv"
    path.write_text(GOOD, encoding="utf-8")
    d = read_csv_dataset(path, "price", train_fraction=0.6, seed=1)
    assert d.feature_names == ("size", "rooms") and d.n_train == 3
    rows = list(csv.DictReader(io.StringIO(dataset_to_csv(d))))
    assert [r["split"] for r in rows] == ["train"] * 3 + ["test"] * 2
    np.testing.assert_array_equal([float(r["size"]) for r in rows[:3]], d.X_train[:, 0])
    np.testing.assert_array_equal([float(r["target"]) for r in rows[3:]], d.y_test)
