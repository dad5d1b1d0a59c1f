"""Replaying a checked dump into the database as one transaction, with nothing run on this host.

Not through psql: psql runs backslash commands from its input (`\\! cmd`, `\\o |cmd`, `\\copy ...
program`) on the bot's host, and a backup file is untrusted input (BACKUP_DIR is shared with
Aphrodite). Here filter.py splits the dump and checks every statement, and each one goes to
the server alone through the extended query protocol, which refuses a second command hidden in
the same message; COPY rows go through the COPY protocol in pieces of at most a chunk. No byte
of the file is interpreted on this host, so no spelling of a meta-command can run.

All or nothing, and truthful about it: BEGIN, remember the transaction id, replay, and COMMIT
only once the last byte was read, the completion marker seen, the sha256 matched, and the server
confirms the same transaction is still open. The replay stops the moment the session is no longer
inside a transaction. After any failure the server is asked what became of the transaction
(pg_xact_status): only when it answers "aborted" does the message say nothing changed
(RestoreFailed); otherwise it says the database may have changed and names the safety backup
(RestoreNotRolledBack).

Aphrodite may stay connected: its idle connections hold no table locks. A session inside an
open transaction does; the restore waits for it at most the lock timeout, then gives up with
nothing changed and names the sessions (RestoreBlocked). It never terminates them itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from bot.backups.dump_file import BackupCorrupt, DumpEnds, DumpReader
from bot.backups.restore.clearing import CLEARING_FAILED, clear_schema
from bot.backups.restore.errors import RestoreBlocked, RestoreFailed, RestoreNotRolledBack
from bot.backups.restore.events import CopyData, CopyEnd, DumpRefused
from bot.backups.restore.filter import Action, CopyInto, DumpFilter, Execute, printable
from bot.backups.restore.sql import (
    FOREIGN_EXTENSIONS,
    TRANSACTION_ID,
    TRANSACTION_STATUS,
    BlockingSession,
    blocking_sessions,
    session_settings,
)
from bot.database.connection import Database
from bot.errors import OpsError
from bot.redact import Redactor

log = logging.getLogger(__name__)

RESTORE_APPLICATION_NAME = "aphrodite-ops restore"
_FATE_TIMEOUT_SECONDS = 10
_END_BACKEND = "SELECT pg_catalog.pg_terminate_backend($1, $2)"  # waits up to $2 ms for it to exit


@dataclass(frozen=True)
class StreamOutcome:
    """What the committed restore replayed and what it skipped."""

    sql_bytes: int
    source_database: str | None
    skipped_statements: tuple[str, ...]
    skipped_count: int
    skipped_extensions: tuple[str, ...]


class _LeftTransaction(Exception):
    """A statement ended the restore's transaction (the filter should have refused it)."""

    def __init__(self, line: int) -> None:
        super().__init__(f"The statement at line {line} ended the restore's transaction.")


class _Source:
    """The dump as filter actions; reading, inflating and lexing block, so each chunk runs in a thread."""

    def __init__(
        self, path: Path, foreign_extensions: frozenset[str], on_chunk: Callable[[int, int], None]
    ) -> None:
        self.reader = DumpReader(path)
        self.ends = DumpEnds()
        self.filter = DumpFilter(foreign_extensions=foreign_extensions)
        self.line = 0
        self._chunks: Iterator[bytes] = self.reader.chunks()
        self._pending: deque[Action] = deque()
        self._done = False
        self._on_chunk = on_chunk

    async def next(self) -> Action | None:
        """The next action, or None once the whole file was read."""
        while not self._pending:
            if self._done:
                return None
            self._pending.extend(await asyncio.to_thread(self._read))
            self._on_chunk(self.reader.file_bytes, self.reader.sql_bytes)
        action = self._pending.popleft()
        if isinstance(action, (Execute, CopyInto)):
            self.line = action.line
        return action

    def _read(self) -> list[Action]:
        chunk = next(self._chunks, None)
        if chunk is None:
            self._done = True
            return self.filter.finish()
        self.ends.feed(chunk)
        return self.filter.feed(chunk)

    async def copy_rows(self) -> AsyncIterator[bytes]:
        """The rows of the COPY block just started, in pieces, up to its end line."""
        while not isinstance(action := await self.next(), CopyEnd):
            assert isinstance(action, CopyData), "the lexer ends every COPY block or refuses the file"
            yield action.data


async def stream_restore(
    path: Path,
    *,
    expected_sha256: str,
    database: Database,
    redactor: Redactor,
    lock_timeout_seconds: float,
    progress: Callable[[int, int], None],
    safety_backup: str | None = None,
) -> StreamOutcome:
    """Replay the dump at ``path`` into the configured database, all or nothing.

    ``progress(file_bytes_read, sql_bytes_read)`` is called after each chunk.
    """
    connection = await _connect(database)
    source: _Source | None = None
    transaction_id: str | None = None
    try:
        foreign_extensions = frozenset(row[0] for row in await connection.fetch(FOREIGN_EXTENSIONS))
        source = _Source(path, foreign_extensions, progress)
        await connection.execute(session_settings(lock_timeout_seconds))
        await connection.execute("BEGIN")
        transaction_id = await connection.fetchval(TRANSACTION_ID)
        await connection.execute(clear_schema())
        await _replay(connection, source)
        _refuse_unless_whole(source, expected_sha256)
        if await connection.fetchval(TRANSACTION_ID) != transaction_id:
            raise _LeftTransaction(source.line)
        await connection.execute("COMMIT")
    except asyncio.CancelledError:
        connection.terminate()  # the server rolls the open transaction back
        raise
    except Exception as error:  # whatever it was, the server's answer decides what the message says
        reason = _reason(error, path.name, source.line if source else 0, redactor)
        fate = await transaction_fate(connection, transaction_id, database)
        sessions = await _blockers(database) if isinstance(error, asyncpg.LockNotAvailableError) else None
        raise restore_failure(reason, fate, sessions, lock_timeout_seconds, safety_backup) from None
    finally:
        if not connection.is_closed():
            connection.terminate()
    return StreamOutcome(
        sql_bytes=source.reader.sql_bytes,
        source_database=source.filter.database_name,
        skipped_statements=tuple(source.filter.skipped),
        skipped_count=source.filter.skipped_count,
        skipped_extensions=tuple(source.filter.skipped_extensions),
    )


