"""`python -m bot alerts status|history`: the state the bot's monitor left, read from a terminal."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.status import Status
from tests.cli.alerts_support import CHANNEL, leave_state, run

REPO_ROOT = Path(__file__).resolve().parents[2]


async def test_status_exits_with_the_worst_open_incident(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await leave_state(tmp_path, ("tmdb", Status.FAILED), ("omdb", Status.DEGRADED), ("jellyfin", Status.OK))
    code = await run(["alerts", "status"], tmp_path, alert_channel_id=int(CHANNEL))
    out = capsys.readouterr().out
    assert code == 2
    assert "Monitor on" in out and "incident #1" in out and "TMDB" in out and "not checked" in out


async def test_status_json_lists_every_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await leave_state(tmp_path, ("omdb", Status.DEGRADED))
    code = await run(["alerts", "status", "--json"], tmp_path, alert_channel_id=int(CHANNEL))
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    targets = {target["target"]: target for target in data["targets"]}
    assert targets["omdb"]["status"] == "degraded" and targets["omdb"]["incident"]["id"] == 1
    assert data["worst_open_incident"] == "degraded"


async def test_status_is_0_when_nothing_is_open_and_3_when_alerts_were_never_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await leave_state(tmp_path, ("tmdb", Status.OK))
    assert await run(["alerts", "status"], tmp_path, alert_channel_id=int(CHANNEL)) == 0
    assert await run(["alerts", "status"], tmp_path / "empty") == 3
    assert "ALERT_CHANNEL_ID" in capsys.readouterr().out


async def test_history_lists_incidents_and_the_mean_time_to_recovery(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
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


async def test_python_m_bot_alerts_status_works_without_discord(tmp_path: Path) -> None:
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


def test_a_bad_days_value_is_a_usage_error() -> None:
    assert main(["alerts", "history", "--days", "0"]) == 3
