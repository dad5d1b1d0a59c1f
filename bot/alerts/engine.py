"""The incident state machine: results in, the notices to send out. Pure: no I/O, no clock of its own.

Per target: ``failure_threshold`` bad rounds in a row open an incident (one notice); it stays
quiet while the target stays down, except one reminder every ``reminder``; ``success_threshold``
good rounds close it (one recovery notice with the outage's duration). A degraded incident that
turns into a failure escalates once. A target whose status changes ``flap_changes`` times within
``flap_window`` gets one "flapping" notice, then nothing until it has been stable for the
thresholds. While a maintenance window is open the counters keep counting but nothing opens,
closes or is sent; a target still failing when the window ends alerts then. A silenced target
(its own window) is treated the same way.

An acknowledged incident gets no reminders and no escalation; one nobody acknowledged within
``escalate_after`` is escalated once (UNACKNOWLEDGED). A target whose dependency is down opens no
incident (dependencies.py), and a round's alerts go out as one message (grouping.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.alerts.dependencies import dependencies_first, down_dependency, held_back
from bot.alerts.engine_state import EngineState, Incident, TargetState
from bot.alerts.grouping import group_round
from bot.alerts.notices import INCIDENT_ALERTS, Notice, NoticeKind
from bot.alerts.results import LOG_TARGET, TargetResult
from bot.config import Settings
from bot.status import Status

_GOOD = Status.OK  # not configured counts as good: nothing is broken


@dataclass(frozen=True)
class AlertPolicy:
    """The thresholds. ``uncertain_after``: a gap between two rounds longer than this (the bot was
    down) makes the end of an outage in that gap uncertain, so its duration is given as a range.
    ``escalate_after``: an incident nobody acknowledged for this long is escalated (None: never)."""

    failure_threshold: int = 2
    success_threshold: int = 1
    reminder: timedelta | None = timedelta(hours=6)
    flap_changes: int = 4
    flap_window: timedelta = timedelta(minutes=30)
    uncertain_after: timedelta = timedelta(minutes=10)
    escalate_after: timedelta | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> AlertPolicy:
        """Escalation needs both ALERT_ESCALATE_MINUTES and ALERT_ESCALATION_ROLE_ID (whom to mention)."""
        hours, minutes = settings.alert_reminder_hours, settings.alert_escalate_minutes
        escalates = minutes > 0 and settings.alert_escalation_role_id is not None
        return cls(
            failure_threshold=settings.alert_failure_threshold,
            success_threshold=settings.alert_success_threshold,
            reminder=timedelta(hours=hours) if hours > 0 else None,
            uncertain_after=timedelta(seconds=2 * settings.check_interval_seconds),
            escalate_after=timedelta(minutes=minutes) if escalates else None,
        )

    @property
    def stable_rounds(self) -> int:
        """Rounds without a change that end flapping."""
        return max(self.failure_threshold, self.success_threshold)


class AlertEngine:
    """Feeds rounds of results through the per-target state machine; see the module docstring."""

    def __init__(self, policy: AlertPolicy, state: EngineState | None = None) -> None:
        self.policy = policy
        self.state = state or EngineState()

    def paused(self, now: datetime) -> bool:
        until = self.state.paused_until
        return until is not None and now < until

    def pause(self, until: datetime, now: datetime, by: str | None = None) -> list[Notice]:
        """Open (or move the end of) a maintenance window."""
        self.state.paused_until = until
        self.state.paused_by = by
        return [Notice(NoticeKind.PAUSED, now, Status.NOT_CONFIGURED, until=until, by=by)]

    def resume(self, now: datetime, by: str | None = None) -> list[Notice]:
        """End the maintenance window now; nothing when none is open."""
        if self.state.paused_until is None:
            return []
        self.state.paused_until = None
        self.state.paused_by = None
        return [Notice(NoticeKind.RESUMED, now, Status.OK, by=by)]

    def observe(self, results: Iterable[TargetResult], now: datetime) -> list[Notice]:
        """One round: update every target's state and return the notices to send, in order."""
        notices: list[Notice] = []
        if self.state.paused_until is not None and not self.paused(now):
            notices += self.resume(self.state.paused_until)
        paused = self.paused(now)
        self.state.silences = {
            key: silence for key, silence in self.state.silences.items() if now < silence.until
        }
        results = dependencies_first(results)
        for result in results:
            state = self.state.target(result.target)
            if result.target == LOG_TARGET:
                notices += self._observe_log(state, result, paused)
            else:
                quiet = paused or self.state.silence_of(result.target, now) is not None
                notices += self._observe(state, result, quiet)
        self.state.last_round_at = now
        return group_round([self._with_held_back(notice) for notice in notices], results, now)

    def _with_held_back(self, notice: Notice) -> Notice:
        """An incident alert names the dependents it holds back (they open no incident of their own)."""
        if notice.kind not in INCIDENT_ALERTS or notice.target is None:
            return notice
        return replace(notice, holding_back=tuple(held_back(self.state, notice.target)))

    def _observe_log(self, state: TargetState, result: TargetResult, quiet: bool) -> list[Notice]:
        """New log errors are one summary per round, never an incident."""
        _count(state, result)
        errors = result.log_errors
        if quiet or errors is None or errors.count == 0:
            return []
        return [
            Notice(
                NoticeKind.LOG_ERRORS, result.at, result.status, LOG_TARGET, result.detail, log_errors=errors
            )
        ]

    def _observe(self, state: TargetState, result: TargetResult, quiet: bool) -> list[Notice]:
        changed = _count(state, result)
        policy = self.policy
        if changed:
            state.changes.append(result.at)
        state.changes = [moment for moment in state.changes if result.at - moment <= policy.flap_window]
        if not state.flapping and len(state.changes) >= policy.flap_changes:
            state.flapping = True
            if quiet:
                return []
            return [
                Notice(
                    NoticeKind.FLAPPING,
                    result.at,
                    Status.DEGRADED,
                    result.target,
                    result.detail,
                    result.hint,
                    started_at=state.changes[0],
                )
            ]
        if state.flapping:
            streak = state.bad_rounds if result.bad else state.good_rounds
            if streak < policy.stable_rounds:
                return []
            state.flapping = False
            state.changes.clear()
        if quiet:
            return []
        if state.incident is None:
            return self._maybe_open(state, result)
        return self._follow(state, state.incident, result)

    def _maybe_open(self, state: TargetState, result: TargetResult) -> list[Notice]:
        if not result.bad or (state.bad_rounds < self.policy.failure_threshold and not result.confirmed):
            return []
        if down_dependency(self.state, result.target) is not None:
            return []  # held back: the dependency's incident says so
        started = state.bad_since or result.at
        incident = Incident(
            id=self.state.next_incident_id,
            target=result.target,
            severity=result.status,
            started_at=started,
            opened_at=result.at,
            detail=result.detail,
            hint=result.hint,
            notified_at=result.at,
        )
        self.state.next_incident_id += 1
        state.incident = incident
        return [_incident_notice(NoticeKind.OPENED, incident, result)]

    def _follow(self, state: TargetState, incident: Incident, result: TargetResult) -> list[Notice]:
        policy = self.policy
        if not result.bad:
            if state.good_rounds < policy.success_threshold:
                return []
            return [self._close(state, incident, result)]
        incident.detail, incident.hint = result.detail, result.hint
        escalates = result.status is Status.FAILED and incident.severity is Status.DEGRADED
        if escalates and (state.failed_rounds >= policy.failure_threshold or result.confirmed):
            incident.severity = Status.FAILED
            incident.notified_at = result.at
            return [_incident_notice(NoticeKind.ESCALATED, incident, result)]
        if incident.acknowledged_by is not None:
            return []  # someone is on it: no reminders, no escalation
        after = policy.escalate_after
        if after is not None and incident.escalated_at is None and result.at - incident.opened_at >= after:
            incident.escalated_at = incident.notified_at = result.at
            return [_incident_notice(NoticeKind.UNACKNOWLEDGED, incident, result)]
        if policy.reminder is not None and result.at - incident.notified_at >= policy.reminder:
            incident.notified_at = result.at
            return [_incident_notice(NoticeKind.REMINDER, incident, result)]
        return []

    def _close(self, state: TargetState, incident: Incident, result: TargetResult) -> Notice:
        state.incident = None
        ended_at = state.good_since or result.at
        last_bad = state.last_bad_at
        uncertain = last_bad is not None and ended_at - last_bad > self.policy.uncertain_after
        return Notice(
            NoticeKind.RECOVERED,
            result.at,
            Status.OK,
            result.target,
            result.detail,
            incident_id=incident.id,
            started_at=incident.started_at,
            ended_at=ended_at,
            ended_after=last_bad if uncertain else None,
            acknowledged_by=incident.acknowledged_by,
        )


def _incident_notice(kind: NoticeKind, incident: Incident, result: TargetResult) -> Notice:
    return Notice(
        kind,
        result.at,
        incident.severity,
        incident.target,
        incident.detail,
        incident.hint,
        incident_id=incident.id,
        started_at=incident.started_at,
        acknowledged_by=incident.acknowledged_by,
    )


def _count(state: TargetState, result: TargetResult) -> bool:
    """Update the streaks with ``result``; True when its status differs from the previous one."""
    klass = result.status if result.bad else _GOOD
    previous = state.last
    changed = previous is not None and (previous.status if previous.bad else _GOOD) is not klass
    if previous is None or changed:
        state.since = result.at
    if result.bad:
        if state.bad_rounds == 0:
            state.bad_since = result.at
        state.bad_rounds += 1
        state.failed_rounds = state.failed_rounds + 1 if result.status is Status.FAILED else 0
        state.good_rounds = 0
        state.last_bad_at = result.at
    else:
        if state.good_rounds == 0:
            state.good_since = result.at
        state.good_rounds += 1
        state.bad_rounds = state.failed_rounds = 0
    state.last = result
    return changed
