"""Embeds for `/check`: one field per service, or the detailed view of one."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.runner import CheckResult
from bot.status import Status, worst
from cogs.ui.embeds import STATUS_COLOURS, STATUS_ICONS, EmbedSpec, relative_time, status_line
from cogs.ui.markup import inert


def _latency(result: CheckResult) -> str:
    return f"{result.latency_ms:.0f} ms" if result.latency_ms is not None else "—"


def summary_embed(results: Sequence[CheckResult]) -> EmbedSpec:
    """`/check all`: colour of the worst status, a field per service."""
    overall = worst(result.status for result in results)
    counts = {status: sum(1 for r in results if r.status is status) for status in Status}
    tally = " · ".join(f"{STATUS_ICONS[s]} {counts[s]} {s.label.lower()}" for s in Status if counts[s])
    spec = EmbedSpec(
        title=f"Connection checks — {status_line(overall)}",
        description=tally,
        colour=STATUS_COLOURS[overall],
        timestamp=max((r.checked_at for r in results), default=None),
        footer="Measured now · /check <service> for details",
    )
    for result in results:
        value = f"{status_line(result.status)} · {_latency(result)}\n{inert(result.detail)}"
        if result.hint and result.status in (Status.FAILED, Status.DEGRADED):
            value += f"\n→ {inert(result.hint)}"
        spec.add_field(result.display_name, value, inline=False)
    return spec


def detail_embed(result: CheckResult) -> EmbedSpec:
    """`/check <service>`: everything the check learned, credential source included."""
    spec = EmbedSpec(
        title=f"{result.display_name} — {status_line(result.status)}",
        description=inert(result.detail),
        colour=STATUS_COLOURS[result.status],
        timestamp=result.checked_at,
        footer=f"Checked {result.checked_at:%Y-%m-%d %H:%M:%S} UTC",
    )
    spec.add_field("Latency", _latency(result), inline=True)
    spec.add_field("Credentials from", result.credential_source or "nowhere (not configured)", inline=True)
    for label, value in result.facts:
        spec.add_field(label, inert(str(value)), inline=True)
    if result.hint:
        spec.add_field("What to do", inert(result.hint), inline=False)
    spec.add_field("Measured", relative_time(result.checked_at), inline=True)
    return spec
