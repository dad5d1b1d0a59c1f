"""Embeds for `/audit` (pages of records) and for the mirror in AUDIT_CHANNEL_ID (one record each).

Everything a record holds came from people or from disk (names, backup names, errors): it is
shown escaped (markdown inert, no mentions, control characters visible).
"""

from __future__ import annotations

from bot.audit import AuditRecord, AuditSource, OutcomeKind
from bot.audit.store import MAX_LISTED
from bot.status import Status
from cogs.ui import limits
from cogs.ui.backup_embeds import shown_name
from cogs.ui.embeds import STATUS_COLOURS, EmbedSpec, absolute_time

RECORDS_PER_PAGE = 10
# One line of a page: a reason is cut here, the full one is in `python -m bot audit`.
LINE_CHARS = 380

OUTCOME_ICONS = {OutcomeKind.OK: "✅", OutcomeKind.FAILED: "❌", OutcomeKind.NOT_CONFIRMED: "↩️"}
OUTCOME_COLOURS = {
    OutcomeKind.OK: STATUS_COLOURS[Status.OK],
    OutcomeKind.FAILED: STATUS_COLOURS[Status.FAILED],
    OutcomeKind.NOT_CONFIRMED: STATUS_COLOURS[Status.NOT_CONFIGURED],
}
SOURCE_NAMES = {AuditSource.DISCORD: "Discord", AuditSource.CLI: "CLI", AuditSource.SCHEDULE: "schedule"}


def audit_pages(records: list[AuditRecord], days: int, user: str | None, keep_days: int) -> list[EmbedSpec]:
    """`/audit`: newest first, ten records a page; one page saying so when there are none."""
    whose = f" by {shown_name(user)}" if user else ""
    title = f"🧾 Audit — last {days} day(s){whose}"
    footer = f"Records are kept {keep_days} days (HISTORY_DAYS)"
    if len(records) >= MAX_LISTED:
        footer = f"The newest {MAX_LISTED} · {footer}"
    if not records:
        return [EmbedSpec(title=title, description=f"No audited actions{whose} in the last {days} day(s).")]
    pages = []
    for start in range(0, len(records), RECORDS_PER_PAGE):
        lines = [_line(record) for record in records[start : start + RECORDS_PER_PAGE]]
        pages.append(EmbedSpec(title=title, description="\n".join(lines), footer=footer))
    return pages


def _line(record: AuditRecord) -> str:
    target = f" {_target(record.target)}" if record.target else ""
    outcome = OUTCOME_ICONS[record.outcome.kind] + " " + shown_name(record.outcome.text)
    line = (
        f"{absolute_time(record.at)} · **{shown_name(record.actor.name)}** ({SOURCE_NAMES[record.source]}) · "
        f"{record.action.label}{target} · {outcome}"
    )
    return limits.truncate(line, LINE_CHARS)


def mirrored_embed(record: AuditRecord) -> EmbedSpec:
    """One record as posted to AUDIT_CHANNEL_ID: compact, coloured by its outcome."""
    who = f"**{shown_name(record.actor.name)}**"
    if record.actor.id is not None:
        who += f" (id {record.actor.id})"
    spec = EmbedSpec(
        title=f"{OUTCOME_ICONS[record.outcome.kind]} {record.action.label}",
        description=f"{who} via {SOURCE_NAMES[record.source]}",
        colour=OUTCOME_COLOURS[record.outcome.kind],
        timestamp=record.at,
        footer=f"Audit record #{record.id}",
    )
    if record.target:
        spec.add_field("Target", _target(record.target), inline=True)
    spec.add_field(
        "Outcome", limits.truncate(shown_name(record.outcome.text), limits.FIELD_VALUE), inline=True
    )
    return spec


def _target(text: str) -> str:
    return shown_name(limits.truncate(text, 120))
