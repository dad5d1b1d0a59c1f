"""Parse the command line, open the runtime, run one feature's handler, return its exit status."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence

from bot.cli import alerts, backups, checks, database, health, logs
from bot.cli.invocation import command, program
from bot.config import ConfigError, Settings, load_settings
from bot.errors import OpsError
from bot.runtime import Runtime

USAGE_ERROR = 3
INTERRUPTED = 128 + signal.SIGINT
# What a shell reports for a program that SIGPIPE ended, as `backup list | head` would end one.
BROKEN_PIPE = 128 + signal.SIGPIPE
FEATURES = (checks, database, backups, logs, alerts, health)


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree; each feature module adds its own subcommands."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser = argparse.ArgumentParser(
        prog=program(),
        description="Aphrodite maintenance from a terminal. Without a command, runs the Discord bot.",
        epilog="Exit status: 0 OK, 1 degraded, 2 failed, 3 not configured or usage error.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for feature in FEATURES:
        feature.register(commands, common)
    return parser


def main(argv: Sequence[str]) -> int:
    """Parse, run, and return the exit status of the contract (3 for usage errors)."""
    try:
        status = _main(argv)
        sys.stdout.flush()  # here, not at exit, so a reader that went away is handled below
        return status
    except BrokenPipeError:
        # The reader (`| head`) has all it wanted: no traceback, and no second error when
        # Python flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return BROKEN_PIPE


def _main(argv: Sequence[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code == 0 else USAGE_ERROR
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE_ERROR
    try:
        return asyncio.run(run_parsed(args, settings))
    except KeyboardInterrupt:
        return INTERRUPTED


async def run_parsed(args: argparse.Namespace, settings: Settings) -> int:
    """Run a parsed command; an OpsError becomes its message on stderr and its exit status."""
    async with Runtime.open(settings) as runtime:
        try:
            return await args.handler(args, runtime)
        except OpsError as error:
            print(f"error: {runtime.redactor(str(error))}", file=sys.stderr)
            if error.command_hint:
                print(f"hint: {command(error.command_hint)}", file=sys.stderr)
            return error.exit_code
