"""`/backup` with OFFSITE_URL: the upload in the backup's message, `/backup offsite`, remote-only restores."""

# The S3 fixtures imported from tests.offsite.conftest are requested as parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

from tests.cogs.test_backups import ask, create_backup, delete_media, media_count
from tests.offsite.conftest import SECRET_KEY, age_keys, bucket, offsite_environ, s3_server  # noqa: F401
from tests.offsite.helpers import keys_in


async def backed_up_off_site(start_bot, fake_discord, aphrodite_db, s3_server, bucket, age_keys, tmp_path):
    """A bot with OFFSITE_URL, and a `/backup create` whose off-site copy was verified: (record, name)."""
    environ = offsite_environ(s3_server.endpoint, bucket, tmp_path / "backups", age_keys)
    await start_bot(DATABASE_URL=aphrodite_db.dsn, **environ)
    record, name = await create_backup(fake_discord)
    await record.wait_for(lambda r: "Off-site copy verified" in (r.original.content or ""), timeout=60)
    return record, name


def remove_local_copy(tmp_path, name: str) -> None:
    """The backup and its sidecar gone from BACKUP_DIR: only the off-site copy is left."""
    for path in (tmp_path / "backups").glob(f"{name}*"):
        path.unlink()


async def test_a_new_backups_message_shows_its_verified_off_site_copy(
    start_bot, fake_discord, aphrodite_db, s3_server, bucket, age_keys, tmp_path
):
    record, name = await backed_up_off_site(
        start_bot, fake_discord, aphrodite_db, s3_server, bucket, age_keys, tmp_path
    )

    assert f"team/aphrodite/{name}.age" in record.original.content
    assert keys_in(s3_server.client(), bucket) == [f"team/aphrodite/{name}.age"]
    assert SECRET_KEY not in fake_discord.all_sent_text()


async def test_backup_offsite_and_backup_list_show_the_copies(
    start_bot, fake_discord, aphrodite_db, s3_server, bucket, age_keys, tmp_path
):
    _, name = await backed_up_off_site(
        start_bot, fake_discord, aphrodite_db, s3_server, bucket, age_keys, tmp_path
    )

    status = await fake_discord.slash("backup", "offsite", user=fake_discord.admin_user)
    await status.wait_for(lambda r: bool(r.followups), timeout=30)
    listing = await fake_discord.slash("backup", "list", user=fake_discord.admin_user)
    await listing.wait_done(timeout=30)

    embed = status.followups[0].embeds[0]
    assert "🟢" in embed["title"] and f"s3://{bucket}/team/aphrodite" in embed["description"]
    assert name in str(embed["fields"])
    assert "1 backup(s) here and off-site" in str(listing.original.embeds[0]["fields"])
    assert "☁️ off-site too" in str(listing.original.embeds[0]["fields"])
    assert SECRET_KEY not in fake_discord.all_sent_text()


async def test_a_backup_only_off_site_is_restored_after_confirmation(
    start_bot, fake_discord, aphrodite_db, s3_server, bucket, age_keys, tmp_path
):
    _, name = await backed_up_off_site(
        start_bot, fake_discord, aphrodite_db, s3_server, bucket, age_keys, tmp_path
    )
    remove_local_copy(tmp_path, name)
    await delete_media(aphrodite_db.dsn)

    question = await ask(fake_discord, "restore", name)
    assert "off-site copy" in question.original.embeds[0]["title"]
    press = await fake_discord.click(question.original, "confirm", user=fake_discord.admin_user)
    await press.wait_for(lambda r: any(m.embeds for m in r.followups), timeout=90)

    assert await media_count(aphrodite_db.dsn) == 3000
    assert "Restore complete" in next(m for m in press.followups if m.embeds).embeds[0]["title"]
    assert SECRET_KEY not in fake_discord.all_sent_text()


async def test_restore_and_drill_suggest_a_backup_that_is_only_off_site(
    start_bot, fake_discord, aphrodite_db, s3_server, bucket, age_keys, tmp_path
):
    _, name = await backed_up_off_site(
        start_bot, fake_discord, aphrodite_db, s3_server, bucket, age_keys, tmp_path
    )
    remove_local_copy(tmp_path, name)

    for command in ("restore", "drill"):
        choices = await fake_discord.autocomplete(
            "backup", command, focused="name", value="aphrodite", user=fake_discord.admin_user
        )
        assert [(c["name"], c["value"]) for c in choices] == [(f"{name} (off-site)", name)]
    deletable = await fake_discord.autocomplete(
        "backup", "delete", focused="name", value="aphrodite", user=fake_discord.admin_user
    )
    assert deletable == []  # only local files can be deleted
