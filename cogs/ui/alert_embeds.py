"""Messages for the alert channel: what the monitor decided, in colour."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.alerts.incident_actions import Handling
from bot.alerts.incident_span import span_words
from bot.alerts.notices import NETWORK_CAUSE, Notice, NoticeKind
from bot.alerts.results import TargetResult, target_name
from bot.status import Status, worst
from bot.units import human_duration
from cogs.ui import limits
from cogs.ui.embeds import STATUS_COLOURS, STATUS_ICONS, EmbedSpec, absolute_time, relative_time
from cogs.ui.markup import inert

HISTORY_PER_PAGE = 8
_LOG_BLOCK = 3000
_EXAMPLE_TARGET = "Example service"


@dataclass(frozen=True)
class AlertMessage:
    """One post for the alert channel: the roles to mention, the embed, which buttons it carries."""

    mention_roles: tuple[int, ...]
    embed: EmbedSpec
    download: bool = False
    incident_buttons: bool = False

    @property
    def content(self) -> str | None:
        return " ".join(f"<@&{role}>" for role in self.mention_roles) or None


def alert_message(
    notice: Notice,
    *,
    late: bool,
    role_id: int | None,
    escalation_role_id: int | None = None,
    handling: Handling | None = None,
) -> AlertMessage:
    """The message for ``notice``; ``late`` adds when it really happened, ``handling`` who took it
    and what is silenced (the message as the incident buttons leave it)."""
    embed = _BUILDERS[notice.kind](notice)
    embed.timestamp = notice.at
    if late:
        embed.description = (
            f"⏳ Delayed: this happened {absolute_time(notice.at)} ({relative_time(notice.at)}) "
            f"but could not be posted then.\n\n{embed.description}"
        )
    if handling is not None and (lines := _handling_lines(handling)):
        embed.add_field("Handling", "\n".join(lines))
    wanted = ((notice.mentions_role, role_id), (notice.mentions_escalation, escalation_role_id))
    mentions = tuple(role for mentioned, role in wanted if mentioned and role is not None)
    return AlertMessage(
        mentions,
        embed,
        download=notice.kind is NoticeKind.LOG_ERRORS,
        incident_buttons=notice.has_incident_buttons,
    )


def resolved_embed(notice: Notice, at: datetime) -> EmbedSpec:
    """An incident alert once every incident it is about is over (its buttons are removed): green,
    with when it was resolved above what it said."""
    spec = _BUILDERS[notice.kind](notice)
    spec.description = f"✅ **Resolved** {absolute_time(at)} ({relative_time(at)})\n\n{spec.description}"
    spec.colour = STATUS_COLOURS[Status.OK]
    spec.timestamp = notice.at
    return spec


def _handling_lines(handling: Handling) -> list[str]:
    """Who acknowledged what, since when, and what is silenced until when."""
    lines = [
        f"✅ {target_name(ack.target)} acknowledged by {ack.by} {relative_time(ack.at)}"
        for ack in handling.open
        if ack.by is not None and ack.at is not None
    ]
    for target, silence in handling.silenced:
        by = f" by {silence.by}" if silence.by else ""
        lines.append(f"🔕 {target_name(target)} silenced{by} until {absolute_time(silence.until)}")
    return lines


def recheck_embed(results: Sequence[TargetResult], redact: Callable[[str], str]) -> EmbedSpec:
    """The Re-check button's private answer: each target as it is right now."""
    colour = STATUS_COLOURS[worst(result.status for result in results)]
    spec = EmbedSpec(
        title="🔁 Re-checked now",
        description="The monitor's rounds decide when the incident ends." if results else "Nothing to check.",
        colour=colour,
        timestamp=results[0].at if results else datetime.now(UTC),
    )
    for result in results:
        latency = "" if result.latency_ms is None else f" · {result.latency_ms:.0f} ms"
        value = f"{result.status.label}{latency}\n{redact(result.detail)}"
        if result.hint:
            value += f"\n→ {redact(result.hint)}"
        spec.add_field(f"{STATUS_ICONS[result.status]} {target_name(result.target)}", value)
    return spec


def _name(notice: Notice) -> str:
    return target_name(notice.target) if notice.target else _EXAMPLE_TARGET


def _down_words(status: Status) -> str:
    return "down" if status is Status.FAILED else "degraded"


def _incident(notice: Notice, title: str) -> EmbedSpec:
    spec = EmbedSpec(title=title, description=inert(notice.detail), colour=STATUS_COLOURS[notice.status])
    if notice.hint:
        spec.add_field("What to do", inert(notice.hint))
    if notice.started_at is not None:
        spec.add_field("Since", f"{absolute_time(notice.started_at)} ({relative_time(notice.started_at)})")
    if notice.holding_back:
        held = ", ".join(target_name(target) for target in notice.holding_back)
        spec.add_field("Holding back", f"{held}: failing too, no alert of their own while this is down")
    if notice.acknowledged_by:
        spec.add_field("Acknowledged", f"by {notice.acknowledged_by}")
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


