"""`/db status`: the figures are PostgreSQL's own, and a down database is a result, never a crash."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest

from bot.cli.database import run_status
from bot.config import Secret, Settings
from bot.database.connection import Database
from bot.database.health import DatabaseStatus, collect_status
from bot.database.integrity.report import LAST_INTEGRITY_KEY, run_integrity
from bot.redact import Redactor
from bot.runtime import Runtime
from bot.status import Status
from tests.backups.fixtures import DUMP_HEAD
from tests.support.postgres_cluster import APP_PASSWORD

WRONG_PASSWORD = "Wrong-Pass-8841"


async def sql_value(dsn: str, query: str):
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval(query)
    finally:
        await connection.close()


def every_text(status: DatabaseStatus) -> str:
    """repr of the whole result plus str of each field: where a leaked password would show."""
    return repr(status) + "".join(str(getattr(status, name)) for name in status.__dataclass_fields__)


async def test_figures_are_what_postgresql_reports(aphrodite_db, app_database, state, tmp_path):
    size_before = await sql_value(aphrodite_db.dsn, "SELECT pg_database_size(current_database())")

    status = await collect_status(app_database, Settings(backup_dir=tmp_path), state)

    server = status.server
    assert status.status is Status.OK and status.connection_label == "Active"
    assert status.masked_dsn == aphrodite_db.dsn.replace(APP_PASSWORD, "***")
    size_after = await sql_value(aphrodite_db.dsn, "SELECT pg_database_size(current_database())")
    assert server.size_bytes in (size_before, size_after)
    assert server.size_pretty == await sql_value(
        aphrodite_db.dsn, f"SELECT pg_size_pretty({server.size_bytes}::bigint)"
    )
    assert (
        server.table_count
        == 11
        == await sql_value(aphrodite_db.dsn, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    )
    assert (server.schema_version, server.schema_version_source) == ("a1b2c3d4e5f6", "alembic")
    assert server.max_connections == 60
    assert (
        server.connections
        == await sql_value(aphrodite_db.dsn, "SELECT sum(numbackends) FROM pg_stat_database") - 1
    )
    assert server.server_version == await sql_value(aphrodite_db.dsn, "SHOW server_version")
    assert server.uptime.total_seconds() > 0
    expected_top = await sql_value(
        aphrodite_db.dsn,
        "SELECT array_agg(relname || ':' || size ORDER BY size DESC) FROM ("
        " SELECT relname, pg_total_relation_size(oid) AS size FROM pg_class"
        " WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY size DESC LIMIT 5) AS top",
    )
    assert [f"{table.name}:{table.total_bytes}" for table in server.largest_tables] == expected_top
    assert server.largest_tables[0].name == "media_items"
    assert server.largest_tables[0].row_estimate == 3000


async def test_schema_version_is_the_table_count_without_alembic(
    aphrodite_db, app_database, app_sql, state, tmp_path
):
    await app_sql("DROP TABLE alembic_version")

    status = await collect_status(app_database, Settings(backup_dir=tmp_path), state)

    assert (status.server.schema_version, status.server.schema_version_source) == ("10", "table count")


async def test_backups_are_counted_in_backup_dir(app_database, state, tmp_path):
    backup_dir = tmp_path / "backups"
    backup_dir.mkdir()
    for name in (
        "aphrodite_backup_20250101_120000.sql.gz",
        "aphrodite_backup_20250306_081500.sql",
        "aphrodite_v2_backup_20241231_235959.sql",
        "notes.txt",
    ):
        (backup_dir / name).write_text(DUMP_HEAD)
    newest = backup_dir / "aphrodite_backup_20250101_120000.sql.gz"
    os.utime(newest, (1_900_000_000, 1_900_000_000))

    status = await collect_status(app_database, Settings(backup_dir=backup_dir), state)

    backups = status.backups
    assert (backups.count, backups.total_bytes, backups.directory) == (3, 3 * len(DUMP_HEAD), backup_dir)
    # The newest is the file written last, whatever date its name claims.
    assert backups.newest_name == newest.name
    assert backups.newest_at == datetime.fromtimestamp(1_900_000_000, UTC)


async def test_missing_backup_dir_counts_no_backups(app_database, state, tmp_path):
    status = await collect_status(app_database, Settings(backup_dir=tmp_path / "absent"), state)

    assert (status.backups.count, status.backups.newest_name, status.backups.error) == (0, None, None)


async def test_last_integrity_result_is_shown_for_this_database_only(app_database, state, tmp_path):
    report = await run_integrity(app_database, state)

    status = await collect_status(app_database, Settings(backup_dir=tmp_path), state)
    other = Database(
        Secret(app_database.dsn.reveal().replace("/aphrodite_t", "/other_t")), redactor=Redactor()
    )
    elsewhere = await collect_status(other, Settings(backup_dir=tmp_path), state)

    last = status.last_integrity
    assert (last.checked_at, last.overall, last.summary) == (
        report.checked_at,
        report.overall,
        report.summary,
    )
    assert elsewhere.last_integrity is None


async def test_unreadable_integrity_record_is_ignored(app_database, state, tmp_path):
    await state.put(LAST_INTEGRITY_KEY, {"database": "127.0.0.1:1/x", "overall": "nonsense"})

    status = await collect_status(app_database, Settings(backup_dir=tmp_path), state)

    assert status.last_integrity is None and status.status is Status.OK


async def test_stopped_server_is_unreachable_refused_and_the_same_database_recovers(
    pg_cluster, app_database, state, tmp_path
):
    settings = Settings(backup_dir=tmp_path)
    assert (await collect_status(app_database, settings, state)).connected
    await asyncio.to_thread(pg_cluster.stop)
    try:
        down = await collect_status(app_database, settings, state)
    finally:
        await asyncio.to_thread(pg_cluster.start)

    back = await collect_status(app_database, settings, state)

    assert (down.status, down.connection_label, down.server) == (Status.FAILED, "Unreachable", None)
    assert "connection refused" in down.reason
    assert down.backups.directory == tmp_path
    assert back.status is Status.OK and back.connected


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """A TCP port that accepts connections and never answers, like a hung server."""
    server = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()


async def test_silent_server_is_unreachable_with_a_timeout(silent_server, state, tmp_path):
    database = Database(
        Secret(f"postgresql://aphrodite:Pw-Silent-1@127.0.0.1:{silent_server}/aphrodite"),
        timeout=0.5,
        redactor=Redactor(),
    )

    status = await collect_status(database, Settings(backup_dir=tmp_path), state)

    assert status.status is Status.FAILED
    assert "timeout" in status.reason


async def test_wrong_password_says_authentication_failed_and_never_shows_it(
    aphrodite_db, state, tmp_path, parse_cli, capsys, caplog
):
    caplog.set_level(logging.DEBUG)
    dsn = aphrodite_db.dsn.replace(APP_PASSWORD, WRONG_PASSWORD)
    database = Database(Secret(dsn), timeout=5, redactor=Redactor())

    status = await collect_status(database, Settings(backup_dir=tmp_path), state)
    await database.close()
    settings = Settings(database_url=Secret(dsn), backup_dir=tmp_path, data_dir=tmp_path)
    async with Runtime.open(settings) as runtime:
        text_code = await run_status(parse_cli("db", "status"), runtime)
        json_code = await run_status(parse_cli("db", "status", "--json"), runtime)

    assert status.status is Status.FAILED
    assert "authentication failed for user 'aphrodite'" in status.reason
    output = capsys.readouterr()
    assert (text_code, json_code) == (2, 2)
    assert "Unreachable" in output.out and "authentication failed" in output.out
    for text in (every_text(status), output.out, output.err, caplog.text):
        assert WRONG_PASSWORD not in text and APP_PASSWORD not in text


async def test_missing_database_says_it_does_not_exist(pg_cluster, state, tmp_path):
    database = Database(Secret(pg_cluster.dsn("no_such_database")), timeout=5, redactor=Redactor())
    try:
        status = await collect_status(database, Settings(backup_dir=tmp_path), state)
    finally:
        await database.close()

    assert status.status is Status.FAILED
    assert "database 'no_such_database' does not exist" in status.reason
    assert APP_PASSWORD not in every_text(status)


async def test_without_database_url_the_status_is_not_configured(state, tmp_path, parse_cli, capsys):
    async with Runtime.open(Settings(backup_dir=tmp_path, data_dir=tmp_path)) as runtime:
        status = await collect_status(runtime.database, runtime.settings, runtime.state)
        code = await run_status(parse_cli("db", "status", "--json"), runtime)

    assert (status.status, status.connection_label, status.reason) == (
        Status.NOT_CONFIGURED,
        "Not configured",
        "DATABASE_URL is not set",
    )
    assert code == 3
    assert json.loads(capsys.readouterr().out)["connection"] == "Not configured"


async def test_cli_status_prints_the_figures_and_exits_0(aphrodite_db, tmp_path, parse_cli, capsys):
    settings = Settings(database_url=Secret(aphrodite_db.dsn), backup_dir=tmp_path, data_dir=tmp_path)
    async with Runtime.open(settings) as runtime:
        text_code = await run_status(parse_cli("db", "status"), runtime)
        json_code = await run_status(parse_cli("db", "status", "--json"), runtime)

    assert (text_code, json_code) == (0, 0)
    text, as_json = capsys.readouterr().out.split("\n{", 1)
    assert "Database: Active (OK)" in text and "a1b2c3d4e5f6 (alembic)" in text
    assert "never checked" in text
    document = json.loads("{" + as_json)
    assert document["connection"] == "Active" and document["status"] == "ok"
    assert document["server"]["schema_version"] == "a1b2c3d4e5f6"
    assert document["server"]["largest_tables"][0]["name"] == "media_items"
    assert APP_PASSWORD not in text + as_json


async def test_a_failing_status_query_is_a_connected_failure_with_the_reason(
    app_database, superuser_sql, state, tmp_path
):
    await superuser_sql("REVOKE EXECUTE ON FUNCTION pg_postmaster_start_time() FROM PUBLIC")

    status = await collect_status(app_database, Settings(backup_dir=tmp_path), state)

    assert (status.status, status.connected, status.connection_label) == (Status.FAILED, True, "Active")
    assert status.reason == (
        "connected, but the status query failed: permission denied for function pg_postmaster_start_time"
    )


async def test_a_backup_named_in_the_future_is_dated_by_its_file(aphrodite_db, tmp_path, parse_cli, capsys):
    planted = tmp_path / "aphrodite_backup_20990101_000000.sql"
    planted.write_text(DUMP_HEAD)
    an_hour_ago = datetime.now(UTC).timestamp() - 3600
    os.utime(planted, (an_hour_ago, an_hour_ago))
    settings = Settings(database_url=Secret(aphrodite_db.dsn), backup_dir=tmp_path, data_dir=tmp_path)
    async with Runtime.open(settings) as runtime:
        assert await run_status(parse_cli("db", "status"), runtime) == 0

    (backups,) = [line for line in capsys.readouterr().out.splitlines() if "Backups" in line]
    assert backups.endswith(f"newest {planted.name} (1 h ago)")
