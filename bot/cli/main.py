"""Parse the command line, open the runtime, run one feature's handler, return its exit status.

Every command pays for this module's start-up, so it imports little: the command tree lists every
feature by name, and only the feature that runs is imported (with what it needs).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import signal
import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

from bot.cli.invocation import command, program
from bot.cli.output import Redact, print_error
from bot.errors import OpsError

if TYPE_CHECKING:
    from bot.config import Settings

USAGE_ERROR = 3
INTERRUPTED = 128 + signal.SIGINT
# What a shell reports for a program that SIGPIPE ended, as `backup list | head` would end one.
BROKEN_PIPE = 128 + signal.SIGPIPE


@dataclass(frozen=True)
class Feature:
    """A top-level command: the module whose ``register(commands, common)`` adds it, and its help."""

    module: str
    help: str


FEATURES = {
    "check": Feature("bot.cli.checks", "test the external services Aphrodite uses"),
    "db": Feature("bot.cli.database", "PostgreSQL status, integrity and growth"),
    "backup": Feature("bot.cli.backups", "create, list, restore, delete, drill or push database backups"),
    "logs": Feature("bot.cli.logs", "view, search, download or clear Aphrodite's log"),
    "alerts": Feature("bot.cli.alerts", "the alert monitor: state, past incidents, pause, resume, test"),
    "audit": Feature("bot.cli.audit", "who did which backup, restore, deletion, log clear, pause..."),
    "health": Feature("bot.cli.health", "exit 0 when the running bot is connected"),
}


class UsageError(OpsError):
    """The command line does not parse; ``parser`` is the (sub)command it was meant for."""

    exit_code = USAGE_ERROR

    def __init__(self, message: str, parser: argparse.ArgumentParser) -> None:
        super().__init__(message)
        self.parser = parser


class _Parser(argparse.ArgumentParser):
    """Raises UsageError instead of exiting, so usage errors are reported like every other error."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self)


def build_parser(features: Collection[str] = tuple(FEATURES)) -> argparse.ArgumentParser:
    """The command tree: the ``features`` named add their subcommands, the others only their name."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser = _Parser(
        prog=program(),
        description="Aphrodite maintenance from a terminal. Without a command, runs the Discord bot.",
        epilog="Settings come from ./.env, or from --env-file FILE (anywhere on the line) or "
        "APHRODITE_OPS_ENV=FILE, for cron. "
        "Exit status: 0 OK, 1 degraded, 2 failed, 3 not configured, usage error or not confirmed.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, feature in FEATURES.items():
        if name in features:
            importlib.import_module(feature.module).register(commands, common)
        else:
            commands.add_parser(name, help=feature.help)
    return parser


def main(argv: Sequence[str], *, own_process: bool = False) -> int:
    """Parse, run, and return the exit status of the contract (3 for usage errors).

    ``own_process``: this process runs this one command and exits (``python -m bot``), so what
    start-up created lives until exit and is frozen out of garbage collection: the collection at
    exit then need not walk it (about 10 ms of every command).
    """
    try:
        status = _main(argv, own_process)
        sys.stdout.flush()  # here, not at exit, so a reader that went away is handled below
        return status
    except BrokenPipeError:
        # The reader (`| head`) has all it wanted: no traceback, and no second error when
        # Python flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return BROKEN_PIPE


def _main(argv: Sequence[str], own_process: bool) -> int:
    from bot.env_file import split_env_file

    env_file, argv = split_env_file(argv)
    as_json = "--json" in argv
    words = [word for word in argv if not word.startswith("-")]
    parser = build_parser(words[:1])
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help
        return 0 if exit_.code in (0, None) else USAGE_ERROR
    except UsageError as error:
        # Unrecognised arguments are reported by the top parser: point at the command's own help.
        meant = _command_parser(parser, words) if error.parser is parser else error.parser
        if not as_json:
            meant.print_usage(sys.stderr)
        hint = f"{meant.prog} --help"
        redact = _redactor_without_runtime(env_file)
        print_error(str(error), hint, error.exit_code, as_json=as_json, redact=redact)
        return error.exit_code
    from bot.config import ConfigError, load_settings

    try:
        settings = load_settings(env_file=env_file)
    except ConfigError as error:
        redact = _redactor_without_runtime(env_file)
        print_error(str(error), error.hint, error.exit_code, as_json=as_json, redact=redact)
        return error.exit_code
    from bot import event_loop

    if own_process:
        gc.freeze()
    try:
        return event_loop.run(run_parsed(args, settings))
    except KeyboardInterrupt:
        return INTERRUPTED


async def run_parsed(args: argparse.Namespace, settings: Settings) -> int:
    """Run a parsed command; an OpsError becomes its message and its exit status."""
    from bot.runtime import Runtime

    async with Runtime.open(settings) as runtime:
        try:
            status: int = await args.handler(args, runtime)
            return status
        except OpsError as error:
            hint = command(error.command_hint) if error.command_hint else error.hint
            as_json = bool(getattr(args, "json", False))
            print_error(str(error), hint, error.exit_code, as_json=as_json, redact=runtime.redactor)
            return error.exit_code


def _command_parser(parser: argparse.ArgumentParser, words: Sequence[str]) -> argparse.ArgumentParser:
    """The (sub)command parser that ``words`` name, as deep as they go."""
    for word in words:
        commands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not commands or word not in commands[0].choices:
            break
        parser = commands[0].choices[word]
    return parser


def _redactor_without_runtime(env_file: str | None) -> Redact:
    """For errors before the runtime opens: the configured secrets when they load, else patterns."""
    from bot.config import ConfigError, load_settings
    from bot.runtime import process_redactor

    try:
        return process_redactor(load_settings(env_file=env_file))
    except ConfigError:
        return process_redactor(None)
