"""One message per round, not one per target: several incident alerts of a round become one group.

The rule: every incident alert (opened, worse, reminder, unacknowledged) decided in one round
goes into one GROUPED notice with one mention; several recoveries of one round into another.
When every configured external service (at least two) failed in that round, the group's cause
is the network: the host most likely lost its connection, and one alert says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.alerts.notices import INCIDENT_ALERTS, NETWORK_CAUSE, Notice, NoticeKind
from bot.alerts.results import TargetResult
from bot.services.catalog import SERVICE_KEYS
from bot.status import Status, worst


def group_round(notices: Sequence[Notice], results: Sequence[TargetResult], now: datetime) -> list[Notice]:
    """``notices`` with each batch of two or more in the place of its first member."""
    alerts = [notice for notice in notices if notice.kind in INCIDENT_ALERTS]
    recoveries = [notice for notice in notices if notice.kind is NoticeKind.RECOVERED]
    batches = [batch for batch in (alerts, recoveries) if len(batch) >= 2]
    kept: list[Notice] = []
    for notice in notices:
        batch = next((batch for batch in batches if any(notice is member for member in batch)), None)
        if batch is None:
            kept.append(notice)
        elif notice is batch[0]:
            status = worst(member.status for member in batch)
            cause = _network_down(batch, results)
            kept.append(Notice(NoticeKind.GROUPED, now, status, parts=tuple(batch), cause=cause))
    return kept


def _network_down(members: Sequence[Notice], results: Sequence[TargetResult]) -> str | None:
    """NETWORK_CAUSE when every configured external service failed and two or more opened now."""
    services = [r for r in results if r.target in SERVICE_KEYS and r.status is not Status.NOT_CONFIGURED]
    opened = [m for m in members if m.kind is NoticeKind.OPENED and m.target in SERVICE_KEYS]
    if len(services) < 2 or len(opened) < 2 or any(r.status is not Status.FAILED for r in services):
        return None
    return NETWORK_CAUSE
