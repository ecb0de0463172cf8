"""The command line: `lrdesk` opens the window; `run`, `functions`, `sweep`, `map`, `train`,
`datasets` print numbers.

Every subcommand goes through ``args.handler(args) -> int``. Bad input anywhere ends with ONE line
on stderr starting ``lrdesk: error:`` and exit status 2, never a traceback.

This module imports nothing heavy: `lrdesk` and `lrdesk --version` must start fast, so the
subcommands (and NumPy with them) are imported only when one of them is asked for.
"""

from __future__ import annotations

import argparse
import os
import sys

from lrdesk._version import __version__
from lrdesk.cli.common import CliError

__all__ = ["main"]

COMMANDS = ("run", "functions", "sweep", "map", "train", "datasets")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in argv if not a.startswith("-")), None)
    wants_commands = first in COMMANDS or argv[:1] in (["-h"], ["--help"])
    try:
        args = (_parser() if wants_commands else _window_parser()).parse_args(argv)
    except SystemExit as exc:  # --help, --version and argparse's own errors (status 2)
        return exc.code if isinstance(exc.code, int) else 0
    try:
        return args.handler(args)
    except (CliError, ValueError) as exc:  # ValueError: the core's SpecError, InvalidFunction...
        return _fail(str(exc))
    except BrokenPipeError:  # e.g. `lrdesk run ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        return _fail(f"{exc.filename or 'file'}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        sys.stderr.write("\nlrdesk: interrupted\n")
        return 130


def _fail(message: str) -> int:
    line = " ".join(message.split()) or "something went wrong"
    sys.stderr.write(f"lrdesk: error: {line}\n")
    return 2


def _parser() -> argparse.ArgumentParser:
    from lrdesk.cli import run as cli_run
    from lrdesk.cli import sweep as cli_sweep  # the subcommands, with the engine they need
    from lrdesk.cli import train as cli_train

    parser = argparse.ArgumentParser(
        prog="lrdesk",
        usage="lrdesk [FILE ...] [--smoke OUT.png]\n"
        "       lrdesk {run,functions,sweep,map,train,datasets} ...",
        description="See how the learning rate steers gradient descent. Without a command, "
        "opens the window (with the experiment FILEs given).",
    )
    parser.add_argument("--version", action="version", version=f"lrdesk {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    cli_run.register(sub)
    cli_sweep.register(sub)
    cli_train.register(sub)
    return parser


def _window_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lrdesk", description="Open the LR Desk window. Commands: run, functions, sweep, "
        "map, train, datasets (see lrdesk --help).")
    parser.add_argument("files", nargs="*", metavar="FILE", help="experiment files to open")
    parser.add_argument("--smoke", metavar="OUT.png",
                        help="start, run the default experiment, save a picture and quit")
    parser.add_argument("--version", action="version", version=f"lrdesk {__version__}")
    parser.set_defaults(handler=open_window)
    return parser


def open_window(args) -> int:
    missing = [f for f in args.files if not os.path.isfile(f)]
    if missing:
        # a typo in a command name lands here too: say both, never open a window for it
        raise CliError(
            f"'{missing[0]}' is neither a command ({', '.join(COMMANDS)}) nor an experiment file"
        )
    from lrdesk.gui.app import run_app  # Qt loads only when the window is wanted

    return run_app(files=args.files, smoke=args.smoke)
