"""Saving and reading small text files safely: atomic replace on write, a size cap on read.

A save writes a temporary file next to the target, flushes it to disk and renames it over the
target in one step (``os.replace``), so a crash or a full disk never leaves half a file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


class FileTooLarge(OSError):
    """A file bigger than the caller is willing to read."""


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``text`` all at once; on any error the old file is untouched."""
    target = Path(path)
    data = text.encode(encoding)
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


def read_text(path: str | os.PathLike, max_bytes: int, encoding: str = "utf-8") -> str:
    """The file's text; raises FileTooLarge past ``max_bytes`` without reading it all."""
    with open(path, "rb") as stream:
        data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileTooLarge(f"{os.fspath(path)} is larger than {max_bytes:,} bytes")
    return data.decode(encoding)


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
