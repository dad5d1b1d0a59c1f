"""What became of a failed restore's transaction, as the server says, and the error that tells it.

After any failure the server is asked what became of the transaction (pg_xact_status): only when
it answers "aborted" does the message say nothing changed (RestoreFailed, RestoreBlocked);
otherwise it says the database may have changed and names the safety backup (RestoreNotRolledBack).
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from bot.backups.restore.errors import RestoreBlocked, RestoreFailed, RestoreNotRolledBack
from bot.backups.restore.sql import TRANSACTION_STATUS, BlockingSession, blocking_sessions
from bot.database.connection import Database
from bot.errors import OpsError

log = logging.getLogger(__name__)

_FATE_TIMEOUT_SECONDS = 10
_END_BACKEND = "SELECT pg_catalog.pg_terminate_backend($1, $2)"  # waits up to $2 ms for it to exit


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


async def blockers(database: Database) -> list[BlockingSession]:
    try:
        async with database.connection() as connection:
            return await blocking_sessions(connection, database.timeout)
    except OpsError:
        log.warning("could not list the sessions blocking the restore", exc_info=True)
        return []


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
