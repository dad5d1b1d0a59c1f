"""A drill restores a backup into a scratch database, compares, checks, and always drops the copy."""

from __future__ import annotations

import gzip
import json

import asyncpg

from bot.config import Secret
from bot.drills.compare import NOT_RECORDED, recorded_counts
from bot.drills.runner import DrillSource, drill_file
from bot.drills.scratch import ScratchServer
from bot.drills.service import DrillService
from tests.drills.conftest import scratch_databases, superuser

FINGERPRINT = """
SELECT (SELECT md5(string_agg(m::text, ',' ORDER BY id)) FROM media_items m),
       (SELECT md5(string_agg(s::text, ',' ORDER BY id)) FROM schedules s),
       (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace)
"""


async def _fingerprint(dsn: str) -> tuple:
    connection = await asyncpg.connect(dsn)
    try:
        return tuple(await connection.fetchrow(FINGERPRINT))
    finally:
        await connection.close()


def _sidecar(backup) -> dict:
    return json.loads(backup.path.with_name(backup.name + ".json").read_text())


async def test_a_good_drill_passes_keeps_its_result_and_leaves_no_scratch_database(
    backups, drills, aphrodite_db, passed
):
    made = await backups.create(label="alice")

    result = await drills.drill(None, label="alice")

    assert result.ok and result.compared and result.name == made.name
    counts = {table.table: (table.expected, table.restored) for table in result.tables}
    assert counts["public.media_items"] == (3000, 3000)
    assert result.rows == sum(_sidecar(made)["row_counts"].values())
    assert result.scratch_database.startswith("aphrodite_drill_")
    assert await scratch_databases(aphrodite_db) == set()
    kept = _sidecar(made)["drill"]
    assert kept["ok"] is True and kept["tables"] == len(result.tables) and kept["rows"] == result.rows
    assert kept["duration_seconds"] <= kept["total_seconds"]
    assert passed == [result.started_at]


async def test_the_live_database_is_untouched_by_a_drill(backups, drills, aphrodite_db):
    await backups.create(label="alice")
    async with backups.database.connection() as connection:
        # Written after the backup: a restore would take it away, a drill must not.
        await connection.execute(
            "INSERT INTO schedules (name, cron_expression) VALUES ('After', '0 1 * * *')"
        )
    before = await _fingerprint(aphrodite_db.dsn)

    result = await drills.drill(None, label="alice")

    assert result.ok
    assert await _fingerprint(aphrodite_db.dsn) == before


async def test_counts_recorded_for_another_dump_fail_the_drill_naming_the_table(
    backups, server, aphrodite_db
):
    first = await backups.create(label="alice")
    async with backups.database.connection() as connection:
        await connection.execute(
            "INSERT INTO schedules (name, cron_expression) "
            "SELECT 'extra', '* * * * *' FROM generate_series(1, 5)"
        )
    second = await backups.create(label="alice")
    # The second dump, judged by the counts the first one's sidecar recorded.
    vetted = await backups.find(second.name)
    counts = recorded_counts(_sidecar(first))
    source = DrillSource(second.name, second.path, second.sha256, counts, vetted.identity, made_here=True)

    result = await drill_file(source, server, backups.database.redactor)

    assert not result.ok
    assert "table public.schedules: 2 rows at dump time, 7 restored" in result.findings
    assert await scratch_databases(aphrodite_db) == set()


async def test_a_backup_without_row_counts_is_restored_and_says_they_were_not_recorded(
    backups, drills, aphrodite_db
):
    made = await backups.create(label="alice")
    aphrodites = made.path.with_name("aphrodite_backup_20200101_000000.sql")
    aphrodites.write_bytes(gzip.decompress(made.path.read_bytes()))  # Aphrodite's own: no sidecar

    result = await drills.drill(aphrodites.name, label="alice")

    assert result.ok and not result.compared
    assert NOT_RECORDED in result.findings
    assert dict((t.table, t.restored) for t in result.tables)["public.media_items"] == 3000
    assert not aphrodites.with_name(aphrodites.name + ".json").exists()


async def test_a_damaged_backup_fails_the_drill_before_any_database_is_made(backups, drills, aphrodite_db):
    made = await backups.create(label="alice")
    data = made.path.read_bytes()
    made.path.write_bytes(data[: len(data) // 2])

    result = await drills.drill(made.name, label="alice")

    assert not result.ok and result.scratch_database is None
    assert _sidecar(made)["drill"]["ok"] is False
    assert await scratch_databases(aphrodite_db) == set()


async def test_an_extension_the_drill_role_may_not_create_fails_the_drill_with_the_way_out(
    backups, drills, aphrodite_db
):
    await superuser(aphrodite_db, "CREATE EXTENSION amcheck", database=aphrodite_db.name)
    await backups.create(label="alice")

    result = await drills.drill(None, label="alice")

    assert not result.ok
    assert "CREATE EXTENSION for it in template1" in result.findings[0]
    assert await scratch_databases(aphrodite_db) == set()


async def test_a_superuser_drills_no_file_of_unknown_origin(backups, state, aphrodite_db):
    made = await backups.create(label="alice")
    planted = made.path.with_name("aphrodite_backup_20200101_000000.sql")
    planted.write_bytes(gzip.decompress(made.path.read_bytes()))  # no sealed sidecar: unknown origin
    as_superuser = ScratchServer(Secret(aphrodite_db.superuser_dsn), redactor=backups.database.redactor)
    drills = DrillService(backups, as_superuser, state, redactor=backups.database.redactor)

    result = await drills.drill(planted.name, label="alice")

    assert not result.ok and "is a superuser" in result.findings[0]
    assert result.scratch_database is None and await scratch_databases(aphrodite_db) == set()
    assert (await drills.drill(made.name, label="alice")).ok  # its own backup, sealed: drilled
