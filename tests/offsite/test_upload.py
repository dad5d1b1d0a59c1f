"""Uploading a backup: encrypted to the recipients, in parts, verified, recorded in the sidecar."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import subprocess

import pytest

from bot.backups.inventory import sidecar_path
from bot.offsite.errors import OffsiteNotConfigured
from tests.offsite.helpers import SMALL_PART, keys_in, make_offsite, object_bytes

pytestmark = pytest.mark.usefixtures("s3_server")


async def test_a_pushed_backup_is_an_age_file_the_age_cli_decrypts_to_the_same_bytes(
    backup_service, s3_server, bucket, age_keys, tmp_path
):
    backup = await backup_service.create(label="test")
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, age_keys)

    copy, _ = await offsite.push(backup.name)

    assert copy.key == f"team/aphrodite/{backup.name}.age"
    encrypted = object_bytes(s3_server.client(), bucket, copy.key)
    assert encrypted.startswith(b"age-encryption.org/v1\n")
    assert backup.path.read_bytes() not in encrypted
    if shutil.which("age") is None:
        pytest.skip("the age CLI is not installed (scripts/test installs it)")
    (tmp_path / "copy.age").write_bytes(encrypted)
    command = ["age", "-d", "-i", str(age_keys.identity_file), str(tmp_path / "copy.age")]
    plain = (await asyncio.to_thread(subprocess.run, command, check=True, capture_output=True)).stdout
    assert plain == backup.path.read_bytes()


async def test_the_object_metadata_holds_the_sha256_of_the_unencrypted_backup(
    backup_service, s3_server, bucket, age_keys
):
    backup = await backup_service.create(label="test")
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, age_keys)

    copy, _ = await offsite.push(backup.name)

    head = s3_server.client().head_object(Bucket=bucket, Key=copy.key)
    assert head["Metadata"]["sha256"] == hashlib.sha256(backup.path.read_bytes()).hexdigest()
    assert head["Metadata"]["made-by"] == "aphrodite-ops"


async def test_a_backup_larger_than_a_part_goes_up_in_several_parts(
    backup_service, s3_server, bucket, age_keys
):
    backup = await backup_service.create(label="test")
    assert backup.size > 3 * SMALL_PART
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, age_keys)

    copy, _ = await offsite.push(backup.name)

    assert copy.parts >= 3
    head = s3_server.client().head_object(Bucket=bucket, Key=copy.key)
    assert head["ETag"].strip('"').endswith(f"-{copy.parts}")
    assert head["ContentLength"] == copy.size


async def test_the_verified_copy_is_recorded_in_the_backups_sidecar(
    backup_service, s3_server, bucket, age_keys
):
    backup = await backup_service.create(label="test")
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, age_keys)

    copy, _ = await offsite.push(backup.name)

    manifest = json.loads(sidecar_path(backup.path).read_text())
    assert manifest["offsite"]["key"] == copy.key
    assert manifest["offsite"]["verified"] is True
    assert manifest["offsite"]["encrypted"] is True
    assert manifest["sha256"] == backup.sha256  # the rest of the sidecar is kept
    assert (await backup_service.find(backup.name)).verified


async def test_without_recipients_nothing_is_uploaded(backup_service, s3_server, bucket):
    backup = await backup_service.create(label="test")
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, None)

    with pytest.raises(OffsiteNotConfigured, match="OFFSITE_AGE_RECIPIENTS"):
        await offsite.push(backup.name)

    assert keys_in(s3_server.client(), bucket) == []


async def test_plaintext_copies_need_allow_plaintext_and_keep_the_plain_name(
    backup_service, s3_server, bucket
):
    backup = await backup_service.create(label="test")
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, None, OFFSITE_ALLOW_PLAINTEXT="true")

    copy, _ = await offsite.push(backup.name)

    assert copy.key == f"team/aphrodite/{backup.name}"
    assert object_bytes(s3_server.client(), bucket, copy.key) == backup.path.read_bytes()


async def test_a_new_backup_is_copied_in_the_background_once_verified(
    backup_service, s3_server, bucket, age_keys
):
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, age_keys)
    backup = await backup_service.create(label="test")

    offsite.observe(backup)
    outcome = await offsite.wait(backup.name)

    assert outcome is not None and outcome.error is None
    assert keys_in(s3_server.client(), bucket) == [f"team/aphrodite/{backup.name}.age"]


async def test_a_verified_upload_is_counted_in_the_metrics(backup_service, s3_server, bucket, age_keys):
    from bot.ops_http.metrics import OpsMetrics

    metrics = OpsMetrics()
    offsite = make_offsite(
        backup_service, s3_server.endpoint, bucket, age_keys, on_uploaded=metrics.record_offsite_upload
    )
    backup = await backup_service.create(label="test")

    copy, _ = await offsite.push(backup.name)

    assert metrics.offsite_at == copy.uploaded_at
