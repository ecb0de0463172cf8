"""`lrdesk train` and `lrdesk datasets`: options, JSON keys, CSV, saved files, clean errors."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from lrdesk.cli import main
from lrdesk.core.models.datasets import DATASETS, make_dataset
from lrdesk.core.models.theory import linear_theory


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys, *argv):
    code, out, err = _run(capsys, "train", *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


RUN_KEYS = {"run", "learning_rate", "optimizer", "hypers", "weight_decay", "batch_size", "seed",
            "steps", "steps_per_epoch", "verdict", "verdict_step", "reason", "oscillated",
            "start_loss", "final_loss", "final_gradient_norm", "initial_params", "final_params",
            "train_loss", "gradient_norm", "evaluations", "sharpness", "path"}


def test_train_json_has_the_documented_keys(capsys):
    doc = _json(capsys, "--dataset", "line", "--lr", "0.1", "--lr", "2", "--steps", "50",
                "--sharpness-every", "10")
    assert {"lrdesk", "dataset", "model", "steps", "epochs", "schedule", "minibatch_rule",
            "theory", "runs"} <= set(doc)
    assert doc["dataset"]["key"] == "line" and doc["model"]["kind"] == "linear"
    assert doc["model"]["parameter_names"] == ["W1[0,0]", "b1[0]"]
    theory = linear_theory(make_dataset("line"))
    assert doc["theory"]["lr_max_stable"] == pytest.approx(theory.lr_max_stable)
    assert {"lr_optimal", "condition_number", "eigenvalues", "optimum", "optimum_loss"} <= \
        set(doc["theory"])
    for run in doc["runs"]:
        assert set(run) == RUN_KEYS
        assert len(run["initial_params"]) == len(run["final_params"]) == 2
        assert len(run["train_loss"]) == run["verdict_step"] + 1
        assert run["sharpness"]["values"][0] == pytest.approx(theory.eigenvalues[-1], rel=1e-6)
        assert run["sharpness"]["threshold"] == pytest.approx(2 / run["learning_rate"])
    assert doc["runs"][1]["verdict"] == "diverged"
    assert "at step" in doc["runs"][1]["reason"]


def test_batch_sizes_and_learning_rates_make_every_pair(capsys):
    doc = _json(capsys, "--dataset", "gauss", "--hidden", "4", "--lr", "0.1", "--lr", "0.3",
                "--batch-size", "16", "--batch-size", "400", "--epochs", "2",
                "--optimizer", "momentum", "--hyper", "momentum=0.5")
    pairs = [(r["learning_rate"], r["batch_size"]) for r in doc["runs"]]
    assert pairs == [(0.1, 16), (0.3, 16), (0.1, 400), (0.3, 400)]
    assert [r["steps"] for r in doc["runs"]] == [50, 50, 2, 2]  # 400 training rows
    assert doc["runs"][0]["evaluations"]["test_accuracy"][-1] is not None


def test_csv_output_has_one_row_per_step(capsys):
    code, out, _ = _run(capsys, "train", "--dataset", "line", "--lr", "0.1", "--steps", "5",
                        "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [int(r["step"]) for r in rows] == [0, 1, 2, 3, 4, 5]
    assert set(rows[0]) == {"run", "learning_rate", "batch_size", "step", "train_loss",
                            "gradient_norm"}


def test_text_output(capsys):
    code, out, _ = _run(capsys, "train", "--preset", "feature-scaling", "--steps", "20",
                        "--format", "text")
    assert code == 0 and "Theory (exact)" in out and "condition number" in out


def test_save_data_writes_the_rows_used(capsys, tmp_path):
    target = tmp_path / "used.csv"
    code, _, err = _run(capsys, "train", "--dataset", "circle", "--points", "50",
                        "--features", "x1^2,sin_x2", "--steps", "1", "--save-data", str(target),
                        "--format", "json")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    d = make_dataset("circle", points=50, features=("x1^2", "sin_x2"))
    assert list(rows[0]) == ["x1", "x2", "x1^2", "sin_x2", "target", "split"]
    train = [r for r in rows if r["split"] == "train"]
    np.testing.assert_array_equal([[float(r[c]) for c in ("x1", "x2", "x1^2", "sin_x2")]
                                   for r in train], d.X_train)
    assert len(train) == 40 and rows[-1]["split"] == "test"


def test_save_and_reopen_an_experiment(capsys, tmp_path):
    path = tmp_path / "run.lrdesk.json"
    first = _json(capsys, "--dataset", "xor", "--hidden", "3,3", "--activation", "relu",
                  "--lr", "0.05", "--optimizer", "adamw", "--weight-decay", "0.1",
                  "--steps", "20", "--save", str(path))
    again = _json(capsys, "--experiment", str(path))
    assert again["runs"][0]["final_params"] == first["runs"][0]["final_params"]
    assert again["runs"][0]["weight_decay"] == 0.1
    code, _, err = _run(capsys, "run", "--experiment", str(path))
    assert code == 2 and "model experiment" in err


def test_own_csv_data(capsys, tmp_path):
    path = tmp_path / "houses.csv"
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (30, 2))
    lines = ["a,b,price"] + [f"{p},{q},{3 * p - q + 1}" for p, q in x]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = _json(capsys, "--data", str(path), "--target", "price", "--lr", "0.3", "--steps",
                "3000")
    assert doc["dataset"]["features"] == ["a", "b"]
    assert doc["runs"][0]["verdict"] == "converged"
    assert doc["runs"][0]["final_loss"] < 1e-10


@pytest.mark.parametrize("argv,message", [
    (["--dataset", "moons"], "--dataset: unknown dataset 'moons'"),
    (["--lr", "-1"], "--lr"),
    (["--hidden", "8,8,8,8"], "--hidden"),
    (["--dataset", "circle", "--model", "linear"], "--model: linear regression needs"),
    (["--steps", "5", "--epochs", "2"], "--epochs"),
    (["--optimizer", "lion"], "unknown optimizer"),
    (["--batch-size", "0"], "--batch-size"),
    (["--target", "y"], "--target: only with --data"),
    (["--preset", "edge-of-stability", "--dataset", "xor"], "drop --dataset"),
    (["--noise", "0.9"], "--dataset: noise"),
    (["--hidden", "64,64,64", "--lr", "0.1", "--lr", "0.2", "--steps", "10000000"],
     "hours of work"),
    (["--dataset", "plane", "--points", "200000", "--model", "mlp", "--hidden", "64,64,64",
      *("--lr", "0.1") * 8, "--steps", "1"], "GB for the activations"),
])
def test_bad_options_give_one_line(capsys, argv, message):
    code, out, err = _run(capsys, "train", *argv)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and err.startswith("lrdesk: error: ")


def test_bad_csv_file_gives_one_line_naming_row_and_column(capsys, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,y\n1,2\n2,oops\n", encoding="utf-8")
    code, _, err = _run(capsys, "train", "--data", str(path), "--target", "y")
    assert code == 2
    assert err == "lrdesk: error: --data: bad.csv: row 3, column 'y': 'oops' is not a number\n"


def test_datasets_lists_every_dataset(capsys):
    code, out, _ = _run(capsys, "datasets")
    assert code == 0 and all(f"{key}  (" in out for key in DATASETS)
    code, out, _ = _run(capsys, "datasets", "--format", "json")
    assert [d["key"] for d in json.loads(out)["datasets"]] == list(DATASETS)


def test_sweep_and_map_accept_a_model_experiment(capsys, tmp_path):
    path = tmp_path / "line.lrdesk.json"
    code, _, err = _run(capsys, "train", "--preset", "line", "--save", str(path), "--format",
                        "json")
    assert code == 0, err
    code, out, err = _run(capsys, "sweep", "--experiment", str(path), "--num", "6",
                          "--range-test", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    limit = linear_theory(make_dataset("line")).lr_max_stable
    for row in doc["rates"]:
        assert (row["verdict"] == "diverged") == (row["learning_rate"] > limit)
    assert {"valley", "steep", "minimum", "stopped_at"} <= set(doc["range_test"])
    code, out, err = _run(capsys, "map", "--experiment", str(path), "--nx", "4", "--ny", "3",
                          "--y", "batch_size", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["y"]["values"][-1] == 80 and len(doc["verdict"]) == len(doc["y"]["values"])
    code, _, err = _run(capsys, "map", "--experiment", str(path), "--y", "condition")
    assert code == 2 and "batch_size" in err


def test_own_csv_classes_with_logistic_regression(capsys, tmp_path):
    path = tmp_path / "pass.csv"
    rng = np.random.default_rng(1)
    hours = rng.uniform(0, 10, 60)
    lines = ["hours,passed"] + [f"{h},{int(h > 5)}" for h in hours]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = _json(capsys, "--data", str(path), "--target", "passed", "--task", "binary",
                "--model", "logistic", "--lr", "1", "--steps", "300")
    assert doc["model"]["loss"] == "bce" and doc["dataset"]["n_classes"] == 2
    assert doc["runs"][0]["evaluations"]["train_accuracy"][-1] > 0.9


def test_landscape_of_a_two_parameter_model_is_its_exact_bowl(capsys):
    doc = _json(capsys, "--dataset", "line", "--lr", "0.1", "--steps", "30", "--landscape",
                "axes", "--landscape-size", "5")
    land = doc["runs"][0]["landscape"]
    d = make_dataset("line")
    w0, b0 = doc["runs"][0]["final_params"]
    i, j = 2, 4
    w, b = w0 + land["alphas"][j], b0 + land["betas"][i]
    r = w * d.X_train[:, 0] + b - d.y_train
    assert land["losses"][i][j] == pytest.approx(np.mean(r * r), rel=1e-12)
    start = land["path"][0]
    assert start == pytest.approx([doc["runs"][0]["initial_params"][0] - w0,
                                   doc["runs"][0]["initial_params"][1] - b0])
    doc = _json(capsys, "--dataset", "xor", "--hidden", "4", "--lr", "0.3", "--steps", "40",
                "--landscape", "pca", "--landscape-size", "7")
    land = doc["runs"][0]["landscape"]
    assert len(land["losses"]) == 7 and sum(land["explained"]) <= 1 + 1e-9
    code, _, err = _run(capsys, "train", "--dataset", "xor", "--steps", "5", "--landscape",
                        "axes")
    assert code == 2 and "two parameters" in err