def _unacknowledged(notice: Notice) -> EmbedSpec:
    spec = _reminder(notice)
    spec.title = f"⏫ {_name(notice)} is still {_down_words(notice.status)} and nobody acknowledged it"
    return spec


def _grouped(notice: Notice) -> EmbedSpec:
    """Several alerts of one round: a field each; the network when every external service failed."""
    parts = notice.parts
    names = ", ".join(_name(part) for part in parts)
    icon = STATUS_ICONS[notice.status]
    if notice.cause == NETWORK_CAUSE:
        title = f"{icon} Network: every external service is down"
        description = (
            f"{names} all failed in the same round: the host has most likely lost its network "
            "(DNS, routing, firewall or proxy). Check the host's connection first."
        )
    elif all(part.kind is NoticeKind.RECOVERED for part in parts):
        title, description = f"{icon} {len(parts)} targets recovered", names
    else:
        title, description = f"{icon} {len(parts)} targets need attention", names
    spec = EmbedSpec(title=title, description=description, colour=STATUS_COLOURS[notice.status])
    for part in parts:
        one = _BUILDERS[part.kind](part)
        facts = [f"{name}: {value}" for name, value, _ in one.fields if name != "What to do"]
        spec.add_field(one.title, limits.truncate("\n".join([one.description, *facts]), 600))
    ids = ", ".join(f"#{identifier}" for identifier in notice.incident_ids)
    spec.footer = f"Incidents {ids} · /alerts status · /alerts history"
    return spec


def _recovered(notice: Notice) -> EmbedSpec:
    spec = EmbedSpec(
        title=f"{STATUS_ICONS[Status.OK]} {_name(notice)} recovered",
        description=inert(notice.detail),
        colour=STATUS_COLOURS[Status.OK],
    )
    spec.add_field("Outage", outage_words(notice))
    if notice.acknowledged_by:
        spec.add_field("Acknowledged by", notice.acknowledged_by)
    if notice.incident_id is not None:
        spec.footer = f"Incident #{notice.incident_id} closed"
    return spec


def outage_words(notice: Notice) -> str:
    """The outage's span as `/alerts history` words it (a range when the bot was offline as it ended)."""
    if notice.started_at is None or notice.ended_at is None:
        return "unknown"
    return span_words(notice.started_at, notice.ended_at, notice.ended_after, notice.at, absolute_time)


def _flapping(notice: Notice) -> EmbedSpec:
    spec = EmbedSpec(
        title=f"{STATUS_ICONS[Status.DEGRADED]} {_name(notice)} is flapping",
        description=(
            "It keeps switching between working and failing, so each change is not announced. "
            f"Latest: {inert(notice.detail)}"
        ),
        colour=STATUS_COLOURS[Status.DEGRADED],
    )
    if notice.hint:
        spec.add_field("What to do", inert(notice.hint))
    spec.footer = "Alerts for it resume once it has been stable for a while"
    return spec


def _log_errors(notice: Notice) -> EmbedSpec:
    errors = notice.log_errors
    count = 0 if errors is None else errors.count
    noun = "error" if count == 1 else "errors"
    shown = () if errors is None else errors.shown
    block = limits.code_block("\n".join(shown), _LOG_BLOCK) if shown else ""
    more = count - len(shown)
    description = f"{inert(notice.detail)}\n{block}"
    if more > 0:
        description += f"\n… and {more} more: **Download** has all of them."
    spec = EmbedSpec(
        title=f"📜 {count} new {noun} in Aphrodite's log",
        description=description,
        colour=STATUS_COLOURS[notice.status],
    )
    if notice.hint:
        spec.footer = notice.hint  # footers show no markdown
    return spec


def _paused(notice: Notice) -> EmbedSpec:
    until = notice.until
    when = f"{absolute_time(until)} ({relative_time(until)})" if until else "further notice"
    by = f" by {inert(notice.by)}" if notice.by else ""
    return EmbedSpec(
        title="🔧 Maintenance window: alerts paused",
        description=f"Opened{by}. No alerts until {when}; the channel is told when it ends. "
        "A target still failing then alerts at once. `/alerts resume` ends it early.",
        colour=STATUS_COLOURS[Status.NOT_CONFIGURED],
    )


def _resumed(notice: Notice) -> EmbedSpec:
    how = f"ended early by {inert(notice.by)}" if notice.by else "over"
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


_STATE_STORE_TITLES = {
    Status.FAILED: "🗄️ The bot's state store is failing",
    Status.DEGRADED: "🗄️ The bot's state store was damaged: a fresh one was started",
    Status.OK: "🗄️ The bot's state store works again",
}


def _state_store(notice: Notice) -> EmbedSpec:
    spec = EmbedSpec(
        title=_STATE_STORE_TITLES.get(notice.status, _STATE_STORE_TITLES[Status.FAILED]),
        description=notice.detail,
        colour=STATUS_COLOURS[notice.status],
    )
    if notice.hint:
        spec.add_field("What to do", notice.hint)
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
    NoticeKind.UNACKNOWLEDGED: _unacknowledged,
    NoticeKind.GROUPED: _grouped,
    NoticeKind.STATE_STORE: _state_store,
}
