"""Small helpers for lrdesk.spec: the version, the resource files, hidden imports, icons."""

from __future__ import annotations

import ast
import re
from pathlib import Path

# The reverse-DNS application id: desktop file, AppStream metainfo, icon name, macOS bundle.
APP_ID = "org.lrdesk.LRDesk"

# Modules imported lazily (inside functions), which PyInstaller's import analysis cannot see.
# Every module of the lrdesk package is added as well (see lrdesk_hidden_imports).
LAZY_IMPORTS = (
    "lrdesk.gui.app",  # the window, imported by the command line only when no subcommand is given
    "lrdesk.core.expressions.custom",  # typed functions, built on demand
    "sympy",  # used by typed functions only; imported lazily because it takes ~1 s to import
    # the 3-D view: pyqtgraph's GL items, and the parts of PyOpenGL it picks at run time
    "pyqtgraph.opengl",
    "OpenGL.platform.glx",
    "OpenGL.platform.egl",
    "OpenGL.arrays.numpymodule",
    "OpenGL.arrays.ctypesarrays",
)

# Files in resources/ that the running app never reads.
_SKIPPED_SUFFIXES = (".pyc", ".ico", ".icns")  # .ico/.icns are the executables' own icons
_SKIPPED_FOLDERS = ("__pycache__", "desktop")  # desktop: for the install target only
_SKIPPED_FILES = ("screenshot.png",)  # the README's picture of the window


def read_version(root: Path) -> str:
    """The version string in lrdesk/_version.py, read without importing the package."""
    tree = ast.parse((root / "lrdesk" / "_version.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise ValueError(f"no __version__ = '...' in {root / 'lrdesk' / '_version.py'}")


def resource_datas(folder: Path, target: str) -> list[tuple[str, str]]:
    """(source file, destination folder) pairs for every resource file, sub-folders kept."""
    pairs = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or path.suffix in _SKIPPED_SUFFIXES or path.name in _SKIPPED_FILES:
            continue
        if any(part in _SKIPPED_FOLDERS for part in relative.parts):
            continue
        destination = Path(target, *relative.parts[:-1]).as_posix()
        pairs.append((str(path), destination))
    return pairs


def package_modules(root: Path, package: str = "lrdesk") -> list[str]:
    """Every module of the package under root, found on disk (nothing is imported)."""
    names = []
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if "__pycache__" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def lrdesk_hidden_imports(root: Path) -> list[str]:
    return sorted(set(package_modules(root)) | set(LAZY_IMPORTS))


def binary_imports(path: str) -> list[str]:
    """The libraries a binary links against, resolved to paths where PyInstaller can."""
    from PyInstaller.depend.bindepend import get_imports

    return [resolved or name for name, resolved in get_imports(path)]


def exe_icon(icons: Path, platform: str) -> str | None:
    """The icon embedded in the executable: .ico on Windows, .icns on macOS, none on Linux
    (Linux desktops take the icon from the .desktop file; the window sets its own)."""
    if platform == "win32":
        return str(icons / "lrdesk.ico")
    if platform == "darwin":
        return str(icons / "lrdesk.icns")
    return None


def _version_tuple(version: str) -> tuple[int, int, int, int]:
    numbers = []
    for part in version.split(".")[:4]:
        digits = re.match(r"\d*", part).group()  # '0rc1' -> 0: only the leading number counts
        numbers.append(int(digits) if digits else 0)
    return tuple(numbers + [0] * (4 - len(numbers)))  # type: ignore[return-value]


def windows_version_info(version: str):
    """The version resource shown in the executable's Properties > Details on Windows."""
    from PyInstaller.utils.win32.versioninfo import (
        FixedFileInfo,
        StringFileInfo,
        StringStruct,
        StringTable,
        VarFileInfo,
        VarStruct,
        VSVersionInfo,
    )

    numbers = _version_tuple(version)
    strings = [
        StringStruct("CompanyName", "LR Desk developers"),
        StringStruct("FileDescription", "LR Desk"),
        StringStruct("FileVersion", version),
        StringStruct("InternalName", "lrdesk"),
        StringStruct("OriginalFilename", "lrdesk.exe"),
        StringStruct("ProductName", "LR Desk"),
        StringStruct("ProductVersion", version),
        StringStruct("LegalCopyright", "MIT License"),
    ]
    return VSVersionInfo(
        ffi=FixedFileInfo(filevers=numbers, prodvers=numbers),
        kids=[
            StringFileInfo([StringTable("040904B0", strings)]),  # US English, Unicode
            VarFileInfo([VarStruct("Translation", [0x0409, 1200])]),
        ],
    )
