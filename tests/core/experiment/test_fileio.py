"""Atomic saving and size-capped reading of experiment files."""

from __future__ import annotations

import os
import stat

import pytest

from lrdesk.core.experiment import fileio
from lrdesk.core.experiment.fileio import FileTooLarge, atomic_write_text, read_text


def test_write_then_read_round_trip(tmp_path):
    path = tmp_path / "lesson.lrdesk.json"
    atomic_write_text(path, "{\"a\": 1}\n")
    assert read_text(path, 1000) == "{\"a\": 1}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["lesson.lrdesk.json"]  # no temporary left


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "keep.json"
    path.write_text("old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "replace", broken_replace)
    with pytest.raises(OSError):
        atomic_write_text(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.json"]


def test_existing_permissions_are_kept(tmp_path):
    path = tmp_path / "shared.json"
    path.write_text("x")
    os.chmod(path, 0o640)
    atomic_write_text(path, "y")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_new_file_is_not_private_to_the_temporary_mode(tmp_path):
    path = tmp_path / "new.json"
    atomic_write_text(path, "y")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_reading_refuses_files_past_the_cap(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * 101)
    with pytest.raises(FileTooLarge):
        read_text(path, 100)
    assert read_text(path, 101) == "x" * 101


def test_writing_into_a_missing_folder_fails_cleanly(tmp_path):
    with pytest.raises(OSError):
        atomic_write_text(tmp_path / "missing" / "x.json", "y")
