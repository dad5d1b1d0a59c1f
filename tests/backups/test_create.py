"""Creating backups: complete and verified, or nothing at all."""

# The fixtures imported from backup_fixtures are requested as parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import time

import pytest

from bot.backups.compression import Compression
from bot.backups.dump import BackupFailed
from bot.backups.dump_file import COMPLETION_MARKER
from bot.backups.inventory import BACKUP_NAME, KIND_MANUAL
from bot.backups.pg_tools import ClientToolMissing, ClientTooOld, PgTools
from bot.backups.progress import BackupProgress
from bot.backups.results import BackupResult
from tests.backups.fixtures import (  # noqa: F401 - fixtures
    APP_PASSWORD,
    backup_dir,
    backup_service,
    database,
    execute,
    files_in,
    make_service,
    wrapper_tools,
)


async def test_compressed_backup_is_complete_verified_and_listed(backup_service, backup_dir):
    result = await backup_service.create(label="alice")

    assert BACKUP_NAME.match(result.name) and result.name.endswith(".sql.gz")
    assert result.compressed and result.kind == KIND_MANUAL and result.label == "alice"
    sql = gzip.decompress(result.path.read_bytes())
    assert COMPLETION_MARKER in sql[-300:]
    assert b"COPY public.media_items" in sql
    assert result.size == result.path.stat().st_size and result.sql_bytes == len(sql)
    assert result.server_version.startswith("15.")
    assert files_in(backup_dir) == {result.name, result.name + ".json"}
    manifest = json.loads((backup_dir / f"{result.name}.json").read_text())
    assert manifest["sha256"] == result.sha256 and manifest["size"] == result.size
    assert manifest["verified"] is True and manifest["kind"] == "manual"
    [listed] = await backup_service.list()
    assert listed.name == result.name and listed.verified and not listed.made_by_aphrodite


async def test_uncompressed_backup_is_plain_sql(backup_service):
    result = await backup_service.create(label="alice", compression=Compression.NONE)

    assert result.name.endswith(".sql") and not result.compressed
    assert result.path.read_bytes().startswith(b"--\n-- PostgreSQL database dump")
    assert COMPLETION_MARKER in result.path.read_bytes()[-300:]


async def test_plain_backup_sidecar_holds_the_sha256_of_the_bytes_on_disk(backup_service, backup_dir):
    result = await backup_service.create(label="alice", compression=Compression.NONE)

    data = result.path.read_bytes()
    manifest = json.loads((backup_dir / f"{result.name}.json").read_text())
    assert manifest["sha256"] == result.sha256 == hashlib.sha256(data).hexdigest()
    assert manifest["size"] == result.size == result.sql_bytes == len(data)
    assert result.server_version.startswith("15.")
    assert files_in(backup_dir) == {result.name, result.name + ".json"}


async def test_plain_backup_of_a_dump_written_in_bursts_holds_all_of_it(database, backup_dir, tmp_path):
    # pg_dump's output stalls twice, so the file stops growing for a while before its end.
    script = '"$REAL_PG_DUMP" "$@" | { head -c 3000; sleep 0.3; head -c 50000; sleep 0.3; cat; }'
    service = make_service(database, backup_dir, tools=wrapper_tools(tmp_path, script))

    result = await service.create(label="alice", compression=Compression.NONE)

    data = result.path.read_bytes()
    assert result.sha256 == hashlib.sha256(data).hexdigest() and result.size == len(data)
    assert data.startswith(b"--\n-- PostgreSQL database dump") and COMPLETION_MARKER in data[-300:]
    assert b"COPY public.media_items" in data


async def test_a_full_disk_under_a_plain_backup_says_so_and_leaves_no_file(database, backup_dir, tmp_path):
    script = (
        '"$REAL_PG_DUMP" "$@" | head -c 20000\n'
        'echo "pg_dump: error: could not write to output file: No space left on device" >&2\nexit 1'
    )
    service = make_service(database, backup_dir, tools=wrapper_tools(tmp_path, script))

    with pytest.raises(BackupFailed) as failure:
        await service.create(label="alice", compression=Compression.NONE)

    assert f"The disk holding {backup_dir} filled up" in str(failure.value)
    assert "nothing was kept" in str(failure.value)
    assert files_in(backup_dir) == set()


