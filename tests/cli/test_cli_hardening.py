"""Command-line hardening: one-line errors for everything, empty values, special files, atomic
saves, rates held under the cap, quiet broken pipes and no NumPy warnings."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from lrdesk.cli import main
from lrdesk.core.experiment import fileio
from lrdesk.core.experiment.spec import ExperimentSpec, dumps
from lrdesk.core.limits import MAX_LEARNING_RATE

ROOT = Path(__file__).resolve().parents[2]
HUGE = "9" * 100_000


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(capsys, *argv: str) -> str:
    code, out, err = _run(capsys, *argv)
    assert (code, out) == (2, ""), err
    assert err.startswith("lrdesk: error: ") and err.count("\n") == 1, err
    assert "usage:" not in err and "Traceback" not in err
    assert len(err) < 400
    return err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["run", "--lr"], "--lr: needs a value"),
        (["sweep", "--num"], "--num: needs a value"),
        (["map", "--format", "xml"], "--format: invalid choice: 'xml'"),
        (["run", "--nope"], "unknown option(s): '--nope'"),
        (["functions", "--format", "csv"], "invalid choice: 'csv'"),
        (["--smoke"], "--smoke: needs a value"),
    ],
)
def test_argparse_errors_are_one_line(capsys, argv, words):
    assert words in _one_line_error(capsys, *argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--lr", "0.1" + HUGE + "x"],
        ["run", "--steps", HUGE],
        ["run", "--start", "x" * 100_000],
        ["run", "--format", HUGE],
        ["run", "--" + "x" * 100_000],
        ["sweep", "--num", "y" * 100_000],
        ["map", "--x", "z" * 100_000],
        ["run", "--hyper", "q" * 100_000],
    ],
)
def test_the_offending_value_is_quoted_and_shortened(capsys, argv):
    err = _one_line_error(capsys, *argv)
    assert "..." in err and "'" in err


@pytest.mark.parametrize(("typed", "meant"), [("rnu", "run"), ("swep", "sweep"), ("mpa", "map"),
                                              ("function", "functions")])
def test_a_misspelled_command_is_named_as_such(capsys, typed, meant):
    err = _one_line_error(capsys, typed, "--num", "3")
    assert f"'{typed}' is not a command: did you mean '{meant}'?" in err


@pytest.mark.parametrize("command", ["run", "sweep", "map", "functions"])
def test_subcommand_usage_lines_name_the_subcommand(capsys, command):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: lrdesk {command} [-h]")
    assert "FILE ..." not in out.splitlines()[0]


@pytest.mark.parametrize(
    "argv",
    [["run", "--save", ""], ["run", "--steps", ""], ["run", "--function", ""], ["run", "--lr", ""],
     ["run", "--expr", " "], ["run", "--experiment", ""], ["sweep", "--num", ""],
     ["map", "--x-max", ""], ["run", "--lr", "0.1", "--lr", ""], [""]],
)
def test_empty_values_are_refused(capsys, argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    err = _one_line_error(capsys, *argv)
    assert "empty" in err
    assert list(tmp_path.iterdir()) == []  # `--save ''` saved nothing anywhere


def test_default_rates_of_a_flat_function_stay_under_the_cap(capsys):
    code, out, err = _run(capsys, "run", "--expr", "1e-7*w^2", "--format", "json", "--steps", "5")
    assert (code, err) == (0, "")
    rates = [run["learning_rate"] for run in json.loads(out)["runs"]]
    assert rates and max(rates) <= MAX_LEARNING_RATE
    # the stable limit is 2/(2e-7) = 1e7: the suggestions would have been 1e6, 9e6 and 1.1e7
    assert max(rates) == MAX_LEARNING_RATE
    code, out, err = _run(capsys, "sweep", "--expr", "1e-7*w^2", "--num", "4", "--steps", "5",
                          "--format", "json")
    assert (code, err) == (0, "")
    assert max(r["learning_rate"] for r in json.loads(out)["runs"]) <= MAX_LEARNING_RATE


def test_map_refuses_rate_axes_above_the_cap_and_caps_its_default(capsys):
    assert "--x-max" in _one_line_error(capsys, "map", "--x-max", "1e9", "--nx", "3", "--ny", "2")
    assert "--y-max" in _one_line_error(capsys, "map", "--x", "momentum", "--y", "lr",
                                        "--y-max", "5e6")
    code, out, err = _run(capsys, "map", "--expr", "1e-7*w^2", "--nx", "3", "--ny", "2",
                          "--steps", "5", "--format", "json")
    assert (code, err) == (0, "")
    assert max(json.loads(out)["x"]["values"]) <= MAX_LEARNING_RATE


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_special_files_are_refused_without_blocking(tmp_path):
    pipe = tmp_path / "shared.lrdesk.json"
    os.mkfifo(pipe)
    for argv in (["run", "--experiment", str(pipe)], ["train", "--experiment", str(pipe)],
                 [str(pipe)], ["sweep", "--experiment", "/dev/zero"],
                 [str(tmp_path)], ["/dev/zero"]):
        done = subprocess.run([sys.executable, "-m", "lrdesk", *argv], capture_output=True,
                              text=True, timeout=60, cwd=ROOT)  # a blocked open would time out
        assert done.returncode == 2, (argv, done.stderr)
        assert done.stderr.count("\n") == 1
        assert any(kind in done.stderr for kind in ("a pipe", "a device", "a folder")), done.stderr


def test_a_file_with_a_byte_order_mark_is_read(capsys, tmp_path):
    path = tmp_path / "notepad.lrdesk.json"
    path.write_bytes(codecs.BOM_UTF8 + dumps(ExperimentSpec(steps=7)).encode("utf-8"))
    code, out, err = _run(capsys, "run", "--experiment", str(path), "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out)["steps"] == 7


def test_run_save_is_atomic_under_a_full_disk(capsys, tmp_path, monkeypatch):
    path = tmp_path / "lesson.lrdesk.json"
    path.write_text("the old experiment")
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, stream):
            self.stream = stream

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.stream.close()

        def write(self, data):
            self.stream.write(data[:10])
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "fdopen", lambda *a, **k: FullDisk(real_fdopen(*a, **k)))
    err = _one_line_error(capsys, "run", "--steps", "5", "--save", str(path))
    assert "No space left on device" in err and "unchanged" in err
    assert path.read_text() == "the old experiment"
    assert [p.name for p in tmp_path.iterdir()] == ["lesson.lrdesk.json"]
    monkeypatch.undo()
    code, _, _ = _run(capsys, "run", "--steps", "5", "--save", str(path), "--format", "json")
    assert code == 0 and json.loads(path.read_text())["steps"] == 5


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--start", "1e12", "--lr", "1e6", "--format", "json"],
        ["run", "--function", "rosenbrock", "--start=1e12,-1e12", "--lr", "1e6", "--optimizer", "adam"],
        ["run", "--expr", "exp(w) + w^4", "--start", "1e3", "--lr", "1e6", "--optimizer", "momentum"],
        ["sweep", "--start", "1e12", "--lr-max", "1e6", "--num", "5", "--range-test", "--steps", "50"],
        ["map", "--start", "1e12", "--nx", "3", "--ny", "3", "--x-max", "1e6", "--steps", "50"],
    ],
)
def test_overflowing_runs_print_no_numpy_warnings(capsys, argv):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, _, err = _run(capsys, *argv, "--format", "json") if "--format" not in argv else _run(capsys, *argv)
    assert (code, err) == (0, "")
    assert [w for w in caught if issubclass(w.category, RuntimeWarning)] == []


@pytest.mark.parametrize("entry", [["-m", "lrdesk"], [str(ROOT / "packaging" / "lrdesk_entry.py")]])
def test_a_closed_pipe_ends_quietly(entry):
    """`lrdesk run ... | head -1`: the reader goes away; no traceback, no 'Exception ignored'."""
    process = subprocess.Popen(
        [sys.executable, *entry, "run", "--lr", "1e-9", "--steps", "200000", "--format", "csv"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout.readline().startswith(b"run,learning_rate")
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert err == b""
    assert process.returncode == 1
