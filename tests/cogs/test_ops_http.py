"""`/metrics`, `/livez` and `/readyz` of the real bot, logged into the fake Discord (METRICS_PORT set).

Monitor rounds are driven with ``bot.monitor.run_round()`` (the timer is set to an hour).
"""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp
import pytest

from bot.app import MaintenanceBot
from bot.config import load_settings
from bot.ops_http.errors import MetricsUnavailable
from bot.runtime import Runtime
from tests.backups.fixtures import write_dump_head
from tests.cli.process import python_m_bot
from tests.fakes.discord import FakeDiscord
from tests.fakes.services import NO_ANIDB, FakeServices
from tests.fakes.services.answers import SECRETS
from tests.ops_http.scrape import names, value
from tests.support.alert_channel import rounds, titles
from tests.support.discord_bot import BOT_TOKEN, bot_environment, running_bot
from tests.support.postgres_cluster import APP_PASSWORD, free_port

HOUR = 3600.0
StartMetricsBot = Callable[..., Awaitable[MaintenanceBot]]


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def environment(fake_discord: FakeDiscord, tmp_path: Path, fakes: FakeServices, port: int) -> dict[str, str]:
    return bot_environment(fake_discord, tmp_path, METRICS_PORT=str(port), **fakes.environment(**NO_ANIDB))


@pytest.fixture
async def metrics_bot(
    fake_discord: FakeDiscord, environment: dict[str, str]
) -> AsyncIterator[StartMetricsBot]:
    """``await metrics_bot(VAR=value)``: a bot serving metrics whose rounds the test drives."""
    async with AsyncExitStack() as stack:

        async def start(**overrides: str) -> MaintenanceBot:
            running = running_bot(fake_discord, {**environment, **overrides}, monitor_interval=HOUR)
            return await stack.enter_async_context(running)

        yield start


async def get(port: int, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}{path}") as response:
        return response.status, await response.text()


async def scrape(port: int) -> str:
    status, text = await get(port, "/metrics")
    assert status == 200
    return text


async def test_readyz_is_503_until_the_bot_is_connected_then_200_and_the_port_closes_with_the_bot(
    fake_discord: FakeDiscord, environment: dict[str, str], port: int
) -> None:
    before: list[tuple[int, str]] = []

    async def look(bot: MaintenanceBot) -> None:
        before.extend([await get(port, "/readyz"), await get(port, "/livez")])

    async with running_bot(fake_discord, environment, before_start=look, monitor_interval=HOUR):
        after = await get(port, "/readyz")
    assert before == [(503, "not ready: not connected to Discord\n"), (200, "alive\n")]
    assert after == (200, "ready\n")
    with pytest.raises(aiohttp.ClientConnectionError):
        await get(port, "/livez")


async def test_readyz_is_503_once_the_bot_is_closing_while_livez_still_answers(
    metrics_bot: StartMetricsBot, port: int
) -> None:
    bot = await metrics_bot()
    await bot.close()
    assert await get(port, "/readyz") == (503, "not ready: not connected to Discord\n")
    assert await get(port, "/livez") == (200, "alive\n")


async def test_a_failing_service_shows_as_down_with_its_incident_and_the_alert_delivered(
    metrics_bot: StartMetricsBot, fake_discord: FakeDiscord, fakes: FakeServices, port: int
) -> None:
    bot = await metrics_bot()
    fakes.tmdb.set_mode("bad_key")
    await rounds(bot, 2)  # ALERT_FAILURE_THRESHOLD=2: the second round opens the incident
    assert titles(fake_discord) == ["🔴 TMDB is down"]
    text = await scrape(port)
    assert value(text, "aphrodite_ops_check_up", target="tmdb") == 0
    for working in ("jellyfin", "omdb", "mdblist"):
        assert value(text, "aphrodite_ops_check_up", target=working) == 1
    assert value(text, "aphrodite_ops_check_duration_seconds", target="tmdb") is not None
    assert value(text, "aphrodite_ops_check_up", target="anidb") is None  # not configured
    assert value(text, "aphrodite_ops_incidents_open") == 1
    assert value(text, "aphrodite_ops_alert_deliveries_total", outcome="delivered") == 1
    assert value(text, "aphrodite_ops_alert_deliveries_total", outcome="failed") == 0
    assert {"aphrodite_ops_log_errors_total"} <= names(text)
    fakes.tmdb.set_mode("ok")
    await rounds(bot, 1)
    text = await scrape(port)
    assert value(text, "aphrodite_ops_check_up", target="tmdb") == 1
    assert value(text, "aphrodite_ops_incidents_open") == 0


