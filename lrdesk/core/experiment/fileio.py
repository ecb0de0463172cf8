"""Saving and reading small text files safely: atomic replace on write, a size cap on read.

A save writes a temporary file next to the target, flushes it to disk and renames it over the
target in one step (``os.replace``), so a crash or a full disk never leaves half a file behind.
A save that was killed half-way leaves its temporary file; the next save to the same target
removes such leftovers, so they never pile up. Reading refuses anything that is not a regular
file (a folder, a pipe, a device such as /dev/zero) before reading from it, so it never blocks.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from pathlib import Path

#: a temporary file of a save older than this was left by a save that never finished
STALE_TEMP_SECONDS = 60.0


class FileTooLarge(OSError):
    """A file bigger than the caller is willing to read."""


class NotRegularFile(OSError):
    """A path that is a folder, a pipe, a device or a socket rather than a file."""

    def __init__(self, path: str | os.PathLike, mode: int) -> None:
        self.kind = _kind(mode)  # 'a folder', 'a pipe', 'a device', ...
        super().__init__(f"{os.fspath(path)} is {self.kind}, not a file")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def check_regular_file(path: str | os.PathLike) -> None:
    """Raise NotRegularFile unless ``path`` is a regular file (following links); OSError if absent."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotRegularFile(path, mode)


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``text`` all at once; on any error the old file is untouched."""
    target = Path(path)
    data = text.encode(encoding)
    _remove_stale_temps(target)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, _mode_for(target))
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _sync_folder(target.parent)


def read_bytes(path: str | os.PathLike, max_bytes: int) -> bytes:
    """The file's bytes; raises NotRegularFile for a folder, pipe or device (before opening it)
    and FileTooLarge past ``max_bytes`` without reading it all."""
    check_regular_file(path)
    # non-blocking: a file swapped for a pipe between the check and the open cannot block
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as stream:
        mode = os.fstat(stream.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(path, mode)
        data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileTooLarge(f"{os.fspath(path)} is larger than {max_bytes:,} bytes")
    return data


def read_text(path: str | os.PathLike, max_bytes: int, encoding: str = "utf-8-sig") -> str:
    """The file's text (a UTF-8 byte-order mark is dropped); the checks of ``read_bytes``."""
    return read_bytes(path, max_bytes).decode(encoding)


def temp_files_of(target: str | os.PathLike) -> list[Path]:
    """The temporary files saves to ``target`` make (and leave behind when killed)."""
    target = Path(target)
    random_part = "?" * 8  # tempfile.mkstemp's eight random characters
    return sorted(target.parent.glob(f".{_glob_escape(target.name)}.{random_part}.tmp"))


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _remove_stale_temps(target: Path) -> None:
    """Remove what killed saves to this target left behind (a save still running is younger)."""
    now = time.time()
    for leftover in temp_files_of(target):
        with contextlib.suppress(OSError):
            if now - leftover.lstat().st_mtime > STALE_TEMP_SECONDS:
                leftover.unlink()


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual ones (0666 minus umask)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the system allows opening a folder (POSIX)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
