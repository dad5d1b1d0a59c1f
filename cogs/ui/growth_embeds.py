"""The embed of `/db growth`: the growth in words, the largest tables, the backups; the chart attached."""

from __future__ import annotations

from bot.history import GrowthReport
from bot.units import human_bytes
from cogs.ui import limits
from cogs.ui.embeds import NEUTRAL, EmbedSpec, absolute_time, relative_time
from cogs.ui.markup import inert

CHART_NAME = "db-growth.png"


def signed_bytes(change: int | None) -> str:
    """'+1.2 GiB', '−300.0 MiB', '±0 B'; '?' when there is nothing to compare with."""
    if change is None:
        return "?"
    if change == 0:
        return "±0 B"
    return ("+" if change > 0 else "−") + human_bytes(abs(change))


def growth_embed(report: GrowthReport, *, chart_attached: bool) -> EmbedSpec:
    """The report in words; the picture shows the same figures over time."""
    spec = EmbedSpec(
        title=f"Database growth — last {report.days} days",
        description=report.summary(),
        colour=NEUTRAL,
        timestamp=report.until,
        footer="Sampled hourly while the bot runs · sizes include indexes and TOAST",
    )
    latest = report.latest
    if latest is not None:
        first = report.samples[0]
        spec.add_field("Size now", f"{human_bytes(latest.total_bytes)} ({latest.total_bytes:,} bytes)", True)
        spec.add_field("Samples", f"{len(report.samples)} since {absolute_time(first.at)}", True)
        spec.add_field("Last sampled", relative_time(latest.at), True)
        spec.add_field("Largest tables (now, change)", _tables(report), False)
    spec.add_field("Backups in the period", _backups(report), False)
    if not chart_attached:
        spec.add_field("Chart", "not attached: it is larger than this channel's upload limit", False)
    return spec


def _tables(report: GrowthReport) -> str:
    rows = [
        f"{table.name[:22]:<22} {human_bytes(table.last_bytes):>9} "
        f"{signed_bytes(table.change if table.first_bytes is not None else None):>10}"
        for table in report.table_growth()
    ]
    if not rows:
        return "no tables"
    return limits.code_block("\n".join(rows), limits.FIELD_VALUE)


def _backups(report: GrowthReport) -> str:
    if report.backup_error:
        return inert(report.backup_error)
    if not report.backups:
        return "none → /backup create makes one"
    newest = report.backups[-1]
    smallest, largest = (human_bytes(f(b.size for b in report.backups)) for f in (min, max))
    sizes = smallest if smallest == largest else f"{smallest} to {largest}"
    return (
        f"{len(report.backups)} ({sizes})\n"
        f"newest: `{newest.name}`, {human_bytes(newest.size)} ({relative_time(newest.at)})"
    )
