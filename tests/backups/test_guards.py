"""One operation at a time, names that are never paths, and no backup onto a full disk."""

# The fixtures imported from backup_fixtures are requested as parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import os

import pytest

from bot.backups.dump import InsufficientSpace
from bot.backups.inventory import BackupNotFound
from bot.backups.lock import LOCK_FILE_NAME, BackupBusy
from bot.backups.restore.errors import RestoreFailed
from tests.backups.fixtures import (  # noqa: F401 - fixtures
    backup_dir,
    backup_service,
    database,
    files_in,
    fingerprint,
    make_service,
    wrapper_tools,
)

SLOW_PG_DUMP = 'sleep 0.6\nexec "$REAL_PG_DUMP" "$@"'


async def wait_until_locked(backup_dir) -> None:
    """Until the running operation holds the lock file (it writes who it is into it)."""
    lock_file = backup_dir / LOCK_FILE_NAME
    for _ in range(200):
        if lock_file.exists() and lock_file.read_text():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the backup never took the lock")


@pytest.fixture
async def slow_backup(database, backup_dir, tmp_path):
    """A finished backup, then a service whose next backup is running (its pg_dump starts slowly)."""
    existing = await make_service(database, backup_dir).create(label="alice")
    service = make_service(database, backup_dir, tools=wrapper_tools(tmp_path, SLOW_PG_DUMP))
    task = asyncio.create_task(service.create(label="alice on Discord"))
    await wait_until_locked(backup_dir)
    yield service, existing
    await task


async def test_second_request_is_refused_at_once_saying_what_runs(slow_backup):
    service, existing = slow_backup

    for attempt in (
        service.create(label="bob"),
        service.restore(existing.name, label="bob"),
        service.delete(existing.name, label="bob"),
    ):
        with pytest.raises(BackupBusy) as refused:
            await asyncio.wait_for(attempt, timeout=0.5)
        message = str(refused.value)
        assert message.startswith("A backup (compressed) started ")
        assert " ago by alice on Discord is running; try again when it has finished." in message

    assert service.running is not None and service.running.label == "alice on Discord"
    assert existing.path.exists()


async def test_another_process_running_a_backup_is_named_in_the_refusal(slow_backup, database, backup_dir):
    elsewhere = make_service(database, backup_dir)

    with pytest.raises(BackupBusy) as refused:
        await asyncio.wait_for(elsewhere.create(label="bob"), timeout=0.5)

    message = str(refused.value)
    assert "A backup (compressed) started" in message and "alice on Discord" in message
    assert f"(in process {os.getpid()})" in message
    assert elsewhere.running is None


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "aphrodite_backup_20250101_000000.sql.gz/../../../etc/passwd",
        "../aphrodite_backup_20250101_000000.sql.gz",
        "aphrodite_backup_20250101_000000.sql.gz.json",
        ".aphrodite-ops.lock",
        "aphrodite_backup_20990101_000000.sql.gz",
    ],
)
async def test_names_that_are_not_backups_are_refused_for_every_action(
    backup_service, backup_dir, aphrodite_db, name
):
    real = await backup_service.create(label="alice")
    outside = backup_dir.parent / "aphrodite_backup_20250101_000000.sql.gz"
    outside.write_bytes(real.path.read_bytes())
    before_files = files_in(backup_dir)
    before_data = await fingerprint(aphrodite_db.dsn)

    for action in (
        backup_service.find(name),
        backup_service.restore(name, label="mallory"),
        backup_service.delete(name, label="mallory"),
    ):
        with pytest.raises(BackupNotFound) as refused:
            await action
        assert refused.value.command_hint == "backup list"

    assert files_in(backup_dir) == before_files
    assert outside.exists()
    assert await fingerprint(aphrodite_db.dsn) == before_data


async def test_a_symlink_named_like_a_backup_is_not_a_backup(backup_service, backup_dir, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for Discord")
    name = "aphrodite_backup_20250101_000000.sql.gz"
    (backup_dir / name).symlink_to(secret)

    with pytest.raises(BackupNotFound):
        await backup_service.find(name)
    with pytest.raises(BackupNotFound):
        await backup_service.delete(name, label="mallory")
    assert secret.exists()


async def test_delete_removes_the_backup_and_its_sidecar(backup_service, backup_dir):
    backup = await backup_service.create(label="alice")

    deleted = await backup_service.delete(backup.name, label="alice")

    assert deleted.name == backup.name and deleted.sidecar_removed and deleted.size == backup.size
    assert files_in(backup_dir) == set()


async def test_backup_refused_when_free_space_is_below_twice_the_last_backup(database, backup_dir):
    previous = await make_service(database, backup_dir).create(label="alice")
    almost_full = make_service(database, backup_dir, free_space=lambda folder: 2 * previous.size - 1)

    with pytest.raises(InsufficientSpace) as refused:
        await almost_full.create(label="alice")

    message = str(refused.value)
    assert "Not enough free disk space" in message and previous.name in message and "twice" in message
    assert files_in(backup_dir) == {previous.name, previous.name + ".json"}


async def test_restore_refused_when_the_safety_backup_cannot_fit(database, backup_dir, aphrodite_db):
    previous = await make_service(database, backup_dir).create(label="alice")
    full = make_service(database, backup_dir, free_space=lambda folder: 0)
    before = await fingerprint(aphrodite_db.dsn)

    with pytest.raises(RestoreFailed, match=r"safety backup failed.*Not enough free disk space"):
        await full.restore(previous.name, label="alice")

    assert await fingerprint(aphrodite_db.dsn) == before
