"""`/db status` and `/db integrity` tell the truth when a role's search_path puts look-alikes first."""

from __future__ import annotations

import asyncpg

from bot.config import Settings
from bot.database.health import collect_status
from bot.database.integrity.findings import Severity
from bot.database.integrity.report import run_integrity
from tests.support.postgres_cluster import APP_USER

LOOK_ALIKES = (
    "CREATE SCHEMA evil",
    f"GRANT USAGE ON SCHEMA evil TO {APP_USER}",
    "CREATE VIEW evil.pg_tables AS SELECT 'public'::name AS schemaname FROM generate_series(1, 99)",
    "CREATE FUNCTION evil.pg_database_size(name) RETURNS bigint LANGUAGE sql AS 'SELECT 42::bigint'",
    "CREATE FUNCTION evil.pg_size_pretty(bigint) RETURNS text LANGUAGE sql AS $$SELECT 'tiny'$$",
    "GRANT SELECT ON evil.pg_tables TO PUBLIC",
)
_UNQUALIFIED = (
    "SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = 'public'), "
    "pg_database_size(current_database())"
)
_TRUE = (
    "SELECT (SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'), "
    "pg_catalog.pg_database_size(pg_catalog.current_database())"
)


async def row(dsn: str, query: str) -> tuple[int, int]:
    connection = await asyncpg.connect(dsn)
    try:
        return tuple(await connection.fetchrow(query))
    finally:
        await connection.close()


async def test_status_ignores_a_search_path_that_puts_evil_before_pg_catalog(
    aphrodite_db, superuser_sql, app_database, state, tmp_path
):
    await superuser_sql(
        *LOOK_ALIKES,
        f"ALTER ROLE {APP_USER} IN DATABASE {aphrodite_db.name} SET search_path = evil, pg_catalog, public",
    )
    assert await row(aphrodite_db.dsn, _UNQUALIFIED) == (99, 42)  # the trap works on a plain connection
    tables, size = await row(aphrodite_db.dsn, _TRUE)

    status = await collect_status(app_database, Settings(backup_dir=tmp_path), state)

    server = status.server
    assert server is not None
    assert server.table_count == tables == 11
    assert server.size_bytes != 42 and server.size_pretty != "tiny"
    assert abs(server.size_bytes - size) < size // 10


async def test_integrity_still_finds_an_invalid_index_that_a_look_alike_pg_index_hides(
    aphrodite_db, superuser_sql, app_database, state
):
    await superuser_sql(
        "CREATE SCHEMA evil",
        f"GRANT USAGE ON SCHEMA evil TO {APP_USER}",
        "CREATE VIEW evil.pg_index AS SELECT * FROM pg_catalog.pg_index WHERE indisvalid",
        "GRANT SELECT ON evil.pg_index TO PUBLIC",
        f"ALTER ROLE {APP_USER} IN DATABASE {aphrodite_db.name} SET search_path = evil, pg_catalog, public",
        "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'public.ix_media_items_title'::regclass",
    )

    report = await run_integrity(app_database, state)

    [invalid] = [finding for finding in report.findings if finding.check == "invalid_indexes"]
    assert invalid.severity is Severity.PROBLEM
    assert invalid.details == ("public.ix_media_items_title on public.media_items (not valid)",)
