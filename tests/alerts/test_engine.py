"""The incident state machine, driven round by round with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.alerts.engine import AlertEngine, AlertPolicy
from bot.alerts.engine_state import EngineState
from bot.alerts.notices import Notice, NoticeKind
from bot.alerts.results import LogErrors, TargetResult
from bot.status import Status

T0 = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
ROUND = timedelta(minutes=5)
OK, DEGRADED, FAILED, NOT_CONFIGURED = Status.OK, Status.DEGRADED, Status.FAILED, Status.NOT_CONFIGURED


class Rounds:
    """Drives an engine one round at a time, five minutes apart, collecting every notice."""

    def __init__(self, engine: AlertEngine | None = None, **policy: Any) -> None:
        self.engine = engine or AlertEngine(AlertPolicy(**policy))
        self.now = T0
        self.notices: list[Notice] = []

    def run(self, *statuses: Status, target: str = "tmdb", **extra: Any) -> list[Notice]:
        sent: list[Notice] = []
        for status in statuses:
            detail = f"tmdb is {status.value}"
            result = TargetResult(target, self.now, status, 12.0, detail, "check TMDB", **extra)
            sent += self.engine.observe([result], self.now)
            self.now += ROUND
        self.notices += sent
        return sent

    def kinds(self) -> list[NoticeKind]:
        return [notice.kind for notice in self.notices]


def test_a_single_failure_below_the_threshold_sends_nothing() -> None:
    rounds = Rounds(failure_threshold=2)
    assert rounds.run(OK, FAILED, OK) == []


def test_failures_reaching_the_threshold_open_one_incident() -> None:
    rounds = Rounds(failure_threshold=3)
    rounds.run(FAILED, FAILED)
    assert rounds.notices == []
    [opened] = rounds.run(FAILED)
    assert opened.kind is NoticeKind.OPENED and opened.status is FAILED
    assert opened.started_at == T0  # since the first failed round, not since the alert
    assert opened.detail == "tmdb is failed" and opened.hint == "check TMDB"
    assert opened.mentions_role


def test_an_incident_is_announced_once_while_the_target_stays_down() -> None:
    rounds = Rounds(failure_threshold=2, reminder=None)
    rounds.run(*[FAILED] * 200)
    assert rounds.kinds() == [NoticeKind.OPENED]


def test_a_reminder_comes_every_reminder_period_while_down() -> None:
    rounds = Rounds(failure_threshold=2, reminder=timedelta(hours=1))
    rounds.run(*[FAILED] * 30)  # 2.5 hours
    assert rounds.kinds() == [NoticeKind.OPENED, NoticeKind.REMINDER, NoticeKind.REMINDER]
    opened, first, second = rounds.notices
    assert first.at - opened.at == timedelta(hours=1) and second.at - first.at == timedelta(hours=1)
    assert first.incident_id == opened.incident_id and first.mentions_role


def test_recovery_after_the_success_threshold_gives_the_duration() -> None:
    rounds = Rounds(failure_threshold=2, success_threshold=2)
    rounds.run(FAILED, FAILED, FAILED, OK)
    assert rounds.kinds() == [NoticeKind.OPENED]
    [recovered] = rounds.run(OK)
    assert recovered.kind is NoticeKind.RECOVERED and recovered.status is OK
    assert recovered.duration == 3 * ROUND  # from the first failure to the first good round
    assert recovered.shortest_duration is None  # the end is known to the round
    assert not recovered.mentions_role
    assert rounds.run(*[OK] * 5) == []


def test_a_new_outage_after_recovery_is_a_new_incident() -> None:
    rounds = Rounds(failure_threshold=2)
    rounds.run(FAILED, FAILED, OK, FAILED, FAILED)
    opened = [n for n in rounds.notices if n.kind is NoticeKind.OPENED]
    assert [n.kind for n in rounds.notices] == [NoticeKind.OPENED, NoticeKind.RECOVERED, NoticeKind.OPENED]
    assert opened[0].incident_id != opened[1].incident_id


def test_degraded_is_one_amber_message_without_a_mention() -> None:
    rounds = Rounds(failure_threshold=2)
    rounds.run(*[DEGRADED] * 10)
    [opened] = rounds.notices
    assert opened.kind is NoticeKind.OPENED and opened.status is DEGRADED
    assert not opened.mentions_role


def test_degraded_turning_into_failed_escalates_once_with_a_mention() -> None:
    rounds = Rounds(failure_threshold=2)
    rounds.run(DEGRADED, DEGRADED, FAILED)
    assert rounds.kinds() == [NoticeKind.OPENED]  # one failed round is not yet a failure
    rounds.run(FAILED, FAILED, FAILED)
    assert rounds.kinds() == [NoticeKind.OPENED, NoticeKind.ESCALATED]
    escalated = rounds.notices[1]
    assert escalated.status is FAILED and escalated.mentions_role
    assert escalated.incident_id == rounds.notices[0].incident_id
    assert escalated.started_at == T0


def test_failed_turning_into_degraded_stays_one_incident() -> None:
    rounds = Rounds(failure_threshold=2)
    rounds.run(FAILED, FAILED, DEGRADED, DEGRADED, DEGRADED)
    assert rounds.kinds() == [NoticeKind.OPENED]


def test_not_configured_counts_as_healthy() -> None:
    rounds = Rounds(failure_threshold=1)
    assert rounds.run(NOT_CONFIGURED, NOT_CONFIGURED) == []
    rounds.run(FAILED, NOT_CONFIGURED)
    assert rounds.kinds() == [NoticeKind.OPENED, NoticeKind.RECOVERED]


def test_a_confirmed_failure_opens_an_incident_at_once() -> None:
    rounds = Rounds(failure_threshold=3)
    [opened] = rounds.run(FAILED, confirmed=True)
    assert opened.kind is NoticeKind.OPENED


def test_a_flapping_target_gets_one_message_then_silence_until_stable() -> None:
    rounds = Rounds(failure_threshold=2, success_threshold=1)
    rounds.run(OK, FAILED, OK, FAILED, OK)  # four changes in 20 minutes
    assert rounds.kinds() == [NoticeKind.FLAPPING]
    assert not rounds.notices[0].mentions_role
    rounds.run(FAILED, OK, FAILED, OK, FAILED)
    assert rounds.kinds() == [NoticeKind.FLAPPING]
    rounds.run(FAILED)  # stable for the threshold: a real outage now
    assert rounds.kinds() == [NoticeKind.FLAPPING, NoticeKind.OPENED]


def test_changes_spread_wider_than_the_window_are_not_flapping() -> None:
    rounds = Rounds(failure_threshold=1, success_threshold=1)
    for _ in range(4):
        rounds.run(FAILED, OK, *[OK] * 6)  # one outage every 40 minutes
    assert NoticeKind.FLAPPING not in rounds.kinds()
    assert rounds.kinds().count(NoticeKind.OPENED) == 4


def test_a_maintenance_window_silences_everything_and_announces_start_and_end() -> None:
    rounds = Rounds(failure_threshold=2)
    engine = rounds.engine
    [paused] = engine.pause(T0 + timedelta(minutes=30), T0, by="alice")
    assert paused.kind is NoticeKind.PAUSED and paused.until == T0 + timedelta(minutes=30)
    assert rounds.run(*[FAILED] * 6) == []  # 03:00 … 03:25, all inside the window
    assert engine.paused(rounds.now - timedelta(minutes=1))
    ended, opened = rounds.run(FAILED)  # 03:30: the window is over and TMDB still fails
    assert ended.kind is NoticeKind.RESUMED and ended.at == T0 + timedelta(minutes=30)
    assert opened.kind is NoticeKind.OPENED and opened.started_at == T0


def test_a_target_that_recovers_during_the_window_says_nothing_afterwards() -> None:
    rounds = Rounds(failure_threshold=2)
    rounds.engine.pause(T0 + timedelta(minutes=20), T0)
    rounds.run(FAILED, FAILED, OK, OK, OK)
    assert rounds.kinds() == [NoticeKind.RESUMED]


def test_an_incident_open_before_the_window_recovers_after_it() -> None:
    rounds = Rounds(failure_threshold=2)
    rounds.run(FAILED, FAILED)
    rounds.engine.pause(rounds.now + timedelta(minutes=10), rounds.now)
    rounds.run(OK, OK)
    assert rounds.kinds() == [NoticeKind.OPENED]
    rounds.run(OK)
    assert rounds.kinds() == [NoticeKind.OPENED, NoticeKind.RESUMED, NoticeKind.RECOVERED]


def test_resume_ends_the_window_early_and_only_once() -> None:
    engine = AlertEngine(AlertPolicy())
    engine.pause(T0 + timedelta(hours=1), T0)
    [resumed] = engine.resume(T0 + timedelta(minutes=5), by="bob")
    assert resumed.kind is NoticeKind.RESUMED and resumed.by == "bob"
    assert not engine.paused(T0 + timedelta(minutes=6))
    assert engine.resume(T0 + timedelta(minutes=7)) == []


def restarted(engine: AlertEngine) -> AlertEngine:
    """A new engine over the state the old one persisted, as after a restart."""
    return AlertEngine(engine.policy, EngineState.from_dict(engine.state.to_dict()))


def test_a_restart_mid_incident_does_not_alert_again() -> None:
    rounds = Rounds(failure_threshold=2, reminder=timedelta(hours=6))
    rounds.run(FAILED, FAILED, FAILED)
    after = Rounds(restarted(rounds.engine))
    after.now = rounds.now
    after.run(*[FAILED] * 10)
    assert after.notices == []
    [recovered] = after.run(OK)
    assert recovered.incident_id == rounds.notices[0].incident_id
    assert recovered.duration == 13 * ROUND


def test_a_recovery_during_downtime_is_reported_once_with_a_range() -> None:
    rounds = Rounds(failure_threshold=2, uncertain_after=timedelta(minutes=10))
    rounds.run(FAILED, FAILED)  # 03:00, 03:05; the bot stops after 03:05
    after = Rounds(restarted(rounds.engine))
    after.now = T0 + timedelta(hours=2)
    [recovered] = after.run(OK)
    assert recovered.kind is NoticeKind.RECOVERED
    assert recovered.shortest_duration == timedelta(minutes=5)  # it failed at 03:05 still
    assert recovered.duration == timedelta(hours=2)  # and was fine by 05:00
    assert after.run(OK, OK) == []


def test_a_maintenance_window_survives_a_restart() -> None:
    engine = AlertEngine(AlertPolicy())
    engine.pause(T0 + timedelta(hours=1), T0)
    again = restarted(engine)
    assert again.paused(T0 + timedelta(minutes=30))
    assert again.observe([TargetResult("tmdb", T0, FAILED, None, "x")], T0 + timedelta(minutes=30)) == []


def test_targets_are_independent() -> None:
    rounds = Rounds(failure_threshold=2)
    rounds.run(FAILED, FAILED, target="omdb")
    rounds.run(OK, OK, target="tmdb")
    assert [(n.kind, n.target) for n in rounds.notices] == [(NoticeKind.OPENED, "omdb")]


def log_round(engine: AlertEngine, count: int, at: datetime) -> list[Notice]:
    errors = LogErrors(count, ("e1",), "e1\n") if count else None
    status = FAILED if count else OK
    result = TargetResult("log", at, status, None, f"{count} new errors", log_errors=errors)
    return engine.observe([result], at)


def test_new_log_errors_are_one_summary_per_round_and_never_an_incident() -> None:
    engine = AlertEngine(AlertPolicy(failure_threshold=1))
    summaries = [log_round(engine, count, T0 + i * ROUND) for i, count in enumerate([300, 0, 2, 5])]
    assert [len(notices) for notices in summaries] == [1, 0, 1, 1]
    assert all(n[0].kind is NoticeKind.LOG_ERRORS for n in summaries if n)
    errors = summaries[0][0].log_errors
    assert errors is not None and errors.count == 300


def test_log_errors_during_a_window_are_not_sent() -> None:
    engine = AlertEngine(AlertPolicy())
    engine.pause(T0 + timedelta(hours=1), T0)
    assert log_round(engine, 3, T0) == []
