"""OFFSITE_KEEP: the newest N of the bot's own copies stay; never another's object; a dry run first."""

from __future__ import annotations

from tests.offsite.helpers import keys_in, make_offsite

FOREIGN = [
    "team/aphrodite/aphrodite_backup_20200101_000000.sql.gz",  # named like a backup, not ours
    "team/aphrodite/notes.txt",
]


def put_foreign_objects(client, bucket):
    for key in FOREIGN:
        client.put_object(Bucket=bucket, Key=key, Body=b"someone else's")


async def push_new_backups(backup_service, offsite, count):
    names, pruned = [], []
    for _ in range(count):
        backup = await backup_service.create(label="test")
        _, removed = await offsite.push(backup.name)
        names.append(backup.name)
        pruned.extend(removed)
    return names, pruned


async def test_copies_beyond_offsite_keep_are_deleted_oldest_first(
    backup_service, s3_server, bucket, age_keys
):
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, age_keys, OFFSITE_KEEP="2")

    names, pruned = await push_new_backups(backup_service, offsite, 3)

    assert pruned == [names[0]]
    assert keys_in(s3_server.client(), bucket) == [f"team/aphrodite/{name}.age" for name in names[1:]]


async def test_objects_the_bot_did_not_make_are_never_deleted_nor_counted(
    backup_service, s3_server, bucket, age_keys
):
    client = s3_server.client()
    put_foreign_objects(client, bucket)
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, age_keys, OFFSITE_KEEP="1")

    names, _ = await push_new_backups(backup_service, offsite, 2)

    assert keys_in(client, bucket) == sorted([*FOREIGN, f"team/aphrodite/{names[1]}.age"])


async def test_the_newest_verified_copy_stays_with_offsite_keep_one(
    backup_service, s3_server, bucket, age_keys
):
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, age_keys, OFFSITE_KEEP="1")
    [name], _ = await push_new_backups(backup_service, offsite, 1)

    assert await offsite.prune() == ()
    assert keys_in(s3_server.client(), bucket) == [f"team/aphrodite/{name}.age"]


async def test_a_dry_run_names_what_would_be_deleted_and_deletes_nothing(
    backup_service, s3_server, bucket, age_keys
):
    keep_all = make_offsite(backup_service, s3_server.endpoint, bucket, age_keys, OFFSITE_KEEP="5")
    names, _ = await push_new_backups(backup_service, keep_all, 3)
    put_foreign_objects(s3_server.client(), bucket)
    offsite = make_offsite(backup_service, s3_server.endpoint, bucket, age_keys, OFFSITE_KEEP="1")
    before = keys_in(s3_server.client(), bucket)

    assert await offsite.prune(dry_run=True) == (names[1], names[0])
    assert (await offsite.status()).would_prune == (names[1], names[0])
    assert keys_in(s3_server.client(), bucket) == before
