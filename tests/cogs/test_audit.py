"""`/audit` and the audit mirror end to end: the real bot, the fake Discord, the real state store."""

from __future__ import annotations

import json
from pathlib import Path

from bot.audit import Actor, AuditAction, AuditSource, Outcome, OutcomeKind, mirror
from bot.cli.main import build_parser, run_parsed
from bot.config import Settings
from cogs.ui import views
from tests.backups.fixtures import write_dump_head
from tests.fakes.discord import FakeDiscord, InteractionRecord, MessageRecord
from tests.fakes.services import closed_port
from tests.support.postgres_cluster import APP_PASSWORD

BACKUP = "aphrodite_backup_20250101_120000.sql"


def backup_in(tmp_path: Path, name: str = BACKUP) -> str:
    (tmp_path / "backups").mkdir(exist_ok=True)
    write_dump_head(tmp_path / "backups" / name)
    return name


def original(record: InteractionRecord) -> MessageRecord:
    assert record.original is not None
    return record.original


async def ask_delete(fake: FakeDiscord, name: str) -> InteractionRecord:
    record = await fake.slash("backup", "delete", user=fake.admin_user, options={"name": name})
    await record.wait_for(lambda r: r.original is not None and r.original.buttons(), timeout=15)
    return record


async def audit_text(fake: FakeDiscord, **options: object) -> str:
    record = await fake.slash("audit", user=fake.admin_user, options=options)
    await record.wait_done(timeout=10)
    return original(record).embeds[0].get("description", "")


def mirror_posts(fake: FakeDiscord) -> list[dict]:
    path = f"/channels/{fake.ops_channel_id}/messages"
    return [json.loads(r.body) for r in fake.requests if r.method == "POST" and r.path.endswith(path)]


async def test_a_confirmed_delete_shows_in_audit_with_the_user_and_is_mirrored(
    start_bot, fake_discord, tmp_path
):
    await start_bot(AUDIT_CHANNEL_ID=str(fake_discord.ops_channel_id))
    name = backup_in(tmp_path)
    question = await ask_delete(fake_discord, name)
    press = await fake_discord.click(original(question), "confirm", user=fake_discord.admin_user)
    await press.wait_for(lambda r: any(m.embeds for m in r.followups), timeout=15)

    listed = await audit_text(fake_discord)
    assert "**alice** (Discord) · backup delete aphrodite_backup_20250101_120000.sql · ✅ ok" in listed
    mirrored = await fake_discord.wait_for_channel_message(fake_discord.ops_channel_id, timeout=15)
    embed = mirrored.embeds[0]
    assert embed["title"] == "✅ backup delete"
    assert embed["description"] == f"**alice** (id {fake_discord.admin_user.id}) via Discord"
    assert [f["value"] for f in embed["fields"]] == ["aphrodite_backup_20250101_120000.sql", "ok"]
    assert mirror_posts(fake_discord)[0]["allowed_mentions"] == {"parse": []}


async def test_a_cancelled_and_an_unanswered_confirmation_are_audited_as_not_confirmed(
    start_bot, fake_discord, tmp_path, monkeypatch
):
    monkeypatch.setattr(views, "CONFIRM_TIMEOUT", 0.5)
    await start_bot()
    name = backup_in(tmp_path)
    question = await ask_delete(fake_discord, name)
    cancel = await fake_discord.click(original(question), "cancel", user=fake_discord.admin_user)
    await cancel.wait_acknowledged(timeout=10)
    unanswered = await ask_delete(fake_discord, name)
    await unanswered.wait_for(lambda r: "nothing was done" in (original(r).content or ""), timeout=10)

    lines = (await audit_text(fake_discord)).splitlines()
    shown = name  # underscores inside a word cannot start italics: left as they are
    assert [line.split(" · ", 1)[1] for line in lines] == [
        f"**alice** (Discord) · backup delete {shown} · "
        "↩️ not confirmed: no answer before the confirmation timed out",
        f"**alice** (Discord) · backup delete {shown} · ↩️ not confirmed: cancelled",
    ]
    assert (tmp_path / "backups" / name).exists()


