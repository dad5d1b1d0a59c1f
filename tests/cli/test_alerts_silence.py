"""`python -m bot alerts status` shows a target silenced by its alert's button (text and --json)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.alerts.engine import AlertPolicy
from bot.alerts.incident_desk import IncidentDesk
from bot.alerts.monitor import Monitor
from bot.alerts.store import AlertStore
from bot.state import StateStore
from bot.status import Status
from tests.alerts.conftest import Channel
from tests.cli.alerts_support import CHANNEL, INTERVAL, Fixed, run


async def silence_tmdb(data_dir: Path) -> None:
    """TMDB fails into an incident; its alert's Silence button is pressed by alice."""
    state = StateStore(data_dir / "state.sqlite3")
    channel = Channel()
    now = datetime.now(UTC) - timedelta(minutes=10)
    try:
        monitor = Monitor(
            targets=[Fixed("tmdb", Status.FAILED)],
            policy=AlertPolicy(failure_threshold=2),
            store=AlertStore(state),
            deliver=channel.deliver,
            interval=INTERVAL,
            clock=lambda: now,
        )
        for _ in range(2):
            await monitor.run_round()
        [alert] = channel.notices
        await IncidentDesk(monitor, clock=lambda: now).silence(alert.id, "alice")
    finally:
        await state.close()


async def test_status_shows_the_silenced_target_and_until_when(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await silence_tmdb(tmp_path)
    await run(["alerts", "status"], tmp_path, alert_channel_id=int(CHANNEL))
    [line] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("TMDB")]
    assert "[silenced until" in line
    await run(["alerts", "status", "--json"], tmp_path, alert_channel_id=int(CHANNEL))
    targets = {target["target"]: target for target in json.loads(capsys.readouterr().out)["targets"]}
    assert targets["tmdb"]["silenced_by"] == "alice" and targets["tmdb"]["silenced_until"] is not None
    assert targets["omdb"]["silenced_until"] is None
