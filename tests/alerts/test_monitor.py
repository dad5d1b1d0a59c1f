"""The monitor: rounds, persistence across restarts, the outbox, and its guarantees."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta

import pytest

from bot.alerts.engine import AlertPolicy
from bot.alerts.monitor import Monitor
from bot.alerts.notices import Notice, NoticeKind
from bot.alerts.results import TargetResult
from bot.alerts.store import AlertStore
from bot.state import StateStore
from bot.status import Status
from tests.alerts.conftest import Channel, Clock
from tests.alerts.monitor_support import ROUND, Switch, monitor, rounds


async def test_an_outage_is_one_alert_and_one_recovery(
    alert_store: AlertStore, channel: Channel, clock: Clock
) -> None:
    tmdb = Switch(status=Status.FAILED)
    mon = monitor(alert_store, channel, clock, tmdb)
    await rounds(mon, clock, 5)
    tmdb.status = Status.OK
    await rounds(mon, clock, 3)
    assert [n.kind for n in channel.notices] == [NoticeKind.OPENED, NoticeKind.RECOVERED]
    assert channel.notices[1].duration == 5 * ROUND
    assert await alert_store.pending_count() == 0


async def test_a_restart_mid_incident_stays_quiet_and_reports_the_recovery_once(
    state: StateStore, channel: Channel, clock: Clock
) -> None:
    tmdb = Switch(status=Status.FAILED)
    await rounds(monitor(AlertStore(state), channel, clock, tmdb), clock, 3)
    restarted = monitor(AlertStore(state), channel, clock, tmdb)
    await rounds(restarted, clock, 3)
    assert [n.kind for n in channel.notices] == [NoticeKind.OPENED]
    tmdb.status = Status.OK
    await rounds(restarted, clock, 2)
    assert [n.kind for n in channel.notices] == [NoticeKind.OPENED, NoticeKind.RECOVERED]


async def test_a_recovery_while_the_bot_was_down_is_given_as_a_range(
    state: StateStore, channel: Channel, clock: Clock
) -> None:
    tmdb = Switch(status=Status.FAILED)
    await rounds(monitor(AlertStore(state), channel, clock, tmdb), clock, 3)  # 03:00 … 03:10
    clock.advance(timedelta(hours=3))
    tmdb.status = Status.OK
    await monitor(AlertStore(state), channel, clock, tmdb).run_round()
    recovered = channel.notices[-1]
    assert recovered.kind is NoticeKind.RECOVERED
    assert recovered.shortest_duration == timedelta(minutes=10)
    assert recovered.duration == timedelta(hours=3, minutes=15)


async def test_undeliverable_alerts_wait_in_order_and_are_logged_once(
    alert_store: AlertStore, channel: Channel, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    tmdb, omdb = Switch("tmdb", Status.FAILED), Switch("omdb")
    mon = monitor(alert_store, channel, clock, tmdb, omdb)
    channel.broken = True
    with caplog.at_level(logging.WARNING):
        await rounds(mon, clock, 3)
        omdb.status = Status.FAILED
        await rounds(mon, clock, 3)
    assert channel.posted == []
    assert await alert_store.pending_count() == 2
    assert caplog.text.count("alerts cannot be posted") == 1
    assert "Send Messages" in caplog.text
    assert (await mon.overview()).delivery_problem is not None

    channel.broken = False
    await mon.run_round()
    assert [(n.kind, n.target) for n in channel.notices] == [
        (NoticeKind.OPENED, "tmdb"),
        (NoticeKind.OPENED, "omdb"),
    ]
    assert all(late for _, late in channel.posted)  # each says when it really happened
    await rounds(mon, clock, 2)
    assert len(channel.posted) == 2


async def test_a_post_that_hangs_does_not_hold_up_the_rounds(
    alert_store: AlertStore, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    posted: list[Notice] = []
    hang = asyncio.Event()

    async def deliver(notice: Notice, late: bool) -> None:
        if not hang.is_set():
            await asyncio.Event().wait()  # Discord accepts the connection and never answers
        posted.append(notice)

    tmdb = Switch(status=Status.FAILED)
    mon = Monitor(
        targets=[tmdb],
        policy=AlertPolicy(failure_threshold=1),
        store=alert_store,
        deliver=deliver,
        interval=300,
        clock=clock,
        delivery_timeout=0.1,
    )
    with caplog.at_level(logging.WARNING):
        await rounds(mon, clock, 3)
    assert tmdb.calls == 3 and posted == []
    assert "did not answer within 0.1 s" in caplog.text
    hang.set()
    await mon.run_round()
    assert [n.kind for n in posted] == [NoticeKind.OPENED]


async def test_the_outbox_survives_a_restart(state: StateStore, channel: Channel, clock: Clock) -> None:
    tmdb = Switch(status=Status.FAILED)
    channel.broken = True
    await rounds(monitor(AlertStore(state), channel, clock, tmdb), clock, 2)
    channel.broken = False
    await monitor(AlertStore(state), channel, clock, tmdb).run_round()
    assert [n.kind for n in channel.notices] == [NoticeKind.OPENED]


async def test_rounds_never_overlap(alert_store: AlertStore, channel: Channel, clock: Clock) -> None:
    slow = Switch()
    slow.gate = asyncio.Event()
    mon = monitor(alert_store, channel, clock, slow)
    first = asyncio.create_task(mon.run_round())
    second = asyncio.create_task(mon.run_round())
    await asyncio.sleep(0.05)
    slow.gate.set()
    assert await first == await second
    assert slow.calls == 1 and mon.rounds_started == 1


async def test_the_observer_sees_every_round_and_cannot_stop_the_monitor(
    alert_store: AlertStore, channel: Channel, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[Sequence[TargetResult]] = []

    async def observer(results: Sequence[TargetResult]) -> None:
        seen.append(results)
        raise ValueError("observer bug")

    mon = monitor(alert_store, channel, clock, Switch("tmdb"), Switch("database"), on_round=observer)
    with caplog.at_level(logging.ERROR):
        await rounds(mon, clock, 3)
    assert len(seen) == 3
    assert [r.target for r in seen[0]] == ["tmdb", "database"]
    assert all(r.at.tzinfo is not None and r.paused is False for r in seen[0])
    assert caplog.text.count("round observer failed") == 1


async def test_a_maintenance_window_is_announced_and_marks_results_paused(
    alert_store: AlertStore, channel: Channel, clock: Clock
) -> None:
    tmdb = Switch(status=Status.FAILED)
    seen: list[bool] = []

    async def observer(results: Sequence[TargetResult]) -> None:
        seen.append(results[0].paused)

    mon = monitor(alert_store, channel, clock, tmdb, on_round=observer)
    until = await mon.pause(timedelta(minutes=12), by="alice")
    assert until == clock.now + timedelta(minutes=12)
    await rounds(mon, clock, 3)  # 0, 5, 10 minutes
    assert [n.kind for n in channel.notices] == [NoticeKind.PAUSED]
    assert seen == [True, True, True]
    await rounds(mon, clock, 1)  # 15 minutes: over, still failing
    assert [n.kind for n in channel.notices] == [NoticeKind.PAUSED, NoticeKind.RESUMED, NoticeKind.OPENED]


async def test_resume_ends_the_window_at_once(
    alert_store: AlertStore, channel: Channel, clock: Clock
) -> None:
    mon = monitor(alert_store, channel, clock, Switch())
    await mon.pause(timedelta(hours=1), by="alice")
    assert (await mon.overview()).paused
    assert await mon.resume(by="bob")
    assert not await mon.resume(by="bob")
    assert [n.kind for n in channel.notices] == [NoticeKind.PAUSED, NoticeKind.RESUMED]
    assert not (await mon.overview()).paused


async def test_a_test_alert_mentions_the_role_and_opens_no_incident(
    alert_store: AlertStore, channel: Channel, clock: Clock
) -> None:
    mon = monitor(alert_store, channel, clock, Switch())
    assert await mon.send_test(by="alice") is None
    [test] = channel.notices
    assert test.kind is NoticeKind.TEST and test.mentions_role
    assert (await mon.history(None, 7)).incidents == ()
    channel.broken = True
    assert "403" in str(await mon.send_test(by="alice"))


async def test_history_lists_incidents_newest_first_with_the_mean_time_to_recovery(
    alert_store: AlertStore, channel: Channel, clock: Clock
) -> None:
    tmdb, omdb = Switch("tmdb"), Switch("omdb")
    mon = monitor(alert_store, channel, clock, tmdb, omdb)
    for target, down in ((tmdb, 2), (omdb, 4), (tmdb, 6)):
        target.status = Status.FAILED
        await rounds(mon, clock, down)
        target.status = Status.OK
        await rounds(mon, clock, 1)
    omdb.status = Status.FAILED
    await rounds(mon, clock, 2)
    history = await mon.history(None, 7)
    assert [(i.target, i.open) for i in history.incidents] == [
        ("omdb", True),
        ("tmdb", False),
        ("omdb", False),
        ("tmdb", False),
    ]
    assert history.mean_time_to_recovery == 4 * ROUND  # (2 + 4 + 6) rounds / 3
    assert [i.target for i in (await mon.history("tmdb", 7)).incidents] == ["tmdb", "tmdb"]
    assert "401" in history.incidents[0].detail


async def test_incidents_older_than_the_history_are_pruned(
    alert_store: AlertStore, channel: Channel, clock: Clock
) -> None:
    tmdb = Switch(status=Status.FAILED)
    mon = monitor(alert_store, channel, clock, tmdb, history_days=2)
    await rounds(mon, clock, 2)
    tmdb.status = Status.OK
    await rounds(mon, clock, 1)
    clock.advance(timedelta(days=3))
    await rounds(mon, clock, 1)
    assert (await mon.history(None, 30)).incidents == ()


async def test_the_timer_runs_rounds_until_stopped(
    alert_store: AlertStore, channel: Channel, clock: Clock
) -> None:
    target = Switch()
    mon = monitor(alert_store, channel, clock, target, interval=0.05)
    mon.start()
    for _ in range(200):
        if target.calls >= 3:
            break
        await asyncio.sleep(0.01)
    await mon.stop()
    assert target.calls >= 3 and not mon.running


async def test_without_an_alert_channel_nothing_runs(
    alert_store: AlertStore, channel: Channel, clock: Clock
) -> None:
    target = Switch(status=Status.FAILED)
    mon = monitor(alert_store, channel, clock, target, enabled=False)
    mon.start()
    await mon.scheduled_backup_failed()
    await asyncio.sleep(0.05)
    assert not mon.running and target.calls == 0 and channel.attempts == 0


async def test_overview_lists_every_target_with_its_open_incident(
    alert_store: AlertStore, channel: Channel, clock: Clock
) -> None:
    tmdb = Switch(status=Status.FAILED)
    mon = monitor(alert_store, channel, clock, tmdb)
    await rounds(mon, clock, 2)
    overview = await mon.overview()
    by_key = {t.target: t for t in overview.targets}
    assert set(by_key) >= {"jellyfin", "omdb", "tmdb", "mdblist", "anidb", "database", "backups", "log"}
    assert by_key["tmdb"].incident is not None and by_key["tmdb"].since is not None
    assert by_key["omdb"].status is None
    assert overview.worst_open is Status.FAILED


async def test_state_files_can_be_shared_by_a_second_store(
    state: StateStore, channel: Channel, clock: Clock
) -> None:
    """The CLI reads the bot's state with a store of its own."""
    await rounds(monitor(AlertStore(state), channel, clock, Switch(status=Status.FAILED)), clock, 2)
    other = StateStore(state.path)
    try:
        engine = await AlertStore(other).load_engine()
    finally:
        await other.close()
    assert engine.targets["tmdb"].incident is not None


async def test_the_end_of_a_window_runs_a_round_at_once_not_at_the_next_interval(
    alert_store: AlertStore, channel: Channel
) -> None:
    tmdb = Switch(status=Status.FAILED)
    mon = Monitor(
        targets=[tmdb],
        policy=AlertPolicy(failure_threshold=1),
        store=alert_store,
        deliver=channel.deliver,
        interval=3600,
    )
    mon.start()
    await mon.pause(timedelta(seconds=0.3), by="alice")
    for _ in range(300):
        if len(channel.notices) >= 3:
            break
        await asyncio.sleep(0.01)
    await mon.stop()
    assert [n.kind for n in channel.notices] == [NoticeKind.PAUSED, NoticeKind.RESUMED, NoticeKind.OPENED]
    assert tmdb.calls == 1
