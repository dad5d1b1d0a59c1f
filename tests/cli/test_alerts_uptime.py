"""`python -m bot alerts status|history`: uptime from the history the bot's rounds left, incident spans."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.history import FILE_NAME
from bot.status import Status
from tests.cli.alerts_support import CHANNEL, bot_rounds, leave_state, run
from tests.cli.process import python_m_bot

UNMEASURED_TARGETS = ("jellyfin", "mdblist", "anidb", "database", "backups", "log")


async def leave_a_week(data_dir: Path, now: datetime) -> None:
    """Three days ago TMDB failed 10 min and was up 5; two hours ago 15 min up, 10 min of
    maintenance, 5 min down, 5 min up. OMDb was up whenever TMDB was measured."""
    async with bot_rounds(data_dir, "tmdb", "omdb", start=now - timedelta(days=3)) as bot:
        bot.set("tmdb", Status.FAILED)
        await bot.rounds(2)
        bot.set("tmdb", Status.OK)
        await bot.rounds(1)
        bot.offline_until(now - timedelta(hours=2))
        await bot.rounds(3)
        await bot.monitor.pause(timedelta(minutes=10))
        await bot.rounds(2)
        bot.set("tmdb", Status.FAILED)
        await bot.rounds(1)
        bot.set("tmdb", Status.OK)
        await bot.rounds(1)


def line_of(out: str, prefix: str, containing: str = "") -> str:
    [line] = [line for line in out.splitlines() if line.startswith(prefix) and containing in line]
    return line


async def test_status_shows_uptime_of_measured_time_with_maintenance_and_gaps_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await leave_a_week(tmp_path, datetime.now(UTC))
    code = await run(["alerts", "status"], tmp_path, alert_channel_id=int(CHANNEL))
    out = capsys.readouterr().out
    assert code == 0
    said = "(last 24 h: 10 min maintenance, 23 h 25 min not measured)"
    assert line_of(out, "TMDB  ", "Uptime").endswith(f"  Uptime 24 h 80.00 % · 7 d 62.50 % {said}")
    assert line_of(out, "OMDb  ", "Uptime").endswith(f"  Uptime 24 h 100 % · 7 d 100 % {said}")
    assert line_of(out, "Jellyfin  ", "Uptime").endswith("  Uptime: not measured yet")


async def test_status_json_gives_each_targets_uptime_as_fractions_of_measured_seconds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await leave_a_week(tmp_path, datetime.now(UTC))
    code = await run(["alerts", "status", "--json"], tmp_path, alert_channel_id=int(CHANNEL))
    data = json.loads(capsys.readouterr().out)
    targets = {target["target"]: target for target in data["targets"]}
    assert code == 0 and data["uptime_missing"] is None
    tmdb = targets["tmdb"]
    assert tmdb["uptime_24h"] == pytest.approx(0.8) and tmdb["uptime_7d"] == pytest.approx(0.625)
    assert (tmdb["measured_24h_seconds"], tmdb["maintenance_24h_seconds"]) == (1500, 600)
    assert (tmdb["measured_7d_seconds"], tmdb["maintenance_7d_seconds"]) == (2400, 600)
    assert (targets["omdb"]["uptime_24h"], targets["omdb"]["uptime_7d"]) == (1, 1)
    for key in UNMEASURED_TARGETS:
        assert targets[key]["uptime_24h"] is None and targets[key]["measured_7d_seconds"] is None


async def test_status_without_a_history_says_so_and_never_creates_the_file(tmp_path: Path) -> None:
    await leave_state(tmp_path, ("tmdb", Status.OK))
    environment = {"DATA_DIR": str(tmp_path), "ALERT_CHANNEL_ID": CHANNEL}
    text = await python_m_bot("alerts", "status", environment=environment, cwd=tmp_path)
    as_json = await python_m_bot("alerts", "status", "--json", environment=environment, cwd=tmp_path)
    assert (text.code, as_json.code) == (0, 0), text.err + as_json.err
    assert text.out.rstrip().endswith("\nUptime: no history yet")
    data = json.loads(as_json.out)
    assert data["uptime_missing"] == "no history yet"
    for target in data["targets"]:
        assert target["uptime_24h"] is None and target["uptime_7d"] is None
        assert target["measured_24h_seconds"] is None and target["maintenance_7d_seconds"] is None
    assert not (tmp_path / FILE_NAME).exists()


async def test_history_gives_a_recovery_while_the_bot_was_offline_as_a_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=5)
    async with bot_rounds(tmp_path, "tmdb", "omdb", start=start) as bot:
        bot.set("tmdb", Status.FAILED)
        await bot.rounds(2)
        bot.offline_until(start + timedelta(hours=3))
        bot.set("tmdb", Status.OK)
        bot.set("omdb", Status.FAILED)
        await bot.rounds(2)
    code = await run(["alerts", "history"], tmp_path)
    out = capsys.readouterr().out
    assert code == 2
    reopened = start + timedelta(hours=3)
    assert f"Failed    since {reopened:%Y-%m-%d %H:%M:%S} UTC · ongoing for " in line_of(out, "#2 ")
    assert (
        f"Failed    {start:%Y-%m-%d %H:%M:%S} UTC → ended while the bot was offline · between 5 min and 3 h  "
        in line_of(out, "#1 ")
    )


async def test_status_with_an_unusable_history_still_shows_the_monitor_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await leave_state(tmp_path, ("tmdb", Status.FAILED))
    damaged = b"not a database " * 300
    (tmp_path / FILE_NAME).write_bytes(damaged)
    code = await run(["alerts", "status"], tmp_path, alert_channel_id=int(CHANNEL))
    out = capsys.readouterr().out
    assert code == 2 and "incident #1" in out
    assert f"Uptime: The measurement history in {tmp_path / FILE_NAME} is unusable: " in out
    assert await run(["alerts", "status", "--json"], tmp_path, alert_channel_id=int(CHANNEL)) == 2
    data = json.loads(capsys.readouterr().out)
    assert "is unusable" in data["uptime_missing"]
    assert all(target["uptime_24h"] is None for target in data["targets"])
    assert (tmp_path / FILE_NAME).read_bytes() == damaged
