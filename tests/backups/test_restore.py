"""Restoring backups: ours and Aphrodite's, while Aphrodite stays connected."""

# The fixtures imported from backup_fixtures are requested as parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import asyncpg
import pytest

from bot.backups.compression import Compression
from bot.backups.inventory import KIND_SAFETY
from bot.backups.restore.errors import RestoreBlocked
from bot.config import Secret
from bot.database.connection import Database
from bot.redact import Redactor
from tests.backups.fixtures import (  # noqa: F401 - fixtures
    backup_dir,
    backup_service,
    database,
    execute,
    fingerprint,
    libpq_env,
    make_service,
    mutate,
    pg_dump_like_aphrodite,
)
from tests.support.databases import clone_database, drop_database


async def test_restore_brings_the_data_back(backup_service, aphrodite_db):
    original = await fingerprint(aphrodite_db.dsn)
    backup = await backup_service.create(label="alice")
    await mutate(aphrodite_db.dsn)
    assert await fingerprint(aphrodite_db.dsn) != original

    result = await backup_service.restore(backup.name, label="alice")

    assert await fingerprint(aphrodite_db.dsn) == original
    assert result.name == backup.name and not result.made_by_aphrodite
    rows = {row.table: row for row in result.tables}
    assert rows["badge_applications"].before == 2000 and rows["badge_applications"].after == 4000
    assert rows["schedules"].before == 3 and rows["schedules"].after == 2
    assert result.skipped_count == 0 and result.source_database is None


async def test_restore_takes_a_safety_backup_of_the_state_it_replaces(backup_service, aphrodite_db):
    backup = await backup_service.create(label="alice")
    await mutate(aphrodite_db.dsn)
    mutated = await fingerprint(aphrodite_db.dsn)

    result = await backup_service.restore(backup.name, label="alice")
    await backup_service.restore(result.safety_backup.name, label="alice")

    assert result.safety_backup.kind == KIND_SAFETY
    listed = {b.name: b for b in await backup_service.list()}
    assert (
        listed[result.safety_backup.name].kind == KIND_SAFETY and listed[result.safety_backup.name].verified
    )
    assert await fingerprint(aphrodite_db.dsn) == mutated


async def test_uncompressed_backup_restores_too(backup_service, aphrodite_db):
    original = await fingerprint(aphrodite_db.dsn)
    backup = await backup_service.create(label="alice", compression=Compression.NONE)
    await mutate(aphrodite_db.dsn)

    await backup_service.restore(backup.name, label="alice")

    assert await fingerprint(aphrodite_db.dsn) == original


@pytest.mark.parametrize(
    ("name", "compress"),
    [
        ("aphrodite_backup_20250606_185246.sql.gz", True),
        ("aphrodite_backup_20250606_185246.sql", False),
        ("aphrodite_v2_backup_20250101_120000.sql.gz", True),
    ],
)
async def test_aphrodite_made_create_dump_restores_into_the_configured_database(
    backup_service, database, backup_dir, aphrodite_db, name, compress
):
    original = await fingerprint(aphrodite_db.dsn)
    await pg_dump_like_aphrodite(libpq_env(database), backup_dir / name, compress=compress)
    await mutate(aphrodite_db.dsn)

    result = await backup_service.restore(name, label="alice")

    assert await fingerprint(aphrodite_db.dsn) == original
    assert result.made_by_aphrodite and result.source_database == aphrodite_db.name
    assert f"DROP DATABASE IF EXISTS {aphrodite_db.name};" in result.skipped_statements
    assert f"\\connect {aphrodite_db.name}" in result.skipped_statements


async def test_aphrodite_dump_of_another_database_never_touches_that_database(
    backup_service, backup_dir, aphrodite_db, pg_cluster
):
    other_name = await clone_database(pg_cluster)
    other = Database(Secret(pg_cluster.dsn(other_name)), redactor=Redactor())
    try:
        await execute(pg_cluster.dsn(other_name), "DELETE FROM media_items WHERE id > 2000")
        other_before = await fingerprint(pg_cluster.dsn(other_name))
        name = "aphrodite_backup_20250606_185246.sql.gz"
        await pg_dump_like_aphrodite(libpq_env(other), backup_dir / name, compress=True)

        result = await backup_service.restore(name, label="alice")

        assert result.source_database == other_name
        assert await fingerprint(aphrodite_db.dsn) == other_before
        assert await fingerprint(pg_cluster.dsn(other_name)) == other_before
    finally:
        await other.close()
        await drop_database(pg_cluster, other_name)


