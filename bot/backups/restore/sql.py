"""The SQL the restorer runs around a dump, and the query that names sessions in its way."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from bot.units import human_duration


def session_settings(lock_timeout_seconds: float) -> str:
    """The restore session's settings: its own lock timeout, no other time limit, quiet notices."""
    timeout_ms = max(1, round(lock_timeout_seconds * 1000))
    return (
        f"SET lock_timeout = {timeout_ms}; SET statement_timeout = 0; "
        "SET idle_in_transaction_session_timeout = 0; SET client_min_messages = warning;"
    )


# The id of the restore's transaction: what pg_xact_status is asked about after a failure.
TRANSACTION_ID = "SELECT pg_catalog.pg_current_xact_id()::text"
TRANSACTION_STATUS = "SELECT pg_catalog.pg_xact_status($1::text::xid8)"
FOREIGN_EXTENSIONS = (
    "SELECT e.extname FROM pg_catalog.pg_extension e WHERE NOT pg_catalog.pg_has_role(e.extowner, 'USAGE')"
)


@dataclass(frozen=True)
class BlockingSession:
    """Another session holding locks on the tables a restore must replace."""

    pid: int
    application_name: str
    user: str | None
    state: str | None
    transaction_started_at: datetime | None
    query: str

    def describe(self, now: datetime | None = None) -> str:
        """'pid 4242 (aphrodite, idle in transaction for 3 min; last query: SELECT ...)'."""
        who = self.application_name or self.user or "unnamed client"
        details = [self.state or "state unknown"]
        if self.transaction_started_at:
            age = ((now or datetime.now(UTC)) - self.transaction_started_at).total_seconds()
            details[0] += f" for {human_duration(max(age, 0))}"
        if self.query:
            details.append(f"last query: {self.query}")
        return f"pid {self.pid} ({who}, {'; '.join(details)})"


_BLOCKERS = """
SELECT DISTINCT ON (a.pid) a.pid, a.application_name, a.usename, a.state, a.xact_start,
       left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 120) AS query
FROM pg_catalog.pg_locks l
JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'relation' AND l.granted AND l.relation >= 16384
  AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
  AND a.pid <> pg_catalog.pg_backend_pid()
ORDER BY a.pid
"""


async def blocking_sessions(connection: asyncpg.Connection, timeout: float = 10) -> list[BlockingSession]:
    """Sessions other than ours holding locks on user tables of this database, i.e. in a transaction."""
    rows = await asyncio.wait_for(connection.fetch(_BLOCKERS), timeout)
    return [
        BlockingSession(
            pid=row["pid"],
            application_name=row["application_name"] or "",
            user=row["usename"],
            state=row["state"],
            transaction_started_at=row["xact_start"],
            query=row["query"] or "",
        )
        for row in rows
    ]
