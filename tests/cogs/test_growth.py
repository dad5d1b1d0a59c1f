"""`/db growth` end to end: the real bot, the fake Discord, a real PostgreSQL, the chart attached."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.history import FILE_NAME, HistoryStore, SizeSample, TableBytes
from cogs.ui.growth_embeds import CHART_NAME
from tests.backups.fixtures import DUMP_HEAD
from tests.fakes.discord import FakeDiscord
from tests.support.discord_bot import bot_environment, running_bot
from tests.support.postgres_cluster import APP_PASSWORD

GIB = 1024**3
MIB = 1024**2


async def growth(fake: FakeDiscord, **options: int):
    record = await fake.slash("db", "growth", user=fake.admin_user, options=options)
    await record.wait_done(timeout=30)
    assert record.ack_latency < 3
    return record.original


def png_dimensions(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


async def write_history(data_dir: Path, now: datetime, days: int) -> None:
    """Hourly samples of a database growing 3 MiB an hour, mostly in media_items; the last one 30 min ago."""
    store = HistoryStore(data_dir / FILE_NAME)
    try:
        for hour in range(days * 24, 0, -1):
            grown = (days * 24 - hour) * 3 * MIB
            tables = (TableBytes("media_items", GIB + grown), TableBytes("media_activities", 200 * MIB))
            await store.sizes.record(
                SizeSample(now - timedelta(hours=hour, minutes=-30), 2 * GIB + grown, tables)
            )
    finally:
        await store.close()


async def test_growth_attaches_a_chart_and_says_the_growth_in_words(
    start_bot, fake_discord, aphrodite_db, tmp_path
):
    now = datetime.now(UTC)
    await write_history(tmp_path, now, days=7)
    backups = tmp_path / "backups"
    backups.mkdir()
    for days_ago in (1, 3):
        stamp = (now - timedelta(days=days_ago)).strftime("%Y%m%d_%H%M%S")
        head = DUMP_HEAD.encode()
        (backups / f"aphrodite_backup_{stamp}.sql").write_bytes(head + b"-" * (4096 - len(head)))
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    message = await growth(fake_discord, days=7)
    ((filename, png),) = message.attachments
    assert filename == CHART_NAME
    width, height = png_dimensions(png)
    assert width >= 800 and height >= 500 and len(png) < 1_000_000
    embed = message.embeds[0]
    assert embed["image"]["url"] == f"attachment://{CHART_NAME}"
    assert embed["description"].startswith("+")
    assert embed["description"].endswith("in 7 days, mostly media_items")
    shown = {field["name"]: field["value"] for field in embed["fields"]}
    assert shown["Backups in the period"].startswith("2 (4.0 KiB)")
    assert APP_PASSWORD not in fake_discord.all_sent_text()


async def test_first_growth_takes_a_sample_of_the_real_database(start_bot, fake_discord, aphrodite_db):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    message = await growth(fake_discord)
    embed = message.embeds[0]
    assert "growth needs a second sample" in embed["description"]
    assert "media_items" in str(embed["fields"])
    assert [name for name, _ in message.attachments] == [CHART_NAME]


async def test_without_a_database_the_chart_says_there_is_nothing_yet(start_bot, fake_discord):
    await start_bot()
    message = await growth(fake_discord)
    assert "No size samples yet" in message.embeds[0]["description"]
    assert len(message.attachments) == 1


async def test_a_chart_over_the_upload_limit_is_explained_not_attached(aphrodite_db, tmp_path):
    async with FakeDiscord(attachment_size_limit=1000) as fake:
        environment = bot_environment(fake, tmp_path, DATABASE_URL=aphrodite_db.dsn)
        async with running_bot(fake, environment):
            message = await growth(fake)
            assert message.attachments == []
            assert "upload limit" in str(message.embeds[0]["fields"])
        fake.assert_no_violations()
