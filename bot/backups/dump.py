"""Running pg_dump into a backup file that only ever appears complete and verified.

One worker thread takes pg_dump's output straight from the pipe and, chunk after chunk, checks
its ends, compresses it (gzip or zstd, optionally), hashes what it writes and writes it into a
hidden temporary file in the backup folder: every byte is hashed once, and the event loop never
handles the data. The dump is verified as it streams: pg_dump must exit 0, the SQL must start
like a plain dump and end with pg_dump's completion marker, and the file on disk must hold
exactly the bytes hashed. Only then is it fsynced and renamed to its final name. Any failure,
cancellation included, removes the temporary file: an inventory name never points at a partial dump.

The file is not read back: right after writing it, a read returns the page cache, that is the
very bytes already hashed, so it would cost a second pass over the data and prove nothing more.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import hashlib
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.backups.compression import Compression, Packer, packer
from bot.backups.dump_file import (
    COMPLETION_MARKER,
    SERVER_VERSION,
    TOOL_VERSION,
    DumpEnds,
    dump_head_problem,
)
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

READ_SIZE = 1024 * 1024
PIPE_SIZE = 1024 * 1024  # fewer, larger reads from pg_dump (Linux caps it at pipe-max-size)
PROGRESS_EVERY_BYTES = 4 * 1024 * 1024
LOCK_WAIT_TIMEOUT_SECONDS = 60


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


class _DumpWriter:
    """Checks, compresses (optionally), hashes and writes SQL chunks; every method blocks (a thread)."""

    def __init__(self, path: Path, compression: Compression) -> None:
        self._file = open(path, "xb")  # closed by finish() or abort()
        self._packer: Packer | None = packer(compression)
        self._sha256 = hashlib.sha256()
        self.ends = DumpEnds()
        self.size = 0
        self.sql_bytes = 0

    def write(self, sql: bytes) -> None:
        self.ends.feed(sql)
        self.sql_bytes += len(sql)
        self._emit(self._packer.compress(sql) if self._packer else sql)

    def _emit(self, data: bytes) -> None:
        if data:
            self._file.write(data)
            self._sha256.update(data)
            self.size += len(data)

    def finish(self) -> str:
        """Flush, check the size on disk, fsync and close; returns the file's sha256."""
        if self._packer:
            self._emit(self._packer.flush())
        self._file.flush()
        if os.fstat(self._file.fileno()).st_size != self.size:
            raise BackupFailed("The backup file on disk differs from what was written; nothing was kept.")
        os.fsync(self._file.fileno())
        self._file.close()
        return self._sha256.hexdigest()

    def abort(self) -> None:
        self._file.close()


async def write_dump(
    final: Path,
    *,
    compression: Compression,
    parts: DsnParts,
    tools: PgTools,
    redactor: Redactor,
    progress: ProgressReporter,
    phase: str = "dumping",
) -> DumpOutcome:
    """Dump the database into ``final``; raise BackupFailed (and leave nothing behind) on any failure."""
    started = time.monotonic()
    temporary = temporary_path(final)
    writer = await asyncio.to_thread(_DumpWriter, temporary, compression)
    placed = False
    try:
        await _run_pg_dump(writer, parts, tools, redactor, progress, phase)
        _verify(writer)
        progress.announce("verifying", writer.size, writer.size)
        sha256 = await asyncio.to_thread(writer.finish)
        await asyncio.to_thread(_place, temporary, final)
        placed = True
    except OSError as error:
        raise BackupFailed(_describe_os_error(error, final.parent)) from None
    finally:
        if not placed:
            await asyncio.to_thread(_discard, writer, temporary)
    return DumpOutcome(
        path=final,
        size=writer.size,
        sha256=sha256,
        sql_bytes=writer.sql_bytes,
        duration_seconds=time.monotonic() - started,
        server_version=writer.ends.version(SERVER_VERSION),
        pg_dump_version=writer.ends.version(TOOL_VERSION),
    )


def _verify(writer: _DumpWriter) -> None:
    """Refuse SQL that is not a whole plain pg_dump (BackupFailed)."""
    if problem := dump_head_problem(writer.ends.head):
        raise BackupFailed(
            f"The new backup failed verification: pg_dump's output {problem}. Nothing was kept."
        )
    if not writer.ends.complete:
        raise BackupFailed(
            "pg_dump ended without its completion marker "
            f"({COMPLETION_MARKER.decode()}), so the dump is incomplete; nothing was kept."
        )


async def _run_pg_dump(
    writer: _DumpWriter,
    parts: DsnParts,
    tools: PgTools,
    redactor: Redactor,
    progress: ProgressReporter,
    phase: str,
) -> None:
    """Stream pg_dump's SQL into ``writer`` through one worker thread; BackupFailed if pg_dump fails."""
    read_end, write_end = os.pipe()
    try:
        _enlarge(write_end)
        process = await tools.start(
            "pg_dump",
            "--format=plain",
            # Our dumps drop and recreate each object, not the database, so they restore into
            # whatever database DATABASE_URL names (and Aphrodite's own restore accepts them too).
            "--clean",
            "--if-exists",
            "--no-password",
            f"--lock-wait-timeout={LOCK_WAIT_TIMEOUT_SECONDS * 1000}",
            env=libpq_environment(parts, application_name="aphrodite-ops backup"),
            stdout=write_end,
        )
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)  # pg_dump holds its own copy; ours would keep the pipe from ending
    loop = asyncio.get_running_loop()

    def report(size: int, sql_bytes: int) -> None:
        loop.call_soon_threadsafe(lambda: progress.update(phase, size, sql_bytes=sql_bytes))

    stderr = StderrTail()
    stderr_task = asyncio.create_task(stderr.drain(process.stderr))
    pump = asyncio.ensure_future(asyncio.to_thread(_pump, read_end, writer, report))
    try:
        # Shielded: a cancelled backup still waits (below) for the thread to stop writing.
        await asyncio.shield(pump)
        await process.wait()
        await stderr_task
    finally:
        await end_process(process)  # its pipe closes, so a pump still reading ends too
        stderr_task.cancel()
        await asyncio.wait([pump])
    if process.returncode != 0:
        message = redactor(first_error_lines(stderr.text()))
        raise_if_version_mismatch(message)
        raise BackupFailed(
            f"{describe_exit('pg_dump', process.returncode)} after {writer.sql_bytes} bytes of SQL; "
            f"nothing was kept. pg_dump said: {message or '(nothing)'}"
        )


def _enlarge(pipe: int) -> None:
    try:
        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except OSError:  # over the system's limit for this user: the default size works too
        pass


def _pump(read_end: int, writer: _DumpWriter, report: Callable[[int, int], None]) -> None:
    """Feed everything pg_dump writes into ``writer`` (blocking; closes ``read_end``)."""
    reported = 0
    with open(read_end, "rb", buffering=0) as pipe:
        while chunk := pipe.read(READ_SIZE):
            writer.write(chunk)
            if writer.sql_bytes - reported >= PROGRESS_EVERY_BYTES:
                reported = writer.sql_bytes
                report(writer.size, writer.sql_bytes)


def _place(temporary: Path, final: Path) -> None:
    """Rename into place and make the rename itself durable."""
    os.replace(temporary, final)
    directory = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _discard(writer: _DumpWriter, temporary: Path) -> None:
    writer.abort()
    temporary.unlink(missing_ok=True)


def _describe_os_error(error: OSError, folder: Path) -> str:
    if error.errno == errno.ENOSPC:
        return f"The disk holding {folder} filled up while writing the backup; nothing was kept."
    return f"Could not write the backup in {folder}: {error.strerror or error}; nothing was kept."
