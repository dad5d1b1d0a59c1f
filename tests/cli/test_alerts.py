"""`python -m bot alerts status|history`: the state the bot's monitor left, read from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.alerts.engine import AlertPolicy
from bot.alerts.monitor import Monitor
from bot.alerts.results import TargetResult
from bot.alerts.store import AlertStore
from bot.cli import alerts
from bot.cli.main import main
from bot.config import Settings
from bot.runtime import Runtime
from bot.state import StateStore
from bot.status import Status
from tests.alerts.conftest import Channel

REPO_ROOT = Path(__file__).resolve().parents[2]
CHANNEL = "123456789012345678"


class Fixed:
    """A target whose status the test sets."""

    def __init__(self, key: str, status: Status) -> None:
        self.keys = (key,)
        self.status = status

    async def __call__(self, now: datetime) -> list[TargetResult]:
        return [TargetResult(self.keys[0], now, self.status, 5.0, f"{self.keys[0]} is {self.status.value}")]


async def leave_state(data_dir: Path, *statuses: tuple[str, Status], rounds: int = 3) -> None:
    """Run a monitor over ``statuses`` as the bot would, leaving its state in DATA_DIR."""
    state = StateStore(data_dir / "state.sqlite3")
    now = datetime.now(UTC) - timedelta(hours=1)
    try:
        monitor = Monitor(
            targets=[Fixed(key, status) for key, status in statuses],
            policy=AlertPolicy(failure_threshold=2),
            store=AlertStore(state),
            deliver=Channel().deliver,
            interval=300,
            clock=lambda: now,
        )
        for _ in range(rounds):
            await monitor.run_round()
            now += timedelta(minutes=5)
    finally:
        await state.close()


async def run(argv: list[str], data_dir: Path, **settings) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true")
    parser = argparse.ArgumentParser()
    alerts.register(parser.add_subparsers(dest="command", required=True), common)
    args = parser.parse_args(argv)
    async with Runtime.open(Settings(data_dir=data_dir, **settings)) as runtime:
        return await args.handler(args, runtime)


async def test_status_exits_with_the_worst_open_incident(tmp_path, capsys):
    await leave_state(tmp_path, ("tmdb", Status.FAILED), ("omdb", Status.DEGRADED), ("jellyfin", Status.OK))
    code = await run(["alerts", "status"], tmp_path, alert_channel_id=int(CHANNEL))
    out = capsys.readouterr().out
    assert code == 2
    assert "Monitor on" in out and "incident #1" in out and "TMDB" in out and "not checked" in out


async def test_status_json_lists_every_target(tmp_path, capsys):
    await leave_state(tmp_path, ("omdb", Status.DEGRADED))
    code = await run(["alerts", "status", "--json"], tmp_path, alert_channel_id=int(CHANNEL))
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    targets = {target["target"]: target for target in data["targets"]}
    assert targets["omdb"]["status"] == "degraded" and targets["omdb"]["incident"]["id"] == 1
    assert data["worst_open_incident"] == "degraded"


async def test_status_is_0_when_nothing_is_open_and_3_when_alerts_were_never_on(tmp_path, capsys):
    await leave_state(tmp_path, ("tmdb", Status.OK))
    assert await run(["alerts", "status"], tmp_path, alert_channel_id=int(CHANNEL)) == 0
    assert await run(["alerts", "status"], tmp_path / "empty") == 3
    assert "ALERT_CHANNEL_ID" in capsys.readouterr().out


async def test_history_lists_incidents_and_the_mean_time_to_recovery(tmp_path, capsys):
    await leave_state(tmp_path, ("tmdb", Status.FAILED), rounds=2)
    await leave_state(tmp_path, ("tmdb", Status.OK), rounds=1)
    code = await run(["alerts", "history", "--json"], tmp_path)
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    [incident] = data["incidents"]
    assert incident["target"] == "tmdb" and incident["ended_at"] is not None
    assert data["mean_time_to_recovery_seconds"] is not None
    await run(["alerts", "history", "--target", "omdb"], tmp_path)
    assert "0 incident(s) of OMDb" in capsys.readouterr().out


async def test_python_m_bot_alerts_status_works_without_discord(tmp_path):
    await leave_state(tmp_path, ("database", Status.FAILED))
    environment = {"DATA_DIR": str(tmp_path), "ALERT_CHANNEL_ID": CHANNEL}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "alerts",
        "status",
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO_ROOT), **environment},
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert "Database" in out.decode() and "incident #1" in out.decode()


def test_a_bad_days_value_is_a_usage_error():
    assert main(["alerts", "history", "--days", "0"]) == 3
