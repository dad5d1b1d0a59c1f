"""`/backup` end to end: the real bot, the fake Discord, real pg_dump/psql and PostgreSQL."""

from __future__ import annotations

import json
import os

import asyncpg
import pytest

from cogs.ui import views
from tests.backups.fixtures import write_dump_head
from tests.fakes.discord import FakeDiscord
from tests.fakes.services import closed_port
from tests.support.discord_bot import bot_environment, running_bot
from tests.support.postgres_cluster import APP_PASSWORD


async def media_count(dsn: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval("SELECT count(*) FROM media_items")
    finally:
        await connection.close()


async def delete_media(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("DELETE FROM media_items WHERE id > 100")
    finally:
        await connection.close()


async def create_backup(fake: FakeDiscord) -> tuple[object, str]:
    record = await fake.slash("backup", "create", user=fake.admin_user)
    await record.wait_for(lambda r: bool(r.original and r.original.embeds), timeout=60)
    assert record.ack_latency < 3
    embed = record.original.embeds[0]
    return record, embed["description"].strip("`")


async def ask(fake: FakeDiscord, command: str, name: str, user=None):
    record = await fake.slash("backup", command, user=user or fake.admin_user, options={"name": name})
    await record.wait_for(lambda r: r.original is not None and r.original.buttons(), timeout=15)
    return record


async def test_create_attaches_the_file_and_lists_it(start_bot, fake_discord, aphrodite_db, tmp_path):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    record, name = await create_backup(fake_discord)
    ((filename, content),) = record.original.attachments
    assert filename == name and name.endswith(".sql.gz")
    assert content == (tmp_path / "backups" / name).read_bytes()
    listing = await fake_discord.slash("backup", "list", user=fake_discord.admin_user)
    await listing.wait_done(timeout=10)
    assert name in str(listing.original.embeds[0]["fields"])
    choices = await fake_discord.autocomplete(
        "backup", "restore", focused="name", value="aphrodite", user=fake_discord.admin_user
    )
    assert name in [choice["value"] for choice in choices]
    download = await fake_discord.slash(
        "backup", "download", user=fake_discord.admin_user, options={"name": name}
    )
    await download.wait_done(timeout=10)
    assert download.original.attachments == [(name, content)]
    assert APP_PASSWORD not in fake_discord.all_sent_text()


async def test_a_failed_backup_says_why_and_shows_no_password(start_bot, fake_discord):
    dead = f"postgresql://aphrodite:{APP_PASSWORD}@127.0.0.1:{closed_port()}/aphrodite"
    await start_bot(DATABASE_URL=dead)
    record = await fake_discord.slash("backup", "create", user=fake_discord.admin_user)
    await record.wait_for(lambda r: bool(r.original and "❌" in (r.original.content or "")), timeout=30)
    await record.wait_for(lambda r: any(m is not r.original for m in r.followups), timeout=10)
    assert not record.original.loading  # the public message no longer says "thinking"
    (reason,) = [m for m in record.followups if m is not record.original]
    assert reason.ephemeral and "Connection refused" in reason.content
    assert APP_PASSWORD not in fake_discord.all_sent_text()


async def test_list_explains_an_empty_folder_and_pages_a_full_one(start_bot, fake_discord, tmp_path):
    await start_bot()
    empty = await fake_discord.slash("backup", "list", user=fake_discord.admin_user)
    await empty.wait_done(timeout=10)
    assert "/backup create" in empty.original.embeds[0]["description"]
    folder = tmp_path / "backups"
    folder.mkdir(exist_ok=True)
    names = [f"aphrodite_backup_202501{day:02d}_120000.sql" for day in range(1, 13)]
    for name in names:
        write_dump_head(folder / name)
    listing = await fake_discord.slash("backup", "list", user=fake_discord.admin_user)
    await listing.wait_done(timeout=10)
    first = str(listing.original.embeds[0]["fields"])
    assert names[-1] in first and names[0] not in first  # newest first
    assert "Aphrodite" in first
    flip = await fake_discord.click(listing.original, "page:next", user=fake_discord.admin_user)
    await flip.wait_acknowledged(timeout=10)
    await listing.wait_for(lambda r: names[-1] not in str(r.original.embeds[0]["fields"]), timeout=10)
    assert names[0] in str(listing.original.embeds[0]["fields"])


async def test_a_backup_over_the_upload_limit_is_explained_not_attached(aphrodite_db, tmp_path):
    async with FakeDiscord(attachment_size_limit=1000) as fake:
        environment = bot_environment(fake, tmp_path, DATABASE_URL=aphrodite_db.dsn)
        async with running_bot(fake, environment):
            record, name = await create_backup(fake)
            assert record.original.attachments == []
            assert "upload limit" in str(record.original.embeds[0]["fields"])
            download = await fake.slash("backup", "download", user=fake.admin_user, options={"name": name})
            await download.wait_done(timeout=10)
            assert "upload limit" in download.original.embeds[0]["description"]
        fake.assert_no_violations()


async def test_restore_after_confirmation_brings_the_rows_back(start_bot, fake_discord, aphrodite_db):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    _, name = await create_backup(fake_discord)
    await delete_media(aphrodite_db.dsn)
    question = await ask(fake_discord, "restore", name)
    press = await fake_discord.click(question.original, "confirm", user=fake_discord.admin_user)
    await press.wait_for(lambda r: any(m.embeds for m in r.followups), timeout=60)
    assert await media_count(aphrodite_db.dsn) == 3000
    result = next(m for m in press.followups if m.embeds).embeds[0]
    assert "Restore complete" in result["title"]
    assert "media_items" in str(result["fields"])


async def test_cancel_and_other_members_change_nothing(start_bot, fake_discord, aphrodite_db):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    _, name = await create_backup(fake_discord)
    await delete_media(aphrodite_db.dsn)
    question = await ask(fake_discord, "restore", name)
    intruder = await fake_discord.click(question.original, "confirm", user=fake_discord.other_admin_user)
    await intruder.wait_done(timeout=10)
    assert intruder.ephemeral and "Only the member" in intruder.original.content
    cancel = await fake_discord.click(question.original, "cancel", user=fake_discord.admin_user)
    await cancel.wait_acknowledged(timeout=10)
    await question.wait_for(lambda r: all(disabled for *_, disabled in r.original.buttons()), timeout=10)
    assert "nothing was changed" in question.original.content
    assert await media_count(aphrodite_db.dsn) == 100


async def test_unanswered_confirmation_times_out_doing_nothing(
    start_bot, fake_discord, aphrodite_db, monkeypatch
):
    monkeypatch.setattr(views, "CONFIRM_TIMEOUT", 0.5)
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    _, name = await create_backup(fake_discord)
    question = await ask(fake_discord, "delete", name)
    await question.wait_for(lambda r: "nothing was done" in (r.original.content or ""), timeout=10)
    assert all(disabled for _, _, disabled in question.original.buttons())
    listing = await fake_discord.slash("backup", "list", user=fake_discord.admin_user)
    await listing.wait_done(timeout=10)
    assert name in str(listing.original.embeds[0]["fields"])


async def test_delete_after_confirmation_removes_the_file(start_bot, fake_discord, aphrodite_db, tmp_path):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    _, name = await create_backup(fake_discord)
    question = await ask(fake_discord, "delete", name)
    press = await fake_discord.click(question.original, "confirm", user=fake_discord.admin_user)
    await press.wait_for(lambda r: any(m.embeds for m in r.followups), timeout=15)
    assert not (tmp_path / "backups" / name).exists()
    assert question.original.content == "✅ Deleted."


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "aphrodite_backup_20990101_000000.sql"])
async def test_names_that_are_not_backups_are_refused(start_bot, fake_discord, aphrodite_db, name):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    record = await fake_discord.slash(
        "backup", "restore", user=fake_discord.admin_user, options={"name": name}
    )
    await record.wait_done(timeout=10)
    assert record.ephemeral
    assert record.original.content.startswith("❌")
    assert record.original.buttons() == []