async def test_an_alert_the_channel_refuses_counts_as_failed(
    metrics_bot: StartMetricsBot, fake_discord: FakeDiscord, fakes: FakeServices, port: int
) -> None:
    bot = await metrics_bot()
    fake_discord.channels_without_access.add(fake_discord.alert_channel_id)
    fakes.omdb.set_mode("bad_key")
    await rounds(bot, 3)  # the incident opens, then its notice is retried with the next round
    fake_discord.violations.clear()  # the 403s were the point
    text = await scrape(port)
    assert value(text, "aphrodite_ops_alert_deliveries_total", outcome="failed") == 2
    assert value(text, "aphrodite_ops_alert_deliveries_total", outcome="delivered") == 0


async def test_new_errors_in_aphrodites_log_are_counted(
    metrics_bot: StartMetricsBot, tmp_path: Path, port: int
) -> None:
    log_file = tmp_path / "aphrodite-v2.log"
    log_file.write_text("2026-05-01 10:00:00 [INFO] app.main:1: started\n")
    bot = await metrics_bot()
    await rounds(bot, 1)  # the watcher starts at the end of the file
    with log_file.open("a") as log:
        log.write(
            "2026-05-01 10:01:00 [ERROR] app.api:2: first\n2026-05-01 10:02:00 [ERROR] app.api:3: second\n"
        )
    await rounds(bot, 1)
    assert value(await scrape(port), "aphrodite_ops_log_errors_total") == 2


async def test_the_scrape_never_shows_a_secret(
    metrics_bot: StartMetricsBot, fakes: FakeServices, aphrodite_db, port: int
) -> None:
    bot = await metrics_bot(DATABASE_URL=aphrodite_db.dsn)
    for service in ("jellyfin", "omdb", "tmdb", "mdblist"):
        fakes[service].set_mode("garbage")  # a page that quotes the URL, and so the key
    await rounds(bot, 2)
    text = await scrape(port) + "".join([(await get(port, path))[1] for path in ("/readyz", "/livez")])
    assert "aphrodite_ops_check_up" in text
    for secret in (*SECRETS, BOT_TOKEN, APP_PASSWORD):
        assert secret not in text


async def test_a_backup_made_through_discord_sets_the_backup_metrics(
    metrics_bot: StartMetricsBot, fake_discord: FakeDiscord, aphrodite_db, tmp_path: Path, port: int
) -> None:
    await metrics_bot(DATABASE_URL=aphrodite_db.dsn)
    assert value(await scrape(port), "aphrodite_ops_backup_last_size_bytes") is None  # none yet
    record = await fake_discord.slash("backup", "create", user=fake_discord.admin_user)
    await record.wait_for(lambda r: bool(r.original and r.original.embeds), timeout=60)
    name = record.original.embeds[0]["description"].strip("`")
    text = await scrape(port)
    path = tmp_path / "backups" / name
    assert value(text, "aphrodite_ops_backup_last_size_bytes") == path.stat().st_size
    sidecar = json.loads(path.with_name(name + ".json").read_text())
    created = value(text, "aphrodite_ops_backup_last_success_timestamp_seconds")
    assert created is not None and abs(created - _timestamp(sidecar["created_at"])) < 1


async def test_a_restarted_bot_shows_the_newest_verified_backup_on_disk(
    fake_discord: FakeDiscord, environment: dict[str, str], aphrodite_db, tmp_path: Path, port: int
) -> None:
    env = {**environment, "DATABASE_URL": aphrodite_db.dsn}
    async with running_bot(fake_discord, env, monitor_interval=HOUR) as bot:
        made = await bot.runtime.backups.create(label="test")
    write_dump_head(tmp_path / "backups" / "aphrodite_backup_20991231_000000.sql")  # Aphrodite's: unverified
    async with running_bot(fake_discord, env, monitor_interval=HOUR):
        text = await scrape(port)
    assert value(text, "aphrodite_ops_backup_last_size_bytes") == made.size
    assert value(text, "aphrodite_ops_backup_last_success_timestamp_seconds") == made.created_at.timestamp()


async def test_a_metrics_port_in_use_stops_the_start_before_discord(
    fake_discord: FakeDiscord, environment: dict[str, str]
) -> None:
    settings = load_settings(environment)
    async with Runtime.open(settings) as runtime, MaintenanceBot(runtime) as holder:
        assert holder.ops_http is not None
        with pytest.raises(MetricsUnavailable, match=r"METRICS_BIND:METRICS_PORT.*already in use"):
            async with MaintenanceBot(runtime):
                pass
    assert not fake_discord.requests  # nothing reached Discord


async def test_python_m_bot_says_which_settings_to_change_when_the_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        environment = {"DISCORD_TOKEN": BOT_TOKEN, "DATA_DIR": str(tmp_path), "METRICS_PORT": str(port)}
        finished = await python_m_bot(environment=environment, cwd=tmp_path)
    assert finished.code == 3 and "Traceback" not in finished.err
    *_, error, hint = finished.err.splitlines()  # after the log's lines
    assert error == (
        f"error: Cannot serve metrics on 127.0.0.1:{port} (METRICS_BIND:METRICS_PORT): "
        "the port is already in use by another program."
    )
    assert hint.startswith("hint: Choose a free METRICS_PORT")


def _timestamp(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()
