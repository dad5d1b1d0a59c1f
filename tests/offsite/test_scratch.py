"""The scratch file of an encrypted upload: unnamed in BACKUP_DIR, closed however the upload ends."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys

import pytest

from bot.offsite.scratch import DiskFull
from tests.offsite.conftest import offsite_environ
from tests.offsite.helpers import SMALL_PART, files_open_in, keys_in, make_offsite
from tests.support.full_disk import files_cannot_grow_past

pytestmark = pytest.mark.usefixtures("s3_server")

# An encrypted upload killed (SIGKILL) once its first parts are on their way.
_KILLED_UPLOAD = """
import asyncio, json, os, sys
from pathlib import Path
from bot.backups.inventory import scan_backups
from bot.backups.progress import ProgressReporter
from bot.config import load_settings
from bot.offsite.crypto import settings_recipients
from bot.offsite.location import Location
from bot.offsite.store import ObjectStore
from bot.offsite.upload import upload_backup

settings = load_settings(json.loads(sys.argv[1]), dotenv=False)
[backup] = [found for found in scan_backups(settings.backup_dir) if found.name == sys.argv[2]]

async def die(_progress):
    os.kill(os.getpid(), 9)

store = ObjectStore(settings, Location.parse(settings.offsite_url))
reporter = ProgressReporter(die, operation="upload", interval=0)
recipients = settings_recipients(settings)
asyncio.run(upload_backup(
    store, backup, sha256=sys.argv[3], recipients=recipients, part_size=4096, reporter=reporter
))
"""


@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "plaintext"])
async def test_an_upload_leaves_no_file_in_backup_dir_and_none_open(
    backup_service, s3_server, bucket, age_keys, backup_dir, encrypted
):
    backup = await backup_service.create(label="test")
    before = sorted(backup_dir.iterdir())
    offsite = make_offsite(
        backup_service,
        s3_server.endpoint,
        bucket,
        age_keys if encrypted else None,
        OFFSITE_ALLOW_PLAINTEXT="true",
    )

    copy, _ = await offsite.push(backup.name)

    assert copy.parts >= 3
    assert sorted(backup_dir.iterdir()) == before
    assert files_open_in(backup_dir) == []


async def test_a_full_disk_fails_the_upload_with_backup_dir_named_and_leaves_nothing(
    backup_service, s3_server, bucket, age_keys, backup_dir
):
    backup = await backup_service.create(label="test")
    assert backup.size > 4 * SMALL_PART  # so that the scratch file needs more than it may grow to
    before = sorted(backup_dir.iterdir())
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, age_keys)

    with files_cannot_grow_past(2 * SMALL_PART), pytest.raises(DiskFull) as caught:
        await offsite.push(backup.name)

    assert f"BACKUP_DIR ({backup_dir}) has no room" in str(caught.value)
    assert caught.value.hint == "free some space in BACKUP_DIR; the upload is retried"
    client = s3_server.client()
    assert keys_in(client, bucket) == []
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert sorted(backup_dir.iterdir()) == before
    assert files_open_in(backup_dir) == []


async def test_an_upload_removes_the_scratch_names_killed_uploads_left_and_nothing_else(
    backup_service, s3_server, bucket, age_keys, backup_dir, tmp_path, caplog
):
    backup = await backup_service.create(label="test")
    leftover = backup_dir / f".offsite_{backup.name}.k3x9_q2z.upload.partial"
    leftover.write_bytes(b"")  # what a process killed between mkstemp and unlink leaves
    target = tmp_path / "elsewhere.txt"
    target.write_bytes(b"someone's file")
    link = backup_dir / ".offsite_aphrodite_backup_20240101_000000.sql.abcdefgh.upload.partial"
    link.symlink_to(target)
    others = [
        backup_dir / ".offsite_notes.abcdefgh.upload.partial",
        backup_dir / f".offsite_{backup.name}.partial.keep",
    ]
    for path in others:
        path.write_bytes(b"not the bot's")
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, age_keys)

    with caplog.at_level(logging.INFO, logger="bot.offsite"):
        await offsite.push(backup.name)

    assert not leftover.exists()
    assert f"removed what killed uploads left in {backup_dir}: {leftover.name}" in caplog.text
    assert link.is_symlink() and target.read_bytes() == b"someone's file"
    assert all(path.read_bytes() == b"not the bot's" for path in others)


async def test_an_upload_killed_midway_leaves_nothing_in_backup_dir(
    backup_service, s3_server, bucket, age_keys, backup_dir
):
    backup = await backup_service.create(label="test")
    before = sorted(backup_dir.iterdir())
    environ = offsite_environ(s3_server.endpoint, bucket, backup_dir, age_keys)
    command = [sys.executable, "-c", _KILLED_UPLOAD, json.dumps(environ), backup.name, backup.sha256]

    done = await asyncio.to_thread(subprocess.run, command, check=False, capture_output=True)

    assert done.returncode == -9, done.stderr.decode()
    assert sorted(backup_dir.iterdir()) == before
