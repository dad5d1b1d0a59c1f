"""Handling an incident in the engine: acknowledge, silence, escalation, inhibition, grouping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.alerts.engine import AlertEngine, AlertPolicy
from bot.alerts.engine_state import EngineState
from bot.alerts.incident_actions import acknowledge, handling, silence
from bot.alerts.notices import NETWORK_CAUSE, Notice, NoticeKind
from bot.alerts.overview import overview
from bot.alerts.results import TargetResult
from bot.config import ConfigError, load_settings
from bot.services.catalog import SERVICE_KEYS
from bot.status import Status

T0 = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
ROUND = timedelta(minutes=5)
OK, FAILED, NOT_CONFIGURED = Status.OK, Status.FAILED, Status.NOT_CONFIGURED


class World:
    """Rounds over several targets at once, five minutes apart."""

    def __init__(self, **policy: Any) -> None:
        policy.setdefault("failure_threshold", 2)
        self.engine = AlertEngine(AlertPolicy(**policy))
        self.now = T0

    def round(self, **statuses: Status) -> list[Notice]:
        results = [
            TargetResult(target, self.now, status, 5.0, f"{target} is {status.value}")
            for target, status in statuses.items()
        ]
        notices = self.engine.observe(results, self.now)
        self.now += ROUND
        return notices

    def rounds(self, count: int, **statuses: Status) -> list[Notice]:
        return [notice for _ in range(count) for notice in self.round(**statuses)]

    @property
    def state(self) -> EngineState:
        return self.engine.state


def kinds(notices: list[Notice]) -> list[tuple[NoticeKind, str | None]]:
    return [(notice.kind, notice.target) for notice in notices]


def test_an_acknowledged_incident_gets_no_reminders_and_its_recovery_names_who() -> None:
    world = World(reminder=timedelta(minutes=10))
    [opened] = world.rounds(2, tmdb=FAILED)
    [taken] = acknowledge(world.state, opened.incident_ids, "alice", world.now)
    assert taken.acknowledged_by == "alice" and taken.acknowledged_at == world.now
    assert world.rounds(10, tmdb=FAILED) == []
    [recovered] = world.round(tmdb=OK)
    assert recovered.kind is NoticeKind.RECOVERED and recovered.acknowledged_by == "alice"


def test_a_second_acknowledgement_keeps_the_first() -> None:
    world = World()
    [opened] = world.rounds(2, tmdb=FAILED)
    acknowledge(world.state, opened.incident_ids, "alice", world.now)
    assert acknowledge(world.state, opened.incident_ids, "bob", world.now) == []
    [ack] = handling(world.state, opened, world.now).open
    assert ack.by == "alice"


def test_an_incident_nobody_acknowledges_escalates_once() -> None:
    world = World(reminder=None, escalate_after=timedelta(minutes=12))
    world.rounds(2, tmdb=FAILED)  # opens at T0 + 5 min
    assert world.rounds(2, tmdb=FAILED) == []  # 10 minutes open: not yet
    [escalation] = world.round(tmdb=FAILED)
    assert escalation.kind is NoticeKind.UNACKNOWLEDGED and escalation.mentions_escalation
    assert not escalation.mentions_role  # the alert role heard it already
    assert world.rounds(20, tmdb=FAILED) == []


def test_an_acknowledged_incident_does_not_escalate() -> None:
    world = World(reminder=None, escalate_after=timedelta(minutes=12))
    [opened] = world.rounds(2, tmdb=FAILED)
    acknowledge(world.state, opened.incident_ids, "alice", world.now)
    assert world.rounds(10, tmdb=FAILED) == []


def test_without_escalate_after_nothing_escalates() -> None:
    world = World(reminder=None)
    world.rounds(2, tmdb=FAILED)
    assert world.rounds(50, tmdb=FAILED) == []


def test_a_silenced_target_says_nothing_while_others_still_alert() -> None:
    world = World(reminder=None)
    [opened] = world.rounds(2, tmdb=FAILED)
    silence(world.state, ["tmdb"], world.now + timedelta(hours=1), "alice")
    notices = world.rounds(6, tmdb=FAILED, omdb=FAILED)
    assert kinds(notices) == [(NoticeKind.OPENED, "omdb")]
    assert [target for target, _ in handling(world.state, opened, world.now).silenced] == ["tmdb"]


def test_a_target_recovered_during_its_silence_reports_the_recovery_when_it_ends() -> None:
    world = World()
    world.rounds(2, tmdb=FAILED)
    silence(world.state, ["tmdb"], world.now + timedelta(minutes=12), "alice")
    assert world.rounds(3, tmdb=OK) == []
    [recovered] = world.round(tmdb=OK)
    assert recovered.kind is NoticeKind.RECOVERED
    assert world.state.silences == {}  # the ended window is forgotten


def test_a_target_still_failing_when_its_silence_ends_alerts_then() -> None:
    world = World()
    silence(world.state, ["omdb"], world.now + timedelta(minutes=12), None)
    assert world.rounds(3, omdb=FAILED) == []
    assert kinds(world.round(omdb=FAILED)) == [(NoticeKind.OPENED, "omdb")]


def test_silences_and_acknowledgements_survive_a_restart() -> None:
    world = World()
    [opened] = world.rounds(2, tmdb=FAILED)
    acknowledge(world.state, opened.incident_ids, "alice", world.now)
    silence(world.state, ["tmdb"], world.now + timedelta(hours=1), "alice")
    restored = EngineState.from_dict(world.state.to_dict())
    after = handling(restored, opened, world.now)
    assert [ack.by for ack in after.open] == ["alice"] and after.silenced[0][1].by == "alice"


def test_a_state_saved_before_incident_handling_still_loads() -> None:
    world = World()
    world.rounds(2, tmdb=FAILED)
    saved = world.state.to_dict()
    del saved["silences"]
    for fields in saved["targets"].values():
        if fields["incident"]:
            for key in ("acknowledged_by", "acknowledged_at", "escalated_at"):
                del fields["incident"][key]
    restored = EngineState.from_dict(saved)
    [incident] = restored.open_incidents()
    assert incident.acknowledged_by is None and restored.silences == {}


def test_backups_failing_while_the_database_is_down_open_no_incident_of_their_own() -> None:
    world = World()
    [opened] = world.rounds(2, database=FAILED, backups=FAILED)
    assert kinds([opened]) == [(NoticeKind.OPENED, "database")]
    assert opened.holding_back == ("backups",)
    assert world.rounds(3, database=FAILED, backups=FAILED) == []
    # The database comes back; the backups still fail: now they are news of their own.
    notices = world.round(database=OK, backups=FAILED)
    assert kinds(notices) == [(NoticeKind.RECOVERED, "database"), (NoticeKind.OPENED, "backups")]


def test_the_dependency_decides_first_whatever_the_order_of_the_results() -> None:
    world = World()
    world.rounds(2, backups=FAILED, database=FAILED)
    assert [incident.target for incident in world.state.open_incidents()] == ["database"]


def test_status_says_which_target_is_held_back_by_which() -> None:
    world = World()
    world.rounds(2, database=FAILED, backups=FAILED)
    shown = overview(
        world.state,
        enabled=True,
        interval_seconds=300,
        pending_notices=0,
        delivery_problem=None,
        now=world.now,
    )
    targets = {target.target: target for target in shown.targets}
    assert targets["backups"].held_back_by == "database" and targets["backups"].incident is None
    assert targets["database"].held_back_by is None


def test_backups_open_their_incident_when_the_database_is_fine() -> None:
    world = World()
    notices = world.rounds(2, database=OK, backups=FAILED)
    assert kinds(notices) == [(NoticeKind.OPENED, "backups")] and notices[0].holding_back == ()


def test_incidents_opened_in_one_round_are_one_message_with_one_mention() -> None:
    world = World()
    [group] = world.rounds(2, tmdb=FAILED, omdb=FAILED, jellyfin=OK)
    assert group.kind is NoticeKind.GROUPED and group.mentions_role and group.cause is None
    assert kinds(list(group.parts)) == [(NoticeKind.OPENED, "tmdb"), (NoticeKind.OPENED, "omdb")]
    assert sorted(group.incident_ids) == [1, 2]
    [recoveries] = world.round(tmdb=OK, omdb=OK, jellyfin=OK)
    assert recoveries.kind is NoticeKind.GROUPED and not recoveries.mentions_role
    assert [part.kind for part in recoveries.parts] == [NoticeKind.RECOVERED, NoticeKind.RECOVERED]


def test_every_external_service_failing_together_is_one_network_alert() -> None:
    world = World()
    statuses = {key: FAILED for key in SERVICE_KEYS}
    [group] = world.rounds(2, **statuses, database=OK)
    assert group.cause == NETWORK_CAUSE and len(group.parts) == len(SERVICE_KEYS)


def test_unconfigured_services_do_not_prevent_the_network_alert() -> None:
    world = World()
    [group] = world.rounds(2, jellyfin=FAILED, omdb=FAILED, tmdb=NOT_CONFIGURED, anidb=NOT_CONFIGURED)
    assert group.cause == NETWORK_CAUSE


def test_some_services_failing_is_a_group_but_not_the_network() -> None:
    world = World()
    [group] = world.rounds(2, jellyfin=FAILED, omdb=FAILED, tmdb=OK)
    assert group.cause is None


def test_one_incident_alone_is_not_grouped() -> None:
    world = World()
    [opened] = world.rounds(2, tmdb=FAILED, omdb=OK)
    assert opened.kind is NoticeKind.OPENED and opened.parts == ()


def test_a_grouped_notice_survives_the_outbox_round_trip() -> None:
    world = World()
    [group] = world.rounds(2, tmdb=FAILED, omdb=FAILED)
    assert Notice.from_dict(group.to_dict()) == group


def test_escalation_needs_both_the_minutes_and_the_role() -> None:
    both = load_settings({"ALERT_ESCALATE_MINUTES": "15", "ALERT_ESCALATION_ROLE_ID": "42"}, dotenv=False)
    assert AlertPolicy.from_settings(both).escalate_after == timedelta(minutes=15)
    for partial in ({"ALERT_ESCALATE_MINUTES": "15"}, {"ALERT_ESCALATION_ROLE_ID": "42"}, {}):
        assert AlertPolicy.from_settings(load_settings(partial, dotenv=False)).escalate_after is None


@pytest.mark.parametrize(
    ("name", "value"), [("ALERT_ESCALATE_MINUTES", "-5"), ("ALERT_ESCALATION_ROLE_ID", "ops-team")]
)
def test_a_bad_escalation_setting_stops_the_start_naming_it(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value}, dotenv=False)


def test_a_notice_queued_before_incident_handling_still_loads() -> None:
    world = World()
    [opened] = world.rounds(2, tmdb=FAILED)
    saved = opened.to_dict()
    for key in ("parts", "cause", "acknowledged_by", "holding_back"):
        del saved[key]
    assert Notice.from_dict(saved) == opened
