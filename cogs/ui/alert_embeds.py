"""Embeds for the alert channel and `/alerts status|history`: what the monitor decided, in colour."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.alerts.history import IncidentHistory, IncidentRecord
from bot.alerts.notices import Notice, NoticeKind
from bot.alerts.overview import MonitorOverview, TargetOverview
from bot.alerts.results import target_name
from bot.history.uptime import Uptime
from bot.history.uptime_summary import UptimeSummary
from bot.status import Status, worst
from bot.units import human_duration
from cogs.ui import limits
from cogs.ui.embeds import STATUS_COLOURS, STATUS_ICONS, EmbedSpec, absolute_time, relative_time

HISTORY_PER_PAGE = 8
_LOG_BLOCK = 3000
_EXAMPLE_TARGET = "Example service"


@dataclass(frozen=True)
class AlertMessage:
    """One post for the alert channel: the role to mention (if any), the embed, a Download button or not."""

    mention_role: int | None
    embed: EmbedSpec
    download: bool = False

    @property
    def content(self) -> str | None:
        return None if self.mention_role is None else f"<@&{self.mention_role}>"


def alert_message(notice: Notice, *, late: bool, role_id: int | None) -> AlertMessage:
    """The message for ``notice``; ``late`` adds when it really happened."""
    embed = _BUILDERS[notice.kind](notice)
    embed.timestamp = notice.at
    if late:
        embed.description = (
            f"⏳ Delayed: this happened {absolute_time(notice.at)} ({relative_time(notice.at)}) "
            f"but could not be posted then.\n\n{embed.description}"
        )
    mention = role_id if notice.mentions_role and role_id is not None else None
    return AlertMessage(mention, embed, download=notice.kind is NoticeKind.LOG_ERRORS)


def _name(notice: Notice) -> str:
    return target_name(notice.target) if notice.target else _EXAMPLE_TARGET


def _down_words(status: Status) -> str:
    return "down" if status is Status.FAILED else "degraded"


def _incident(notice: Notice, title: str) -> EmbedSpec:
    spec = EmbedSpec(title=title, description=notice.detail, colour=STATUS_COLOURS[notice.status])
    if notice.hint:
        spec.add_field("What to do", notice.hint)
    if notice.started_at is not None:
        spec.add_field("Since", f"{absolute_time(notice.started_at)} ({relative_time(notice.started_at)})")
    if notice.incident_id is not None:
        spec.footer = f"Incident #{notice.incident_id} · /alerts status · /alerts history"
    return spec


def _opened(notice: Notice) -> EmbedSpec:
    icon = STATUS_ICONS[notice.status]
    return _incident(notice, f"{icon} {_name(notice)} is {_down_words(notice.status)}")


def _escalated(notice: Notice) -> EmbedSpec:
    return _incident(notice, f"{STATUS_ICONS[notice.status]} {_name(notice)} is now down (it was degraded)")


def _reminder(notice: Notice) -> EmbedSpec:
    spec = _incident(
        notice, f"{STATUS_ICONS[notice.status]} {_name(notice)} is still {_down_words(notice.status)}"
    )
    if notice.started_at is not None:
        spec.add_field("Down for", human_duration(notice.at - notice.started_at))
    return spec


def _recovered(notice: Notice) -> EmbedSpec:
    spec = EmbedSpec(
        title=f"{STATUS_ICONS[Status.OK]} {_name(notice)} recovered",
        description=notice.detail,
        colour=STATUS_COLOURS[Status.OK],
    )
    spec.add_field("Outage", outage_words(notice))
    if notice.incident_id is not None:
        spec.footer = f"Incident #{notice.incident_id} closed"
    return spec


def outage_words(notice: Notice) -> str:
    """ "42 min", or a range when the bot was offline as it ended."""
    started, ended, ended_after = notice.started_at, notice.ended_at, notice.ended_after
    if started is None or ended is None:
        return "unknown"
    if ended_after is None:
        return f"{human_duration(ended - started)} (from {absolute_time(started)} to {absolute_time(ended)})"
    return (
        f"between {human_duration(ended_after - started)} and {human_duration(ended - started)}: the bot "
        f"was offline when it ended, some time between {absolute_time(ended_after)} and "
        f"{absolute_time(ended)}"
    )


def _flapping(notice: Notice) -> EmbedSpec:
    spec = EmbedSpec(
        title=f"{STATUS_ICONS[Status.DEGRADED]} {_name(notice)} is flapping",
        description=(
            "It keeps switching between working and failing, so each change is not announced. "
            f"Latest: {notice.detail}"
        ),
        colour=STATUS_COLOURS[Status.DEGRADED],
    )
    if notice.hint:
        spec.add_field("What to do", notice.hint)
    spec.footer = "Alerts for it resume once it has been stable for a while"
    return spec


def _log_errors(notice: Notice) -> EmbedSpec:
    errors = notice.log_errors
    count = 0 if errors is None else errors.count
    noun = "error" if count == 1 else "errors"
    shown = () if errors is None else errors.shown
    block = limits.code_block("\n".join(shown), _LOG_BLOCK) if shown else ""
    more = count - len(shown)
    description = f"{notice.detail}\n{block}"
    if more > 0:
        description += f"\n… and {more} more: **Download** has all of them."
    spec = EmbedSpec(
        title=f"📜 {count} new {noun} in Aphrodite's log",
        description=description,
        colour=STATUS_COLOURS[notice.status],
    )
    if notice.hint:
        spec.footer = notice.hint
    return spec


def _paused(notice: Notice) -> EmbedSpec:
    until = notice.until
    when = f"{absolute_time(until)} ({relative_time(until)})" if until else "further notice"
    by = f" by {notice.by}" if notice.by else ""
    return EmbedSpec(
        title="🔧 Maintenance window: alerts paused",
        description=f"Opened{by}. No alerts until {when}; the channel is told when it ends. "
        "A target still failing then alerts at once. `/alerts resume` ends it early.",
        colour=STATUS_COLOURS[Status.NOT_CONFIGURED],
    )


def _resumed(notice: Notice) -> EmbedSpec:
    how = f"ended early by {notice.by}" if notice.by else "over"
    return EmbedSpec(
        title="🔔 Maintenance window over: alerts are back on",
        description=f"The window is {how}. Anything still failing is announced now.",
        colour=STATUS_COLOURS[Status.OK],
    )


def _test(notice: Notice) -> EmbedSpec:
    spec = _incident(notice, f"🧪 TEST — {STATUS_ICONS[Status.FAILED]} {_EXAMPLE_TARGET} is down")
    spec.add_field("Since", f"{absolute_time(notice.at)} ({relative_time(notice.at)})")
    spec.footer = "Test alert from /alerts test · real alerts look the same"
    return spec


_BUILDERS = {
    NoticeKind.OPENED: _opened,
    NoticeKind.ESCALATED: _escalated,
    NoticeKind.REMINDER: _reminder,
    NoticeKind.RECOVERED: _recovered,
    NoticeKind.FLAPPING: _flapping,
    NoticeKind.LOG_ERRORS: _log_errors,
    NoticeKind.PAUSED: _paused,
    NoticeKind.RESUMED: _resumed,
    NoticeKind.TEST: _test,
}


def status_embed(overview: MonitorOverview, extra: Mapping[str, str] | None = None) -> EmbedSpec:
    """`/alerts status`: one field per target; ``extra`` adds a line per target (e.g. uptime)."""
    current = [t.status for t in overview.targets if t.status is not None]
    colour = STATUS_COLOURS[worst(current)] if current else STATUS_COLOURS[Status.NOT_CONFIGURED]
    spec = EmbedSpec(
        title="🛰️ Monitor status",
        description=_monitor_line(overview),
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


def uptime_line(summary: UptimeSummary) -> str:
    """'Uptime 24 h 99.93 % · 7 d 100 %', and how much of the day was not measured or in maintenance."""
    line = f"Uptime 24 h {_percent(summary.day)} · 7 d {_percent(summary.week)}"
    day = summary.day
    gaps = [
        f"{human_duration(seconds)} {what}"
        for seconds, what in (
            (day.maintenance_seconds, "maintenance"),
            (day.unmeasured_seconds, "not measured"),
        )
        if seconds >= 60
    ]
    return f"{line} (last 24 h: {', '.join(gaps)})" if gaps else line


def _percent(uptime: Uptime) -> str:
    share = uptime.percentage
    if share is None:
        return "—"
    return "100 %" if share >= 100 else f"{min(share, 99.99):.2f} %"


def _monitor_line(overview: MonitorOverview) -> str:
    if not overview.enabled:
        lines = ["⚪ Off: set ALERT_CHANNEL_ID to turn automatic alerts on."]
    else:
        lines = [f"Checks every {human_duration(overview.interval_seconds)}."]
    if overview.last_round_at is not None:
        lines.append(f"Last round {relative_time(overview.last_round_at)}.")
    if overview.paused and overview.paused_until is not None:
        by = f" by {overview.paused_by}" if overview.paused_by else ""
        lines.append(f"🔧 Paused{by} until {absolute_time(overview.paused_until)}.")
    if overview.pending_notices:
        problem = f" ({overview.delivery_problem})" if overview.delivery_problem else ""
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
    lines = [" · ".join(parts), limits.truncate(target.detail, 300)]
    if target.incident is not None:
        incident = target.incident
        lines.append(f"🚨 Incident #{incident.id} open since {relative_time(incident.started_at)}")
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
    started = absolute_time(incident.started_at)
    lasted = human_duration(incident.duration(history.measured_at))
    if incident.ended_at is None:
        when = f"Since {started} · ongoing for {lasted}"
    elif incident.ended_after is not None:
        shortest = human_duration(incident.ended_after - incident.started_at)
        when = f"{started} → ended while the bot was offline · between {shortest} and {lasted}"
    else:
        when = f"{started} → {absolute_time(incident.ended_at)} · {lasted}"
    return name, f"{when}\n{limits.truncate(incident.detail, 400)}"
