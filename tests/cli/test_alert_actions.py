"""`python -m bot alerts pause|resume|test` while the bot is not running: the window is written to
the state store the bot reads at start, and what it announces waits in the outbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.alerts.store import AlertStore
from bot.cli.main import main
from bot.state import StateStore
from tests.cli.alerts_support import CHANNEL, run


async def stored(data_dir: Path) -> tuple[datetime | None, int]:
    """The maintenance window's end and the number of notices waiting, as the bot will read them."""
    state = StateStore(data_dir / "state.sqlite3")
    try:
        store = AlertStore(state)
        return (await store.load_engine()).paused_until, await store.pending_count()
    finally:
        await state.close()


async def test_pause_then_resume_without_the_bot_writes_the_window_it_reads_at_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = datetime.now(UTC)
    assert (
        await run(["alerts", "pause", "--minutes", "30", "--json"], tmp_path, alert_channel_id=int(CHANNEL))
        == 0
    )
    answer = json.loads(capsys.readouterr().out)
    assert answer["applied_by"] == "the state store (the bot is not running)"
    until, waiting = await stored(tmp_path)
    assert until is not None and until - before >= timedelta(minutes=30)
    assert answer["paused_until"] == until.isoformat() and waiting == 1  # the window's announcement

    assert await run(["alerts", "resume"], tmp_path, alert_channel_id=int(CHANNEL)) == 0
    assert capsys.readouterr().out.startswith("Alerts are back on.")
    assert (await stored(tmp_path))[0] is None

    assert await run(["alerts", "resume"], tmp_path, alert_channel_id=int(CHANNEL)) == 0
    assert capsys.readouterr().out.startswith("No maintenance window was open")


async def test_a_test_alert_without_the_bot_waits_in_the_outbox_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run(["alerts", "test"], tmp_path, alert_channel_id=int(CHANNEL)) == 2

    captured = capsys.readouterr()
    assert captured.out.startswith("The test alert was not posted: the bot is not running.")
    assert captured.err == ""  # the outbox's own warning is for the bot's log
    assert (await stored(tmp_path))[1] == 1


@pytest.mark.parametrize("action", [["pause", "--minutes", "5"], ["resume"], ["test"]])
async def test_without_an_alert_channel_nothing_is_done_and_it_exits_3(
    action: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run(["alerts", *action], tmp_path) == 3

    assert "error: Automatic alerts are off: ALERT_CHANNEL_ID is not set." in capsys.readouterr().err
    assert not (tmp_path / "state.sqlite3").exists()


@pytest.mark.parametrize("minutes", ["0", "10081", "soon"])
def test_a_pause_outside_one_minute_to_seven_days_is_a_usage_error(
    minutes: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["alerts", "pause", "--minutes", minutes]) == 3
    assert "--minutes" in capsys.readouterr().err


async def test_a_pause_and_a_resume_from_the_command_line_are_in_the_audit_trail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run(["alerts", "pause", "--minutes", "45"], tmp_path, alert_channel_id=int(CHANNEL)) == 0
    assert await run(["alerts", "resume"], tmp_path, alert_channel_id=int(CHANNEL)) == 0
    capsys.readouterr()

    assert await run(["audit", "--json"], tmp_path, alert_channel_id=int(CHANNEL)) == 0

    records = json.loads(capsys.readouterr().out)["records"]
    assert [(r["action"], r["source"], r["target"], r["outcome"]) for r in records] == [
        ("alerts_resume", "cli", None, "ok"),
        ("alerts_pause", "cli", "45 minutes", "ok"),
    ]
