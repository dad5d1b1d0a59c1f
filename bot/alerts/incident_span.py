"""When an incident ran and for how long, in the one wording the terminal and Discord both show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.alerts.history import IncidentRecord
from bot.units import human_duration


def incident_span(incident: IncidentRecord, now: datetime, when: Callable[[datetime], str]) -> str:
    """The span of a recorded incident (see `span_words`)."""
    return span_words(incident.started_at, incident.ended_at, incident.ended_after, now, when)


def span_words(
    started_at: datetime,
    ended_at: datetime | None,
    ended_after: datetime | None,
    now: datetime,
    when: Callable[[datetime], str],
) -> str:
    """'since START · ongoing for 2 h 5 min', 'START → END · 2 h 5 min', or a range of durations.

    ``when`` renders a moment as its adapter shows time. When the bot was offline as the incident
    ended, its end lies between ``ended_after`` and ``ended_at``, so its length is a range.
    """
    started = when(started_at)
    lasted = human_duration((ended_at or now) - started_at)
    if ended_at is None:
        return f"since {started} · ongoing for {lasted}"
    if ended_after is not None:
        shortest = human_duration(ended_after - started_at)
        return f"{started} → ended while the bot was offline · between {shortest} and {lasted}"
    return f"{started} → {when(ended_at)} · {lasted}"
