"""The command line: `lrdesk --version`, `functions`, `run`, dispatch, and clean errors."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import lrdesk.gui.app
from lrdesk._version import __version__
from lrdesk.cli import main
from lrdesk.core.functions import make_function
from lrdesk.core.surfaces import FUNCTIONS
from lrdesk.core.theory.hessian import local_theory, lr_range

ROOT = Path(__file__).resolve().parents[2]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys):
    code, out, err = _run(capsys, "--version")
    assert (code, out, err) == (0, f"lrdesk {__version__}\n", "")


def test_functions_lists_every_surface(capsys):
    code, out, _ = _run(capsys, "functions")
    assert code == 0
    for key, cls in FUNCTIONS.items():
        assert f"{key}  ({cls.dim}-D)" in out
        assert cls.formula in out
    assert "--expr" in out
    code, out, _ = _run(capsys, "functions", "--format", "json")
    doc = json.loads(out)
    listed = {f["key"]: f for f in doc["functions"]}
    assert set(listed) == set(FUNCTIONS)
    rosenbrock = listed["rosenbrock"]
    assert rosenbrock["dim"] == 2 and rosenbrock["default_start"] == [-1.5, 2.0]
    assert [p["name"] for p in rosenbrock["parameters"]] == ["a", "b"]
    assert list(lr_range(make_function("rosenbrock"))) == rosenbrock["lr_range"]


def test_run_json_follows_the_stability_limit(capsys):
    code, out, err = _run(capsys, "run", "--function", "quadratic", "--start", "5", "--lr", "0.01",
                          "--lr", "0.1", "--lr", "1.1", "--steps", "100", "--optimizer", "sgd",
                          "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["theory"]["lr_max_stable"] == 1.0  # 2/λ with λ = L'' = 2
    assert doc["theory"]["lr_optimal"] == 0.5  # 1/λ: one step lands on the bottom
    runs = doc["runs"]
    assert [r["learning_rate"] for r in runs] == [0.01, 0.1, 1.1]
    assert [r["verdict"] for r in runs] == ["slow", "converged", "diverged"]
    assert [r["oscillated"] for r in runs] == [False, False, True]
    for r in runs:
        assert r["optimizer"] == "sgd"
        assert r["steps"][0] == 0 and r["steps"][-1] == r["verdict_step"]
        assert len(r["path"]) == len(r["losses"]) == len(r["steps"])
        assert r["path"][0] == [5.0] and r["losses"][0] == 25.0
        assert r["final_loss"] == r["losses"][-1] == r["path"][-1][0] ** 2


def test_run_defaults_to_rates_around_the_limit(capsys):
    code, out, _ = _run(capsys, "run", "--function", "rosenbrock", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    limit = local_theory(make_function("rosenbrock"), (-1.5, 2.0)).lr_max_stable
    assert [r["learning_rate"] for r in doc["runs"]] == [0.1 * limit, 0.9 * limit, 1.1 * limit]
    assert doc["runs"][-1]["verdict"] == "diverged"


def test_run_csv_has_one_row_per_recorded_step(capsys):
    code, out, _ = _run(capsys, "run", "--function", "himmelblau", "--lr", "0.01", "--lr", "0.05",
                        "--steps", "40", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert list(rows[0]) == ["run", "learning_rate", "step", "x", "y", "loss", "gradient_norm"]
    code, out, _ = _run(capsys, "run", "--function", "himmelblau", "--lr", "0.01", "--lr", "0.05",
                        "--steps", "40", "--format", "json")
    runs = json.loads(out)["runs"]
    assert len(rows) == sum(len(r["steps"]) for r in runs)
    first = [r for r in rows if r["run"] == "1"]
    assert [float(r["x"]) for r in first] == [p[0] for p in runs[0]["path"]]
    assert [float(r["loss"]) for r in first] == runs[0]["losses"]


def test_run_text_is_a_readable_summary(capsys):
    code, out, _ = _run(capsys, "run", "--lr", "0.5", "--lr", "1.5", "--format", "text")
    assert code == 0
    assert "stable below 2/λmax = 1" in out
    assert "converged" in out and "diverged" in out
    assert "blew up" in out


def test_run_with_settings_schedule_and_typed_function(capsys):
    code, out, _ = _run(capsys, "run", "--expr", "x^2 + 10*y^2", "--start", "3,-2",
                        "--optimizer", "momentum", "--hyper", "momentum=0.5", "--lr", "0.02",
                        "--schedule", "step", "--schedule-param", "step_size=100",
                        "--schedule-param", "gamma=0.8", "--warmup-steps", "5", "--steps", "300",
                        "--tolerance", "1e-5", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["function"]["key"] == "custom"
    assert doc["runs"][0]["hypers"] == {"momentum": 0.5, "dampening": 0.0}
    assert doc["runs"][0]["verdict"] == "converged"
    assert doc["tolerance"] == 1e-5


def test_save_then_run_the_saved_experiment(capsys, tmp_path):
    saved = tmp_path / "three.lrdesk.json"
    args = ["--function", "bowl", "--lr", "0.2", "--lr", "0.7", "--steps", "60", "--format", "json"]
    code, first, _ = _run(capsys, "run", *args, "--save", str(saved))
    assert code == 0 and saved.exists()
    code, again, _ = _run(capsys, "run", "--experiment", str(saved), "--format", "json")
    assert code == 0 and again == first


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["run", "--lr", "0"], "--lr"),
        (["run", "--lr", "-0.1"], "--lr"),
        (["run", "--lr", "nan"], "NaN"),
        (["run", "--lr", "inf"], "finite"),
        (["run", "--lr", "fast"], "not a number"),
        (["run", "--function", "nope"], "unknown function 'nope'"),
        (["run", "--optimizer", "adamw"], "unknown optimizer 'adamw'"),
        (["run", "--optimizer", "adam", "--hyper", "beta1=2"], "beta1"),
        (["run", "--hyper", "momentum"], "NAME=VALUE"),
        (["run", "--function", "rosenbrock", "--start", "1"], "needs 2 coordinate"),
        (["run", "--start", "1,2"], "needs 1 coordinate"),
        (["run", "--start", "a,b"], "not a number"),
        (["run", "--steps", "0"], "--steps"),
        (["run", "--steps", "100000000000"], "--steps"),
        (["run", "--steps", "ten"], "not a whole number"),
        (["run", "--tolerance", "-1"], "tolerance"),
        (["run", "--param", "a=0"], "between"),
        (["run", "--schedule", "linear"], "unknown schedule"),
        (["run", "--schedule", "step", "--schedule-param", "gamma=50"], "gamma"),
        (["run", "--warmup-steps", "-4"], "warm-up"),
        (["run", "--expr", "x^2 +"], "--expr"),
        (["run", "--expr", "__import__('os')"], "--expr"),
        (["run", "--expr", "x^2", "--function", "bowl"], "not both"),
        (["run", "--lr", *["0.1", "--lr"] * 70, "0.1"], "at most 64"),
        (["run", "--experiment", "/no/such/file.json"], "No such file"),
        (["run", "--experiment", "EXISTING", "--lr", "0.1"], "drop --lr"),
        (["run", "--save", "/no/such/dir/x.json"], "No such file"),
        (["run", "--format", "xml"], "invalid choice"),
        (["run", "--no-such-option"], "unknown option(s): '--no-such-option'"),
        (["--no-such-flag"], "unknown option(s): '--no-such-flag'"),
    ],
)
def test_bad_input_is_one_clean_line_and_status_2(capsys, tmp_path, argv, words):
    good = tmp_path / "good.json"
    main(["run", "--steps", "5", "--format", "json", "--save", str(good)])
    capsys.readouterr()
    argv = [str(good) if a == "EXISTING" else a for a in argv]
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert words in err
    assert "Traceback" not in err
    assert err.startswith("lrdesk: error: ") and err.count("\n") == 1  # argparse's own too


def test_broken_or_hostile_experiment_files(capsys, tmp_path):
    cases = {
        "empty.json": b"",
        "binary.json": b"\x00\xff\xfe\x01",
        "nan.json": b'{"format": "lrdesk-experiment", "version": NaN}',
        "deep.json": b"[" * 50_000 + b"]" * 50_000,
        "newer.json": b'{"format": "lrdesk-experiment", "version": 99}',
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        code, out, err = _run(capsys, "run", "--experiment", str(path))
        assert code == 2 and out == "", name
        assert err.startswith("lrdesk: error: ") and err.count("\n") == 1, name
    code, _, err = _run(capsys, "run", "--experiment", str(tmp_path))
    assert code == 2 and "a folder, not a file" in err.lower()


def test_no_command_opens_the_window(monkeypatch, tmp_path):
    calls = []
    monkeypatch.chdir(tmp_path)
    for name in ("one.lrdesk.json", "two.lrdesk.json"):
        (tmp_path / name).write_text("{}")

    def fake_run_app(files=(), smoke=None):
        calls.append((list(files), smoke))
        return 7

    monkeypatch.setattr(lrdesk.gui.app, "run_app", fake_run_app)
    assert main([]) == 7
    assert main(["one.lrdesk.json", "two.lrdesk.json"]) == 7
    assert main(["--smoke", "out.png"]) == 7
    assert calls == [([], None), (["one.lrdesk.json", "two.lrdesk.json"], None), ([], "out.png")]


def test_sweep_and_map_are_dispatched(capsys):
    code, out, _ = _run(capsys, "sweep", "--num", "4", "--steps", "20", "--format", "json")
    assert code == 0 and out.strip()
    code, _, err = _run(capsys, "sweep", "--num", "0")
    assert code == 2 and err.startswith("lrdesk: error: ")


def test_no_progress_bar_when_stderr_is_not_a_terminal(capsys):
    code, _, err = _run(capsys, "run", "--lr", "1e-9", "--steps", "2000000", "--format", "json")
    assert code == 0 and err == ""


def _python_m(*argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "lrdesk", *argv], capture_output=True,
                          text=True, timeout=120, env=env, cwd=ROOT)


def test_python_m_lrdesk_run_and_version():
    done = _python_m("run", "--function", "quadratic", "--lr", "0.1", "--lr", "1.1",
                     "--steps", "100")  # stdout is a pipe: JSON by default
    assert done.returncode == 0, done.stderr
    assert [r["verdict"] for r in json.loads(done.stdout)["runs"]] == ["converged", "diverged"]
    done = _python_m("--version")
    assert (done.returncode, done.stdout) == (0, f"lrdesk {__version__}\n")
    done = _python_m("run", "--lr", "-1")
    assert done.returncode == 2
    assert done.stderr.startswith("lrdesk: error: ") and "Traceback" not in done.stderr


def test_unknown_command_or_missing_file_never_opens_a_window(capsys):
    """A typo in a command name is an error, not a window that waits for nobody."""
    from lrdesk.cli import main

    assert main(["frobnicate"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("lrdesk: error:") and "frobnicate" in err and "run" in err
    assert "\n" not in err


def test_learning_rate_bound_is_the_same_for_files_and_command_line():
    """One limit: the command line refuses exactly what an experiment file would refuse."""
    import pytest

    from lrdesk.cli.common import CliError, parse_learning_rate
    from lrdesk.core.experiment.spec import SpecError, check_learning_rate
    from lrdesk.core.limits import MAX_LEARNING_RATE

    assert check_learning_rate(MAX_LEARNING_RATE) == parse_learning_rate(repr(MAX_LEARNING_RATE))
    with pytest.raises(SpecError):
        check_learning_rate(MAX_LEARNING_RATE * 1.01)
    with pytest.raises(CliError):
        parse_learning_rate(repr(MAX_LEARNING_RATE * 1.01))


@pytest.mark.parametrize(("chosen", "expected"), [(None, "1"), ("3", "3")])
def test_the_app_asks_blas_for_one_thread_unless_told_otherwise(chosen, expected):
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env["PYTHONPATH"] = str(ROOT)
    if chosen is not None:
        env["OPENBLAS_NUM_THREADS"] = chosen
    code = (
        "import os, sys, lrdesk.cli; assert 'numpy' not in sys.modules;"
        "print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [expected, "1"]
