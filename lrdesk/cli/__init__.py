"""The command line: `lrdesk` opens the window; `run`, `functions`, `sweep`, `map`, `train`,
`datasets` print numbers.

Every subcommand goes through ``args.handler(args) -> int``. Bad input anywhere ends with ONE line
on stderr starting ``lrdesk: error:`` and exit status 2, never a traceback.

This module imports nothing heavy: `lrdesk` and `lrdesk --version` must start fast, so the
subcommands (and NumPy with them) are imported only when one of them is asked for.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import re
import sys

from lrdesk._version import __version__
from lrdesk.cli.common import CliError, quoted

__all__ = ["main"]

COMMANDS = ("run", "functions", "sweep", "map", "train", "datasets")
#: the longest error line printed: a message never floods a terminal
MAX_MESSAGE = 300


class _Parser(argparse.ArgumentParser):
    """argparse whose own errors (a missing value, an unknown option, an invalid choice) are
    one line like every other error, not the whole usage."""

    def error(self, message: str):
        raise CliError(_argparse_words(message))


def _argparse_words(message: str) -> str:
    """'argument --lr: expected one argument' -> '--lr: needs a value'; long values shortened."""
    message = re.sub(r"^argument ([^:]+): ", r"\1: ", message)
    message = message.replace("expected one argument", "needs a value (none was given)")
    message = re.sub(r"'([^']*)'", lambda m: quoted(m.group(1)), message)
    if message.startswith("unrecognized arguments: "):
        words = message.removeprefix("unrecognized arguments: ").split()
        message = "unknown option(s): " + " ".join(quoted(w) for w in words[:5])
        message += " ..." if len(words) > 5 else ""
        message += " (see lrdesk --help)"
    return message


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        status = _main(argv)
        sys.stdout.flush()  # inside the guard: a closed pipe is noticed here, not at exit
        return status
    except BrokenPipeError:  # e.g. `lrdesk run ... | head`: the reader has what it wanted
        return quiet_broken_pipe()


def quiet_broken_pipe() -> int:
    """Point stdout at the null device so that Python's final flush cannot complain; status 1."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # no real stdout (windowed)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1


def _main(argv: list[str]) -> int:
    first = next((a for a in argv if not a.startswith("-")), None)
    wants_commands = first in COMMANDS or argv[:1] in (["-h"], ["--help"])
    if first is not None and not wants_commands and not os.path.exists(first):
        close = difflib.get_close_matches(first, COMMANDS, n=1, cutoff=0.6)
        if close:  # `lrdesk swep --num 3`: a misspelled command, not a file to open
            return _fail(f"{quoted(first)} is not a command: did you mean {quoted(close[0])}? "
                         f"(commands: {', '.join(COMMANDS)})")
    try:
        top_help = argv[:1] in (["-h"], ["--help"])
        parser = _parser(None if top_help else first) if wants_commands else _window_parser()
        args = parser.parse_args(argv)
        _refuse_empty_values(args)
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    except CliError as exc:  # argparse's own errors and empty values
        return _fail(str(exc))
    try:
        return args.handler(args)
    except (CliError, ValueError) as exc:  # ValueError: the core's SpecError, InvalidFunction...
        return _fail(str(exc))
    except BrokenPipeError:
        raise
    except OSError as exc:
        return _fail(f"{quoted(str(exc.filename or 'file'))}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        sys.stderr.write("\nlrdesk: interrupted\n")
        return 130


def _fail(message: str) -> int:
    line = " ".join(message.split()) or "something went wrong"
    if len(line) > MAX_MESSAGE:
        line = line[: MAX_MESSAGE - 3] + "..."
    sys.stderr.write(f"lrdesk: error: {line}\n")
    return 2


def _refuse_empty_values(args: argparse.Namespace) -> None:
    """`--save ''`, `--steps ''`: an empty value is a mistake, never a silent default."""
    for dest, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and not v.strip() for v in values):
            if dest == "files":
                raise CliError("an empty file name was given")
            raise CliError(f"--{dest.replace('_', '-')}: the value is empty (give one, or leave "
                           "the option out)")


#: the module that defines each command (with the engine it needs)
_COMMAND_MODULES = {"run": "run", "functions": "run", "sweep": "sweep", "map": "sweep",
                    "train": "train", "datasets": "train"}


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of ``command``'s module only (its imports alone load)."""
    import importlib

    names = [_COMMAND_MODULES[command]] if command in _COMMAND_MODULES else ["run", "sweep",
                                                                            "train"]
    parser = _Parser(
        prog="lrdesk",
        usage="lrdesk [FILE ...] [--view {2d,3d}] [--smoke OUT.png]\n"
        "       lrdesk {run,functions,sweep,map,train,datasets} ...",
        description="See how the learning rate steers gradient descent. Without a command, "
        "opens the window (with the experiment FILEs given).",
    )
    parser.add_argument("--version", action="version", version=f"lrdesk {__version__}")
    # prog given: otherwise each subcommand's usage line repeats the custom usage text above
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", prog="lrdesk")
    for name in names:
        importlib.import_module(f"lrdesk.cli.{name}").register(sub)
    return parser


def _window_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lrdesk", description="Open the LR Desk window. Commands: run, functions, sweep, "
        "map, train, datasets (see lrdesk --help).")
    parser.add_argument("files", nargs="*", metavar="FILE", help="experiment files to open")
    parser.add_argument("--smoke", metavar="OUT.png",
                        help="start, run the default experiment, save a picture and quit")
    parser.add_argument("--view", choices=("2d", "3d"), default=None,
                        help="show the loss surface as a 2-D heat map or a 3-D surface")
    parser.add_argument("--version", action="version", version=f"lrdesk {__version__}")
    parser.set_defaults(handler=open_window)
    return parser


def open_window(args) -> int:
    for path in args.files:
        _check_file_to_open(path)
    from lrdesk.gui.app import run_app  # Qt loads only when the window is wanted

    view = {"view": args.view} if args.view else {}
    return run_app(files=args.files, smoke=args.smoke, **view)


def _check_file_to_open(path: str) -> None:
    """A file to open must be a regular file; a word that is neither a file nor a command is
    refused too, never a window opened for it."""
    from lrdesk.core.experiment.fileio import NotRegularFile, check_regular_file

    try:
        check_regular_file(path)
    except NotRegularFile as exc:
        raise CliError(f"{quoted(path)} is {exc.kind}, not an experiment file") from None
    except OSError:
        raise CliError(f"{quoted(path)} is neither a command ({', '.join(COMMANDS)}) nor an "
                       "experiment file") from None
