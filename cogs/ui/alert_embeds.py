"""Messages for the alert channel: what the monitor decided, in colour."""

from __future__ import annotations

from dataclasses import dataclass

from bot.alerts.incident_span import span_words
from bot.alerts.notices import Notice, NoticeKind
from bot.alerts.results import target_name
from bot.status import Status
from bot.units import human_duration
from cogs.ui import limits
from cogs.ui.embeds import STATUS_COLOURS, STATUS_ICONS, EmbedSpec, absolute_time, relative_time
from cogs.ui.markup import inert

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
    spec = EmbedSpec(title=title, description=inert(notice.detail), colour=STATUS_COLOURS[notice.status])
    if notice.hint:
        spec.add_field("What to do", inert(notice.hint))
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
        description=inert(notice.detail),
        colour=STATUS_COLOURS[Status.OK],
    )
    spec.add_field("Outage", outage_words(notice))
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
