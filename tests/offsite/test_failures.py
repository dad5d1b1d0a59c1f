"""A store that is down: retried with backoff, then a Backups incident, never the secret."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from bot.alerts.targets import BackupsTarget
from bot.config import load_settings
from bot.status import Status
from tests.offsite.conftest import SECRET_KEY, free_port, offsite_environ
from tests.offsite.helpers import files_open_in, keys_in, make_offsite


async def test_an_upload_to_a_store_that_is_down_is_retried_then_opens_a_backups_incident(
    backup_service, bucket, age_keys, state, caplog
):
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    offsite = make_offsite(backup_service, down, bucket, age_keys, state)
    backup = await backup_service.create(label="test")
    settings = load_settings(offsite_environ(down, bucket, backup_service.backup_dir, age_keys), dotenv=False)

    reported: list[bool] = []

    async def report() -> None:
        reported.append(True)

    offsite.on_failed = report

    with caplog.at_level(logging.WARNING, logger="bot.offsite"):
        outcome = await offsite.push_with_retries(backup.name)

    assert outcome.copy is None and outcome.error
    assert reported == [True]  # once, after the last retry
    retries = [record for record in caplog.records if "retrying" in record.getMessage()]
    assert len(retries) == len(offsite.retry_delays)
    [backups] = await BackupsTarget(settings, backup_service, state)(datetime.now(UTC))
    assert backups.status is Status.FAILED
    assert f"Off-site copy of {backup.name} failed" in backups.detail
    assert SECRET_KEY not in backups.detail + caplog.text


async def test_a_later_upload_that_works_settles_the_incident(
    backup_service, s3_server, bucket, age_keys, state
):
    down = f"http://127.0.0.1:{free_port()}"
    backup = await backup_service.create(label="test")
    await make_offsite(backup_service, down, bucket, age_keys, state).push_with_retries(backup.name)
    settings = load_settings(
        offsite_environ(s3_server.endpoint, bucket, backup_service.backup_dir, age_keys), dotenv=False
    )

    outcome = await make_offsite(
        backup_service, s3_server.endpoint, bucket, age_keys, state
    ).push_with_retries(backup.name)

    assert outcome.copy is not None
    [backups] = await BackupsTarget(settings, backup_service, state)(datetime.now(UTC))
    assert backups.status is Status.OK


async def test_a_missing_recipient_is_not_retried(backup_service, s3_server, bucket, state, caplog):
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, None, state)
    backup = await backup_service.create(label="test")

    with caplog.at_level(logging.WARNING, logger="bot.offsite"):
        outcome = await offsite.push_with_retries(backup.name)

    assert "OFFSITE_AGE_RECIPIENTS" in (outcome.error or "")
    assert not [record for record in caplog.records if "retrying" in record.getMessage()]
    assert (await offsite.last_problem()) is not None


async def test_an_upload_still_running_when_the_bot_stops_is_aborted_and_leaves_nothing(
    backup_service, s3_server, bucket, age_keys
):
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, age_keys)
    backup = await backup_service.create(label="test")
    closing: list[asyncio.Task[None]] = []
    stopping = asyncio.Event()

    async def stop_at_first_progress(progress) -> None:
        if not closing:  # from its own task: the reporter waits for this callback when it ends
            closing.append(asyncio.create_task(offsite.close()))
            stopping.set()

    offsite.observe(backup)
    offsite.watch(backup.name, stop_at_first_progress)
    await stopping.wait()
    await closing[0]

    client = s3_server.client()
    assert keys_in(client, bucket) == []
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert files_open_in(backup_service.backup_dir) == []  # its scratch file and the backup, closed
