"""What a killed fetch leaves in BACKUP_DIR is removed by the next fetch, and only that."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.offsite.errors import OffsiteFailed
from bot.offsite.partials import claim, partial_paths
from tests.offsite.test_remote_restore import remote_only

KILLED = "aphrodite_backup_20240101_000000.sql"
RUNNING = "aphrodite_backup_20240202_000000.sql.gz"

# A fetch killed after its download began: it holds the lock, writes, and dies without cleaning up.
_KILLED_FETCH = """
import os, sys
from pathlib import Path
from bot.offsite.partials import claim, partial_paths
decrypted, downloaded = partial_paths(Path(sys.argv[1]), sys.argv[2])
handle = claim(decrypted)
handle.write(b"half of a backup")
handle.flush()
downloaded.write_bytes(b"half of a download")
os.kill(os.getpid(), 9)
"""


def killed_fetch(backup_dir, name):
    done = subprocess.run([sys.executable, "-c", _KILLED_FETCH, str(backup_dir), name], check=False)
    assert done.returncode == -9
    assert all(path.exists() for path in partial_paths(backup_dir, name))


async def test_a_fetch_removes_what_a_killed_fetch_left_but_not_a_running_fetchs_files(
    backup_service, s3_server, bucket, age_keys, backup_dir
):
    offsite, backup, _ = await remote_only(backup_service, s3_server, bucket, age_keys)
    killed_fetch(backup_dir, KILLED)
    running = partial_paths(backup_dir, RUNNING)
    held = claim(running[0])
    running[1].write_bytes(b"being downloaded")
    others = [backup_dir / ".offsite_notes.partial", backup_dir / f".offsite_{KILLED}.partial.keep"]
    for path in others:
        path.write_bytes(b"not the bot's")

    try:
        await offsite.fetch(backup.name)

        assert not any(path.exists() for path in partial_paths(backup_dir, KILLED))
        assert all(path.exists() for path in running)
        assert all(path.exists() for path in others)
        assert backup.path.exists()
    finally:
        held.close()


async def test_a_symlink_named_like_a_partial_file_is_left_alone(
    backup_service, s3_server, bucket, age_keys, backup_dir, tmp_path
):
    offsite, backup, _ = await remote_only(backup_service, s3_server, bucket, age_keys)
    target = tmp_path / "elsewhere.txt"
    target.write_bytes(b"someone's file")
    link = partial_paths(backup_dir, KILLED)[0]
    link.symlink_to(target)

    await offsite.fetch(backup.name)

    assert link.is_symlink() and target.read_bytes() == b"someone's file"


async def test_a_hard_link_named_like_a_partial_file_loses_its_name_and_its_file_is_untouched(
    backup_service, s3_server, bucket, age_keys, backup_dir
):
    offsite, backup, _ = await remote_only(backup_service, s3_server, bucket, age_keys)
    target = backup_dir.parent / "someone_elses.db"  # the same filesystem, so it can be linked
    target.write_bytes(b"someone's data")
    planted = [partial_paths(backup_dir, KILLED)[0], partial_paths(backup_dir, backup.name)[0]]
    for link in planted:
        link.hardlink_to(target)

    await offsite.fetch(backup.name)

    assert target.read_bytes() == b"someone's data"
    assert not any(link.exists() for link in planted)
    assert backup.path.exists()


@pytest.mark.parametrize("planted", ["symlink", "hard link"])
async def test_a_link_planted_as_a_fetchs_download_file_is_replaced_and_its_file_untouched(
    backup_service, s3_server, bucket, age_keys, backup_dir, planted
):
    offsite, backup, _ = await remote_only(backup_service, s3_server, bucket, age_keys)
    target = backup_dir.parent / "someone_elses.db"
    target.write_bytes(b"someone's data")
    download = partial_paths(backup_dir, backup.name)[1]
    if planted == "symlink":
        download.symlink_to(target)
    else:
        download.hardlink_to(target)

    await offsite.fetch(backup.name)

    assert target.read_bytes() == b"someone's data"
    assert not download.exists() and not download.is_symlink()
    assert backup.path.exists()


async def test_a_second_fetch_of_the_same_backup_is_refused_while_the_first_runs(
    backup_service, s3_server, bucket, age_keys, backup_dir
):
    offsite, backup, _ = await remote_only(backup_service, s3_server, bucket, age_keys)
    decrypted, _ = partial_paths(backup_dir, backup.name)
    first = claim(decrypted)
    try:
        with pytest.raises(OffsiteFailed, match=f"Another fetch of {backup.name} is running"):
            await offsite.fetch(backup.name)

        assert decrypted.exists() and not backup.path.exists()
    finally:
        first.close()
