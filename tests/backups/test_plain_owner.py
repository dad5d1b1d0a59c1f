"""scripts/plain-owner.sql: Docker's superuser-made database handed to a plain owner role, which the
bot then connects as to restore Aphrodite's own (unsealed) backups in place.

The test cluster's bootstrap superuser plays Docker's POSTGRES_USER: it creates the database and
every object in it, as Aphrodite does when it connects as that user.
"""

# The fixtures imported from backup_fixtures are requested as parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import gc
import itertools
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from bot.backups.dump import BackupFailed
from bot.backups.pg_tools import PgTools
from bot.config import Secret
from bot.database.connection import Database, parse_dsn
from bot.redact import Redactor
from tests.backups.fixtures import (  # noqa: F401 - fixtures
    backup_dir,
    execute,
    fingerprint,
    make_service,
    mutate,
    pg_dump_like_aphrodite,
)
from tests.support.databases import SCHEMA_SQL, _superuser_execute
from tests.support.postgres_cluster import SUPERUSER, SUPERUSER_PASSWORD, PostgresCluster

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "plain-owner.sql"
BACKUP = "aphrodite_backup_20250101_120000.sql"
PASSWORD = "owner-Secret-77"
_names = itertools.count(1)

# Objects of the kinds the script hands over, beyond Aphrodite's tables and serials.
MORE_OBJECTS = """
CREATE SCHEMA extra;
CREATE TABLE extra.notes (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text);
CREATE TYPE public.mood AS ENUM ('calm', 'busy');
CREATE TYPE public.pair AS (a integer, b integer);
CREATE TYPE public.floatrange AS RANGE (subtype = float8);
CREATE DOMAIN public.positive AS integer CHECK (VALUE > 0);
CREATE SEQUENCE public.standalone;
CREATE TABLE public.events (at date NOT NULL, what text) PARTITION BY RANGE (at);
CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE VIEW public.titles AS SELECT id, title FROM public.media_items;
CREATE MATERIALIZED VIEW public.title_count AS SELECT count(*) AS n FROM public.media_items;
CREATE FUNCTION public.twice(x integer) RETURNS integer LANGUAGE sql AS $$ SELECT x * 2 $$;
CREATE PROCEDURE public.noop() LANGUAGE plpgsql AS $$ BEGIN NULL; END $$;
CREATE AGGREGATE public.total(integer) (sfunc = int4pl, stype = integer);
CREATE COLLATION public.by_bytes (locale = 'C');
CREATE TEXT SEARCH CONFIGURATION public.plain_words (COPY = pg_catalog.simple);
CREATE STATISTICS public.media_stats ON id, title FROM public.media_items;
SELECT pg_catalog.lo_create(424242);
"""
# Handed over too, but only a superuser may create it (its state is `internal`): no plain owner
# could restore it, so it stays out of the restore.
SUPERUSER_ONLY = """
CREATE AGGREGATE public.middle(float8 ORDER BY float8) (
    sfunc = ordered_set_transition, stype = internal, finalfunc = percentile_disc_final,
    finalfunc_extra)
"""

# What a superuser still owns in the database, of the kinds the script covers (none, afterwards).
SUPERUSER_OWNED = """
WITH su AS (SELECT oid FROM pg_roles WHERE rolsuper),
     ns AS (SELECT oid FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema')
SELECT 'database ' || datname FROM pg_database
  WHERE datname = current_database() AND datdba IN (SELECT oid FROM su)
UNION ALL SELECT 'schema ' || nspname FROM pg_namespace WHERE oid IN (SELECT oid FROM ns)
  AND nspowner IN (SELECT oid FROM su)
UNION ALL SELECT 'relation ' || relname FROM pg_class WHERE relnamespace IN (SELECT oid FROM ns)
  AND relowner IN (SELECT oid FROM su)
UNION ALL SELECT 'routine ' || proname FROM pg_proc WHERE pronamespace IN (SELECT oid FROM ns)
  AND proowner IN (SELECT oid FROM su)
UNION ALL SELECT 'type ' || typname FROM pg_type WHERE typnamespace IN (SELECT oid FROM ns)
  AND typowner IN (SELECT oid FROM su)
UNION ALL SELECT 'collation ' || collname FROM pg_collation WHERE collnamespace IN (SELECT oid FROM ns)
  AND collowner IN (SELECT oid FROM su)
UNION ALL SELECT 'text search configuration ' || cfgname FROM pg_ts_config
  WHERE cfgnamespace IN (SELECT oid FROM ns) AND cfgowner IN (SELECT oid FROM su)
UNION ALL SELECT 'statistics ' || stxname FROM pg_statistic_ext WHERE stxowner IN (SELECT oid FROM su)
UNION ALL SELECT 'large object ' || oid FROM pg_largeobject_metadata WHERE lomowner IN (SELECT oid FROM su)
ORDER BY 1
"""


@dataclass(frozen=True)
class DockerDatabase:
    """A database made and filled by the superuser, and the plain role meant to own it."""

    cluster: PostgresCluster
    name: str
    owner: str

    @property
    def superuser_dsn(self) -> str:
        return self.cluster.superuser_dsn(self.name)

    @property
    def owner_dsn(self) -> str:
        return self.cluster.dsn(self.name, self.owner, PASSWORD)


@pytest.fixture
async def docker_db(pg_cluster: PostgresCluster) -> AsyncIterator[DockerDatabase]:
    index = next(_names)
    database = DockerDatabase(pg_cluster, f"docker_like_{index}", f"plain_owner_{index}")
    await _superuser_execute(pg_cluster, f"CREATE DATABASE {database.name}")  # the superuser's, as in Docker
    await execute(database.superuser_dsn, SCHEMA_SQL.read_text(), MORE_OBJECTS)
    try:
        yield database
    finally:
        await _superuser_execute(pg_cluster, f"DROP DATABASE IF EXISTS {database.name} WITH (FORCE)")
        await _superuser_execute(pg_cluster, f"DROP ROLE IF EXISTS {database.owner}")


