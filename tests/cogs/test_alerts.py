"""Automatic alerts end to end: the real bot, the fake Discord, the fake services switched on and off.

Rounds are driven with ``bot.monitor.run_round()`` (the bot's timer is set to an hour), except
where the timer itself is under test.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.history import FILE_NAME
from bot.status import Status
from cogs.access import REFUSAL
from tests.cogs.conftest import StartAlertBot
from tests.fakes.discord import FakeDiscord, InteractionRecord, MessageRecord
from tests.fakes.services import FakeServices
from tests.fakes.services.answers import TMDB_V3_KEY
from tests.support.alert_channel import HOUR, alert_environment, alert_posts, alerts, rounds, titles
from tests.support.discord_bot import running_bot
from tests.support.embeds import fields

LOG_SECRET = "log-leaked-password-5e1f"


def original(record: InteractionRecord) -> MessageRecord:
    """The answer of a finished interaction."""
    assert record.original is not None
    return record.original


async def test_an_outage_is_one_alert_with_the_role_mention_then_one_recovery(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices
) -> None:
    bot = await alert_bot()
    fakes.tmdb.set_mode("bad_key")
    await rounds(bot, 5)
    [alert] = alerts(fake_discord)
    assert alert.content == f"<@&{fake_discord.admin_role_id}>"
    embed = alert.embeds[0]
    assert embed["title"] == "🔴 TMDB is down"
    assert "401" in embed["description"] and "TMDB_API_KEY" in json.dumps(embed)
    mentions = alert_posts(fake_discord)[0]["allowed_mentions"]
    assert mentions["parse"] == [] and [str(role) for role in mentions["roles"]] == [
        str(fake_discord.admin_role_id)
    ]
    fakes.tmdb.set_mode("ok")
    await rounds(bot, 3)
    assert titles(fake_discord) == ["🔴 TMDB is down", "🟢 TMDB recovered"]
    recovered = alerts(fake_discord)[1]
    assert recovered.content == "" and "Outage" in json.dumps(recovered.embeds[0])
    assert TMDB_V3_KEY not in fake_discord.all_sent_text()


async def test_degraded_is_amber_without_a_mention(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices
) -> None:
    bot = await alert_bot()
    fakes.mdblist.set_mode("quota")
    await rounds(bot, 3)
    [alert] = alerts(fake_discord)
    assert alert.embeds[0]["title"] == "🟠 MDBList is degraded" and alert.content == ""


async def test_a_restart_mid_incident_does_not_alert_again(
    fake_discord: FakeDiscord, tmp_path: Path, fakes: FakeServices
) -> None:
    env = alert_environment(fake_discord, tmp_path, fakes)
    fakes.omdb.set_mode("bad_key")
    async with running_bot(fake_discord, env, monitor_interval=HOUR) as bot:
        await rounds(bot, 3)
    assert titles(fake_discord) == ["🔴 OMDb is down"]
    async with running_bot(fake_discord, env, monitor_interval=HOUR) as bot:
        await rounds(bot, 3)
        assert titles(fake_discord) == ["🔴 OMDb is down"]
        fakes.omdb.set_mode("ok")
        await rounds(bot, 1)
    assert titles(fake_discord) == ["🔴 OMDb is down", "🟢 OMDb recovered"]


async def test_a_burst_of_log_errors_is_one_summary_with_a_download(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    log = tmp_path / "aphrodite-v2.log"
    log.write_text("2026-11-30 02:00:00 [INFO] app.main:1: started\n")
    bot = await alert_bot()
    await rounds(bot, 1)
    with log.open("a") as handle:
        for number in range(300):
            handle.write(
                f"2026-11-30 03:00:00 [ERROR] app.db:12: query {number} failed password={LOG_SECRET}\n"
            )
            handle.write("Traceback (most recent call last):\n  boom\n")
    await rounds(bot, 1)
    [summary] = alerts(fake_discord)
    embed = summary.embeds[0]
    assert embed["title"] == "📜 300 new errors in Aphrodite's log"
    assert "```" in embed["description"] and "query 0 failed" in embed["description"]
    assert "295 more" in embed["description"]
    assert summary.content == ""
    await rounds(bot, 2)
    assert len(alerts(fake_discord)) == 1  # nothing new, nothing sent

    [(custom_id, label, _)] = summary.buttons()
    assert label == "Download"
    click = await fake_discord.click(summary, custom_id, user=fake_discord.admin_user)
    await click.wait_done()
    [(filename, data)] = original(click).attachments
    text = data.decode()
    assert filename.endswith(".log") and text.count("[ERROR]") == 300 and text.count("Traceback") == 300
    assert LOG_SECRET not in fake_discord.all_sent_text()

    refused = await fake_discord.click(summary, custom_id, user=fake_discord.stranger_user)
    await refused.wait_done()
    assert original(refused).content == REFUSAL and refused.ephemeral


async def test_pause_silences_alerts_and_resume_brings_them_back(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices
) -> None:
    bot = await alert_bot()
    record = await fake_discord.slash(
        "alerts", "pause", user=fake_discord.admin_user, options={"minutes": 30}
    )
    await record.wait_done()
    assert "paused until" in original(record).content
    fakes.tmdb.set_mode("bad_key")
    await rounds(bot, 4)
    assert titles(fake_discord) == ["🔧 Maintenance window: alerts paused"]
    resume = await fake_discord.slash("alerts", "resume", user=fake_discord.admin_user)
    await resume.wait_done()
    # Ending the window runs a round at once: TMDB, still failing, alerts now.
    await fake_discord.wait_for_channel_message(
        fake_discord.alert_channel_id, lambda m: m.embeds[0]["title"] == "🔴 TMDB is down", timeout=15
    )
    assert titles(fake_discord) == [
        "🔧 Maintenance window: alerts paused",
        "🔔 Maintenance window over: alerts are back on",
        "🔴 TMDB is down",
    ]


async def test_an_alert_the_channel_refused_arrives_once_posting_works(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await alert_bot()
    fake_discord.channels_without_access.add(fake_discord.alert_channel_id)
    fakes.jellyfin.set_mode("server_error")
    with caplog.at_level(logging.WARNING):
        await rounds(bot, 4)
    assert alerts(fake_discord) == []
    assert caplog.text.count("alerts cannot be posted") == 1 and "Send Messages" in caplog.text
    assert {v.status for v in fake_discord.violations} == {403}
    fake_discord.violations.clear()
    fake_discord.channels_without_access.clear()
    await rounds(bot, 3)
    assert titles(fake_discord) == ["🔴 Jellyfin is down"]


async def test_an_alert_waiting_in_the_outbox_is_posted_when_the_bot_starts_again(
    fake_discord: FakeDiscord, tmp_path: Path, fakes: FakeServices
) -> None:
    env = alert_environment(fake_discord, tmp_path, fakes)
    fake_discord.channels_without_access.add(fake_discord.alert_channel_id)
    fakes.mdblist.set_mode("bad_key")
    async with running_bot(fake_discord, env, monitor_interval=HOUR) as bot:
        await rounds(bot, 2)
    fake_discord.violations.clear()
    fake_discord.channels_without_access.clear()
    async with running_bot(fake_discord, env, monitor_interval=HOUR):
        alert = await fake_discord.wait_for_channel_message(fake_discord.alert_channel_id, timeout=15)
    assert alert.embeds[0]["title"] == "🔴 MDBList is down"
    assert len(alerts(fake_discord)) == 1


async def test_a_hanging_service_never_makes_rounds_overlap_and_check_all_still_answers(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices
) -> None:
    fakes.tmdb.set_mode("slow", delay=30)  # far beyond HTTP_TIMEOUT_SECONDS=2
    await alert_bot(interval=0.2)
    for _ in range(400):  # the timer's rounds: wait for the second request to TMDB
        if fakes.tmdb.request_count >= 2:
            break
        await asyncio.sleep(0.05)
    check = await fake_discord.slash("check", "all", user=fake_discord.admin_user)
    await check.wait_done(timeout=15)
    assert check.ack_latency is not None and check.ack_latency < 3
    assert "TMDB" in json.dumps(original(check).embeds)
    starts = [request.started for request in fakes.tmdb.requests]
    # A round waits for the 2 s timeout; overlapping rounds would start every 0.2 s.
    assert all(later - earlier > 1.5 for earlier, later in itertools.pairwise(starts))


async def test_the_test_alert_looks_like_a_real_one_with_the_mention(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord
) -> None:
    await alert_bot()
    record = await fake_discord.slash("alerts", "test", user=fake_discord.admin_user)
    await record.wait_done()
    assert record.ephemeral and "posted" in original(record).content
    [alert] = alerts(fake_discord)
    assert alert.content == f"<@&{fake_discord.admin_role_id}>"
    assert alert.embeds[0]["title"].startswith("🧪 TEST — 🔴")


async def test_the_test_alert_says_what_to_fix_when_the_channel_refuses(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord
) -> None:
    await alert_bot()
    fake_discord.channels_without_access.add(fake_discord.alert_channel_id)
    record = await fake_discord.slash("alerts", "test", user=fake_discord.admin_user)
    await record.wait_done()
    assert "403" in original(record).content and "Send Messages" in original(record).content
    fake_discord.violations.clear()


async def test_status_lists_every_target_with_its_state(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices
) -> None:
    bot = await alert_bot()
    fakes.omdb.set_mode("bad_key")
    await rounds(bot, 2)
    record = await fake_discord.slash("alerts", "status", user=fake_discord.admin_user)
    await record.wait_done()
    embed = original(record).embeds[0]
    names = [field["name"] for field in embed["fields"]]
    assert names[:3] == ["🟢 Jellyfin", "🔴 OMDb", "🟢 TMDB"]
    assert any("Database" in name for name in names) and any("Aphrodite log" in name for name in names)
    omdb = fields(embed)["🔴 OMDb"]
    assert "Incident #1" in omdb and "since" in omdb


async def test_status_shows_uptime_and_attaches_the_latency_chart_from_the_rounds(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices
) -> None:
    bot = await alert_bot()
    fakes.omdb.set_mode("bad_key")
    await rounds(bot, 2)
    # The history keeps whole seconds: wait for the next one, so the rounds stand for some time.
    now = datetime.now(UTC).timestamp()
    await asyncio.sleep(int(now) + 1 - now)
    record = await fake_discord.slash("alerts", "status", user=fake_discord.admin_user)
    await record.wait_done()
    message = original(record)
    ((filename, png),) = message.attachments
    assert filename == "monitor-status.png" and png.startswith(b"\x89PNG") and len(png) < 1_000_000
    embed = message.embeds[0]
    assert embed["image"]["url"] == "attachment://monitor-status.png"
    shown = {field["name"]: field["value"] for field in embed["fields"]}
    assert "Uptime 24 h 100 %" in shown["🟢 TMDB"]
    assert "Uptime 24 h 0.00 %" in shown["🔴 OMDb"]
    recorded = await bot.runtime.history.samples(datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC))
    assert {sample.status for sample in recorded["tmdb"]} == {Status.OK}
    assert {sample.status for sample in recorded["omdb"]} == {Status.FAILED}


async def test_status_with_an_unusable_history_shows_the_incidents_says_why_uptime_is_missing_and_no_chart(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices, tmp_path: Path
) -> None:
    damaged = b"not a database " * 300
    (tmp_path / FILE_NAME).write_bytes(damaged)
    bot = await alert_bot()
    fakes.omdb.set_mode("bad_key")
    await rounds(bot, 2)
    record = await fake_discord.slash("alerts", "status", user=fake_discord.admin_user)
    await record.wait_done()
    message = original(record)
    assert message.attachments == []
    embed = message.embeds[0]
    assert "image" not in embed
    shown = fields(embed)
    assert "Incident #1" in shown["🔴 OMDb"] and "🟢 TMDB" in shown
    assert not any("Uptime" in value for value in shown.values())
    assert embed["description"].endswith(
        "\nUptime: The measurement history in history.sqlite3 is unusable: file is not a database"
    )
    assert str(tmp_path / FILE_NAME) not in fake_discord.all_sent_text()
    assert (tmp_path / FILE_NAME).read_bytes() == damaged


async def test_status_before_any_round_says_there_is_no_history_yet_and_creates_no_file(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    await alert_bot()
    record = await fake_discord.slash("alerts", "status", user=fake_discord.admin_user)
    await record.wait_done()
    assert original(record).attachments == []
    assert original(record).embeds[0]["description"].endswith("\nUptime: no history yet")
    assert not (tmp_path / FILE_NAME).exists()


async def test_history_lists_incidents_with_the_mean_time_to_recovery(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices
) -> None:
    bot = await alert_bot()
    for service in ("omdb", "tmdb"):
        fakes[service].set_mode("bad_key")
        await rounds(bot, 2)
        fakes[service].set_mode("ok")
        await rounds(bot, 1)
    record = await fake_discord.slash("alerts", "history", user=fake_discord.admin_user)
    await record.wait_done()
    embed = original(record).embeds[0]
    assert "2 incident(s)" in embed["description"] and "mean time to recovery" in embed["description"]
    assert [field["name"] for field in embed["fields"]] == ["🔴 TMDB · #2", "🔴 OMDb · #1"]
    only = await fake_discord.slash(
        "alerts", "history", user=fake_discord.admin_user, options={"target": "omdb", "days": 1}
    )
    await only.wait_done()
    assert [field["name"] for field in original(only).embeds[0]["fields"]] == ["🔴 OMDb · #1"]


async def test_without_an_alert_channel_the_monitor_is_off(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices
) -> None:
    bot = await alert_bot(ALERT_CHANNEL_ID="")
    assert not bot.monitor.running
    record = await fake_discord.slash("alerts", "pause", user=fake_discord.admin_user, options={"minutes": 5})
    await record.wait_done()
    assert "ALERT_CHANNEL_ID" in original(record).content and record.ephemeral
    status = await fake_discord.slash("alerts", "status", user=fake_discord.admin_user)
    await status.wait_done()
    assert "ALERT_CHANNEL_ID" in original(status).embeds[0]["description"]
    assert fakes.tmdb.request_count == 0