async def test_audit_of_one_user_shows_only_their_actions(start_bot, fake_discord, tmp_path):
    await start_bot()
    await ask_delete(fake_discord, backup_in(tmp_path))  # left unanswered: nothing recorded yet
    refused = await fake_discord.slash(
        "backup", "restore", user=fake_discord.other_admin_user, options={"name": "../../etc/passwd"}
    )
    await refused.wait_done(timeout=10)

    only_bob = await audit_text(fake_discord, user=fake_discord.other_admin_user)
    assert "**bob** (Discord) · backup restore ../../etc/passwd · ❌ failed:" in only_bob
    assert await audit_text(fake_discord, user=fake_discord.admin_user, days=1) == (
        "No audited actions by alice in the last 1 day(s)."
    )


async def test_pause_resume_and_log_clear_are_audited(start_bot, fake_discord, tmp_path):
    (tmp_path / "aphrodite-v2.log").write_text("2025-06-06 18:52:46 [INFO] app.main:1: started\n")
    await start_bot()
    pause = await fake_discord.slash("alerts", "pause", user=fake_discord.admin_user, options={"minutes": 30})
    await pause.wait_done()
    resume = await fake_discord.slash("alerts", "resume", user=fake_discord.admin_user)
    await resume.wait_done()
    clear = await fake_discord.slash("logs", "clear", user=fake_discord.admin_user)
    await clear.wait_for(lambda r: r.original is not None and r.original.buttons(), timeout=15)
    press = await fake_discord.click(original(clear), "confirm", user=fake_discord.admin_user)
    await press.wait_done(timeout=15)
    await clear.wait_for(lambda r: "Cleared" in str(original(r).embeds), timeout=15)

    actions = [line.split(" · ")[2] for line in (await audit_text(fake_discord)).splitlines()]
    log = str(tmp_path / "aphrodite-v2.log")
    assert actions == [f"logs clear {log}", "alerts resume", "alerts pause 30 minutes"]


async def test_the_running_bot_mirrors_what_the_cli_did_since_the_mirror_started(
    start_bot, fake_discord, tmp_path, monkeypatch
):
    monkeypatch.setattr(mirror, "POLL_SECONDS", 0.2)
    settings = Settings(data_dir=tmp_path, backup_dir=tmp_path / "backups")
    parser = build_parser(["backup"])
    before = backup_in(tmp_path, "aphrodite_backup_20250101_000000.sql")
    assert await run_parsed(parser.parse_args(["backup", "delete", before, "--yes"]), settings) == 0
    await start_bot(AUDIT_CHANNEL_ID=str(fake_discord.ops_channel_id))

    after = backup_in(tmp_path, "aphrodite_backup_20250102_000000.sql")
    assert await run_parsed(parser.parse_args(["backup", "delete", after, "--yes"]), settings) == 0

    mirrored = await fake_discord.wait_for_channel_message(fake_discord.ops_channel_id, timeout=15)
    assert mirrored.embeds[0]["description"].endswith(" via CLI")
    assert mirrored.embeds[0]["fields"][0]["value"] == after
    assert len(fake_discord.channel_messages(fake_discord.ops_channel_id)) == 1  # not the one before


async def test_untrusted_text_is_escaped_and_mentions_nobody(start_bot, fake_discord):
    name = "@everyone **bold** <@&123456789012345678>\nline"
    await start_bot(AUDIT_CHANNEL_ID=str(fake_discord.ops_channel_id))
    refused = await fake_discord.slash(
        "backup", "delete", user=fake_discord.admin_user, options={"name": name}
    )
    await refused.wait_done(timeout=10)

    mirrored = await fake_discord.wait_for_channel_message(fake_discord.ops_channel_id, timeout=15)
    target = mirrored.embeds[0]["fields"][0]["value"]
    assert target == "@\u200beveryone \\*\\*bold\\*\\* <@\u200b&123456789012345678>\\\\x0aline"
    assert "@\u200beveryone" in await audit_text(fake_discord)