async def run_script(database: DockerDatabase, *variables: str) -> tuple[int, str]:
    """psql -f scripts/plain-owner.sql as the superuser, as the README says; exit status and output."""
    process = await asyncio.create_subprocess_exec(
        PgTools().locate("psql"),
        "-X",
        "-v",
        "ON_ERROR_STOP=1",
        *[argument for variable in variables for argument in ("-v", variable)],
        "-h",
        "127.0.0.1",
        "-p",
        str(database.cluster.port),
        "-U",
        SUPERUSER,
        "-d",
        database.name,
        "-f",
        str(SCRIPT),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "PGPASSWORD": SUPERUSER_PASSWORD},
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()


async def superuser_owned(dsn: str) -> list[str]:
    connection = await asyncpg.connect(dsn)
    try:
        return [row[0] for row in await connection.fetch(SUPERUSER_OWNED)]
    finally:
        await connection.close()


async def test_the_script_gives_a_plain_role_the_database_and_everything_the_superuser_made(docker_db):
    await execute(docker_db.superuser_dsn, SUPERUSER_ONLY)
    assert "relation media_items" in await superuser_owned(docker_db.superuser_dsn)

    status, output = await run_script(docker_db, f"owner={docker_db.owner}")

    assert status == 0, output
    assert await superuser_owned(docker_db.superuser_dsn) == []
    connection = await asyncpg.connect(docker_db.superuser_dsn)
    try:
        role = await connection.fetchrow(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolcanlogin FROM pg_roles WHERE rolname = $1",
            docker_db.owner,
        )
        assert tuple(role) == (False, False, False, True)
        # the identity's sequence went with its table; the superuser (Aphrodite) still writes
        await connection.execute("INSERT INTO extra.notes (body) VALUES ('still writable')")
        assert (
            await connection.fetchval(
                "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'notes_id_seq'"
            )
            == docker_db.owner
        )
    finally:
        await connection.close()

    again, output = await run_script(docker_db, f"owner={docker_db.owner}")
    assert again == 0, output  # harmless to run after an upgrade


async def test_the_plain_owner_restores_aphrodites_own_backup_in_place(docker_db, backup_dir):
    status, output = await run_script(docker_db, f"owner={docker_db.owner}")
    assert status == 0, output
    await _superuser_execute(docker_db.cluster, f"ALTER ROLE {docker_db.owner} PASSWORD '{PASSWORD}'")
    superuser = parse_dsn(Secret(docker_db.superuser_dsn)).environment()  # Aphrodite's own backup:
    await pg_dump_like_aphrodite(superuser, backup_dir / BACKUP, compress=False)  # no sidecar, not sealed
    original = await fingerprint(docker_db.superuser_dsn)
    await mutate(docker_db.owner_dsn)  # Aphrodite, now connecting as the owner too
    owner = Database(Secret(docker_db.owner_dsn), redactor=Redactor())
    try:
        await make_service(owner, backup_dir).restore(BACKUP, label="alice")
    finally:
        await owner.close()

    assert await fingerprint(docker_db.superuser_dsn) == original


async def test_a_table_the_superuser_adds_later_stops_the_owners_backup_naming_that_table(
    docker_db, backup_dir
):
    status, output = await run_script(docker_db, f"owner={docker_db.owner}")
    assert status == 0, output
    await _superuser_execute(docker_db.cluster, f"ALTER ROLE {docker_db.owner} PASSWORD '{PASSWORD}'")
    # Aphrodite, still connecting as the superuser, adds a table in an upgrade
    await execute(docker_db.superuser_dsn, "CREATE TABLE public.added_by_upgrade (id integer)")
    unhandled: list[dict[str, object]] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: unhandled.append(context))
    owner = Database(Secret(docker_db.owner_dsn), redactor=Redactor())
    try:
        with pytest.raises(BackupFailed) as failed:
            await make_service(owner, backup_dir).create(label="alice")
    finally:
        await owner.close()

    assert "permission denied for table added_by_upgrade" in str(failed.value)
    del failed  # its traceback holds the dump's frames, and so the counting task
    gc.collect()  # the row count that failed too was seen, not left for the loop to report
    assert unhandled == []
    status, output = await run_script(docker_db, f"owner={docker_db.owner}")  # the fix: run it again
    assert status == 0, output
    assert await superuser_owned(docker_db.superuser_dsn) == []


@pytest.mark.parametrize(
    "attribute", ["SUPERUSER", "CREATEROLE", "CREATEDB", "IN ROLE pg_execute_server_program"]
)
async def test_the_script_refuses_a_role_with_more_than_an_owners_rights_and_changes_nothing(
    docker_db, attribute
):
    await _superuser_execute(docker_db.cluster, f"CREATE ROLE {docker_db.owner} LOGIN {attribute}")
    before = await superuser_owned(docker_db.superuser_dsn)

    status, output = await run_script(docker_db, f"owner={docker_db.owner}")

    assert status != 0
    assert f"role {docker_db.owner} has rights beyond a database owner" in output
    assert "nothing was changed" in output
    assert await superuser_owned(docker_db.superuser_dsn) == before


async def test_the_script_without_an_owner_says_how_to_name_one_and_creates_nothing(docker_db):
    status, output = await run_script(docker_db)

    assert status != 0
    assert "psql -v owner=aphrodite_owner" in output
    connection = await asyncpg.connect(docker_db.superuser_dsn)
    try:
        assert (
            await connection.fetchval("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'aphrodite_owner%'")
            == 0
        )
    finally:
        await connection.close()
