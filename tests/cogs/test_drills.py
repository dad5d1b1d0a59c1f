"""`/backup drill` end to end, the drill line of `/backup list`, the start-up sweep, the incident.

The real bot against the fake Discord, real pg_dump and PostgreSQL; monitor rounds are driven by hand.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.drills.target import DrillOutcome, record_drill_outcome
from bot.state import StateStore
from tests.cogs.test_backups import create_backup
from tests.drills.conftest import scratch_databases, superuser
from tests.support.alert_channel import rounds, titles
from tests.support.discord_bot import bot_environment, running_bot

HOUR = 3600.0


async def test_backup_drill_reports_the_newest_backup_and_the_list_shows_it(
    start_bot, fake_discord, aphrodite_db
):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    _, name = await create_backup(fake_discord)

    record = await fake_discord.slash("backup", "drill", user=fake_discord.admin_user)
    await record.wait_for(lambda r: bool(r.original and r.original.embeds), timeout=60)

    embed = record.original.embeds[0]
    assert embed["title"] == "Restore drill — 🟢 OK" and name in embed["description"]
    assert "public.media_items" in json.dumps(embed["fields"])
    assert await scratch_databases(aphrodite_db) == set()
    listing = await fake_discord.slash("backup", "list", user=fake_discord.admin_user)
    await listing.wait_done(timeout=10)
    [field] = [f for f in listing.original.embeds[0]["fields"] if f["name"] == name]
    assert "\ndrill ✅ <t:" in field["value"]
    choices = await fake_discord.autocomplete(
        "backup", "drill", focused="name", value="aphrodite", user=fake_discord.admin_user
    )
    assert name in [choice["value"] for choice in choices]


async def test_the_bot_drops_a_killed_drills_database_when_it_starts(start_bot, fake_discord, aphrodite_db):
    left = "aphrodite_drill_20200101_000000"
    await superuser(aphrodite_db, f"CREATE DATABASE {left} OWNER aphrodite")

    bot = await start_bot(DATABASE_URL=aphrodite_db.dsn)
    await bot.get_cog("Drills")._sweep

    assert await scratch_databases(aphrodite_db) == set()


async def test_the_last_good_drill_is_in_the_metrics_after_a_restart(start_bot, fake_discord, tmp_path):
    passed_at = datetime(2026, 6, 1, 12, tzinfo=UTC)
    state = StateStore(tmp_path / "state.sqlite3")
    try:
        await record_drill_outcome(state, DrillOutcome(passed_at, "b.sql.gz", True, "restores in 3 s"))
    finally:
        await state.close()

    bot = await start_bot()

    assert bot.runtime.metrics.drill_at == passed_at


async def test_a_failed_scheduled_drill_opens_a_restore_drills_incident(fake_discord, aphrodite_db, tmp_path):
    environment = bot_environment(
        fake_discord, tmp_path, DATABASE_URL=aphrodite_db.dsn, DRILL_SCHEDULE_HOURS="24"
    )
    async with running_bot(fake_discord, environment, monitor_interval=HOUR) as bot:
        _, name = await create_backup(fake_discord)
        path = tmp_path / "backups" / name
        path.write_bytes(path.read_bytes()[:-100])  # damaged since it was made

        done = await bot.get_cog("Drills").scheduler.run_once()
        assert done is not None and not done.ok
        await rounds(bot, 2)

        assert "🔴 Restore drills is down" in titles(fake_discord)
        [incident] = [i for i in bot.monitor.engine.state.open_incidents() if i.target == "drills"]
        assert incident is not None


async def test_a_failed_drill_answers_red_with_why(start_bot, fake_discord, aphrodite_db, tmp_path):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    _, name = await create_backup(fake_discord)
    path = tmp_path / "backups" / name
    path.write_bytes(path.read_bytes()[:-100])

    record = await fake_discord.slash("backup", "drill", user=fake_discord.admin_user, options={"name": name})
    await record.wait_for(lambda r: bool(r.original and r.original.embeds), timeout=60)

    embed = record.original.embeds[0]
    assert embed["title"].startswith("Restore drill — 🔴") and embed["color"] != 0x2ECC71
    assert "Findings" in json.dumps(embed["fields"])