async def test_our_dumps_drop_objects_not_the_database(backup_service):
    result = await backup_service.create(label="alice", compression=Compression.NONE)

    sql = result.path.read_text()
    assert "DROP TABLE IF EXISTS public.media_items;" in sql
    assert "CREATE DATABASE" not in sql and "\\connect" not in sql


async def test_progress_is_reported_while_the_dump_runs(backup_service):
    reports: list[BackupProgress] = []

    async def record(progress: BackupProgress) -> None:
        reports.append(progress)

    result = await backup_service.create(label="alice", progress=record)

    assert reports and {report.operation for report in reports} == {"backup"}
    assert "dumping" in {report.phase for report in reports}
    assert all(report.bytes_done <= result.size for report in reports)
    assert [r.elapsed_seconds for r in reports] == sorted(r.elapsed_seconds for r in reports)


async def test_a_failing_progress_callback_does_not_stop_the_backup(backup_service):
    async def broken(progress: BackupProgress) -> None:
        raise RuntimeError("discord is down")

    result = await backup_service.create(label="alice", progress=broken)

    assert result.path.exists()


@pytest.mark.parametrize("compression", [Compression.GZIP, Compression.NONE])
async def test_pg_dump_killed_midway_leaves_no_file(database, backup_dir, tmp_path, compression):
    tools = wrapper_tools(tmp_path, '"$REAL_PG_DUMP" "$@" | head -c 20000\nkill -9 $$')
    service = make_service(database, backup_dir, tools=tools)

    with pytest.raises(BackupFailed) as failure:
        await service.create(label="alice", compression=compression)

    assert "pg_dump was killed by SIGKILL" in str(failure.value)
    assert "nothing was kept" in str(failure.value)
    assert files_in(backup_dir) == set()


async def wait_for_written_bytes(folder) -> None:
    """Until pg_dump's first bytes reached the temporary file."""
    for _ in range(3000):
        if any(path.stat().st_size for path in folder.glob(".*.partial")):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("pg_dump's output never reached the temporary file")


async def test_a_backup_cancelled_while_pg_dump_writes_leaves_no_file(database, backup_dir, tmp_path):
    script = "printf -- '--\\n-- PostgreSQL database dump\\n--\\n'\nhead -c 100000 /dev/zero\nexec sleep 60"
    service = make_service(database, backup_dir, tools=wrapper_tools(tmp_path, script))
    task = asyncio.create_task(service.create(label="alice", compression=Compression.NONE))
    await wait_for_written_bytes(backup_dir)

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert files_in(backup_dir) == set()
    assert service.running is None


@pytest.mark.parametrize("compression", [Compression.GZIP, Compression.NONE])
async def test_pg_dump_that_exits_cleanly_without_the_marker_leaves_no_file(
    database, backup_dir, tmp_path, compression
):
    tools = wrapper_tools(tmp_path, '"$REAL_PG_DUMP" "$@" | head -n 200\nexit 0')
    service = make_service(database, backup_dir, tools=tools)

    with pytest.raises(BackupFailed, match="completion marker"):
        await service.create(label="alice", compression=compression)

    assert files_in(backup_dir) == set()


async def test_pg_dump_error_is_reported_without_the_password(database, backup_dir, tmp_path):
    script = (
        f'echo "pg_dump: error: connection failed: postgresql://aphrodite:{APP_PASSWORD}@db/x '
        f'password={APP_PASSWORD}" >&2\nexit 1'
    )
    service = make_service(database, backup_dir, tools=wrapper_tools(tmp_path, script))

    with pytest.raises(BackupFailed) as failure:
        await service.create(label="alice")

    message = str(failure.value)
    assert "pg_dump exited with status 1" in message and "connection failed" in message
    assert APP_PASSWORD not in message
    assert files_in(backup_dir) == set()