async def test_check_all_is_acknowledged_while_a_backup_runs(start_bot, fake_discord, aphrodite_db):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    backup = await fake_discord.slash("backup", "create", user=fake_discord.admin_user)
    check = await fake_discord.slash("check", "all", user=fake_discord.admin_user)
    await check.wait_acknowledged(timeout=5)
    assert check.ack_latency < 3
    await backup.wait_for(lambda r: bool(r.original and r.original.embeds), timeout=60)


async def test_failed_scheduled_backup_posts_an_alert(start_bot, fake_discord):
    dead = f"postgresql://aphrodite:{APP_PASSWORD}@127.0.0.1:{closed_port()}/aphrodite"
    bot = await start_bot(
        DATABASE_URL=dead, BACKUP_SCHEDULE_HOURS="1", ALERT_ROLE_ID=str(fake_discord.admin_role_id)
    )
    scheduler = bot.get_cog("Backups").scheduler
    assert scheduler.running  # started by the cog; its first run comes two minutes after start
    await scheduler.run_once()
    alert = await fake_discord.wait_for_channel_message(fake_discord.alert_channel_id, timeout=20)
    assert "Backups is down" in alert.embeds[0]["title"]
    assert "Scheduled backup failed" in alert.embeds[0]["description"]
    assert alert.content == f"<@&{fake_discord.admin_role_id}>"
    assert APP_PASSWORD not in fake_discord.all_sent_text()


