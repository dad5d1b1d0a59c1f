"""`/db status`: is the database reachable, and its vital figures; never raises for a down server."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from bot.backups.inventory import BackupFile, list_backups
from bot.config import Settings
from bot.database.connection import Database, DatabaseUnavailable
from bot.database.integrity.report import LastIntegrity, last_integrity
from bot.database.read_only import ReadOnlySession, failure_reason
from bot.database.role import SUPERUSER_QUERY, SUPERUSER_RISK
from bot.database.target import database_redactor
from bot.state import StateStore
from bot.status import Status
from bot.units import human_bytes

log = logging.getLogger(__name__)

# Connections at or above this share of max_connections make the status amber.
CONNECTIONS_WARNING = 0.9
LARGEST_TABLES = 5

_FIGURES = f"""
SELECT pg_catalog.pg_database_size(pg_catalog.current_database()) AS size_bytes,
       pg_catalog.pg_size_pretty(pg_catalog.pg_database_size(pg_catalog.current_database())) AS size_pretty,
       (SELECT pg_catalog.count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public') AS table_count,
       pg_catalog.current_setting('server_version') AS server_version,
       pg_catalog.current_setting('server_version_num')::int AS server_version_num,
       pg_catalog.pg_postmaster_start_time() AS started_at,
       pg_catalog.now() - pg_catalog.pg_postmaster_start_time() AS uptime,
       (SELECT pg_catalog.sum(numbackends) FROM pg_catalog.pg_stat_database)::int AS connections,
       pg_catalog.current_setting('max_connections')::int AS max_connections,
       pg_catalog.to_regclass('public.alembic_version') IS NOT NULL AS has_alembic,
       ({SUPERUSER_QUERY}) AS superuser
"""

_ALEMBIC_REVISION = (
    "SELECT pg_catalog.string_agg(version_num, ', ' ORDER BY version_num) FROM public.alembic_version"
)

# pg_total_relation_size locks each relation (ACCESS SHARE): run apart, so a migration's lock
# costs only this list, bounded by lock_timeout.
_LARGEST_TABLES = """
SELECT n.nspname AS schema, c.relname AS name, pg_catalog.pg_total_relation_size(c.oid) AS total_bytes,
       c.reltuples::bigint AS row_estimate
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast'
ORDER BY pg_catalog.pg_total_relation_size(c.oid) DESC, 2
LIMIT $1
"""


@dataclass(frozen=True)
class TableSize:
    """One of the largest tables; ``row_estimate`` is the planner's (None if never analysed)."""

    schema: str
    name: str
    total_bytes: int
    row_estimate: int | None

    @property
    def size_pretty(self) -> str:
        return human_bytes(self.total_bytes)


@dataclass(frozen=True)
class ServerFigures:
    """What the server says about itself and this database."""

    server_version: str
    server_version_num: int
    started_at: datetime
    uptime: timedelta
    size_bytes: int
    size_pretty: str
    table_count: int
    schema_version: str
    schema_version_source: str  # "alembic" or "table count"
    connections: int
    max_connections: int
    largest_tables: tuple[TableSize, ...]
    superuser: bool


@dataclass(frozen=True)
class BackupSummary:
    """The backups in BACKUP_DIR; ``error`` says why the folder could not be read."""

    directory: Path
    count: int
    total_bytes: int
    newest_name: str | None
    newest_at: datetime | None
    error: str | None = None

    def newest_age(self, now: datetime) -> timedelta | None:
        return None if self.newest_at is None else now - self.newest_at


@dataclass(frozen=True)
class DatabaseStatus:
    """`/db status`: ``status`` OK/DEGRADED when reachable, FAILED when not, NOT_CONFIGURED without a URL.

    ``server`` holds the figures when the database gave them; ``reason`` says why it did not
    (unreachable, or connected but the status query failed); ``notes`` say what made a reachable
    database amber, or which secondary figure could not be read.
    """

    status: Status
    checked_at: datetime
    masked_dsn: str
    connected: bool
    reason: str | None
    server: ServerFigures | None
    backups: BackupSummary
    last_integrity: LastIntegrity | None
    notes: tuple[str, ...] = ()

    @property
    def risks(self) -> tuple[str, ...]:
        """What is dangerous about how the bot connects (shown amber, whatever the status)."""
        return (SUPERUSER_RISK,) if self.server is not None and self.server.superuser else ()

    @property
    def connection_label(self) -> str:
        """'Active', 'Unreachable' or 'Not configured', as Aphrodite's own page says it."""
        if self.status is Status.NOT_CONFIGURED:
            return "Not configured"
        return "Active" if self.connected else "Unreachable"


async def collect_status(database: Database, settings: Settings, state: StateStore) -> DatabaseStatus:
    """Gather the figures; a down, slow or misconfigured database gives a FAILED result, never an error.

    The whole collection is bounded by ``database.timeout`` plus two seconds, so that the pool's
    own connect timeout fires first and gives the precise reason.
    """
    checked_at = datetime.now(UTC)
    backups = await _backup_summary(settings.backup_dir)
    last = await last_integrity(state, database)

    def result(
        overall: Status,
        *,
        connected: bool,
        reason: str | None,
        server: ServerFigures | None = None,
        notes: tuple[str, ...] = (),
    ) -> DatabaseStatus:
        return DatabaseStatus(
            overall,
            connected=connected,
            reason=reason,
            server=server,
            notes=notes,
            checked_at=checked_at,
            masked_dsn=database.masked_dsn,
            backups=backups,
            last_integrity=last,
        )

    if not database.configured:
        return result(Status.NOT_CONFIGURED, connected=False, reason="DATABASE_URL is not set")

    def failed(reason: str, *, connected: bool = False) -> DatabaseStatus:
        return result(Status.FAILED, connected=connected, reason=reason)

    limit = database.timeout + 2
    try:
        async with asyncio.timeout(limit):
            server, notes = await _server_figures(database)
    except DatabaseUnavailable as error:
        return failed(error.reason)
    except TimeoutError:
        log.warning("database status: no complete answer within %g s", limit)
        return failed(f"no complete answer within {limit:g} s (timeout)")
    except asyncpg.PostgresError as error:
        reason = database_redactor(database)(failure_reason(error))
        log.warning("database status query failed: %s", reason)
        return failed(f"connected, but the status query failed: {reason}", connected=True)
    if server.connections >= CONNECTIONS_WARNING * server.max_connections:
        notes.append(
            f"{server.connections} of {server.max_connections} connections in use: "
            "new connections will soon be refused"
        )
    return result(
        Status.DEGRADED if notes else Status.OK,
        connected=True,
        reason=None,
        server=server,
        notes=tuple(notes),
    )


async def _server_figures(database: Database) -> tuple[ServerFigures, list[str]]:
    redact = database_redactor(database)
    notes: list[str] = []
    timeout = database.timeout
    async with database.connection() as connection:
        session = ReadOnlySession(connection)
        figures = await session.fetchrow(_FIGURES, timeout=timeout)
        schema_version, source = str(figures["table_count"]), "table count"
        if figures["has_alembic"]:
            try:
                revision = await session.fetchval(_ALEMBIC_REVISION, timeout=timeout)
            except asyncpg.PostgresError as error:
                notes.append(f"could not read alembic_version: {redact(failure_reason(error))}")
            else:
                if revision:
                    schema_version, source = str(revision), "alembic"
        try:
            largest = await session.fetch(_LARGEST_TABLES, LARGEST_TABLES, timeout=timeout)
        except asyncpg.PostgresError as error:
            notes.append(f"could not list the largest tables: {redact(failure_reason(error))}")
            largest = []
    server = ServerFigures(
        server_version=figures["server_version"],
        server_version_num=figures["server_version_num"],
        started_at=figures["started_at"],
        uptime=figures["uptime"],
        size_bytes=figures["size_bytes"],
        size_pretty=figures["size_pretty"],
        table_count=figures["table_count"],
        schema_version=schema_version,
        schema_version_source=source,
        connections=figures["connections"],
        max_connections=figures["max_connections"],
        largest_tables=tuple(
            TableSize(
                schema=row["schema"],
                name=row["name"],
                total_bytes=row["total_bytes"],
                row_estimate=row["row_estimate"] if row["row_estimate"] >= 0 else None,
            )
            for row in largest
        ),
        superuser=bool(figures["superuser"]),
    )
    return server, notes


async def _backup_summary(backup_dir: Path) -> BackupSummary:
    directory = await asyncio.to_thread(backup_dir.absolute)
    try:
        backups = await list_backups(directory)
    except OSError as error:
        log.warning("cannot read the backup folder %s: %s", directory, error.strerror or error)
        return BackupSummary(
            directory, 0, 0, None, None, error=f"cannot read {directory}: {error.strerror or error}"
        )
    # The file's own time, not its name's stamp: a name can claim any date, even a future one.
    newest = max(backups, key=_written_at, default=None)
    return BackupSummary(
        directory=directory,
        count=len(backups),
        total_bytes=sum(backup.size for backup in backups),
        newest_name=newest.name if newest else None,
        newest_at=_written_at(newest) if newest else None,
    )


def _written_at(backup: BackupFile) -> datetime:
    return backup.modified_at or backup.created_at
