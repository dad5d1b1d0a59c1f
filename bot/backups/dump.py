"""Running pg_dump into a backup file that only ever appears complete and verified.

The SQL streams from pg_dump through a worker thread (gzip, sha256, write) into a hidden
temporary file in the backup folder; the file is fsynced, read back whole (`check_dump`) and
only then renamed to its final name. Any failure, cancellation included, removes the temporary
file: an inventory name never points at a partial dump.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import os
import secrets
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from bot.backups.dump_file import BackupCorrupt, DumpEnds, check_dump
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
from bot.database.connection import DsnParts
from bot.errors import OpsError
from bot.redact import Redactor

GZIP_LEVEL = 6  # gzip's own default: the usual balance of speed and size
READ_SIZE = 1024 * 1024
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
    """Compresses (optionally), hashes and writes SQL chunks; every method blocks (run in a thread)."""

    def __init__(self, path: Path, compress: bool) -> None:
        self._file = open(path, "xb")  # closed by finish() or abort()
        self._compressor = (
            zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS) if compress else None
        )
        self._sha256 = hashlib.sha256()
        self.size = 0

    def write(self, sql: bytes) -> None:
        self._emit(self._compressor.compress(sql) if self._compressor else sql)

    def _emit(self, data: bytes) -> None:
        if data:
            self._file.write(data)
            self._sha256.update(data)
            self.size += len(data)

    def finish(self) -> str:
        """Flush, fsync and close; returns the file's sha256."""
        if self._compressor:
            self._emit(self._compressor.flush())
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        return self._sha256.hexdigest()

    def abort(self) -> None:
        self._file.close()


async def write_dump(
    final: Path,
    *,
    compress: bool,
    parts: DsnParts,
    tools: PgTools,
    redactor: Redactor,
    progress: ProgressReporter,
    phase: str = "dumping",
) -> DumpOutcome:
    """Dump the database into ``final``; raise BackupFailed (and leave nothing behind) on any failure."""
    started = time.monotonic()
    temporary = temporary_path(final)
    writer = await asyncio.to_thread(_DumpWriter, temporary, compress)
    placed = False
    try:
        sha256, ends = await _run_pg_dump(writer, parts, tools, redactor, progress, phase)
        if not ends.complete:
            raise BackupFailed(
                "pg_dump ended without its completion marker, so the dump is incomplete; nothing was kept."
            )
        progress.announce("verifying", writer.size, writer.size)
        check = await asyncio.to_thread(check_dump, temporary)
        if check.sha256 != sha256 or check.size != writer.size:
            raise BackupFailed("The backup file read back differs from what was written; nothing was kept.")
        await asyncio.to_thread(_place, temporary, final)
        placed = True
    except BackupCorrupt as error:
        raise BackupFailed(f"The new backup failed verification: {error} Nothing was kept.") from None
    except OSError as error:
        raise BackupFailed(_describe_os_error(error, final.parent)) from None
    finally:
        if not placed:
            await asyncio.to_thread(_discard, writer, temporary)
    return DumpOutcome(
        path=final,
        size=check.size,
        sha256=check.sha256,
        sql_bytes=check.sql_bytes,
        duration_seconds=time.monotonic() - started,
        server_version=check.server_version,
        pg_dump_version=check.pg_dump_version,
    )


async def _run_pg_dump(
    writer: _DumpWriter,
    parts: DsnParts,
    tools: PgTools,
    redactor: Redactor,
    progress: ProgressReporter,
    phase: str,
) -> tuple[str, DumpEnds]:
    """Stream pg_dump's SQL into ``writer``; returns the file's sha256 and the SQL's ends."""
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
        stdout=asyncio.subprocess.PIPE,
    )
    stderr = StderrTail()
    stderr_task = asyncio.create_task(stderr.drain(process.stderr))
    ends = DumpEnds()
    sql_bytes = 0
    try:
        assert process.stdout is not None
        while chunk := await process.stdout.read(READ_SIZE):
            ends.feed(chunk)
            sql_bytes += len(chunk)
            await asyncio.to_thread(writer.write, chunk)
            progress.update(phase, writer.size, sql_bytes=sql_bytes)
        await process.wait()
        await stderr_task
    finally:
        await end_process(process)
        stderr_task.cancel()
    if process.returncode != 0:
        message = redactor(first_error_lines(stderr.text()))
        raise_if_version_mismatch(message)
        raise BackupFailed(
            f"{describe_exit('pg_dump', process.returncode)} after {sql_bytes} bytes of SQL; "
            f"nothing was kept. pg_dump said: {message or '(nothing)'}"
        )
    return await asyncio.to_thread(writer.finish), ends


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
