"""Feeding a checked dump to psql as one transaction that commits only when the whole file was good.

psql runs without `--single-transaction`, which would COMMIT whenever its input ends, even when
the input ended early because we died or the file was cut. Instead the stream carries its own
BEGIN (in the preamble) and a COMMIT that is written only after the last byte was read, the gzip
stream closed cleanly, the completion marker was seen and the sha256 matched the checked file.
On any failure psql is killed before it reads a COMMIT, and the server rolls everything back.
If this process dies, psql sees its input end inside the open transaction and exits without
committing, which also rolls back.

Aphrodite may stay connected: its idle connections hold no table locks and do not get in the
way (its queries wait for the commit, then see the restored tables). A session inside an open
transaction does hold locks; the restore waits for them at most the lock timeout, then gives up
with nothing changed and names the sessions (RestoreBlocked). It never terminates them itself:
cutting Aphrodite's connections mid-job is the administrator's decision, not the bot's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.database.backup_progress import ProgressReporter
from bot.database.connection import Database
from bot.database.dump_file import BackupCorrupt, DumpEnds, DumpReader
from bot.database.pg_tools import (
    PgTools,
    StderrTail,
    describe_exit,
    end_process,
    first_error_lines,
    libpq_environment,
)
from bot.database.restore_filter import DatabaseStatementFilter
from bot.database.restore_sql import RESTORE_EPILOGUE, BlockingSession, blocking_sessions, restore_preamble
from bot.errors import OpsError
from bot.redact import Redactor

log = logging.getLogger(__name__)

RESTORE_APPLICATION_NAME = "aphrodite-ops restore"


class RestoreFailed(OpsError):
    """The restore did not happen; the database is as it was before."""


class RestoreBlocked(RestoreFailed):
    """Other sessions held the tables longer than the lock timeout; ``sessions`` names them."""

    def __init__(self, message: str, sessions: tuple[BlockingSession, ...]) -> None:
        super().__init__(message)
        self.sessions = sessions


@dataclass(frozen=True)
class StreamOutcome:
    """What the committed restore replayed."""

    sql_bytes: int
    source_database: str | None
    skipped_statements: tuple[str, ...]
    skipped_count: int


class _Source:
    """The dump as filtered SQL pieces; each step blocks (decompression), so it runs in a thread."""

    def __init__(self, path: Path) -> None:
        self.reader = DumpReader(path)
        self.ends = DumpEnds()
        self.filter = DatabaseStatementFilter()
        self._chunks: Iterator[bytes] = self.reader.chunks()

    def next_piece(self) -> bytes | None:
        """The next SQL to send, or None at the end of the file."""
        chunk = next(self._chunks, None)
        if chunk is None:
            return None
        self.ends.feed(chunk)
        return self.filter.feed(chunk)


async def stream_restore(
    path: Path,
    *,
    expected_sha256: str,
    database: Database,
    tools: PgTools,
    redactor: Redactor,
    lock_timeout_seconds: float,
    progress: ProgressReporter,
) -> StreamOutcome:
    """Replay the dump at ``path`` into the configured database, all or nothing."""
    process = await tools.start(
        "psql",
        "--no-psqlrc",
        "--quiet",
        "--no-password",
        "--set=ON_ERROR_STOP=1",
        env=libpq_environment(database.parts, application_name=RESTORE_APPLICATION_NAME),
        stdin=asyncio.subprocess.PIPE,
    )
    stderr = StderrTail()
    stderr_task = asyncio.create_task(stderr.drain(process.stderr))
    source = _Source(path)
    total = (await asyncio.to_thread(path.stat)).st_size
    commit_sent = False
    try:
        fed_everything = await _feed(process, source, restore_preamble(lock_timeout_seconds), progress, total)
        if fed_everything:
            _refuse_unless_whole(source, expected_sha256)
            commit_sent = await _commit(process)
        await process.wait()
        await stderr_task
    except BackupCorrupt as error:
        raise RestoreFailed(f"{error} Nothing was changed: the restore was rolled back.") from None
    finally:
        if not commit_sent:
            await end_process(process)  # before it can read a COMMIT: the transaction rolls back
        stderr_task.cancel()
    if process.returncode != 0 or not commit_sent:
        await _raise_psql_failure(process.returncode, stderr.text(), database, redactor, lock_timeout_seconds)
    return StreamOutcome(
        sql_bytes=source.reader.sql_bytes,
        source_database=source.filter.database_name,
        skipped_statements=tuple(source.filter.skipped),
        skipped_count=source.filter.skipped_count,
    )


async def _feed(
    process: asyncio.subprocess.Process,
    source: _Source,
    preamble: bytes,
    progress: ProgressReporter,
    total: int,
) -> bool:
    """Write the preamble and the filtered dump; False when psql stopped reading (it failed)."""
    stdin = process.stdin
    assert stdin is not None
    try:
        stdin.write(preamble)
        while (piece := await asyncio.to_thread(source.next_piece)) is not None:
            if piece:
                stdin.write(piece)
                await stdin.drain()
            progress.update("restoring", source.reader.file_bytes, total, source.reader.sql_bytes)
        stdin.write(source.filter.finish())
        await stdin.drain()
    except (BrokenPipeError, ConnectionResetError):
        return False
    return True


def _refuse_unless_whole(source: _Source, expected_sha256: str) -> None:
    name = source.reader.path.name
    if source.reader.sha256 != expected_sha256:
        raise BackupCorrupt(f"{name} changed while it was being restored (its sha256 no longer matches).")
    if not source.ends.complete or source.filter.inside_copy_data:
        raise BackupCorrupt(f"{name} does not end with pg_dump's completion marker.")


async def _commit(process: asyncio.subprocess.Process) -> bool:
    """Send COMMIT and end psql's input; False when psql had already stopped reading."""
    stdin = process.stdin
    assert stdin is not None
    try:
        stdin.write(RESTORE_EPILOGUE)
        await stdin.drain()
        stdin.close()
        await stdin.wait_closed()
    except (BrokenPipeError, ConnectionResetError):
        return False
    return True


async def _raise_psql_failure(
    returncode: int | None,
    stderr: str,
    database: Database,
    redactor: Redactor,
    lock_timeout_seconds: float,
) -> None:
    said = redactor(first_error_lines(stderr))
    if "lock timeout" in stderr:
        sessions = await _blockers(database)
        raise RestoreBlocked(_blocked_message(sessions, lock_timeout_seconds), tuple(sessions))
    raise RestoreFailed(
        f"{describe_exit('psql', returncode)}; nothing was changed: the restore was rolled back. "
        f"psql said: {said or '(nothing)'}"
    )


async def _blockers(database: Database) -> list[BlockingSession]:
    try:
        async with database.connection() as connection:
            return await blocking_sessions(connection, database.timeout)
    except OpsError:
        log.warning("could not list the sessions blocking the restore", exc_info=True)
        return []


def _blocked_message(sessions: list[BlockingSession], lock_timeout_seconds: float) -> str:
    start = (
        f"Other sessions kept the tables busy for more than {lock_timeout_seconds:g} s, so the restore "
        "gave up; nothing was changed."
    )
    if not sessions:
        return start + " The sessions have ended since; try the restore again."
    listed = "; ".join(session.describe() for session in sessions[:5])
    return (
        f"{start} Sessions in an open transaction: {listed}. Finish or stop them (for example stop "
        "Aphrodite's worker, or SELECT pg_terminate_backend(pid)), then restore again."
    )
