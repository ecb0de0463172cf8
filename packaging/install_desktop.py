"""Install LR Desk's menu entry, icons and AppStream metadata for the current user (Linux).

`make install-desktop` runs this. Files go under $XDG_DATA_HOME (default ~/.local/share) or
--prefix: applications/, icons/hicolor/, metainfo/. The menu entry starts the `lrdesk` found
next to this Python (the virtual environment's), or the program given with --exec, e.g. a
frozen bundle: --exec packaging/dist/lrdesk/lrdesk. --uninstall removes exactly those files.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESOURCES = HERE.parent / "resources"
APP_ID = "org.lrdesk.LRDesk"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
# Characters that force an Exec argument to be quoted (Desktop Entry Specification, "Exec key").
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


class InstallError(Exception):
    """A problem the user can fix, said in one line."""


@dataclass(frozen=True)
class Placement:
    source: Path
    target: Path


def default_prefix() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME", "")
    return Path(data_home) if os.path.isabs(data_home) else Path.home() / ".local" / "share"


def placements(prefix: Path, resources: Path = RESOURCES) -> list[Placement]:
    """Every file the install writes: where it comes from and where it goes."""
    icons = resources / "icons"
    hicolor = prefix / "icons" / "hicolor"
    files = [
        Placement(resources / "desktop" / f"{APP_ID}.desktop",
                  prefix / "applications" / f"{APP_ID}.desktop"),
        Placement(resources / "desktop" / f"{APP_ID}.metainfo.xml",
                  prefix / "metainfo" / f"{APP_ID}.metainfo.xml"),
        Placement(icons / "lrdesk.svg", hicolor / "scalable" / "apps" / f"{APP_ID}.svg"),
    ]
    files += [
        Placement(icons / f"lrdesk-{size}.png", hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png")
        for size in PNG_SIZES
    ]
    return files


def quote_exec_argument(argument: str) -> str:
    """Quote one argument of an Exec line as the Desktop Entry Specification requires."""
    if argument and not (_RESERVED & set(argument)):
        quoted = argument
    else:
        inner = "".join("\\" + ch if ch in '"`$\\' else ch for ch in argument)
        quoted = f'"{inner}"'
    # Exec is also a string value, whose own escape for a backslash is a doubled backslash,
    # and '%' starts a field code, so a literal one is written '%%'.
    return quoted.replace("\\", "\\\\").replace("%", "%%")


def escape_string_value(value: str) -> str:
    """A plain string value of a desktop file (TryExec): only backslashes need escaping."""
    return value.replace("\\", "\\\\")


def desktop_entry_text(template: str, program: Path) -> str:
    """The desktop file with Exec and TryExec pointing at the program's absolute path."""
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            line = f"Exec={quote_exec_argument(str(program))} %F"
        elif line.startswith("TryExec="):
            line = f"TryExec={escape_string_value(str(program))}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def find_program(explicit: str | None) -> Path:
    """The program the menu entry starts: --exec, else `lrdesk` next to this Python, else PATH."""
    if explicit:
        program = Path(explicit).expanduser().absolute()
        if not program.is_file() or not os.access(program, os.X_OK):
            raise InstallError(f"--exec {explicit}: not an executable file")
        return program
    # Not resolved: in a virtual environment sys.executable is a link to the base Python.
    beside = Path(sys.executable).parent / "lrdesk"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside.absolute()
    found = shutil.which("lrdesk")
    if found:
        return Path(found).absolute()
    raise InstallError(
        "cannot find the `lrdesk` program: install LR Desk first (pip install .) "
        "or give the program with --exec PATH"
    )


def install(prefix: Path, program: Path, resources: Path = RESOURCES) -> list[Path]:
    written = []
    for placement in placements(prefix, resources):
        if not placement.source.is_file():
            raise InstallError(f"missing file {placement.source}: is the checkout complete?")
        placement.target.parent.mkdir(parents=True, exist_ok=True)
        if placement.target.suffix == ".desktop":
            text = desktop_entry_text(placement.source.read_text(encoding="utf-8"), program)
            placement.target.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(placement.source, placement.target)
        written.append(placement.target)
    return written


def uninstall(prefix: Path, resources: Path = RESOURCES) -> list[Path]:
    removed = []
    for placement in placements(prefix, resources):
        if placement.target.is_file():
            placement.target.unlink()
            removed.append(placement.target)
    return removed


def refresh_caches(prefix: Path) -> None:
    """Tell the desktop about the change, where the tools exist (they are optional)."""
    commands = (
        ["update-desktop-database", "-q", str(prefix / "applications")],
        ["gtk-update-icon-cache", "-q", "-t", "-f", str(prefix / "icons" / "hicolor")],
    )
    for command in commands:
        if shutil.which(command[0]) and Path(command[-1]).is_dir():
            subprocess.run(command, check=False, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", type=Path, default=None,
                        help="data folder to install into (default: $XDG_DATA_HOME or "
                        "~/.local/share)")
    parser.add_argument("--exec", dest="program", metavar="PATH", default=None,
                        help="the program the menu entry starts (default: the lrdesk next to "
                        "this Python, else the one on PATH)")
    parser.add_argument("--uninstall", action="store_true", help="remove the installed files")
    parser.add_argument("--no-refresh", action="store_true",
                        help="do not run update-desktop-database / gtk-update-icon-cache")
    args = parser.parse_args(argv)
    prefix = (args.prefix or default_prefix()).expanduser().absolute()
    try:
        if args.uninstall:
            files = uninstall(prefix)
            verb = "Removed"
        else:
            program = find_program(args.program)
            files = install(prefix, program)
            verb = f"Installed (menu entry starts {program}):"
    except (InstallError, OSError) as error:
        print(f"install_desktop.py: error: {error}", file=sys.stderr)
        return 1
    if not args.no_refresh:
        refresh_caches(prefix)
    print(f"{verb} {len(files)} files under {prefix}")
    for path in files:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
