"""The SQL the restorer runs around a dump, and the query that names sessions in its way."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from bot.units import human_duration

# A restore session idle inside its transaction for this long (its client hung) is ended by the server.
IDLE_IN_TRANSACTION_SECONDS = 60
_SERVER_GRACE_SECONDS = 5


def session_settings(lock_timeout_seconds: float, budget_seconds: float) -> str:
    """The restore session's settings: its lock timeout, its time budget, quiet notices.

    The server enforces the limits itself, so a client that was killed leaves no session holding
    the tables' locks: no statement outlives the budget, an idle transaction ends after a minute,
    and (PostgreSQL 14+) a running statement checks every second that its client is still there.
    """
    timeout_ms = max(1, round(lock_timeout_seconds * 1000))
    budget_ms = round((budget_seconds + _SERVER_GRACE_SECONDS) * 1000)  # the client's budget ends first
    return (
        f"SET lock_timeout = {timeout_ms}; SET statement_timeout = {budget_ms}; "
        f"SET idle_in_transaction_session_timeout = {IDLE_IN_TRANSACTION_SECONDS * 1000}; "
        "SET client_min_messages = warning; "
        "SELECT pg_catalog.set_config('client_connection_check_interval', '1000', false) "
        "WHERE pg_catalog.current_setting('server_version_num')::int >= 140000;"
    )


# The id of the restore's transaction: what pg_xact_status is asked about after a failure.
TRANSACTION_ID = "SELECT pg_catalog.pg_current_xact_id()::text"
TRANSACTION_STATUS = "SELECT pg_catalog.pg_xact_status($1::text::xid8)"
# The clearing before the replay dropped every sequence the restoring role owns (but extensions'):
# one it owns now was created by this very transaction, so a setval on it is rolled back with it.
# Whether, right after the clearing, a sequence exists that this role may move with setval: a
# sequence made later is dropped again by a rollback, so with none, no setval can outlast one.
LASTING_SEQUENCES = (
    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE"
    " CASE WHEN c.relkind = 'S' THEN pg_catalog.has_sequence_privilege(c.oid, 'UPDATE') END)"
)
RECREATED_SEQUENCE = (
    "SELECT pg_catalog.pg_has_role(c.relowner, 'USAGE') AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
    " WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')"
    " FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1) AND c.relkind = 'S'"
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
