"""What the bot posted in the alert channel, and monitor rounds driven by hand (alert tests)."""

from __future__ import annotations

import json

from bot.app import MaintenanceBot
from tests.fakes.discord import FakeDiscord


def alerts(fake_discord: FakeDiscord) -> list:
    return fake_discord.channel_messages(fake_discord.alert_channel_id)


def titles(fake_discord: FakeDiscord) -> list[str]:
    return [message.embeds[0]["title"] for message in alerts(fake_discord)]


async def rounds(bot: MaintenanceBot, count: int) -> None:
    for _ in range(count):
        await bot.monitor.run_round()


def alert_posts(fake_discord: FakeDiscord) -> list[dict]:
    path = f"/channels/{fake_discord.alert_channel_id}/messages"
    return [json.loads(r.body) for r in fake_discord.requests if r.method == "POST" and r.path.endswith(path)]
