"""A restore that fails, whatever the reason, leaves the database exactly as it was."""

# The fixtures imported from backup_fixtures are requested as parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import gzip
import hashlib

import pytest

from bot.backups.progress import BackupProgress
from bot.backups.restore.errors import RestoreFailed
from bot.backups.restore.replay import RESTORE_APPLICATION_NAME, stream_restore
from bot.redact import Redactor
from tests.backups.fixtures import (  # noqa: F401 - fixtures
    backup_dir,
    backup_service,
    database,
    execute,
    files_in,
    fingerprint,
    make_service,
    mutate,
)

BAD_NAME = "aphrodite_backup_20240101_000000.sql.gz"


@pytest.fixture
async def our_backup(backup_service, aphrodite_db):
    """A good backup of the original data; the database is then changed."""
    backup = await backup_service.create(label="alice")
    await mutate(aphrodite_db.dsn)
    return backup


def cut_sql_at_statement_boundary(sql: bytes) -> bytes:
    """The dump up to just after its first COPY block: valid SQL, but not the whole dump."""
    end = sql.index(b"\n\\.\n") + 4
    return sql[:end]


async def assert_refused_untouched(service, aphrodite_db, backup_dir, name: str, expected: str) -> None:
    before = await fingerprint(aphrodite_db.dsn)
    files_before = files_in(backup_dir)

    with pytest.raises(RestoreFailed, match=expected) as failure:
        await service.restore(name, label="alice")

    assert "not touched" in str(failure.value)
    assert await fingerprint(aphrodite_db.dsn) == before
    assert files_in(backup_dir) == files_before  # not even a safety backup