async def test_a_mirror_that_cannot_post_never_fails_the_action_and_catches_up_in_order(
    start_bot, fake_discord, tmp_path, caplog, monkeypatch
):
    monkeypatch.setattr(mirror, "POLL_SECONDS", 0.2)
    await start_bot(AUDIT_CHANNEL_ID=str(fake_discord.ops_channel_id))
    fake_discord.channels_without_access.add(fake_discord.ops_channel_id)
    names = ["aphrodite_backup_20250101_000000.sql", "aphrodite_backup_20250102_000000.sql"]
    for name in names:
        question = await ask_delete(fake_discord, backup_in(tmp_path, name))
        press = await fake_discord.click(original(question), "confirm", user=fake_discord.admin_user)
        await press.wait_for(lambda r: any(m.embeds for m in r.followups), timeout=15)
        assert original(question).content == "✅ Deleted."
    assert (await audit_text(fake_discord)).count("✅ ok") == 2
    warnings = [
        r.getMessage() for r in caplog.records if "cannot be posted to AUDIT_CHANNEL_ID" in r.getMessage()
    ]
    assert len(warnings) == 1 and "403" in warnings[0]
    assert {v.status for v in fake_discord.violations} == {403}
    fake_discord.violations.clear()
    fake_discord.channels_without_access.clear()

    await fake_discord.wait_for_channel_message(
        fake_discord.ops_channel_id,
        lambda m: len(fake_discord.channel_messages(m.channel_id)) == 2,
        timeout=15,
    )
    posted = [
        m.embeds[0]["fields"][0]["value"] for m in fake_discord.channel_messages(fake_discord.ops_channel_id)
    ]
    assert posted == names


async def test_a_failed_scheduled_backup_is_audited_as_the_schedules(start_bot, fake_discord):
    dead = f"postgresql://aphrodite:{APP_PASSWORD}@127.0.0.1:{closed_port()}/aphrodite"
    bot = await start_bot(DATABASE_URL=dead, BACKUP_SCHEDULE_HOURS="1")
    await bot.get_cog("Backups").scheduler.run_once()

    (line,) = (await audit_text(fake_discord)).splitlines()
    assert "**the backup schedule** (schedule) · backup create · ❌ failed:" in line
    assert APP_PASSWORD not in fake_discord.all_sent_text()


async def test_a_discord_backup_is_audited_with_its_name_and_many_records_are_paged(
    start_bot, fake_discord, aphrodite_db
):
    bot = await start_bot(DATABASE_URL=aphrodite_db.dsn)
    created = await fake_discord.slash("backup", "create", user=fake_discord.admin_user)
    await created.wait_for(lambda r: bool(r.original and r.original.embeds), timeout=60)
    name = original(created).embeds[0]["description"].strip("`")
    for minutes in range(1, 11):  # with the backup: 11 records, 10 a page
        outcome = Outcome(OutcomeKind.OK)
        await bot.runtime.audit.record(
            AuditAction.ALERTS_PAUSE, Actor("bob", 2), AuditSource.DISCORD, f"{minutes} minutes", outcome
        )

    record = await fake_discord.slash("audit", user=fake_discord.admin_user)
    await record.wait_done(timeout=10)
    assert original(record).embeds[0]["footer"]["text"].startswith("Page 1/2")
    flip = await fake_discord.click(original(record), "page:next", user=fake_discord.admin_user)
    await flip.wait_acknowledged(timeout=10)
    await record.wait_for(lambda r: "Page 2/2" in r.original.embeds[0]["footer"]["text"], timeout=10)
    (line,) = original(record).embeds[0]["description"].splitlines()
    assert f"**alice** (Discord) · backup create {name} · ✅ ok" in line
