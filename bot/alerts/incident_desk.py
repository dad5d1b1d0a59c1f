"""The incident buttons' work (Acknowledge, Silence 1 h, Re-check) against the monitor's engine and store.

A button names the alert by its outbox id: the stored notice says which incidents and targets it
is about, so a button keeps working after a restart for as long as the notice is kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.alerts.incident_actions import Handling, acknowledge, handling, notice_targets, silence
from bot.alerts.monitor import Monitor
from bot.alerts.notices import Notice
from bot.alerts.results import TargetResult, target_name
from bot.alerts.target_check import TargetCheck
from bot.alerts.targets import ServicesTarget, Target
from bot.errors import OpsError

SILENCE = timedelta(hours=1)


class AlertGone(OpsError):
    """The alert behind a button is no longer kept (delivered notices are pruned after a week)."""

    command_hint = "alerts status"

    def __init__(self) -> None:
        super().__init__("This alert is too old: its details are no longer kept.")


class NothingToAcknowledge(OpsError):
    """Every incident of the alert is over already."""

    command_hint = "alerts status"

    def __init__(self, notice: Notice) -> None:
        names = ", ".join(target_name(target) for target in notice_targets(notice))
        super().__init__(f"Nothing to acknowledge: the incident is over ({names} recovered).")


@dataclass(frozen=True)
class AlertState:
    """An alert and how its incidents stand now: what its message shows after a button."""

    notice: Notice
    handling: Handling


class IncidentDesk:
    """Acknowledges, silences and re-checks what an alert is about (re-checks within the rounds' limit)."""

    def __init__(self, monitor: Monitor, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._monitor = monitor
        self._check = TargetCheck(monitor.target_timeout)
        self._clock = clock

    async def acknowledge(self, notice_id: int, by: str) -> AlertState:
        """Take the alert's open incidents; NothingToAcknowledge when none is open any more."""
        notice = await self._notice(notice_id)
        now = self._clock()
        await self._monitor.change(lambda: _acknowledged(self._monitor, notice, by, now))
        return self._state(notice, now)

    async def silence(self, notice_id: int, by: str, duration: timedelta = SILENCE) -> AlertState:
        """Mute the alert's targets (not the others) until ``duration`` from now."""
        notice = await self._notice(notice_id)
        now = self._clock()

        def decide() -> list[Notice]:
            silence(self._monitor.engine.state, notice_targets(notice), now + duration, by)
            return []

        await self._monitor.change(decide)
        return self._state(notice, now)

    async def recheck(self, notice_id: int) -> list[TargetResult]:
        """Each of the alert's targets checked now (the engine is not fed: rounds decide incidents)."""
        notice = await self._notice(notice_id)
        now = self._clock()
        wanted = [
            (key, target) for key in notice_targets(notice) if (target := self._target(key)) is not None
        ]
        found = await asyncio.gather(*(self._check(target, now) for _, target in wanted))
        return [
            result
            for (key, _), results in zip(wanted, found, strict=True)
            for result in results
            if result.target == key
        ]

    async def _notice(self, notice_id: int) -> Notice:
        notice = await self._monitor.store.notice(notice_id)
        if notice is None:
            raise AlertGone()
        return notice

    def _state(self, notice: Notice, now: datetime) -> AlertState:
        return AlertState(notice, handling(self._monitor.engine.state, notice, now))

    def _target(self, key: str) -> Target | None:
        for target in self._monitor.targets:
            if key in target.keys:
                return target.only(key) if isinstance(target, ServicesTarget) else target
        return None


def _acknowledged(monitor: Monitor, notice: Notice, by: str, now: datetime) -> list[Notice]:
    state = monitor.engine.state
    still_open = {incident.id for incident in state.open_incidents()}
    if not still_open & set(notice.incident_ids):
        raise NothingToAcknowledge(notice)
    acknowledge(state, notice.incident_ids, by, now)
    return []
