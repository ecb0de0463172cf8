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


class _FullDisk:
    """A file object whose write fails the way a full disk does, after taking part of the data."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, data):
        self._stream.write(data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    def __getattr__(self, name):
        return getattr(self._stream, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._stream.close()


def test_a_full_disk_during_the_write_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "keep.lrdesk.json"
    path.write_text("the old experiment")
    real_fdopen = os.fdopen
    monkeypatch.setattr(fileio.os, "fdopen", lambda *a, **k: _FullDisk(real_fdopen(*a, **k)))
    with pytest.raises(OSError) as caught:
        atomic_write_text(path, "a new experiment " * 1000)
    assert caught.value.errno == 28
    assert path.read_text() == "the old experiment"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.lrdesk.json"]


def test_leftovers_of_killed_saves_are_removed_by_the_next_save(tmp_path):
    path = tmp_path / "x.json"
    old = [tmp_path / f".x.json.{tag}.tmp" for tag in ("abcd1234", "zz_99xyq")]
    for leftover in old:
        leftover.write_text("half")
        stale = leftover.stat().st_mtime - 10 * fileio.STALE_TEMP_SECONDS
        os.utime(leftover, (stale, stale))
    running = tmp_path / ".x.json.now12345.tmp"  # a save in progress elsewhere: left alone
    running.write_text("busy")
    mine = tmp_path / ".x.json.notes.tmp"  # not one of ours (not 8 random characters)
    mine.write_text("keep")
    os.utime(mine, (1, 1))
    for _ in range(3):
        atomic_write_text(path, "y")
    assert fileio.temp_files_of(path) == [running]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".x.json.notes.tmp", ".x.json.now12345.tmp", "x.json"]
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_is_refused_without_blocking(tmp_path):
    pipe = tmp_path / "pipe.lrdesk.json"
    os.mkfifo(pipe)
    with pytest.raises(fileio.NotRegularFile, match="a pipe"):
        read_text(pipe, 100)


def test_a_folder_and_a_device_are_refused(tmp_path):
    with pytest.raises(fileio.NotRegularFile, match="a folder"):
        read_text(tmp_path, 100)
    if os.path.exists("/dev/zero"):
        with pytest.raises(fileio.NotRegularFile, match="a device"):
            fileio.read_bytes("/dev/zero", 100)


def test_a_byte_order_mark_is_dropped(tmp_path):
    path = tmp_path / "windows.json"
    path.write_bytes(b"\xef\xbb\xbf{}")
    assert read_text(path, 100) == "{}"
