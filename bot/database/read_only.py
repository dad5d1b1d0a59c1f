"""Read-only queries that are safe on a live production database: bounded in time and in lock waits."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import asyncpg

from bot.errors import OpsError

# The client waits this much longer than the server's statement_timeout, so a slow statement comes
# back as the server's QueryCanceledError (one check fails) while a silent server still times out
# on the client (the whole connection is unavailable).
CLIENT_GRACE_SECONDS = 2.0
DEFAULT_LOCK_TIMEOUT_SECONDS = 1.0
# Catalog queries are cheap; this bounds them on a struggling server.
CATALOG_TIMEOUT = 5.0

MAX_SETTING_MILLISECONDS = 2**31 - 1

# SQLSTATEs that mean "this statement was stopped by our own limits", not "the data is wrong".
QUERY_CANCELED = "57014"
LOCK_NOT_AVAILABLE = "55P03"


class NoRow(OpsError):
    """A query that always returns one row returned none."""


def _milliseconds(seconds: float) -> int:
    # 0 would mean "no limit" to PostgreSQL: the shortest limit we ever set is 1 ms; the longest
    # is the setting's own maximum (about 24 days).
    return max(1, min(int(seconds * 1000), MAX_SETTING_MILLISECONDS))


@dataclass
class ReadOnlySession:
    """One connection whose queries each run in their own READ ONLY transaction.

    Every transaction sets ``statement_timeout`` and ``lock_timeout`` locally, so a check never
    waits long behind a migration's lock and never runs longer than it was allowed to.
    """

    connection: asyncpg.Connection
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS

    async def fetch(self, query: str, *args: object, timeout: float) -> list[asyncpg.Record]:
        """All rows of ``query``; the server cancels it after ``timeout`` seconds."""
        async with self.connection.transaction(readonly=True):
            await self.connection.execute(
                f"SET LOCAL statement_timeout = {_milliseconds(timeout)}; "
                f"SET LOCAL lock_timeout = {_milliseconds(min(self.lock_timeout, timeout))}"
            )
            return await self.connection.fetch(query, *args, timeout=timeout + CLIENT_GRACE_SECONDS)

    async def fetchrow(self, query: str, *args: object, timeout: float) -> asyncpg.Record:
        """The row of a query that always returns one (settings, aggregates); NoRow otherwise."""
        rows = await self.fetch(query, *args, timeout=timeout)
        if not rows:
            raise NoRow("The server answered a one-row query with no row.")
        return rows[0]

    async def fetchval(self, query: str, *args: object, timeout: float) -> Any:
        """The first value of the first row, None without a row; its type is the query's."""
        rows = await self.fetch(query, *args, timeout=timeout)
        return rows[0][0] if rows else None


def stopped_by_limit(error: asyncpg.PostgresError) -> str | None:
    """Why our own limits stopped a statement ("timed out", "locked"), or None for other errors."""
    if error.sqlstate == QUERY_CANCELED:
        return "timed out"
    if error.sqlstate == LOCK_NOT_AVAILABLE:
        return "locked by another session"
    return None


def failure_reason(error: asyncpg.PostgresError) -> str:
    """One line on why a statement failed: our own limit, or the server's message without hints."""
    lines = str(error).splitlines()
    return stopped_by_limit(error) or (lines[0] if lines else type(error).__name__)


class TimeBudget:
    """A deadline shared by checks that visit objects one by one (indexes, sequences, constraints)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._deadline = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self._deadline - time.monotonic())

    @property
    def spent(self) -> bool:
        return self.remaining() <= 0

    def limit(self, cap: float) -> float:
        """The statement timeout for the next object: what is left of the budget, at most ``cap``."""
        return min(cap, self.remaining())
