"""The bytes a restore replays are the bytes it checked: one descriptor, its sha256 before COMMIT.

The file is swapped once the check has read it (from the progress callback, mid-restore): renamed
over, replaced by a symlink, or rewritten in place.
"""

# The fixtures imported from backup_fixtures are requested as parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from bot.backups.compression import Compression
from bot.backups.progress import BackupProgress
from bot.backups.restore.errors import RestoreFailed
from tests.backups.fixtures import (  # noqa: F401 - fixtures
    backup_dir,
    backup_service,
    database,
    fingerprint,
    mutate,
)


def swap(path: Path, replacement: Path, how: str) -> None:
    if how == "rename":
        os.replace(replacement, path)
    elif how == "symlink":
        path.unlink()
        path.symlink_to(replacement)
    else:  # the same file, rewritten in place (same inode, same size)
        with open(path, "r+b") as file:
            file.write(replacement.read_bytes())


async def swap_when_the_check_is_over(path: Path, replacement: Path, how: str, swapped: list[str]):
    """A progress callback that replaces ``path`` once the restore's check has read it."""

    async def progress(report: BackupProgress) -> None:
        if report.phase != "checking" and not swapped:
            await asyncio.to_thread(swap, path, replacement, how)
            swapped.append(report.phase)

    return progress


@pytest.mark.parametrize("how", ["rename", "symlink"])
async def test_a_file_swapped_after_the_check_is_not_what_the_restore_replays(
    backup_service, aphrodite_db, backup_dir, tmp_path, how
):
    original = await fingerprint(aphrodite_db.dsn)
    backup = await backup_service.create(label="alice")
    await mutate(aphrodite_db.dsn)
    other = await backup_service.create(label="mallory")  # a real dump, of the mutated database
    replacement = tmp_path / "replacement.sql.gz"
    os.replace(other.path, replacement)
    swapped: list[str] = []

    await backup_service.restore(
        backup.name,
        label="alice",
        progress=await swap_when_the_check_is_over(backup.path, replacement, how, swapped),
    )

    assert swapped  # it happened mid-restore
    assert await fingerprint(aphrodite_db.dsn) == original


async def test_a_file_rewritten_in_place_during_the_restore_is_rolled_back_before_commit(
    backup_service, aphrodite_db, backup_dir, tmp_path
):
    backup = await backup_service.create(label="alice", compression=Compression.NONE)
    await mutate(aphrodite_db.dsn)
    before = await fingerprint(aphrodite_db.dsn)
    replacement = tmp_path / "replacement.sql"
    replacement.write_bytes(backup.path.read_bytes().replace(b"-- Name: ", b"-- NAME: ", 1))  # still valid
    swapped: list[str] = []

    with pytest.raises(RestoreFailed) as failure:
        await backup_service.restore(
            backup.name,
            label="alice",
            progress=await swap_when_the_check_is_over(backup.path, replacement, "in place", swapped),
        )

    assert swapped
    assert "changed while it was being restored (its sha256 no longer matches)" in str(failure.value)
    assert "Nothing was changed" in str(failure.value)
    assert await fingerprint(aphrodite_db.dsn) == before
