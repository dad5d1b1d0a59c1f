"""Running pg_dump into a backup file that only ever appears complete and verified.

pg_dump's output goes into a hidden temporary file in the backup folder through a sink
(dump_sinks.py): straight from pg_dump for plain SQL, packed by a worker thread for gzip and zstd.
Either way every byte of the file is hashed once and the event loop never handles the data. The
dump is verified as it goes: pg_dump must exit 0, the SQL must start like a plain dump and end
with pg_dump's completion marker, and the file on disk must hold exactly the bytes hashed. Only
then is it fsynced and renamed to its final name. Any failure, cancellation included, removes the
temporary file: an inventory name never points at a partial dump.

A packed file is not read back: right after writing it, a read returns the page cache, that is the
very bytes already hashed, so it would cost a second pass over the data and prove nothing more.
"""

from __future__ import annotations

import asyncio
import errno
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bot.backups.compression import Compression
from bot.backups.dump_file import COMPLETION_MARKER, SERVER_VERSION, TOOL_VERSION, dump_head_problem
from bot.backups.dump_sinks import DumpSink, open_sink
from bot.backups.pg_tools import (
    PgTools,
    StderrTail,
    describe_exit,
    end_process,
    first_error_lines,
    libpq_environment,
    raise_if_version_mismatch,
)
from bot.backups.progress import ProgressReporter
from bot.database.dsn import DsnParts
from bot.errors import OpsError
from bot.redact import Redactor

LOCK_WAIT_TIMEOUT_SECONDS = 60
# What pg_dump says when the disk under its output file is full.
_OUTPUT_FULL = f"could not write to output file: {os.strerror(errno.ENOSPC)}"


class BackupFailed(OpsError):
    """pg_dump failed or its output could not be written or verified; nothing was kept."""


class InsufficientSpace(BackupFailed):
    """Too little free disk space in BACKUP_DIR to start a backup safely."""


@dataclass(frozen=True)
class DumpOutcome:
    """A finished, verified dump at its final path."""

    path: Path
    size: int
    sha256: str
    sql_bytes: int
    duration_seconds: float
    server_version: str | None
    pg_dump_version: str | None


def temporary_path(final: Path) -> Path:
    """A hidden name beside ``final`` that the inventory pattern never matches."""
    return final.with_name(f".{final.name}.{secrets.token_hex(4)}.partial")


async def write_dump(
    final: Path,
    *,
    compression: Compression,
    parts: DsnParts,
    tools: PgTools,
    redactor: Redactor,
    progress: ProgressReporter,
    phase: str = "dumping",
    snapshot: str | None = None,
) -> DumpOutcome:
    """Dump the database into ``final``; raise BackupFailed (and leave nothing behind) on any failure.

    ``snapshot`` is an exported snapshot for pg_dump to dump (dump_snapshot.py), if there is one.
    """
    started = time.monotonic()
    temporary = temporary_path(final)
    sink = await asyncio.to_thread(open_sink, temporary, compression)
    placed = False
    try:
        await _run_pg_dump(sink, parts, tools, redactor, progress, phase, snapshot)
        _verify(sink)
        progress.announce("verifying", sink.size, sink.size)
        sha256 = await asyncio.to_thread(_seal, sink)
        await asyncio.to_thread(_place, temporary, final)
        placed = True
    except OSError as error:
        raise BackupFailed(_describe_os_error(error, final.parent)) from None
    finally:
        if not placed:
            await asyncio.to_thread(_discard, sink, temporary)
    return DumpOutcome(
        path=final,
        size=sink.size,
        sha256=sha256,
        sql_bytes=sink.sql_bytes,
        duration_seconds=time.monotonic() - started,
        server_version=sink.ends.version(SERVER_VERSION),
        pg_dump_version=sink.ends.version(TOOL_VERSION),
    )


def _verify(sink: DumpSink) -> None:
    """Refuse SQL that is not a whole plain pg_dump (BackupFailed)."""
    if problem := dump_head_problem(sink.ends.head):
        raise BackupFailed(
            f"The new backup failed verification: pg_dump's output {problem}. Nothing was kept."
        )
    if not sink.ends.complete:
        raise BackupFailed(
            "pg_dump ended without its completion marker "
            f"({COMPLETION_MARKER.decode()}), so the dump is incomplete; nothing was kept."
        )


def _seal(sink: DumpSink) -> str:
    """Check that the file on disk holds exactly the bytes hashed, then fsync it; returns its sha256."""
    if sink.flush() != sink.size:
        raise BackupFailed("The backup file on disk differs from what was written; nothing was kept.")
    return sink.seal()


async def _run_pg_dump(
    sink: DumpSink,
    parts: DsnParts,
    tools: PgTools,
    redactor: Redactor,
    progress: ProgressReporter,
    phase: str,
    snapshot: str | None,
) -> None:
    """Run pg_dump into ``sink``, consumed by one worker thread; BackupFailed if pg_dump fails."""
    process = await tools.start(
        "pg_dump",
        "--format=plain",
        # Our dumps drop and recreate each object, not the database, so they restore into
        # whatever database DATABASE_URL names (and Aphrodite's own restore accepts them too).
        "--clean",
        "--if-exists",
        "--no-password",
        f"--lock-wait-timeout={LOCK_WAIT_TIMEOUT_SECONDS * 1000}",
        *([f"--snapshot={snapshot}"] if snapshot else []),
        env=libpq_environment(parts, application_name="aphrodite-ops backup"),
        stdout=sink.pg_dump_stdout,
    )
    sink.started()
    loop = asyncio.get_running_loop()

    def report(size: int, sql_bytes: int) -> None:
        loop.call_soon_threadsafe(lambda: progress.update(phase, size, sql_bytes=sql_bytes))

    exited = threading.Event()
    stderr = StderrTail()
    stderr_task = asyncio.create_task(stderr.drain(process.stderr))
    consumer = asyncio.ensure_future(asyncio.to_thread(sink.consume, exited, report))
    waiter = asyncio.ensure_future(process.wait())
    try:
        await asyncio.wait([consumer, waiter], return_when=asyncio.FIRST_COMPLETED)
        if consumer.done():
            consumer.result()  # a sink that failed (a full disk, say) ends pg_dump (below)
        await waiter
        exited.set()
        # Shielded: a cancelled backup still waits (below) for the thread to stop.
        await asyncio.shield(consumer)
        await stderr_task
    finally:
        await end_process(process)  # its pipe closes, so a consumer still reading ends too
        exited.set()
        waiter.cancel()
        stderr_task.cancel()
        await asyncio.wait([consumer])
    if process.returncode != 0:
        if _OUTPUT_FULL in stderr.text():  # pg_dump itself writes a plain backup's file
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        message = redactor(first_error_lines(stderr.text()))
        raise_if_version_mismatch(message)
        raise BackupFailed(
            f"{describe_exit('pg_dump', process.returncode)} after {sink.sql_bytes} bytes of SQL; "
            f"nothing was kept. pg_dump said: {message or '(nothing)'}"
        )


def _place(temporary: Path, final: Path) -> None:
    """Rename into place and make the rename itself durable."""
    os.replace(temporary, final)
    directory = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _discard(sink: DumpSink, temporary: Path) -> None:
    sink.abort()
    temporary.unlink(missing_ok=True)


def _describe_os_error(error: OSError, folder: Path) -> str:
    if error.errno == errno.ENOSPC:
        return f"The disk holding {folder} filled up while writing the backup; nothing was kept."
    return f"Could not write the backup in {folder}: {error.strerror or error}; nothing was kept."
