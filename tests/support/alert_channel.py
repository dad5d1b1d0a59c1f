"""What the bot posted in the alert channel, and monitor rounds driven by hand (alert tests)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.app import MaintenanceBot
from tests.fakes.discord import FakeDiscord
from tests.fakes.services import NO_ANIDB, FakeServices
from tests.support.discord_bot import bot_environment

HOUR = 3600.0  # a monitor interval the tests never wait for: they drive the rounds


def alert_environment(
    fake_discord: FakeDiscord, tmp_path: Path, fakes: FakeServices, **overrides: str | None
) -> dict[str, str]:
    """The bot's settings for alert tests: the fake services (no AniDB), mentions of the admin role."""
    settings = fakes.environment(**NO_ANIDB, **overrides)
    return bot_environment(fake_discord, tmp_path, ALERT_ROLE_ID=str(fake_discord.admin_role_id), **settings)


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
