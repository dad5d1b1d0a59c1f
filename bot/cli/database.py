"""`python -m bot db status|integrity`: the terminal view of the database status and integrity checks."""

from __future__ import annotations

import argparse
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.cli import growth
from bot.cli.invocation import command
from bot.cli.output import error_document, print_json
from bot.database.connection import DatabaseNotConfigured, DatabaseUnavailable
from bot.database.health import DatabaseStatus, collect_status
from bot.database.integrity.findings import Severity
from bot.database.integrity.report import DEFAULT_BUDGET_SECONDS, IntegrityReport, run_integrity
from bot.runtime import Runtime
from bot.status import Status
from bot.units import human_duration


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    database = commands.add_parser("db")
    actions = database.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    status = actions.add_parser(
        "status", parents=[common], help="connection, size, versions, connections, backups"
    )
    status.set_defaults(handler=run_status)
    integrity = actions.add_parser(
        "integrity", parents=[common], help="run the integrity checks now and report each finding"
    )
    integrity.add_argument(
        "--budget",
        type=float,
        default=DEFAULT_BUDGET_SECONDS,
        metavar="SECONDS",
        help=f"time allowed for the object-by-object checks and amcheck (default {DEFAULT_BUDGET_SECONDS:g})",
    )
    integrity.add_argument(
        "--heapallindexed",
        action="store_true",
        help="amcheck also verifies that every table row is in its indexes (slower)",
    )
    integrity.set_defaults(handler=run_integrity_check)
    growth.register(actions, common)


async def run_status(args: argparse.Namespace, runtime: Runtime) -> int:
    status = await collect_status(runtime.database, runtime.settings, runtime.state)
    if args.json:
        print_json(status_json(status), runtime.redactor)
    else:
        print(runtime.redactor(render_status(status, datetime.now(UTC))))
    return status.status.exit_code


async def run_integrity_check(args: argparse.Namespace, runtime: Runtime) -> int:
    try:
        report = await run_integrity(
            runtime.database, runtime.state, budget_seconds=args.budget, heapallindexed=args.heapallindexed
        )
    except (DatabaseNotConfigured, DatabaseUnavailable) as error:
        if not args.json:
            raise
        status = Status.NOT_CONFIGURED if isinstance(error, DatabaseNotConfigured) else Status.FAILED
        print_json({"overall": status, **error_document(str(error), None, error.exit_code)}, runtime.redactor)
        return error.exit_code
    if args.json:
        print_json(integrity_json(report), runtime.redactor)
    else:
        print(runtime.redactor(render_integrity(report)))
    return report.overall.exit_code


def status_json(status: DatabaseStatus) -> dict[str, Any]:
    return {"connection": status.connection_label, **_fields(status), "risks": status.risks}


def integrity_json(report: IntegrityReport) -> dict[str, Any]:
    return {
        "overall": report.overall.value,
        "summary": report.summary,
        "counts": report.counts,
        **_fields(report),
    }


def _fields(value: Any) -> dict[str, Any]:
    """The dataclass's fields, as they are: the shared JSON encoder turns them into JSON data."""
    return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}


def render_status(status: DatabaseStatus, now: datetime) -> str:
    lines = [f"Database: {status.connection_label} ({status.status.label})"]
    row = lines.append
    row(f"  Connection    {status.masked_dsn}")
    if status.reason:
        row(f"  Reason        {status.reason}")
    server = status.server
    if server is not None:
        row(f"  Server        PostgreSQL {server.server_version}, up {human_duration(server.uptime)}")
        row(f"  Size          {server.size_pretty} ({server.size_bytes:,} bytes)")
        row(f"  Tables        {server.table_count} in public")
        row(f"  Schema        {server.schema_version} ({server.schema_version_source})")
        row(f"  Connections   {server.connections} of {server.max_connections}")
    row(f"  Backups       {_backups_line(status, now)}")
    if server is not None and server.largest_tables:
        row("  Largest tables:")
        for table in server.largest_tables:
            rows = f"~{table.row_estimate:,} rows" if table.row_estimate is not None else "rows unknown"
            row(f"    {table.schema}.{table.name:<32} {table.size_pretty:>10}  {rows}")
    last = status.last_integrity
    if last is None:
        row(f"  Integrity     never checked (run: {command('db integrity')})")
    else:
        ago = human_duration(now - last.checked_at)
        row(f"  Integrity     {last.overall.label} {ago} ago: {last.summary}")
    for note in status.notes:
        row(f"  Note          {note}")
    for risk in status.risks:
        row(f"  Risk          {risk}")
    row(f"Checked at {status.checked_at:%Y-%m-%d %H:%M:%S} UTC")
    return "\n".join(lines)


def _backups_line(status: DatabaseStatus, now: datetime) -> str:
    backups = status.backups
    if backups.error:
        return backups.error
    line = f"{backups.count} in {backups.directory}"
    age = backups.newest_age(now)
    if age is not None and age < timedelta(0):
        line += f", newest {backups.newest_name} (written in the future: check the clocks)"
    elif age is not None:
        line += f", newest {backups.newest_name} ({human_duration(age)} ago)"
    return line


def render_integrity(report: IntegrityReport) -> str:
    lines = [
        f"Integrity of {report.database}: {report.overall.label} — {report.summary}",
        f"PostgreSQL {report.server_version}; checked {report.checked_at:%Y-%m-%d %H:%M:%S} UTC "
        f"in {human_duration(report.duration_seconds)} (budget {report.budget_seconds:g} s)",
    ]
    for finding in report.findings:
        lines.append(f"[{finding.severity.label}] {finding.title}: {finding.summary}")
        lines.extend(f"    - {detail}" for detail in finding.details)
        if finding.not_checked:
            lines.append("    not checked:")
            lines.extend(f"      {item}" for item in finding.not_checked)
        if finding.fix and finding.severity is not Severity.OK:
            lines.append("    fix:")
        elif finding.fix:
            lines.append("    suggested:")
        lines.extend(f"      {statement}" for statement in finding.fix)
    return "\n".join(lines)