async def test_password_reaches_pg_dump_through_the_environment_only(database, backup_dir, tmp_path):
    seen = tmp_path / "seen"
    script = f'echo "$*" > {seen}.args\necho "$PGPASSWORD" > {seen}.env\nexec "$REAL_PG_DUMP" "$@"'
    service = make_service(database, backup_dir, tools=wrapper_tools(tmp_path, script))

    await service.create(label="alice")

    assert APP_PASSWORD not in (tmp_path / "seen.args").read_text()
    assert (tmp_path / "seen.env").read_text().strip() == APP_PASSWORD


async def test_older_pg_dump_than_the_server_says_what_to_install(database, backup_dir, tmp_path):
    script = (
        'echo "pg_dump: error: aborting because of server version mismatch" >&2\n'
        'echo "pg_dump: detail: server version: 16.4; pg_dump version: 15.18" >&2\nexit 1'
    )
    service = make_service(database, backup_dir, tools=wrapper_tools(tmp_path, script))

    with pytest.raises(ClientTooOld) as failure:
        await service.create(label="alice")

    assert "server version mismatch" in str(failure.value)
    assert "postgresql-client-16" in str(failure.value)


async def test_missing_client_tools_name_the_package(database, backup_dir, tmp_path):
    service = make_service(database, backup_dir, tools=PgTools(search_path=str(tmp_path)))

    with pytest.raises(ClientToolMissing, match="postgresql-client-15"):
        await service.create(label="alice")

    assert files_in(backup_dir) == set()


async def test_two_backups_in_the_same_second_get_different_names(backup_service):
    first = await backup_service.create(label="alice")
    second = await backup_service.create(label="alice")

    assert first.name != second.name
    assert {backup.name for backup in await backup_service.list()} == {first.name, second.name}


async def add_activity_rows(dsn: str) -> None:
    """About 20 MB more SQL in a dump."""
    await execute(
        dsn,
        "INSERT INTO media_activities (media_item_id, activity_type, details) "
        "SELECT 1 + i % 3000, 'badge_applied', jsonb_build_object('n', i, 'pad', repeat(md5(i::text), 4)) "
        "FROM generate_series(1, 120000) AS i",
    )


async def backup_while_ticking(
    service, compression: Compression, progress=None
) -> tuple[BackupResult, list[float]]:
    """Make a backup while a task ticks every 10 ms; returns the backup and the gaps between ticks."""
    gaps: list[float] = []
    stop = asyncio.Event()

    async def tick() -> None:
        last = time.monotonic()
        while not stop.is_set():
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    result = await service.create(label="alice", compression=compression, progress=progress)
    stop.set()
    await ticker
    return result, gaps


async def test_event_loop_stays_responsive_during_a_backup(backup_service, aphrodite_db):
    await add_activity_rows(aphrodite_db.dsn)

    result, gaps = await backup_while_ticking(backup_service, Compression.GZIP)

    assert result.sql_bytes > 15_000_000
    assert len(gaps) > 20
    assert max(gaps) < 0.5


async def test_a_plain_backup_reports_progress_and_leaves_the_event_loop_responsive(
    database, backup_dir, aphrodite_db, tmp_path
):
    await add_activity_rows(aphrodite_db.dsn)
    # A plain dump is too quick to watch for long: this one stalls once, past the first flushes.
    script = '"$REAL_PG_DUMP" "$@" | { head -c 12000000; sleep 0.3; cat; }'
    service = make_service(database, backup_dir, tools=wrapper_tools(tmp_path, script))
    reports: list[BackupProgress] = []

    async def record(progress: BackupProgress) -> None:
        reports.append(progress)

    result, gaps = await backup_while_ticking(service, Compression.NONE, progress=record)

    assert result.sql_bytes > 15_000_000
    assert result.sha256 == hashlib.sha256(result.path.read_bytes()).hexdigest()
    assert len(gaps) > 20
    assert max(gaps) < 0.5
    assert any(report.phase == "dumping" and report.bytes_done >= 12_000_000 for report in reports)
    assert all(report.bytes_done <= result.size for report in reports)