async def test_a_failing_restore_leaves_the_database_and_says_so(
    start_bot, fake_discord, aphrodite_db, tmp_path
):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    broken = "aphrodite_backup_20250101_120000.sql"
    (tmp_path / "backups").mkdir(exist_ok=True)
    (tmp_path / "backups" / broken).write_text(
        "--\n-- PostgreSQL database dump\n--\n\nCOMMENT ON TABLE media_items IS 'x';\n"
        "COMMENT ON TABLE public.gone IS 'x';\n"
        "\n--\n-- PostgreSQL database dump complete\n--\n"
    )
    question = await ask(fake_discord, "restore", broken)
    press = await fake_discord.click(question.original, "confirm", user=fake_discord.admin_user)
    await press.wait_for(lambda r: "did not complete" in (question.original.content or ""), timeout=60)
    assert await media_count(aphrodite_db.dsn) == 3000
    await question.wait_for(lambda r: any(m.ephemeral for m in r.followups), timeout=10)
    (error,) = [m for m in question.followups if m.ephemeral]
    assert error.content.startswith("❌") and "rolled back" in error.content
    assert APP_PASSWORD not in fake_discord.all_sent_text()


async def test_planted_files_are_listed_as_not_backups_and_never_attached(start_bot, fake_discord, tmp_path):
    await start_bot()
    folder = tmp_path / "backups"
    folder.mkdir(exist_ok=True)
    real = write_dump_head(folder / "aphrodite_backup_20250102_120000.sql")
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (folder / "aphrodite_backup_20250101_120000.sql").symlink_to(secret)
    os.link(write_dump_head(tmp_path / "other.sql"), folder / "aphrodite_backup_20250103_120000.sql")
    (folder / "**bold** @everyone\nline").write_text("junk")

    listing = await fake_discord.slash("backup", "list", user=fake_discord.admin_user)
    await listing.wait_done(timeout=10)
    choices = await fake_discord.autocomplete(
        "backup", "download", focused="name", value="aphrodite", user=fake_discord.admin_user
    )
    download = await fake_discord.slash(
        "backup",
        "download",
        user=fake_discord.admin_user,
        options={"name": "aphrodite_backup_20250101_120000.sql"},
    )
    await download.wait_done(timeout=10)

    fields = listing.original.embeds[0]["fields"]
    (warning,) = [f["value"] for f in fields if f["name"].startswith("⚠️ Not backups (3)")]
    # Names are markdown-escaped; an underscore inside a word cannot start italics, so it stays as is.
    assert "aphrodite_backup_20250101_120000.sql is a symbolic link" in warning
    assert "aphrodite_backup_20250103_120000.sql has 2 hard links" in warning
    assert "\\*\\*bold\\*\\* @\u200beveryone\\\\x0aline" in warning
    assert [choice["value"] for choice in choices] == [real.name]
    assert download.ephemeral and "is not a backup: it is a symbolic link" in download.original.content
    assert "root:x" not in fake_discord.all_sent_text()


async def test_a_backup_with_a_planted_shell_command_is_refused_and_runs_nothing(
    start_bot, fake_discord, aphrodite_db, tmp_path
):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    planted = "aphrodite_backup_20250101_120000.sql"
    marker = tmp_path / "pwned.txt"
    (tmp_path / "backups").mkdir(exist_ok=True)
    (tmp_path / "backups" / planted).write_text(
        f"--\n-- PostgreSQL database dump\n--\n\nCOMMENT ON TABLE media_items IS 'x';\n\\! touch {marker}\n"
        "\n--\n-- PostgreSQL database dump complete\n--\n"
    )
    question = await ask(fake_discord, "restore", planted)
    await fake_discord.click(question.original, "confirm", user=fake_discord.admin_user)
    await question.wait_for(lambda r: any(m.ephemeral for m in r.followups), timeout=60)

    (error,) = [m for m in question.followups if m.ephemeral]
    assert error.content.startswith("❌") and "was refused: line 6: a psql meta-command" in error.content
    assert "not touched" in error.content and "did not complete" in question.original.content
    assert not marker.exists()
    assert await media_count(aphrodite_db.dsn) == 3000
    assert sorted(path.name for path in (tmp_path / "backups").glob("*.sql*")) == [planted]


async def created_with(fake: FakeDiscord, **options: object) -> dict:
    """The result embed of `/backup create` sent with ``options`` as typed values."""
    record = await fake.slash("backup", "create", user=fake.admin_user, options=options)
    await record.wait_for(lambda r: bool(r.original and r.original.embeds), timeout=60)
    return record.original.embeds[0]


def codec_of(embed: dict) -> str:
    return next(field["value"] for field in embed["fields"] if field["name"] == "Compression")


