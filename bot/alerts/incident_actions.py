"""What the incident buttons change in the engine's memory: acknowledgements and per-target silences.

Pure functions over `EngineState` (the monitor saves the state after them); `Handling` is what an
alert message shows about its incidents afterwards: who took them, which targets are silenced.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.alerts.engine_state import EngineState, Incident, Silence
from bot.alerts.notices import Notice


@dataclass(frozen=True)
class Acknowledgement:
    """One open incident and who acknowledged it (``by`` None: nobody yet)."""

    incident_id: int
    target: str
    by: str | None
    at: datetime | None


@dataclass(frozen=True)
class Handling:
    """The state of one alert's incidents now: the open ones with their acknowledgement, the silences."""

    open: tuple[Acknowledgement, ...]
    silenced: tuple[tuple[str, Silence], ...]

    @property
    def all_acknowledged(self) -> bool:
        """Nothing left to acknowledge (every open incident is taken, or none is open)."""
        return all(ack.by is not None for ack in self.open)


def acknowledge(state: EngineState, incident_ids: Iterable[int], by: str, now: datetime) -> list[Incident]:
    """Mark the open incidents among ``incident_ids`` as taken by ``by``; the ones newly acknowledged.

    An incident someone already acknowledged keeps its first acknowledgement.
    """
    wanted = set(incident_ids)
    taken = []
    for incident in state.open_incidents():
        if incident.id in wanted and incident.acknowledged_by is None:
            incident.acknowledged_by, incident.acknowledged_at = by, now
            taken.append(incident)
    return taken


def silence(state: EngineState, targets: Iterable[str], until: datetime, by: str | None) -> None:
    """Open (or move the end of) each target's own maintenance window."""
    for target in targets:
        state.silences[target] = Silence(until, by)


def handling(state: EngineState, notice: Notice, now: datetime) -> Handling:
    """How ``notice``'s incidents and targets stand at ``now``."""
    ids = set(notice.incident_ids)
    acks = tuple(
        Acknowledgement(incident.id, incident.target, incident.acknowledged_by, incident.acknowledged_at)
        for incident in state.open_incidents()
        if incident.id in ids
    )
    silenced = []
    for target in notice_targets(notice):
        current = state.silence_of(target, now)
        if current is not None:
            silenced.append((target, current))
    return Handling(acks, tuple(silenced))


def notice_targets(notice: Notice) -> list[str]:
    """The targets an alert is about, each once, in its order."""
    targets = (part.target for part in notice.members if part.target is not None)
    return list(dict.fromkeys(targets))
