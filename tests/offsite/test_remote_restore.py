"""A backup that exists only off-site: listed, downloaded, verified, decrypted, restored."""

from __future__ import annotations

import json

import pytest

from bot.backups.inventory import BackupNotFound
from bot.config import load_settings
from bot.drills.compare import recorded_counts
from bot.offsite.errors import CopyRefused, OffsiteNotConfigured
from bot.offsite.upload import with_row_counts
from tests.backups.fixtures import fingerprint, mutate, run_cli
from tests.offsite.conftest import SECRET_KEY, make_age_keys, offsite_environ
from tests.offsite.helpers import make_offsite, object_bytes


async def remote_only(backup_service, s3_server, bucket, keys):
    """A verified copy of a new backup, whose local file and sidecar are then deleted."""
    backup = await backup_service.create(label="test")
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, keys)
    copy, _ = await offsite.push(backup.name)
    await backup_service.delete(backup.name, label="test")
    return offsite, backup, copy


async def test_a_remote_only_backup_is_restored_through_the_cli_like_a_local_one(
    aphrodite_db, backup_service, s3_server, bucket, backup_dir, age_keys, capsys
):
    before = await fingerprint(aphrodite_db.dsn)
    _, backup, _ = await remote_only(backup_service, s3_server, bucket, age_keys)
    await mutate(aphrodite_db.dsn)
    environ = offsite_environ(s3_server.endpoint, bucket, backup_dir, age_keys, DATABASE_URL=aphrodite_db.dsn)

    assert await run_cli(load_settings(environ, dotenv=False), "backup", "restore", backup.name, "--yes") == 0

    assert await fingerprint(aphrodite_db.dsn) == before
    out = capsys.readouterr()
    assert f"Restored {backup.name}" in out.out
    assert SECRET_KEY not in out.out + out.err


async def test_a_fetched_backup_is_the_same_file_again_and_lists_as_verified(
    backup_service, s3_server, bucket, age_keys
):
    offsite, backup, _ = await remote_only(backup_service, s3_server, bucket, age_keys)
    original = backup.sha256

    path = await offsite.fetch(backup.name)

    fetched = await backup_service.find(backup.name)
    assert path == backup.path
    assert fetched.verified and fetched.sha256 == original
    assert [entry.name for entry in (await backup_service.inventory()).not_backups] == []


async def test_a_copy_changed_in_the_store_is_refused_and_leaves_nothing(
    backup_service, s3_server, bucket, age_keys, backup_dir
):
    offsite, backup, copy = await remote_only(backup_service, s3_server, bucket, age_keys)
    client = s3_server.client()
    head = client.head_object(Bucket=bucket, Key=copy.key)
    damaged = bytearray(object_bytes(client, bucket, copy.key))
    damaged[-100] ^= 0x01
    client.put_object(Bucket=bucket, Key=copy.key, Body=bytes(damaged), Metadata=head["Metadata"])

    with pytest.raises(CopyRefused, match="damaged"):
        await offsite.fetch(backup.name)

    assert [path.name for path in backup_dir.iterdir() if path.name != ".aphrodite-ops.lock"] == []


async def test_a_copy_whose_content_differs_from_its_sha256_is_refused(
    backup_service, s3_server, bucket, age_keys, backup_dir
):
    offsite, backup, copy = await remote_only(backup_service, s3_server, bucket, age_keys)
    client = s3_server.client()
    head = client.head_object(Bucket=bucket, Key=copy.key)
    metadata = {**head["Metadata"], "sha256": "0" * 64}
    client.copy_object(
        Bucket=bucket,
        Key=copy.key,
        CopySource={"Bucket": bucket, "Key": copy.key},
        Metadata=metadata,
        MetadataDirective="REPLACE",
    )

    with pytest.raises(CopyRefused, match="does not match the sha256"):
        await offsite.fetch(backup.name)

    assert [path.name for path in backup_dir.iterdir() if path.name != ".aphrodite-ops.lock"] == []


async def test_a_wrong_identity_is_refused_naming_the_variable(
    backup_service, s3_server, bucket, age_keys, backup_dir, tmp_path
):
    _, backup, _ = await remote_only(backup_service, s3_server, bucket, age_keys)
    other = make_age_keys(tmp_path, "other.txt")
    offsite = make_offsite(
        backup_service,
        s3_server.endpoint,
        bucket,
        age_keys,
        OFFSITE_AGE_IDENTITY_FILE=str(other.identity_file),
    )

    with pytest.raises(CopyRefused, match="OFFSITE_AGE_IDENTITY_FILE"):
        await offsite.fetch(backup.name)

    assert [path.name for path in backup_dir.iterdir() if path.name != ".aphrodite-ops.lock"] == []


