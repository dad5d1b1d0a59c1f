"""`/alerts history` pages word incident spans as the terminal does, with Discord's own timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.alerts.history import IncidentHistory, IncidentRecord
from bot.cli.alerts import render_history
from bot.status import Status
from cogs.ui.alert_status_embeds import history_pages

T0 = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=1)


def stamp(moment: datetime) -> str:
    return f"<t:{int(moment.timestamp())}:f>"


def test_history_fields_word_open_ended_and_uncertain_incidents_as_the_cli_does() -> None:
    opened = NOW - timedelta(hours=2, minutes=5)
    incidents = (
        IncidentRecord(3, "omdb", Status.FAILED, opened, None, None, "401", None),
        IncidentRecord(2, "tmdb", Status.DEGRADED, T0, T0 + timedelta(minutes=42), None, "slow", None),
        IncidentRecord(
            1, "tmdb", Status.FAILED, T0, T0 + timedelta(hours=3), T0 + timedelta(minutes=10), "down", None
        ),
    )
    history = IncidentHistory(None, NOW - timedelta(days=7), NOW, incidents)
    [page] = history_pages(history)
    spans = [value.splitlines()[0] for _, value, _ in page.fields]
    assert spans == [
        f"since {stamp(opened)} · ongoing for 2 h 5 min",
        f"{stamp(T0)} → {stamp(T0 + timedelta(minutes=42))} · 42 min",
        f"{stamp(T0)} → ended while the bot was offline · between 10 min and 3 h",
    ]
    terminal = render_history(history)
    assert "2026-11-30 03:00:00 UTC → 2026-11-30 03:42:00 UTC · 42 min" in terminal
    assert "2026-11-30 03:00:00 UTC → ended while the bot was offline · between 10 min and 3 h" in terminal
    assert "since 2026-12-01 00:55:00 UTC · ongoing for 2 h 5 min" in terminal
