"""Embeds for `/alerts status` and `/alerts history`: every target as the monitor sees it, past incidents."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from bot.alerts.history import IncidentHistory, IncidentRecord
from bot.alerts.incident_span import incident_span
from bot.alerts.overview import MonitorOverview, TargetOverview
from bot.alerts.results import target_name
from bot.status import Status, worst
from bot.units import human_duration
from cogs.ui import limits
from cogs.ui.embeds import STATUS_COLOURS, STATUS_ICONS, EmbedSpec, absolute_time, relative_time
from cogs.ui.markup import inert

HISTORY_PER_PAGE = 8


def status_embed(
    overview: MonitorOverview, extra: Mapping[str, str] | None = None, note: str | None = None
) -> EmbedSpec:
    """`/alerts status`: one field per target; ``extra`` adds a line per target (e.g. uptime),
    ``note`` one under the monitor's (e.g. why there is no uptime)."""
    current = [t.status for t in overview.targets if t.status is not None]
    colour = STATUS_COLOURS[worst(current)] if current else STATUS_COLOURS[Status.NOT_CONFIGURED]
    spec = EmbedSpec(
        title="🛰️ Monitor status",
        description=_monitor_line(overview) if note is None else f"{_monitor_line(overview)}\n{inert(note)}",
        colour=colour,
        timestamp=overview.measured_at,
        footer="/alerts history for past incidents",
    )
    for target in overview.targets:
        value = _target_value(target)
        if extra and extra.get(target.target):
            value += f"\n{extra[target.target]}"
        spec.add_field(_target_title(target), value, inline=False)
    return spec


def _monitor_line(overview: MonitorOverview) -> str:
    if not overview.enabled:
        lines = ["⚪ Off: set ALERT_CHANNEL_ID to turn automatic alerts on."]
    else:
        lines = [f"Checks every {human_duration(overview.interval_seconds)}."]
    if overview.last_round_at is not None:
        lines.append(f"Last round {relative_time(overview.last_round_at)}.")
    if overview.paused and overview.paused_until is not None:
        by = f" by {inert(overview.paused_by)}" if overview.paused_by else ""
        lines.append(f"🔧 Paused{by} until {absolute_time(overview.paused_until)}.")
    if overview.store_problem:
        lines.append(f"🗄️ {overview.store_problem} Checks and alerts go on from memory.")
    if overview.pending_notices:
        problem = f" ({inert(overview.delivery_problem)})" if overview.delivery_problem else ""
        lines.append(f"📮 {overview.pending_notices} alert(s) waiting to be posted{problem}.")
    return "\n".join(lines)


def _target_title(target: TargetOverview) -> str:
    if target.status is None:
        return f"⚪ {target.name}"
    return f"{STATUS_ICONS[target.status]} {target.name}"


def _target_value(target: TargetOverview) -> str:
    if target.status is None:
        return "Not checked yet"
    parts = [target.status.label]
    if target.since is not None:
        parts.append(f"since {relative_time(target.since)}")
    if target.latency_ms is not None:
        parts.append(f"{target.latency_ms:.0f} ms")
    lines = [" · ".join(parts), inert(limits.truncate(target.detail, 300))]
    if target.incident is not None:
        incident = target.incident
        lines.append(f"🚨 Incident #{incident.id} open since {relative_time(incident.started_at)}")
        if incident.acknowledged_by:
            lines.append(f"✅ Acknowledged by {incident.acknowledged_by}")
    if target.held_back_by is not None:
        lines.append(f"⛓️ No incident of its own while {target_name(target.held_back_by)} is down")
    if target.silence is not None:
        by = f" by {target.silence.by}" if target.silence.by else ""
        lines.append(f"🔕 Silenced{by} until {absolute_time(target.silence.until)}")
    if target.flapping:
        lines.append("〰️ Flapping")
    return "\n".join(lines)


def history_pages(history: IncidentHistory) -> list[EmbedSpec]:
    """`/alerts history`: incidents newest first, a few per page, the mean time to recovery on top."""
    scope = target_name(history.target) if history.target else "all targets"
    days = max(round((history.measured_at - history.since) / timedelta(days=1)), 1)
    mttr = history.mean_time_to_recovery
    summary = f"{len(history.incidents)} incident(s) in the last {days} day(s) · mean time to recovery: " + (
        human_duration(mttr) if mttr is not None else "—"
    )
    chunks = [
        history.incidents[start : start + HISTORY_PER_PAGE]
        for start in range(0, len(history.incidents), HISTORY_PER_PAGE)
    ] or [()]
    pages = []
    for chunk in chunks:
        spec = EmbedSpec(
            title=f"📚 Incident history — {scope}",
            description=summary if chunk else f"{summary}\n\nNo incidents. 🎉",
            colour=STATUS_COLOURS[Status.OK if not chunk else worst(i.severity for i in chunk)],
            timestamp=history.measured_at,
        )
        for incident in chunk:
            spec.add_field(*_incident_field(incident, history))
        pages.append(spec)
    return pages


def _incident_field(incident: IncidentRecord, history: IncidentHistory) -> tuple[str, str]:
    name = f"{STATUS_ICONS[incident.severity]} {target_name(incident.target)} · #{incident.id}"
    span = incident_span(incident, history.measured_at, absolute_time)
    return name, f"{span}\n{inert(limits.truncate(incident.detail, 400))}"
