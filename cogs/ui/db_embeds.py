"""Embeds for `/db status` and `/db integrity`."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.database.health import DatabaseStatus
from bot.database.integrity.findings import Finding, Severity, plural
from bot.database.integrity.report import IntegrityReport
from bot.status import Status
from bot.units import human_bytes, human_duration
from cogs.ui import limits
from cogs.ui.embeds import STATUS_COLOURS, STATUS_ICONS, EmbedSpec, absolute_time, relative_time, status_line
from cogs.ui.markup import inert, inline_code

SEVERITY_ICONS = {Severity.OK: "✅", Severity.WARNING: "⚠️", Severity.PROBLEM: "❌", Severity.SKIPPED: "⏭️"}
MAX_DETAIL_LINES = 4


def status_embed(report: DatabaseStatus) -> EmbedSpec:
    """The dashboard: green connected, red unreachable (and why), grey not configured."""
    spec = EmbedSpec(
        title=f"Database — {report.connection_label}",
        description=_status_description(report),
        colour=STATUS_COLOURS[report.status],
        timestamp=report.checked_at,
        footer="Measured now · /db integrity runs the integrity check",
    )
    spec.add_field("Connection", f"`{report.masked_dsn}`", inline=False)
    server = report.server
    if server is not None:
        spec.add_field("Size", f"{server.size_pretty} ({server.size_bytes:,} bytes)", inline=True)
        spec.add_field("Tables in public", str(server.table_count), inline=True)
        spec.add_field(
            "Schema version", f"{inert(server.schema_version)} ({server.schema_version_source})", inline=True
        )
        spec.add_field("PostgreSQL", inert(server.server_version), inline=True)
        spec.add_field("Uptime", human_duration(server.uptime), inline=True)
        spec.add_field("Connections", f"{server.connections} / {server.max_connections}", inline=True)
        spec.add_field("Largest tables", _largest_tables(report), inline=False)
    spec.add_field("Backups", _backups(report), inline=False)
    spec.add_field("Last integrity check", _last_integrity(report), inline=False)
    return spec


def _status_description(report: DatabaseStatus) -> str:
    lines = [status_line(report.status)]
    if report.reason:
        lines.append(inert(report.reason))
    if not report.connected and report.reason:
        lines.append(
            "→ Check that PostgreSQL is running and DATABASE_URL is right; the bot reconnects by itself."
        )
    lines.extend(f"• {inert(note)}" for note in report.notes)
    lines.extend(f"{STATUS_ICONS[Status.DEGRADED]} Risk: {risk}" for risk in report.risks)
    return "\n".join(lines)


def _largest_tables(report: DatabaseStatus) -> str:
    tables = report.server.largest_tables if report.server else ()
    if not tables:
        return "no tables"
    rows = [
        f"{table.name[:28]:<28} {table.size_pretty:>10} {_rows(table.row_estimate):>10}" for table in tables
    ]
    return limits.code_block(
        "\n".join([f"{'table':<28} {'size':>10} {'rows ≈':>10}", *rows]), limits.FIELD_VALUE
    )


def _rows(estimate: int | None) -> str:
    return "?" if estimate is None or estimate < 0 else f"{estimate:,}"


def _backups(report: DatabaseStatus) -> str:
    backups = report.backups
    if backups.error:
        return f"{inert(backups.error)}\n{inline_code(str(backups.directory))}"
    text = f"{backups.count} in {inline_code(str(backups.directory))} ({human_bytes(backups.total_bytes)})"
    age = backups.newest_age(datetime.now(UTC))
    if backups.newest_at is not None and age is not None:
        when = absolute_time(backups.newest_at)
        text += f"\nnewest: `{backups.newest_name}`, {human_duration(age)} old ({when})"
    elif backups.count == 0:
        text += "\n→ /backup create makes one"
    return text


def _last_integrity(report: DatabaseStatus) -> str:
    last = report.last_integrity
    if last is None:
        return "never run here → /db integrity"
    return f"{status_line(last.overall)} {relative_time(last.checked_at)}: {inert(last.summary)}"


def integrity_embed(report: IntegrityReport) -> EmbedSpec:
    """One field per check: icon, summary, a few affected objects, the fix to run."""
    counts = report.counts
    spec = EmbedSpec(
        title=f"Integrity of {report.database} — {status_line(report.overall)}",
        description=(
            f"{inert(report.summary)}\n{counts.get('ok', 0)} OK · "
            f"{plural(counts.get('warning', 0), 'warning')} · "
            f"{plural(counts.get('problem', 0), 'problem')} · {counts.get('skipped', 0)} skipped · "
            f"{human_duration(report.duration_seconds)} (budget {report.budget_seconds:g} s)"
        ),
        colour=STATUS_COLOURS[report.overall],
        timestamp=report.checked_at,
        footer=f"PostgreSQL {report.server_version} · read-only checks",  # footers show no markdown
    )
    for finding in sorted(report.findings, key=lambda f: -f.severity.rank):
        spec.add_field(f"{SEVERITY_ICONS[finding.severity]} {inert(finding.title)}", _finding_text(finding))
    return spec


def _finding_text(finding: Finding) -> str:
    lines = [inert(finding.summary)]
    lines += [f"• {inert(detail)}" for detail in finding.details[:MAX_DETAIL_LINES]]
    if len(finding.details) > MAX_DETAIL_LINES:
        lines.append(f"• … {len(finding.details) - MAX_DETAIL_LINES} more")
    lines += [f"Not checked: {inert(item)}" for item in finding.not_checked[:2]]
    lines += [f"Fix: {inline_code(limits.truncate(fix, 300))}" for fix in finding.fix[:2]]
    return "\n".join(lines)