async def test_compress_true_packs_with_gzip_by_default(start_bot, fake_discord, aphrodite_db):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)

    embed = await created_with(fake_discord, compress=True)

    assert embed["description"].strip("`").endswith(".sql.gz")
    assert codec_of(embed).startswith("gzip")


async def test_compress_false_writes_plain_sql(start_bot, fake_discord, aphrodite_db, tmp_path):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)

    embed = await created_with(fake_discord, compress=False)

    name = embed["description"].strip("`")
    assert name.endswith(".sql") and codec_of(embed) == "none (plain SQL)"
    assert (tmp_path / "backups" / name).read_bytes().startswith(b"--\n-- PostgreSQL database dump")


async def test_compress_is_a_boolean_option_as_the_contract_says(start_bot, fake_discord, aphrodite_db):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)

    for wrong in ("gzip", "true", 1):
        with pytest.raises(ValueError, match="compress"):
            await fake_discord.slash(
                "backup", "create", user=fake_discord.admin_user, options={"compress": wrong}
            )


async def test_a_zstd_backup_is_listed_as_one_only_the_bot_restores(start_bot, fake_discord, aphrodite_db):
    await start_bot(DATABASE_URL=aphrodite_db.dsn, BACKUP_COMPRESSION="zstd")

    embed = await created_with(fake_discord, compress=True)
    name = embed["description"].strip("`")
    assert name.endswith(".sql.zst") and codec_of(embed).startswith("zstd")

    listing = await fake_discord.slash("backup", "list", user=fake_discord.admin_user)
    await listing.wait_done(timeout=10)

    [line] = [field["value"] for field in listing.original.embeds[0]["fields"] if field["name"] == name]
    assert "zstd" in line and "only the bot can restore" in line


async def test_list_and_confirmations_tell_the_bots_backups_from_those_of_unknown_origin(
    start_bot, fake_discord, aphrodite_db, tmp_path
):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    _, ours = await create_backup(fake_discord)
    folder = tmp_path / "backups"
    planted = write_dump_head(folder / "aphrodite_backup_20300101_000000.sql")
    forged = {**json.loads((folder / f"{ours}.json").read_text()), "name": planted.name}
    forged["size"] = planted.stat().st_size
    (folder / f"{planted.name}.json").write_text(json.dumps(forged))

    listing = await fake_discord.slash("backup", "list", user=fake_discord.admin_user)
    await listing.wait_done(timeout=10)
    restore = await ask(fake_discord, "restore", planted.name)
    delete = await ask(fake_discord, "delete", planted.name)
    delete_ours = await ask(fake_discord, "delete", ours)

    lines = {field["name"]: field["value"] for field in listing.original.embeds[0]["fields"]}
    assert "❔ unknown origin (its sidecar is not sealed by this bot" in lines[planted.name]
    assert "✅ verified" not in lines[planted.name]
    assert "🔏 made by this bot (manual backup, for " in lines[ours] and "✅ verified" in lines[ours]
    restore_question = restore.original.embeds[0]["description"]
    assert "❔ unknown origin" in restore_question and "This bot did not make this file" in restore_question
    assert "❔ unknown origin" in delete.original.embeds[0]["description"]
    assert "🔏 made by this bot" in delete_ours.original.embeds[0]["description"]


async def test_a_file_the_bot_never_verified_is_listed_as_unverified_not_restorable(
    start_bot, fake_discord, tmp_path
):
    name = "aphrodite_backup_20250102_120000.sql"
    (tmp_path / "backups").mkdir()
    write_dump_head(tmp_path / "backups" / name)  # Aphrodite's: no sidecar, perhaps cut short
    await start_bot()

    listing = await fake_discord.slash("backup", "list", user=fake_discord.admin_user)
    await listing.wait_done(timeout=10)

    [line] = [field["value"] for field in listing.original.embeds[0]["fields"] if field["name"] == name]
    assert "Aphrodite can restore it if complete (unverified)" in line


async def test_backup_create_applies_retention_and_says_what_it_removed(
    start_bot, fake_discord, aphrodite_db
):
    await start_bot(DATABASE_URL=aphrodite_db.dsn, BACKUP_KEEP="1")
    names = []
    for _ in range(2):
        record = await fake_discord.slash("backup", "create", user=fake_discord.admin_user)
        await record.wait_for(lambda r: bool(r.original and r.original.embeds), timeout=60)
        names.append(record.original.embeds[0]["description"].strip("`"))

    fields = {field["name"]: field["value"] for field in record.original.embeds[0]["fields"]}
    assert fields["Retention"] == f"Removed 1 old backup(s) (BACKUP_KEEP): `{names[0]}`"
