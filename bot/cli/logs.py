"""`python -m bot logs view|status|count|download|clear`: Aphrodite's log from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.audit import AuditAction
from bot.cli.audited import audited
from bot.cli.confirm import confirm
from bot.cli.output import fields_of, print_json
from bot.errors import OpsError
from bot.logs.entry import LEVEL_CHOICES, render_plain
from bot.logs.file_status import NoLog
from bot.units import human_bytes

if TYPE_CHECKING:  # only annotations: the CLI imports the runtime (aiohttp, asyncpg) when it needs it
    from bot.logs.aphrodite_log import LogView
    from bot.logs.export import LogExport
    from bot.logs.query import LogQuery
    from bot.runtime import Runtime

USAGE_ERROR = 3
DEGRADED = 1
STDOUT = Path("-")
_COPY_CHUNK = 1024 * 1024


class BadOutput(OpsError):
    """``--out`` names a place the download cannot be written to; nothing was written."""

    exit_code = USAGE_ERROR


class LogFolderMissing(OpsError):
    """APHRODITE_LOG_FILE's folder does not exist: the setting is wrong, not the log merely empty."""

    exit_code = USAGE_ERROR  # the contract's "not configured"


_SIZE = re.compile(r"(?i)\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*")


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    logs = commands.add_parser("logs")
    actions = logs.add_subparsers(dest="action", required=True, metavar="ACTION")

    view = actions.add_parser("view", parents=[common], help="the newest matching entries")
    _add_filters(view)
    view.add_argument("--lines", type=int, default=50, help="how many entries, 1 to 1000 (default 50)")
    view.set_defaults(handler=view_log)

    status = actions.add_parser("status", parents=[common], help="size, lines, last change, rotated files")
    status.set_defaults(handler=log_status)

    count = actions.add_parser("count", parents=[common], help="how many entries match, in the whole file")
    _add_filters(count)
    count.set_defaults(handler=count_log)

    download = actions.add_parser("download", parents=[common], help="write the (filtered) log, redacted")
    _add_filters(download)
    download.add_argument(
        "--out", type=Path, required=True, help="file or folder to write to, or - for standard output"
    )
    download.add_argument(
        "--max-size", type=_size, default=None, help="gzip, then keep the newest part, to fit (e.g. 25M)"
    )
    download.set_defaults(handler=download_log)

    clear = actions.add_parser("clear", parents=[common], help="archive the log beside it, then empty it")
    clear.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    clear.add_argument("--no-archive", action="store_true", help="empty it without keeping a copy")
    clear.set_defaults(handler=clear_log)


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--level", type=_level, choices=LEVEL_CHOICES, default="ALL", help="exactly this level (default ALL)"
    )
    parser.add_argument("--search", help="case-insensitive text, or re:REGEX (RE2 syntax)")


async def view_log(args: argparse.Namespace, runtime: Runtime) -> int:
    result = await runtime.log.view(_query(args), args.lines)
    _require_folder(result)
    if args.json:
        _print_json(result, runtime.redactor)
    elif isinstance(result, NoLog):
        _print_no_log(result)
    else:
        _print_view(result, runtime.redactor)
    return _status_of(result)


async def log_status(args: argparse.Namespace, runtime: Runtime) -> int:
    result = await runtime.log.status()
    _require_folder(result)
    if args.json:
        _print_json(result, runtime.redactor)
    elif isinstance(result, NoLog):
        _print_no_log(result)
    else:
        print(f"{result.path}")
        print(
            f"  {result.total_lines:,} lines, {human_bytes(result.size)}, modified {_when(result.modified)}"
        )
        for sibling in (*result.rotated, *result.archives):
            print(f"  {sibling.path.name}: {human_bytes(sibling.size)}, modified {_when(sibling.modified)}")
    return 0


async def count_log(args: argparse.Namespace, runtime: Runtime) -> int:
    query = _query(args)
    result = await runtime.log.count(query)
    _require_folder(result)
    if args.json:
        _print_json(result, runtime.redactor)
    elif isinstance(result, NoLog):
        _print_no_log(result)
    else:
        _print_notes(result.notes)
        total = "" if result.total_lines is None else f" of {result.total_lines:,} lines"
        print(f"{result.matching:,} entries match ({runtime.redactor(query.describe())}){total}")
    return _status_of(result)


