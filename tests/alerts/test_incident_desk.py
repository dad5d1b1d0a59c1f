"""The incident buttons' work on a real monitor and store: what each refuses, what re-check runs."""

from __future__ import annotations

import pytest

from bot.alerts.incident_desk import AlertGone, IncidentDesk, NothingToAcknowledge
from bot.alerts.store import AlertStore
from bot.status import Status
from tests.alerts.conftest import Channel, Clock
from tests.alerts.monitor_support import Switch, monitor, rounds


async def test_acknowledging_an_alert_whose_incident_is_over_says_so_and_changes_nothing(
    alert_store: AlertStore, channel: Channel, clock: Clock
) -> None:
    switch = Switch(status=Status.FAILED)
    mon = monitor(alert_store, channel, clock, switch)
    await rounds(mon, clock, 2)
    switch.status = Status.OK
    await rounds(mon, clock, 1)
    opened, _ = channel.notices
    with pytest.raises(NothingToAcknowledge, match="TMDB recovered"):
        await IncidentDesk(mon, clock=clock).acknowledge(opened.id, "alice")


async def test_a_button_of_an_alert_no_longer_kept_says_so(
    alert_store: AlertStore, channel: Channel, clock: Clock
) -> None:
    mon = monitor(alert_store, channel, clock, Switch())
    with pytest.raises(AlertGone):
        await IncidentDesk(mon, clock=clock).silence(999, "alice")


async def test_recheck_runs_only_the_alerts_target_and_leaves_the_incident_to_the_rounds(
    alert_store: AlertStore, channel: Channel, clock: Clock
) -> None:
    tmdb, omdb = Switch("tmdb", Status.FAILED), Switch("omdb")
    mon = monitor(alert_store, channel, clock, tmdb, omdb)
    await rounds(mon, clock, 2)
    [alert] = channel.notices
    tmdb.status = Status.OK
    [result] = await IncidentDesk(mon, clock=clock).recheck(alert.id)
    assert result.target == "tmdb" and result.status is Status.OK
    assert (tmdb.calls, omdb.calls) == (3, 2)
    assert [incident.target for incident in mon.engine.state.open_incidents()] == ["tmdb"]


async def test_an_acknowledgement_is_saved_with_the_engine(
    alert_store: AlertStore, channel: Channel, clock: Clock
) -> None:
    mon = monitor(alert_store, channel, clock, Switch(status=Status.FAILED))
    await rounds(mon, clock, 2)
    [alert] = channel.notices
    state = await IncidentDesk(mon, clock=clock).acknowledge(alert.id, "alice")
    assert state.handling.all_acknowledged
    [incident] = (await alert_store.load_engine()).open_incidents()
    assert incident.acknowledged_by == "alice" and incident.acknowledged_at == clock.now
