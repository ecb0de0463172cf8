"""Entry script of the frozen LR Desk: the same `lrdesk` command as the installed one.

Two diagnostic modes, chosen by environment variables (see packaging/README.md):
LRDESK_BUNDLE_CHECK=1 prints a JSON self-check of the bundle (modules, lessons, icon) instead
of opening the window; LRDESK_FIRST_PAINT_PROBE=1 prints `first-paint` when the window is first
painted and closes it (the start-up benchmark).
"""

from __future__ import annotations

import sys

import bundle_check
import first_paint


def _attach_parent_console() -> None:
    """Let the windowed Windows build print `--version` and command output in a terminal.

    A windowed (GUI subsystem) program starts with no standard streams. When it was started from
    a console (cmd, PowerShell), attach to that console so printed text shows up there; when its
    output is redirected (a pipe or a file) Python already has the streams and nothing changes.
    Started from Explorer there is no parent console and this does nothing.
    """
    if sys.platform != "win32" or sys.stdout is not None:
        return
    import ctypes

    attach_parent_process = -1
    if not ctypes.windll.kernel32.AttachConsole(attach_parent_process):
        return
    # Line-buffered so each line appears at once; errors replaced rather than raised.
    sys.stdout = open("CONOUT$", "w", buffering=1, errors="replace")  # noqa: SIM115
    sys.stderr = open("CONOUT$", "w", buffering=1, errors="replace")  # noqa: SIM115


def _start_probe():
    """Create the application first (run_app reuses it) and watch it for the first paint."""
    from lrdesk.gui.app import create_app

    return first_paint.install(create_app())


def main() -> int:
    _attach_parent_console()
    if bundle_check.check_requested():
        return bundle_check.main()
    probe = _start_probe() if first_paint.probe_requested() else None
    from lrdesk.cli import main as lrdesk_main
    from lrdesk.cli import quiet_broken_pipe

    try:
        status = lrdesk_main()
        if sys.stdout is not None:
            sys.stdout.flush()  # here, not at exit: a reader gone (`| head`) ends quietly
    except BrokenPipeError:
        status = quiet_broken_pipe()
    del probe
    return status


if __name__ == "__main__":
    sys.exit(main())
