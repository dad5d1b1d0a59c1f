"""The GIL switch interval is short while a backup is encrypted for upload, and restored after."""

from __future__ import annotations

import sys

import pytest

from bot.offsite.switching import SWITCH_SECONDS, short_switch_interval
from tests.offsite.helpers import make_offsite


async def test_an_encrypted_upload_runs_with_a_short_switch_interval_then_restores_it(
    backup_service, s3_server, bucket, age_keys
):
    backup = await backup_service.create(label="test")
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, age_keys)
    before = sys.getswitchinterval()
    seen: list[float] = []

    async def progress(_progress: object) -> None:
        seen.append(sys.getswitchinterval())

    outcome = await offsite.push_with_retries(backup.name, progress)

    assert outcome.copy is not None
    assert seen and max(seen) <= SWITCH_SECONDS < before
    assert sys.getswitchinterval() == before


def test_nested_uses_keep_it_short_until_the_last_ends_even_when_one_fails():
    before = sys.getswitchinterval()

    with short_switch_interval():
        with pytest.raises(RuntimeError), short_switch_interval():
            raise RuntimeError("an upload failed")
        assert sys.getswitchinterval() == SWITCH_SECONDS

    assert sys.getswitchinterval() == before
