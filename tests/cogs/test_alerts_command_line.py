"""`python -m bot alerts pause|resume|test` while the bot runs: its monitor applies them, as /alerts would."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.heartbeat import age_seconds
from tests.cli.alerts_support import run
from tests.cogs.conftest import StartBot
from tests.fakes.discord import FakeDiscord
from tests.support.alert_channel import titles


async def heartbeat_seen(data_dir: Path) -> None:
    """Wait until the bot has beaten once: the CLI then knows it runs."""

    async def beaten() -> None:
        while age_seconds(data_dir) is None:  # noqa: ASYNC110 - a file another task writes: no event
            await asyncio.sleep(0.05)

    await asyncio.wait_for(beaten(), timeout=15)


async def test_the_running_bot_applies_pause_test_and_resume_from_the_command_line(
    start_bot: StartBot, fake_discord: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bot = await start_bot()
    await heartbeat_seen(tmp_path)
    channel = {"alert_channel_id": fake_discord.alert_channel_id}

    assert await run(["alerts", "pause", "--minutes", "30", "--json"], tmp_path, **channel) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["applied_by"] == "the running bot"
    assert bot.monitor.engine.state.paused_until is not None
    assert answer["paused_until"] == bot.monitor.engine.state.paused_until.isoformat()
    assert titles(fake_discord) == ["🔧 Maintenance window: alerts paused"]

    assert await run(["alerts", "test"], tmp_path, **channel) == 0
    assert capsys.readouterr().out.startswith("Test alert posted to the alert channel.")
    assert titles(fake_discord)[-1].startswith("🧪 TEST")

    assert await run(["alerts", "resume"], tmp_path, **channel) == 0
    assert capsys.readouterr().out.startswith("Alerts are back on. (applied by the running bot)")
    assert bot.monitor.engine.state.paused_until is None
    assert titles(fake_discord)[-1] == "🔔 Maintenance window over: alerts are back on"


async def test_a_test_alert_the_channel_refuses_exits_2_with_the_reason(
    start_bot: StartBot, fake_discord: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await start_bot()
    await heartbeat_seen(tmp_path)
    fake_discord.channels_without_access.add(fake_discord.alert_channel_id)

    assert await run(["alerts", "test"], tmp_path, alert_channel_id=fake_discord.alert_channel_id) == 2

    assert capsys.readouterr().out.startswith("The test alert was not posted:")
    fake_discord.violations.clear()  # the 403 is what this test provokes
