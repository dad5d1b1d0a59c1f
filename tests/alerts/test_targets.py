"""The database and backups targets, against a real PostgreSQL and a real backup folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.alerts.targets import BackupsTarget, DatabaseTarget, record_scheduled_backup
from bot.backups.service import BackupService
from bot.backups.sidecar_seal import KEY_FILE_NAME, SidecarSeal
from bot.config import Secret, Settings
from bot.database.connection import Database
from bot.redact import Redactor
from bot.state import StateStore
from bot.status import Status
from tests.backups.fixtures import DUMP_HEAD
from tests.conftest import AphroditeDatabase
from tests.fakes.services import closed_port
from tests.support.postgres_cluster import APP_PASSWORD

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


async def test_a_reachable_database_is_ok_with_its_latency(aphrodite_db: AphroditeDatabase) -> None:
    database = Database(Secret(aphrodite_db.dsn), redactor=Redactor())
    try:
        [result] = await DatabaseTarget(database)(NOW)
    finally:
        await database.close()
    assert result.status is Status.OK and result.latency_ms is not None
    assert APP_PASSWORD not in result.detail


async def test_an_unreachable_database_fails_in_words_without_the_password() -> None:
    dsn = f"postgresql://aphrodite:{APP_PASSWORD}@127.0.0.1:{closed_port()}/aphrodite"
    database = Database(Secret(dsn), timeout=2, redactor=Redactor())
    try:
        [result] = await DatabaseTarget(database)(NOW)
    finally:
        await database.close()
    assert result.status is Status.FAILED
    assert "refused" in result.detail and APP_PASSWORD not in result.detail


async def test_no_database_url_is_not_configured() -> None:
    [result] = await DatabaseTarget(Database(None, redactor=Redactor()))(NOW)
    assert result.status is Status.NOT_CONFIGURED


def backups_target(
    tmp_path: Path, state: StateStore, *, hours: float = 0, free: int = 10**12
) -> BackupsTarget:
    folder = tmp_path / "backups"
    folder.mkdir(exist_ok=True)
    seal = SidecarSeal(tmp_path / "data" / KEY_FILE_NAME, folder)
    service = BackupService(Database(None, redactor=Redactor()), folder, redactor=Redactor(), seal=seal)
    return BackupsTarget(Settings(backup_schedule_hours=hours), service, state, free_space=lambda _: free)


def aphrodite_backup(tmp_path: Path, at: datetime, size: int = 1000) -> None:
    name = f"aphrodite_backup_{at:%Y%m%d_%H%M%S}.sql"
    head = DUMP_HEAD.encode()
    (tmp_path / "backups" / name).write_bytes(head + b"-" * (size - len(head)))


async def test_a_failed_scheduled_backup_fails_until_one_works(tmp_path: Path, state: StateStore) -> None:
    target = backups_target(tmp_path, state)
    await record_scheduled_backup(state, NOW, "pg_dump: connection refused; nothing was kept")
    [failed] = await target(NOW)
    assert failed.status is Status.FAILED and "Scheduled backup failed: pg_dump" in failed.detail
    await record_scheduled_backup(state, NOW, None)
    [fine] = await target(NOW)
    assert fine.status is Status.OK


async def test_a_good_backup_made_after_a_failed_scheduled_one_settles_it(
    tmp_path: Path, state: StateStore
) -> None:
    target = backups_target(tmp_path, state)
    await record_scheduled_backup(state, NOW - timedelta(hours=1), "pg_dump: disk full")
    aphrodite_backup(tmp_path, NOW - timedelta(hours=2))
    [still] = await target(NOW)
    assert still.status is Status.FAILED
    aphrodite_backup(tmp_path, NOW - timedelta(minutes=5))
    [settled] = await target(NOW)
    assert settled.status is Status.OK


async def test_no_good_backup_for_twice_the_schedule_fails(tmp_path: Path, state: StateStore) -> None:
    target = backups_target(tmp_path, state, hours=6)
    [none_yet] = await target(NOW)
    assert none_yet.status is Status.FAILED and "ever" in none_yet.detail
    aphrodite_backup(tmp_path, NOW - timedelta(hours=13))
    [stale] = await target(NOW)
    assert stale.status is Status.FAILED and "13 h" in stale.detail
    aphrodite_backup(tmp_path, NOW - timedelta(hours=7))
    [recent] = await target(NOW)
    assert recent.status is Status.OK


async def test_free_space_below_twice_the_last_backup_is_degraded(tmp_path: Path, state: StateStore) -> None:
    target = backups_target(tmp_path, state, free=1500)
    aphrodite_backup(tmp_path, NOW - timedelta(hours=1), size=1000)
    [result] = await target(NOW)
    assert result.status is Status.DEGRADED and "free" in result.detail