async def download_log(args: argparse.Namespace, runtime: Runtime) -> int:
    query = _query(args)
    _check_output(args.out, args.max_size)
    async with runtime.log.export(query, args.max_size) as exported:
        if args.out == STDOUT:
            await asyncio.to_thread(_copy_to_stdout, exported.path)
            # The file is the output: what is said about it goes to standard error.
            _print_export(exported, "standard output", args.json, sys.stderr, runtime.redactor)
        else:
            target = args.out / exported.filename if args.out.is_dir() else args.out
            try:
                await asyncio.to_thread(shutil.copyfile, exported.path, target)
            except OSError as error:
                raise BadOutput(f"Could not write {target}: {error.strerror or error}.") from None
            _print_export(exported, str(target), args.json, sys.stdout, runtime.redactor)
    return DEGRADED if exported.stopped_early else 0


def _check_output(out: Path, max_size: int | None) -> None:
    """Refuse, before anything is read or written, an --out the download cannot go to as asked."""
    if out == STDOUT or out.is_dir():
        return
    if not out.parent.is_dir():
        raise BadOutput(f"--out {out}: the folder {out.parent} does not exist; nothing was written.")
    if max_size is not None and out.suffix != ".gz":
        raise BadOutput(
            f"--out {out}: with --max-size the file may have to be gzipped; name it {out.name}.gz "
            "or give a folder (the name then says whether it is gzipped). Nothing was written."
        )


def _copy_to_stdout(path: Path) -> None:
    out = sys.stdout.buffer
    with path.open("rb") as source:
        while block := source.read(_COPY_CHUNK):
            out.write(block)
    out.flush()


def _print_export(
    exported: LogExport, where: str, as_json: bool, stream: TextIO, redact: Callable[[str], str]
) -> None:
    if as_json:
        print_json({**fields_of(exported, redact), "path": where, "note": exported.note}, redact, stream)
        return
    print(f"Wrote {where} ({human_bytes(exported.size)}).", file=stream)
    if exported.note:
        print(exported.note, file=stream)


async def clear_log(args: argparse.Namespace, runtime: Runtime) -> int:
    log = runtime.log
    async with audited(runtime, AuditAction.LOGS_CLEAR, str(log.path)):
        await confirm(f"Clear {log.path}?", "clear the log", assume_yes=args.yes)
        result = await log.clear(archive=not args.no_archive)
    if args.json:
        print_json(result, runtime.redactor)
        return 0
    print(f"Cleared {result.path} ({human_bytes(result.cleared_bytes)}).")
    if result.archive:
        print(f"Archived to {result.archive.path} ({human_bytes(result.archive.size)}).")
    return 0


def _status_of(result: object) -> int:
    """1 (degraded) when the scan stopped at its time limit: the answer covers part of the log."""
    return DEGRADED if getattr(result, "stopped_early", False) else 0


def _require_folder(result: object) -> None:
    """Refuse (exit 3) a log whose folder is missing, rather than call it "not written yet"."""
    if isinstance(result, NoLog) and not result.folder_exists:
        raise LogFolderMissing(
            result.message,
            hint="set APHRODITE_LOG_FILE to Aphrodite's log (in its container /app/logs/aphrodite-v2.log; "
            "in Docker mount Aphrodite's logs volume there)",
        )


def _print_notes(notes: tuple[str, ...]) -> None:
    for note in notes:
        print(f"note: {note}", file=sys.stderr)


def _print_view(view: LogView, redact: Callable[[str], str]) -> None:
    print(f"{view.path} · {view.summary} · {human_bytes(view.size)} · modified {_when(view.modified)}")
    if view.interrupted:
        print("(the log was cleared or rotated while it was read: showing what was read)", file=sys.stderr)
    _print_notes(view.notes)
    if view.entries:
        print(render_plain(view.entries))
    else:
        print(f"No entries match {redact(view.query.describe())}.")


def _print_no_log(result: NoLog) -> None:
    print(f"{result.message} ({result.path})")


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def _query(args: argparse.Namespace) -> LogQuery:
    """The filters asked for (imported here: `logs status` needs no search)."""
    from bot.logs.query import LogQuery

    return LogQuery.parse(args.level, args.search)


def _print_json(result: object, redact: Callable[[str], str]) -> None:
    """The shared encoding, plus what the results say through properties (the message, the summary)."""
    from bot.logs.aphrodite_log import LogView

    if not isinstance(result, NoLog | LogView):
        print_json(result, redact)
        return
    data = fields_of(result, redact)
    if isinstance(result, NoLog):
        data |= {"empty": True, "message": redact(result.message)}
    if isinstance(result, LogView):
        data["summary"] = redact(result.summary)
    print_json(data, redact)


def _level(text: str) -> str:
    """Upper-cased, with the aliases logs use (WARN, FATAL) accepted."""
    return {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(text.upper(), text.upper())


def _size(text: str) -> int:
    match = _SIZE.fullmatch(text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 8M, 25MiB or 1048576)")
    number, unit = float(match[1]), match[2].lower()
    return int(number * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit])
