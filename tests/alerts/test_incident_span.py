"""One wording for when an incident ran: since when while open, its length, a range when uncertain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.alerts.history import IncidentRecord
from bot.alerts.incident_span import incident_span
from bot.status import Status

T0 = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def clock_time(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def incident(ended_at: datetime | None = None, ended_after: datetime | None = None) -> IncidentRecord:
    return IncidentRecord(1, "tmdb", Status.FAILED, T0, ended_at, ended_after, "TMDB answered 401", None)


def test_an_open_incident_says_since_when_and_for_how_long_so_far() -> None:
    now = T0 + timedelta(hours=2, minutes=5)
    assert incident_span(incident(), now, clock_time) == "since 03:00 · ongoing for 2 h 5 min"


def test_an_ended_incident_gives_its_start_end_and_length() -> None:
    ended = incident(ended_at=T0 + timedelta(minutes=42))
    assert incident_span(ended, T0 + timedelta(days=1), clock_time) == "03:00 → 03:42 · 42 min"


def test_a_recovery_while_the_bot_was_offline_gives_the_length_as_a_range() -> None:
    uncertain = incident(ended_at=T0 + timedelta(hours=3), ended_after=T0 + timedelta(minutes=10))
    assert (
        incident_span(uncertain, T0 + timedelta(days=1), clock_time)
        == "03:00 → ended while the bot was offline · between 10 min and 3 h"
    )
