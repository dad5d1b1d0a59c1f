"""The bot's state store breaks: the alert channel still gets the alerts, and is told once what to fix."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.discord import FakeDiscord
from tests.fakes.services import NO_ANIDB, FakeServices
from tests.support import broken_state
from tests.support.alert_channel import rounds, titles
from tests.support.discord_bot import bot_environment, running_bot

HOUR = 3600.0


def environment(fake_discord: FakeDiscord, tmp_path: Path, fakes: FakeServices) -> dict[str, str]:
    return bot_environment(fake_discord, tmp_path, **fakes.environment(**NO_ANIDB))


async def test_a_corrupt_store_at_start_is_moved_aside_said_once_and_alerts_still_arrive(
    fake_discord: FakeDiscord, tmp_path: Path, fakes: FakeServices
) -> None:
    broken_state.corrupt_bytes(tmp_path)
    fakes.tmdb.set_mode("bad_key")
    async with running_bot(
        fake_discord, environment(fake_discord, tmp_path, fakes), monitor_interval=HOUR
    ) as bot:
        first = await fake_discord.wait_for_channel_message(fake_discord.alert_channel_id, timeout=15)
        await rounds(bot, 3)

    assert first.embeds[0]["title"] == "🗄️ The bot's state store was damaged: a fresh one was started"
    [kept] = broken_state.files_in(tmp_path, "state.sqlite3.corrupt-*")
    assert kept in first.embeds[0]["description"]
    assert titles(fake_discord).count("🔴 TMDB is down") == 1
    assert len(titles(fake_discord)) == 2


async def test_a_read_only_store_is_said_once_alerts_go_on_and_the_repair_is_announced(
    fake_discord: FakeDiscord, tmp_path: Path, fakes: FakeServices
) -> None:
    path = broken_state.read_only_file(tmp_path)
    fakes.omdb.set_mode("bad_key")
    async with running_bot(
        fake_discord, environment(fake_discord, tmp_path, fakes), monitor_interval=HOUR
    ) as bot:
        with broken_state.immutable(path):
            await rounds(bot, 3)
            status = await fake_discord.slash("alerts", "status", user=fake_discord.admin_user)
            await status.wait_done()
        await rounds(bot, 1)

    assert titles(fake_discord) == [
        "🗄️ The bot's state store is failing",
        "🔴 OMDb is down",
        "🗄️ The bot's state store works again",
    ]
    failing = fake_discord.channel_messages(fake_discord.alert_channel_id)[0].embeds[0]
    assert "read-only" in failing["description"] and "writable" in str(failing["fields"])
    assert status.original is not None and "OMDb" in str(status.original.embeds[0])
    assert (
        "🗄️" in status.original.embeds[0]["description"]
        and "read-only" in status.original.embeds[0]["description"]
    )


async def test_a_store_that_cannot_be_opened_alerts_and_history_says_what_to_fix(
    fake_discord: FakeDiscord, tmp_path: Path, fakes: FakeServices
) -> None:
    broken_state.folder_instead_of_file(tmp_path)
    fakes.mdblist.set_mode("bad_key")
    async with running_bot(
        fake_discord, environment(fake_discord, tmp_path, fakes), monitor_interval=HOUR
    ) as bot:
        await rounds(bot, 2)
        history = await fake_discord.slash("alerts", "history", user=fake_discord.admin_user)
        await history.wait_done()

    assert titles(fake_discord) == ["🗄️ The bot's state store is failing", "🔴 MDBList is down"]
    answers = [m.content or "" for m in [history.original, *history.followups] if m is not None]
    [error] = {text for text in answers if text.startswith("❌")}  # the same answer, wherever it lands
    assert "state.sqlite3 cannot be used: that path is a folder" in error and "→ move the folder" in error


async def test_download_of_a_log_summary_says_what_is_wrong_when_the_store_broke_since(
    fake_discord: FakeDiscord, tmp_path: Path, fakes: FakeServices
) -> None:
    log = tmp_path / "aphrodite-v2.log"
    log.write_text("2026-11-30 02:00:00 [INFO] app.main:1: started\n")
    async with running_bot(
        fake_discord, environment(fake_discord, tmp_path, fakes), monitor_interval=HOUR
    ) as bot:
        await rounds(bot, 1)
        with log.open("a") as handle:
            handle.write("2026-11-30 03:00:00 [ERROR] app.db:12: query failed\n")
        await rounds(bot, 1)
        [summary] = fake_discord.channel_messages(fake_discord.alert_channel_id)
        broken_state.corrupt_bytes(tmp_path)  # under the running bot
        [(custom_id, _, _)] = summary.buttons()
        click = await fake_discord.click(summary, custom_id, user=fake_discord.admin_user)
        await click.wait_done()

    answers = {m.content or "" for m in [click.original, *click.followups] if m is not None}
    [error] = [text for text in answers if text.startswith("❌")]
    assert "not a valid SQLite database" in error and "→ the bot's monitor moves it aside" in error
