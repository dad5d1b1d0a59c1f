"""When an incident ran and for how long, in the one wording the terminal and Discord both show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.alerts.history import IncidentRecord
from bot.units import human_duration


def incident_span(incident: IncidentRecord, now: datetime, when: Callable[[datetime], str]) -> str:
    """'since START · ongoing for 2 h 5 min', 'START → END · 2 h 5 min', or a range of durations.

    ``when`` renders a moment as its adapter shows time. When the bot was offline as the incident
    ended, its end lies between ``ended_after`` and ``ended_at``, so its length is a range.
    """
    started = when(incident.started_at)
    lasted = human_duration(incident.duration(now))
    if incident.ended_at is None:
        return f"since {started} · ongoing for {lasted}"
    if incident.ended_after is not None:
        shortest = human_duration(incident.ended_after - incident.started_at)
        return f"{started} → ended while the bot was offline · between {shortest} and {lasted}"
    return f"{started} → {when(incident.ended_at)} · {lasted}"