async def test_an_unreadable_identity_file_is_named(backup_service, s3_server, bucket, age_keys, tmp_path):
    _, backup, _ = await remote_only(backup_service, s3_server, bucket, age_keys)
    offsite = make_offsite(
        backup_service,
        s3_server.endpoint,
        bucket,
        age_keys,
        OFFSITE_AGE_IDENTITY_FILE=str(tmp_path / "missing.txt"),
    )

    with pytest.raises(OffsiteNotConfigured, match="OFFSITE_AGE_IDENTITY_FILE cannot be read"):
        await offsite.fetch(backup.name)


async def test_an_object_the_bot_did_not_make_is_never_restored(backup_service, s3_server, bucket, age_keys):
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, age_keys)
    name = "aphrodite_backup_20250101_000000.sql"
    s3_server.client().put_object(Bucket=bucket, Key=f"team/aphrodite/{name}", Body=b"DROP TABLE users;")

    with pytest.raises(CopyRefused, match="not uploaded by this bot"):
        await offsite.fetch(name)


async def test_a_name_that_is_neither_local_nor_off_site_is_not_found(
    backup_service, s3_server, bucket, age_keys
):
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, age_keys)

    with pytest.raises(BackupNotFound):
        await offsite.ensure_local("aphrodite_backup_20250101_000000.sql.gz")


async def test_an_identity_file_without_a_private_key_is_named(
    backup_service, s3_server, bucket, age_keys, tmp_path
):
    _, backup, _ = await remote_only(backup_service, s3_server, bucket, age_keys)
    empty = tmp_path / "empty.txt"
    empty.write_text(f"# public key: {age_keys.recipient}\n")
    offsite = make_offsite(
        backup_service, s3_server.endpoint, bucket, age_keys, OFFSITE_AGE_IDENTITY_FILE=str(empty)
    )

    with pytest.raises(
        OffsiteNotConfigured, match="OFFSITE_AGE_IDENTITY_FILE holds no valid age private key"
    ):
        await offsite.fetch(backup.name)


async def test_a_remote_only_backup_is_drilled_from_a_download(
    aphrodite_db, backup_service, s3_server, bucket, backup_dir, age_keys, capsys
):
    _, backup, _ = await remote_only(backup_service, s3_server, bucket, age_keys)
    environ = offsite_environ(s3_server.endpoint, bucket, backup_dir, age_keys, DATABASE_URL=aphrodite_db.dsn)

    assert await run_cli(load_settings(environ, dotenv=False), "backup", "drill", backup.name) == 0

    out = capsys.readouterr()
    assert f"Downloaded {backup.name}" in out.err and f"Drill of {backup.name} passed" in out.out
    assert SECRET_KEY not in out.out + out.err


async def test_a_remote_only_backup_is_drilled_against_the_row_counts_of_its_dump(
    aphrodite_db, backup_service, s3_server, bucket, backup_dir, age_keys, capsys
):
    _, backup, copy = await remote_only(backup_service, s3_server, bucket, age_keys)
    head = s3_server.client().head_object(Bucket=bucket, Key=copy.key)
    recorded = json.loads(head["Metadata"]["row-counts"])
    assert recorded["public.media_items"] == 3000
    environ = offsite_environ(s3_server.endpoint, bucket, backup_dir, age_keys, DATABASE_URL=aphrodite_db.dsn)

    assert await run_cli(load_settings(environ, dotenv=False), "backup", "drill", backup.name, "--json") == 0

    result = json.loads(capsys.readouterr().out)
    assert result["ok"] and result["compared"]
    assert {table["table"]: table["expected"] for table in result["tables"]} == recorded


def test_row_counts_that_would_not_fit_an_objects_metadata_are_left_out():
    metadata = {"sha256": "0" * 64, "made-by": "aphrodite-ops"}
    few = {"public.media_items": 3000, "public.schedules": 2}
    many = {f"public.table_with_a_long_name_{number}": number for number in range(100)}

    assert json.loads(with_row_counts(metadata, {"row_counts": few})["row-counts"]) == few
    assert with_row_counts(metadata, {"row_counts": many}) == metadata
    assert with_row_counts(metadata, {}) == metadata and with_row_counts(metadata, None) == metadata


@pytest.mark.parametrize("planted", ["not json", "[" * 3000 + "]" * 3000, '{"public.media_items": -1}'])
async def test_row_counts_planted_in_the_metadata_are_reported_unreadable_not_believed(
    backup_service, s3_server, bucket, age_keys, planted
):
    offsite, backup, copy = await remote_only(backup_service, s3_server, bucket, age_keys)
    client = s3_server.client()
    head = client.head_object(Bucket=bucket, Key=copy.key)
    client.copy_object(
        Bucket=bucket,
        Key=copy.key,
        CopySource={"Bucket": bucket, "Key": copy.key},
        Metadata={**head["Metadata"], "row-counts": planted},
        MetadataDirective="REPLACE",
    )

    await offsite.fetch(backup.name)

    fetched = await backup_service.find(backup.name)
    assert isinstance(recorded_counts(fetched.manifest), str)  # the reason they were not compared
