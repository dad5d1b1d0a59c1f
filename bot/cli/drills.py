"""`python -m bot backup drill [NAME]`: a restore drill now, rendered for a terminal (exit 0 ok, 2 failed)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.audit import AuditAction, Outcome, OutcomeKind
from bot.cli.audited import audited
from bot.cli.output import Redact, fields_of, to_json
from bot.printable import printable
from bot.units import human_duration

if TYPE_CHECKING:  # the drill core (and asyncpg) load only when the command runs
    from bot.drills.result import DrillResult
    from bot.runtime import Runtime

_TABLES_SHOWN = 30


def register(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    drill = actions.add_parser(
        "drill",
        parents=[common],
        help="restore a backup into a scratch database, compare its row counts, amcheck it, drop it",
    )
    drill.add_argument("name", nargs="?", help="a name from `backup list` (default: the newest backup)")
    drill.set_defaults(handler=run_drill)


async def run_drill(args: argparse.Namespace, runtime: Runtime) -> int:
    from bot.cli.backups import cli_label
    from bot.cli.offsite import fetch_if_remote
    from bot.drills.service import summary

    async with audited(runtime, AuditAction.BACKUP_DRILL, args.name) as entry:
        if args.name is not None:
            await fetch_if_remote(runtime, args.name)  # a backup only off-site is drilled from a download
        result = await runtime.drills.drill(args.name, label=cli_label())
        entry.target = result.name
        if not result.ok:
            entry.outcome = Outcome(OutcomeKind.FAILED, summary(result))
    print(to_json(_shown(result, runtime.redactor), runtime.redactor) if args.json else render_drill(result))
    return 0 if result.ok else 2


def render_drill(result: DrillResult) -> str:
    from bot.drills.service import summary

    verdict = "passed" if result.ok else "FAILED"
    lines = [f"Drill of {result.name} {verdict}: {summary(result)}."]
    lines.append(f"  the whole drill took {human_duration(result.duration_seconds)}")
    if result.scratch_database:
        lines.append(f"  scratch database {result.scratch_database}: dropped")
    if result.amcheck:
        lines.append(f"  amcheck: {printable(result.amcheck)}")
    if result.findings:
        lines.append("Findings:")
        lines.extend(f"  - {printable(finding)}" for finding in result.findings)
    if result.tables:
        width = max(len(printable(table.table)) for table in result.tables[:_TABLES_SHOWN])
        lines.append(f"{'TABLE'.ljust(width)}  {'AT DUMP':>12}  {'RESTORED':>12}")
        for table in result.tables[:_TABLES_SHOWN]:
            mark = "" if table.matches else "  <- differs"
            lines.append(
                f"{printable(table.table).ljust(width)}  {_count(table.expected):>12}  "
                f"{_count(table.restored):>12}{mark}"
            )
        if len(result.tables) > _TABLES_SHOWN:
            lines.append(f"… and {len(result.tables) - _TABLES_SHOWN} more tables")
    return "\n".join(lines)


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _shown(result: DrillResult, redact: Redact) -> dict[str, Any]:
    return {**fields_of(result, redact), "rows": result.rows}