async def _connect(database: Database) -> asyncpg.Connection:
    assert database.dsn is not None
    try:
        return await asyncpg.connect(
            database.dsn.reveal(),
            timeout=database.timeout,
            command_timeout=None,
            statement_cache_size=0,  # unnamed statements: one per message, nothing kept
            server_settings={"application_name": RESTORE_APPLICATION_NAME},
        )
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as error:
        raise RestoreFailed(
            f"Could not connect to the database: {database.describe(error)}. Nothing was changed."
        ) from None


async def _replay(connection: asyncpg.Connection, source: _Source) -> None:
    """Run every statement alone and every COPY block through the COPY protocol."""
    while (action := await source.next()) is not None:
        if isinstance(action, Execute):
            await connection.fetch(action.sql)
        elif isinstance(action, CopyInto):
            await connection.copy_to_table(
                action.table,
                schema_name=action.schema,
                columns=list(action.columns) or None,
                source=source.copy_rows(),
            )
        if not connection.is_in_transaction():
            raise _LeftTransaction(source.line)


def _refuse_unless_whole(source: _Source, expected_sha256: str) -> None:
    name = source.reader.path.name
    if source.reader.sha256 != expected_sha256:
        raise BackupCorrupt(f"{name} changed while it was being restored (its sha256 no longer matches).")
    if not source.ends.complete:
        raise BackupCorrupt(f"{name} does not end with pg_dump's completion marker.")


def _reason(error: BaseException, name: str, line: int, redactor: Redactor) -> str:
    if isinstance(error, DumpRefused):
        return f"{name} was refused at line {error.line}: {error.reason}."
    if isinstance(error, asyncpg.PostgresError) and str(error).startswith(CLEARING_FAILED):
        return f"Before replaying {name}, {printable(redactor(str(error)))}."
    if isinstance(error, asyncpg.PostgresError):  # its words may quote the file
        return f"{name} line {line}: PostgreSQL said: {printable(redactor(str(error)))}."
    if isinstance(error, OpsError | _LeftTransaction):
        return str(error)
    if not isinstance(error, asyncpg.InterfaceError | asyncpg.InternalClientError | OSError):
        log.error("unexpected error during a restore", exc_info=error)
    return f"The restore stopped at line {line}: {type(error).__name__}: {redactor(str(error))}."


async def transaction_fate(
    connection: asyncpg.Connection, transaction_id: str | None, database: Database
) -> str:
    """What became of the restore's transaction: 'aborted', 'committed', or another answer.

    Asked on the restore's own connection after a ROLLBACK; when that connection is broken (or a
    cancel aimed at a COPY hits the ROLLBACK), its backend is ended and waited for, and the
    question goes through another connection.
    """
    if transaction_id is None:
        return "aborted"  # nothing of the file ran: the failure came before the transaction
    try:
        async with asyncio.timeout(_FATE_TIMEOUT_SECONDS):
            if connection.is_in_transaction():
                await connection.execute("ROLLBACK")
            return await connection.fetchval(TRANSACTION_STATUS, transaction_id) or "unknown"
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
        log.info("asking about the failed restore through another connection", exc_info=True)
    pid = connection.get_server_pid()
    connection.terminate()
    try:
        async with database.connection() as other:
            await other.fetchval(_END_BACKEND, pid, _FATE_TIMEOUT_SECONDS * 1000)
            return await other.fetchval(TRANSACTION_STATUS, transaction_id) or "unknown"
    except (OpsError, asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
        log.warning("could not learn whether the failed restore was rolled back", exc_info=True)
        return "unknown"


def restore_failure(
    reason: str,
    fate: str,
    sessions: list[BlockingSession] | None,
    lock_timeout_seconds: float,
    safety_backup: str | None,
) -> OpsError:
    """The exception for a failed restore; it says nothing changed only if the server said 'aborted'.

    ``sessions`` is None unless the restore gave up waiting for locks.
    """
    if fate == "aborted":
        if sessions is not None:
            return RestoreBlocked(_blocked_message(sessions, lock_timeout_seconds), tuple(sessions))
        return RestoreFailed(f"{reason} Nothing was changed: the restore was rolled back.")
    what = (
        "part of the backup was committed before the failure"
        if fate == "committed"
        else "the server could not confirm that none of it was committed"
    )
    undo = (
        f"Restore the safety backup {safety_backup} to return to the state before this restore."
        if safety_backup
        else "Check the database before using it."
    )
    log.error("restore failed and was not rolled back (%s): %s", fate, reason)
    return RestoreNotRolledBack(f"{reason} The database MAY HAVE CHANGED: {what}. {undo}", safety_backup)


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