async def test_truncated_gzip_is_refused_before_the_database_is_touched(
    backup_service, our_backup, aphrodite_db, backup_dir
):
    data = our_backup.path.read_bytes()
    (backup_dir / BAD_NAME).write_bytes(data[: len(data) // 2])

    await assert_refused_untouched(backup_service, aphrodite_db, backup_dir, BAD_NAME, "truncated")


async def test_corrupt_gzip_is_refused_before_the_database_is_touched(
    backup_service, our_backup, aphrodite_db, backup_dir
):
    data = bytearray(our_backup.path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    (backup_dir / BAD_NAME).write_bytes(bytes(data))

    await assert_refused_untouched(backup_service, aphrodite_db, backup_dir, BAD_NAME, "damaged")


async def test_complete_gzip_of_an_incomplete_dump_is_refused(
    backup_service, our_backup, aphrodite_db, backup_dir
):
    sql = gzip.decompress(our_backup.path.read_bytes())
    (backup_dir / BAD_NAME).write_bytes(gzip.compress(cut_sql_at_statement_boundary(sql)))

    await assert_refused_untouched(backup_service, aphrodite_db, backup_dir, BAD_NAME, "completion marker")


async def test_backup_changed_since_it_was_made_is_refused(
    backup_service, our_backup, aphrodite_db, backup_dir
):
    later = await backup_service.create(label="alice")
    our_backup.path.write_bytes(later.path.read_bytes())

    await assert_refused_untouched(backup_service, aphrodite_db, backup_dir, our_backup.name, "sha256")


async def test_error_midway_through_the_dump_rolls_everything_back(
    backup_service, our_backup, aphrodite_db, backup_dir
):
    sql = gzip.decompress(our_backup.path.read_bytes())
    cut = len(cut_sql_at_statement_boundary(sql))
    broken = sql[:cut] + b"CREATE INDEX broken ON public.media_items ((1 / (id - id)));\n" + sql[cut:]
    (backup_dir / BAD_NAME).write_bytes(gzip.compress(broken))
    before = await fingerprint(aphrodite_db.dsn)

    with pytest.raises(RestoreFailed) as failure:
        await backup_service.restore(BAD_NAME, label="alice")

    assert "division by zero" in str(failure.value) and "rolled back" in str(failure.value)
    assert await fingerprint(aphrodite_db.dsn) == before


async def stream(database, path, sha256: str) -> None:
    with await asyncio.to_thread(open, path, "rb") as file:
        await stream_restore(
            path,
            file,
            expected_sha256=sha256,
            made_here=True,
            budget_seconds=600,
            database=database,
            redactor=Redactor(),
            lock_timeout_seconds=5,
            progress=lambda file_bytes, sql_bytes: None,
        )


async def test_streaming_never_commits_a_truncated_gzip_even_unchecked(
    our_backup, database, aphrodite_db, tmp_path
):
    # The restore checks every file first; this proves the second line of defence on its own:
    # part of the dump already ran when the gzip stream broke off, and it was rolled back.
    data = our_backup.path.read_bytes()
    truncated = tmp_path / "truncated.sql.gz"
    truncated.write_bytes(data[: int(len(data) * 0.9)])
    before = await fingerprint(aphrodite_db.dsn)

    with pytest.raises(RestoreFailed, match="truncated"):
        await stream(database, truncated, sha256="")

    assert await fingerprint(aphrodite_db.dsn) == before


async def test_streaming_never_commits_sql_without_the_completion_marker(
    our_backup, database, aphrodite_db, tmp_path
):
    sql = gzip.decompress(our_backup.path.read_bytes())
    partial = tmp_path / "partial.sql"
    partial.write_bytes(cut_sql_at_statement_boundary(sql))
    before = await fingerprint(aphrodite_db.dsn)

    with pytest.raises(RestoreFailed, match="completion marker"):
        await stream(database, partial, sha256=hashlib.sha256(partial.read_bytes()).hexdigest())

    assert await fingerprint(aphrodite_db.dsn) == before


async def grow_media_activities(dsn: str) -> None:
    """Enough rows that a restore takes a moment, long enough to interrupt it."""
    await execute(
        dsn,
        "INSERT INTO media_activities (media_item_id, activity_type, details) "
        "SELECT 1 + i % 3000, 'badge_applied', jsonb_build_object('n', i, 'pad', repeat(md5(i::text), 8)) "
        "FROM generate_series(1, 40000) AS i",
    )


async def test_restore_whose_session_is_killed_says_the_server_confirmed_the_rollback(
    database, backup_dir, aphrodite_db
):
    await grow_media_activities(aphrodite_db.dsn)
    service = make_service(database, backup_dir)
    backup = await service.create(label="alice")
    await mutate(aphrodite_db.dsn)
    before = await fingerprint(aphrodite_db.dsn)
    killed = asyncio.Event()

    async def kill_the_restore_session(progress: BackupProgress) -> None:
        if progress.phase == "restoring" and progress.bytes_done > 0 and not killed.is_set():
            killed.set()
            await execute(
                aphrodite_db.superuser_dsn,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE application_name = '{RESTORE_APPLICATION_NAME}'",
            )

    with pytest.raises(RestoreFailed, match="Nothing was changed: the restore was rolled back"):
        await service.restore(backup.name, label="alice", progress=kill_the_restore_session)

    assert killed.is_set()
    assert await fingerprint(aphrodite_db.dsn) == before


async def test_cancelled_restore_leaves_the_database_unchanged(database, backup_dir, aphrodite_db):
    await grow_media_activities(aphrodite_db.dsn)
    service = make_service(database, backup_dir)
    backup = await service.create(label="alice")
    await mutate(aphrodite_db.dsn)
    before = await fingerprint(aphrodite_db.dsn)
    restoring = asyncio.Event()

    async def watch(progress: BackupProgress) -> None:
        if progress.phase == "restoring" and progress.bytes_done > 0:
            restoring.set()

    task = asyncio.create_task(service.restore(backup.name, label="alice", progress=watch))
    await asyncio.wait_for(restoring.wait(), timeout=30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert await fingerprint(aphrodite_db.dsn) == before
    assert service.running is None
