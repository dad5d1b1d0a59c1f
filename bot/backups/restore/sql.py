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
RECREATED_SEQUENCE = (
    "SELECT pg_catalog.pg_has_role(c.relowner, 'USAGE') AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
    " WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')"
    " FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1) AND c.relkind = 'S'"
)


def clear_schema() -> str:
    """Drop everything the restoring role owns in the database, inside the restore's transaction.

    Tables, views, sequences, types, routines, large objects and its own schemas go: the dump
    then recreates the database exactly as it was, whether it brings its own DROP statements (our
    `--clean` dumps) or not (Aphrodite's `--create` dumps). It is transactional: until the
    restore's COMMIT nothing is visible to anyone, and any failure rolls every drop back.
    """
    return f"""
DO $aphrodite_ops_clear$
DECLARE
    statement text;
BEGIN
    FOR statement IN
        SELECT format('DROP %s IF EXISTS %I.%I CASCADE',
                      CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                     WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                                     ELSE 'TABLE' END,
                      n.nspname, c.relname)
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') {_owned("c", "relowner", "pg_class")}
        ORDER BY c.relkind IN ('S', 'v', 'm'), c.oid
    LOOP
        EXECUTE statement;
    END LOOP;
    FOR statement IN
        SELECT format('DROP ROUTINE IF EXISTS %I.%I(%s) CASCADE', n.nspname, p.proname,
                      pg_catalog.pg_get_function_identity_arguments(p.oid))
        FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE true {_owned("p", "proowner", "pg_proc")}
    LOOP
        EXECUTE statement;
    END LOOP;
    FOR statement IN
        SELECT format('DROP %s IF EXISTS %I.%I CASCADE',
                      CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname, t.typname)
        FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
        WHERE (t.typtype IN ('e', 'd', 'r')
               OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_catalog.pg_class r
                                               WHERE r.oid = t.typrelid AND r.relkind = 'c')))
              {_owned("t", "typowner", "pg_type")}
    LOOP
        EXECUTE statement;
    END LOOP;
    FOR statement IN
        SELECT format('DROP SCHEMA IF EXISTS %I CASCADE', n.nspname)
        FROM pg_catalog.pg_namespace n
        WHERE n.nspname <> 'public' {_USER_SCHEMA}
          AND pg_catalog.pg_has_role(n.nspowner, 'USAGE')
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_namespace'::regclass
                            AND d.objid = n.oid AND d.deptype = 'e')
    LOOP
        EXECUTE statement;
    END LOOP;
    PERFORM pg_catalog.lo_unlink(l.oid) FROM pg_catalog.pg_largeobject_metadata l
    WHERE pg_catalog.pg_has_role(l.lomowner, 'USAGE');
END
$aphrodite_ops_clear$;
"""


_USER_SCHEMA = "AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'"


def _owned(alias: str, owner_column: str, catalog: str) -> str:
    """SQL condition: the restoring role owns it, it is not a system object nor part of an extension."""
    return (
        f"{_USER_SCHEMA} AND pg_catalog.pg_has_role({alias}.{owner_column}, 'USAGE')"
        " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
        f" WHERE d.classid = 'pg_catalog.{catalog}'::regclass AND d.objid = {alias}.oid AND d.deptype = 'e')"
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
