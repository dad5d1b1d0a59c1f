"""The dump's own snapshot, exported for pg_dump --snapshot, and the row counts taken in it.

A REPEATABLE READ transaction exports its snapshot (pg_export_snapshot); pg_dump dumps exactly
that view of the database, and the same transaction counts every table's rows meanwhile, so the
sidecar's `row_counts` are the rows the dump holds, whatever Aphrodite writes during the dump.
The transaction stays open until pg_dump has exited. When the export cannot be made (a standby
that refuses it, a server that does not answer) the backup is made all the same, without row
counts, and the log says why.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

import asyncpg

from bot.database.connection import Database
from bot.database.leaf_counts import count_leaf_tables

log = logging.getLogger(__name__)

SNAPSHOT_APPLICATION_NAME = "aphrodite-ops backup snapshot"
_SESSION = (
    "SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0; "
    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
)


@dataclass
class DumpSnapshot:
    """An exported snapshot (``snapshot_id`` for pg_dump) and the counting of its rows, started at once."""

    snapshot_id: str
    counting: asyncio.Task[dict[str, int]]

    async def row_counts(self) -> dict[str, int] | None:
        """Every leaf table's rows in the snapshot; None (and a log line) when counting failed."""
        try:
            return await self.counting
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
            log.warning("the backup has no row counts: counting its tables failed: %s", _first_line(error))
            return None


@asynccontextmanager
async def exported_snapshot(database: Database) -> AsyncIterator[DumpSnapshot | None]:
    """The snapshot pg_dump should use, held open for the body; None when it cannot be exported."""
    connection = await _connect(database)
    if connection is None:
        yield None
        return
    snapshot: DumpSnapshot | None = None
    try:
        try:
            await connection.execute("BEGIN")
            await connection.execute(_SESSION)
            snapshot_id = str(await connection.fetchval("SELECT pg_catalog.pg_export_snapshot()"))
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
            log.warning(
                "making the backup without row counts: its snapshot could not be exported: %s",
                _first_line(error),
            )
        else:
            counting = asyncio.ensure_future(_count(connection))
            snapshot = DumpSnapshot(snapshot_id, counting)
        yield snapshot
    finally:
        if snapshot is not None:
            snapshot.counting.cancel()  # nothing when it is done already
            with suppress(BaseException):
                await snapshot.counting  # so a count that failed unseen (pg_dump failed first) is retrieved
        connection.terminate()  # ends the read-only transaction; nothing to commit


async def _count(connection: asyncpg.Connection) -> dict[str, int]:
    """Count inside a savepoint: a failed count must not end the transaction whose snapshot pg_dump uses."""
    await connection.execute("SAVEPOINT row_counts")
    try:
        return await count_leaf_tables(connection, timeout=None)
    except asyncpg.PostgresError:
        await connection.execute("ROLLBACK TO SAVEPOINT row_counts")
        raise


async def _connect(database: Database) -> asyncpg.Connection | None:
    assert database.dsn is not None
    try:
        return await asyncpg.connect(
            database.dsn.reveal(),
            timeout=database.timeout,
            command_timeout=None,
            server_settings={"application_name": SNAPSHOT_APPLICATION_NAME},
        )
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as error:
        log.warning("making the backup without row counts: %s", database.describe(error))
        return None


def _first_line(error: BaseException) -> str:
    lines = str(error).splitlines()
    return lines[0] if lines else type(error).__name__
