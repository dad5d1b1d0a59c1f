"""Embeds for `/backup drill`: the verdict, the recovery time, the findings and the row counts."""

from __future__ import annotations

from bot.drills.result import DrillResult
from bot.drills.service import summary
from bot.status import Status
from bot.units import human_duration
from cogs.ui import limits
from cogs.ui.backup_embeds import shown_name
from cogs.ui.embeds import STATUS_COLOURS, EmbedSpec, status_line

_TABLES_SHOWN = 15


def drill_embed(result: DrillResult) -> EmbedSpec:
    status = Status.OK if result.ok else Status.FAILED
    spec = EmbedSpec(
        title=f"Restore drill — {status_line(status)}",
        # The name matched the inventory pattern: safe in a code span, where escapes would show.
        description=f"`{result.name}`: {shown_name(summary(result))}.",
        colour=STATUS_COLOURS[status],
        footer=(
            f"Whole drill {human_duration(result.duration_seconds)}; the scratch database was dropped. "
            "The live database was not touched."
        ),
    )
    if result.findings:
        lines = [f"• {shown_name(finding)}" for finding in result.findings[:10]]
        spec.add_field("Findings", limits.truncate("\n".join(lines), limits.FIELD_VALUE), False)
    if result.amcheck:
        spec.add_field("amcheck", limits.truncate(shown_name(result.amcheck), limits.FIELD_VALUE), False)
    if result.tables:
        rows = [f"{'table':<28} {'at dump':>9} {'restored':>9}"]
        rows += [
            f"{table.table[:28]:<28} {_count(table.expected):>9} {_count(table.restored):>9}"
            + ("" if table.matches else " ≠")
            for table in result.tables[:_TABLES_SHOWN]
        ]
        if len(result.tables) > _TABLES_SHOWN:
            rows.append(f"… and {len(result.tables) - _TABLES_SHOWN} more tables")
        spec.add_field(
            "Rows", limits.truncate("```\n" + "\n".join(rows) + "\n```", limits.FIELD_VALUE), False
        )
    return spec


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"
