"""Replaying a checked dump into the database as one transaction, with nothing run on this host.

Not through psql: psql runs backslash commands from its input (`\\! cmd`, `\\o |cmd`, `\\copy ...
program`) on the bot's host, and a backup file is untrusted input (BACKUP_DIR is shared with
Aphrodite). Here filter.py splits the dump and checks every statement, and each one goes to
the server alone, in a message that cannot carry a second command: spelled with one semicolon,
its last character, which cannot hold two commands however a server might read it (alone.py),
as one simple query, one round trip; a statement with no such spelling goes through the extended
query protocol, which refuses a second command hidden in the same message (a prepare and an
execute, two round trips). COPY rows go through the COPY protocol in pieces of at most a chunk.
No byte of the file is interpreted on this host, so no spelling of a meta-command can run.

The file is read through the one descriptor that was vetted and checked (no path is opened
again, so a file renamed or a symlink swapped in meanwhile is never what runs), within a time
budget, and with at most the rights of a non-superuser database owner (rights.py).

All or nothing, and truthful about it: BEGIN, remember the transaction id, replay, and COMMIT
only once the last byte was read, the completion marker seen, the sha256 of the bytes replayed
matched, nothing outside the database's objects changed (roles, settings: rights.py), and the
server confirms the same transaction is still open. The replay stops the moment the session is no
longer inside a transaction. After any failure the server decides what the message says (fate.py).

Aphrodite may stay connected: its idle connections hold no table locks. A session inside an
open transaction does; the restore waits for it at most the lock timeout, then gives up with
nothing changed and names the sessions (RestoreBlocked). It never terminates them itself.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import asyncpg

from bot.backups.dump_file import BackupCorrupt
from bot.backups.restore.clearing import CLEARING_FAILED, clear_schema
from bot.backups.restore.errors import RestoreFailed, RestoreRefused
from bot.backups.restore.events import DumpRefused
from bot.backups.restore.fate import blockers, restore_failure, transaction_fate
from bot.backups.restore.filter import CopyInto, Execute, printable
from bot.backups.restore.rights import changed_outside, outside_state, restore_rights
from bot.backups.restore.source import DumpSource
from bot.backups.restore.sql import (
    LASTING_SEQUENCES,
    RECREATED_SEQUENCE,
    TRANSACTION_ID,
    session_settings,
)
from bot.database.connection import Database
from bot.errors import OpsError
from bot.redact import Redactor

log = logging.getLogger(__name__)

_SETVAL = re.compile(r"^SELECT pg_catalog\.setval\('(?P<name>(?:[^']|'')+)', ")

RESTORE_APPLICATION_NAME = "aphrodite-ops restore"
# Every restore has a time budget: at least half an hour, more for big files (a second per MiB of
# SQL); past it the replay is cancelled and rolled back. The server holds the same limit itself,
# a few seconds longer (statement_timeout), so a client that dies cannot leave it running.
BUDGET_FLOOR_SECONDS = 30 * 60
BUDGET_SQL_BYTES_PER_SECOND = 1024 * 1024


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


class _ChangedOutside(Exception):
    """The replay changed roles, memberships, settings or databases: never committed."""

    def __init__(self, what: list[str]) -> None:
        super().__init__(
            f"The backup changed {', '.join(what)} outside the database's own objects, which a restore "
            "must never do, so it was not committed."
        )


class _OverBudget(Exception):
    def __init__(self, budget: float, line: int) -> None:
        super().__init__(
            f"The restore was still running at line {line} after its time budget of {budget:g} s, so it "
            "was stopped."
        )


def restore_budget(sql_bytes: int) -> float:
    """The time budget of a restore of ``sql_bytes`` of SQL, in seconds."""
    return max(BUDGET_FLOOR_SECONDS, sql_bytes / BUDGET_SQL_BYTES_PER_SECOND)


async def stream_restore(
    path: Path,
    file: BinaryIO,
    *,
    expected_sha256: str,
    made_here: bool,
    database: Database,
    redactor: Redactor,
    lock_timeout_seconds: float,
    progress: Callable[[int, int], None],
    budget_seconds: float,
    safety_backup: str | None = None,
) -> StreamOutcome:
    """Replay the dump read from ``file`` (the vetted descriptor of ``path``), all or nothing.

    The bytes replayed must hash to ``expected_sha256`` before COMMIT. ``made_here``: a sidecar of
    this bot vouches for the file (rights.py: only then may a superuser session replay it).
    ``progress(file_bytes_read, sql_bytes_read)`` is called after each chunk. ``budget_seconds``
    (see `restore_budget`) bounds the whole replay.
    """
    connection = await _connect(database)
    source: DumpSource | None = None
    transaction_id: str | None = None
    try:
        rights = await restore_rights(connection)
        if not made_here and (refusal := rights.refusal(path.name)):
            raise RestoreRefused(f"{refusal} The database was not touched.", 0, refusal)
        source = DumpSource(path, file, rights, progress)
        await connection.execute(session_settings(lock_timeout_seconds, budget_seconds))
        await connection.execute("BEGIN")
        transaction_id = await connection.fetchval(TRANSACTION_ID)
        outside = await outside_state(connection)
        try:
            async with asyncio.timeout(budget_seconds):
                await connection.execute(clear_schema())
                await _replay(connection, source, lasting=await connection.fetchval(LASTING_SEQUENCES))
        except TimeoutError:
            raise _OverBudget(budget_seconds, source.line) from None
        _refuse_unless_whole(source, expected_sha256)
        if changed := changed_outside(outside, await outside_state(connection)):
            raise _ChangedOutside(changed)
        if await connection.fetchval(TRANSACTION_ID) != transaction_id:
            raise _LeftTransaction(source.line)
        await connection.execute("COMMIT")
    except RestoreRefused:
        raise
    except asyncio.CancelledError:
        connection.terminate()  # the server rolls the open transaction back
        raise
    except Exception as error:  # whatever it was, the server's answer decides what the message says
        reason = _reason(error, path.name, source.line if source else 0, redactor)
        fate = await transaction_fate(connection, transaction_id, database)
        sessions = await blockers(database) if isinstance(error, asyncpg.LockNotAvailableError) else None
        raise restore_failure(reason, fate, sessions, lock_timeout_seconds, safety_backup) from None
    finally:
        if source is not None:
            source.abandon()
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
    options = database.driver_options  # DATABASE_URL's libpq parameters, read as libpq reads them
    try:
        return await asyncpg.connect(
            options.dsn,
            timeout=options.timeout(database.timeout),
            command_timeout=None,
            statement_cache_size=0,  # unnamed statements: one per message, nothing kept
            server_settings={**options.server_settings, "application_name": RESTORE_APPLICATION_NAME},
        )
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as error:
        raise RestoreFailed(
            f"Could not connect to the database: {database.describe(error)}. Nothing was changed."
        ) from None


async def _replay(connection: asyncpg.Connection, source: DumpSource, *, lasting: bool) -> None:
    """Run every statement alone and every COPY block through the COPY protocol.

    ``lasting``: some sequence that existed before the replay may be moved by a setval; then each
    setval is checked first (with none, any sequence a setval moves was made by this transaction).
    """
    while (action := await source.next()) is not None:
        if isinstance(action, Execute):
            if lasting:
                await _refuse_lasting_setval(connection, action)
            if action.one_command is not None:
                await source.run(connection.execute(action.one_command))  # simple protocol: one round trip
            else:
                await source.run(connection.fetch(action.sql))  # the extended protocol: one command or error
        elif isinstance(action, CopyInto):
            await connection.copy_to_table(
                action.table,
                schema_name=action.schema,
                columns=list(action.columns) or None,
                source=source.copy_rows(),
            )
        if not connection.is_in_transaction():
            raise _LeftTransaction(source.line)


async def _refuse_lasting_setval(connection: asyncpg.Connection, action: Execute) -> None:
    """A setval outlives a rollback: it may only move a sequence this restore (re)created."""
    if (setval := _SETVAL.match(action.sql)) is None:
        return
    if not await connection.fetchval(RECREATED_SEQUENCE, setval["name"].replace("''", "'")):
        raise DumpRefused(
            action.line,
            "setval of a sequence the restore did not recreate (not the restoring role's): sequence "
            "changes are not undone by a rollback",
        )


def _refuse_unless_whole(source: DumpSource, expected_sha256: str) -> None:
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
    if isinstance(error, OpsError | _LeftTransaction | _ChangedOutside | _OverBudget):
        return str(error)
    if not isinstance(error, asyncpg.InterfaceError | asyncpg.InternalClientError | OSError):
        log.error("unexpected error during a restore", exc_info=error)
    return f"The restore stopped at line {line}: {type(error).__name__}: {redactor(str(error))}."