async def test_restore_succeeds_while_another_connection_is_open_and_idle(backup_service, aphrodite_db):
    original = await fingerprint(aphrodite_db.dsn)
    backup = await backup_service.create(label="alice")
    await mutate(aphrodite_db.dsn)
    aphrodite = await asyncpg.connect(aphrodite_db.dsn)
    try:
        assert await aphrodite.fetchval("SELECT count(*) FROM media_items") == 3000

        await backup_service.restore(backup.name, label="alice")

        assert await fingerprint(aphrodite_db.dsn) == original
        assert await aphrodite.fetchval("SELECT count(*) FROM schedules") == 2
    finally:
        await aphrodite.close()


async def test_restore_blocked_by_an_open_transaction_names_it_and_changes_nothing(
    database, backup_dir, aphrodite_db
):
    service = make_service(database, backup_dir, lock_timeout_seconds=0.5)
    backup = await service.create(label="alice")
    await mutate(aphrodite_db.dsn)
    mutated = await fingerprint(aphrodite_db.dsn)
    blocker = await asyncpg.connect(
        aphrodite_db.dsn, server_settings={"application_name": "aphrodite-worker"}
    )
    try:
        transaction = blocker.transaction()
        await transaction.start()
        await blocker.fetchval("SELECT count(*) FROM media_items")

        with pytest.raises(RestoreBlocked) as blocked:
            await service.restore(backup.name, label="alice")

        assert [session.application_name for session in blocked.value.sessions] == ["aphrodite-worker"]
        message = str(blocked.value)
        assert "aphrodite-worker" in message and "idle in transaction" in message
        assert "nothing was changed" in message
        await transaction.rollback()
    finally:
        await blocker.close()
    assert await fingerprint(aphrodite_db.dsn) == mutated


async def test_restore_returns_the_schema_to_the_backup_state(backup_service, aphrodite_db):
    backup = await backup_service.create(label="alice")
    await mutate(aphrodite_db.dsn)
    await execute(
        aphrodite_db.dsn,
        "CREATE TYPE mood AS ENUM ('happy', 'sad')",
        "CREATE VIEW recent_items AS SELECT id, title FROM media_items WHERE id > 2900",
        "CREATE FUNCTION item_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM media_items'",
        "CREATE SCHEMA extras",
        "CREATE TABLE extras.notes (id int)",
    )

    await backup_service.restore(backup.name, label="alice")

    connection = await asyncpg.connect(aphrodite_db.dsn)
    try:
        leftovers = await connection.fetchrow(
            "SELECT to_regclass('public.added_after_backup') AS added_table, "
            "to_regclass('public.recent_items') AS added_view, to_regtype('public.mood') AS added_type, "
            "to_regprocedure('public.item_count()') AS added_function, "
            "to_regnamespace('extras') AS added_schema"
        )
    finally:
        await connection.close()
    assert dict(leftovers) == dict.fromkeys(leftovers.keys())


async def test_sql_standard_routine_bodies_survive_a_restore(backup_service, aphrodite_db):
    await execute(
        aphrodite_db.dsn,
        "CREATE FUNCTION item_grade(i int) RETURNS text LANGUAGE sql "
        "BEGIN ATOMIC SELECT CASE WHEN i > 1500 THEN 'late' ELSE 'early' END; END",
        "CREATE PROCEDURE tidy_jobs() LANGUAGE sql BEGIN ATOMIC DELETE FROM processing_jobs WHERE false; END",
    )
    original = await fingerprint(aphrodite_db.dsn)
    backup = await backup_service.create(label="alice")
    await mutate(aphrodite_db.dsn)

    await backup_service.restore(backup.name, label="alice")

    assert await fingerprint(aphrodite_db.dsn) == original
    connection = await asyncpg.connect(aphrodite_db.dsn)
    try:
        assert await connection.fetchval("SELECT item_grade(2000)") == "late"
        await connection.execute("CALL tidy_jobs()")
    finally:
        await connection.close()


async def test_large_objects_come_back_through_pg_dumps_own_begin_and_commit(backup_service, aphrodite_db):
    connection = await asyncpg.connect(aphrodite_db.dsn)
    try:
        oid = await connection.fetchval(
            "SELECT lo_from_bytea(0, convert_to(repeat('poster ', 50000), 'UTF8'))"
        )
        backup = await backup_service.create(label="alice")
        await connection.execute(f"SELECT lo_unlink({oid})")

        await backup_service.restore(backup.name, label="alice")

        restored = await connection.fetchval(f"SELECT convert_from(lo_get({oid}), 'UTF8')")
        assert restored == "poster " * 50000
    finally:
        await connection.close()
