"""Build the frozen LR Desk with PyInstaller (`make package`): one folder by default, or one file.

Usage:
  python packaging/build.py                 # packaging/dist/lrdesk/lrdesk (one folder)
  python packaging/build.py --onefile       # packaging/dist/onefile/lrdesk (one executable)
  python packaging/build.py --bare          # the bare PySide6 + pyqtgraph reference bundle
  python packaging/build.py --archive       # also pack the result as .tar.gz (.zip on Windows)
Works offline: everything comes from the current Python environment.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPEC = HERE / "lrdesk.spec"
DEFAULT_DIST = HERE / "dist"
DEFAULT_WORK = HERE / "build"


@dataclass(frozen=True)
class Variant:
    """One kind of bundle: the app or the bare reference, one folder or one file."""

    onefile: bool = False
    bare: bool = False

    @property
    def name(self) -> str:
        return "lrdesk-bare" if self.bare else "lrdesk"

    @property
    def label(self) -> str:
        return f"{'bare' if self.bare else 'app'}-{'onefile' if self.onefile else 'onedir'}"

    def spec_arguments(self) -> list[str]:
        return [flag for flag, on in (("--onefile", self.onefile), ("--bare", self.bare)) if on]

    def dist_folder(self, dist: Path) -> Path:
        """Where PyInstaller writes: one-file builds go to a sub-folder so that the executable
        `lrdesk` does not collide with the one-folder bundle's folder `lrdesk/`."""
        return dist / "onefile" if self.onefile else dist

    def output(self, dist: Path) -> Path:
        """The folder (one-folder) or the executable file (one-file) the build produces."""
        suffix = ".exe" if self.onefile and sys.platform == "win32" else ""
        return self.dist_folder(dist) / (self.name + suffix)

    def shipped(self, dist: Path) -> Path:
        """What users download: the macOS app bundle where one was made, else the output."""
        app = dist / "LR Desk.app"
        if sys.platform == "darwin" and not self.onefile and not self.bare and app.is_dir():
            return app
        return self.output(dist)

    def executable(self, dist: Path) -> Path:
        if self.onefile:
            return self.output(dist)
        suffix = ".exe" if sys.platform == "win32" else ""
        return self.output(dist) / (self.name + suffix)


def pyinstaller_command(variant: Variant, dist: Path, work: Path) -> list[str]:
    return [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
        "--distpath", str(variant.dist_folder(dist)),
        # A work folder per variant: they share one spec, and would otherwise overwrite each
        # other's cached analysis.
        "--workpath", str(work / variant.label),
        str(SPEC), "--", *variant.spec_arguments(),
    ]


def build(variant: Variant, dist: Path = DEFAULT_DIST, work: Path = DEFAULT_WORK) -> Path:
    """Run PyInstaller for one variant; return the executable. Raises CalledProcessError."""
    # A fixed hash seed keeps the order of collected files, and so the bundle, reproducible.
    env = {**os.environ, "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0")}
    subprocess.run(pyinstaller_command(variant, dist, work), check=True, cwd=HERE.parent, env=env)
    executable = variant.executable(dist)
    if not executable.is_file():
        raise FileNotFoundError(f"PyInstaller finished but {executable} is missing")
    return executable


def folder_size(path: Path) -> int:
    """Bytes of a file or of every file under a folder (symbolic links count as links, so that
    PyInstaller's links to shared libraries are not counted twice)."""
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def make_archive(output: Path, archive_base: Path) -> Path:
    """Pack a bundle as .zip on Windows, .tar.gz elsewhere (tar keeps the executable bits)."""
    archive_base.parent.mkdir(parents=True, exist_ok=True)
    if sys.platform == "win32":
        return Path(shutil.make_archive(str(archive_base), "zip", output.parent, output.name))
    target = archive_base.with_name(archive_base.name + ".tar.gz")
    with tarfile.open(target, "w:gz", compresslevel=9) as archive:
        archive.add(output, arcname=output.name)
    return target


def archive_base_name(variant: Variant, version: str) -> str:
    platform = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    kind = "onefile" if variant.onefile else "folder"
    return f"{variant.name}-{version}-{platform}-{kind}"


def _read_version() -> str:
    sys.path.insert(0, str(HERE))
    try:
        from spec_helpers import read_version
    finally:
        sys.path.remove(str(HERE))
    return read_version(HERE.parent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the frozen LR Desk with PyInstaller.")
    parser.add_argument("--onefile", action="store_true",
                        help="one self-extracting executable instead of a folder")
    parser.add_argument("--bare", action="store_true",
                        help="build the bare PySide6 + pyqtgraph reference bundle instead")
    parser.add_argument("--dist", type=Path, default=DEFAULT_DIST,
                        help=f"output folder (default: {DEFAULT_DIST})")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help=f"folder for PyInstaller's intermediate files (default: {DEFAULT_WORK})")
    parser.add_argument("--archive", action="store_true",
                        help="also pack the bundle as .tar.gz (.zip on Windows) in the output folder")
    args = parser.parse_args(argv)

    variant = Variant(onefile=args.onefile, bare=args.bare)
    dist, work = args.dist.resolve(), args.work.resolve()
    started = time.perf_counter()
    try:
        executable = build(variant, dist, work)
    except (subprocess.CalledProcessError, FileNotFoundError) as error:
        print(f"build.py: error: the build failed ({error})", file=sys.stderr)
        return 1
    output = variant.output(dist)
    seconds = time.perf_counter() - started
    print(f"Built {output} ({folder_size(output) / 1e6:.0f} MB) in {seconds:.0f} s")
    print(f"Run it: {executable}")
    if args.archive:
        shipped = variant.shipped(dist)
        archive = make_archive(shipped, dist / archive_base_name(variant, _read_version()))
        print(f"Archive: {archive} ({archive.stat().st_size / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
