"""`python -m bot db growth [--days N] [--json] [--png FILE]`: the database's growth in a terminal."""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
from typing import Any

from bot.cli.arguments import whole_number
from bot.cli.output import print_error, print_json
from bot.history import GrowthReport, GrowthSampler, collect_growth
from bot.history.growth import MAX_DAYS
from bot.history.growth_chart import render_growth_chart
from bot.runtime import Runtime
from bot.units import human_bytes

USAGE_ERROR = 3


def register(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `growth` to the `db` command's actions."""
    growth = actions.add_parser(
        "growth", parents=[common], help="the database's size and largest tables over time, and backups"
    )
    growth.add_argument(
        "--days",
        type=whole_number(1, MAX_DAYS),
        default=30,
        help=f"how many days back, 1 to {MAX_DAYS} (default 30)",
    )
    growth.add_argument("--png", type=Path, metavar="FILE", help="also write the chart to FILE (PNG)")
    growth.set_defaults(handler=run_growth)


async def run_growth(args: argparse.Namespace, runtime: Runtime) -> int:
    """Exit 0 with at least one size sample; 3 without DATABASE_URL and none; 1 when none yet."""
    history = runtime.history
    now = history.clock()
    await GrowthSampler(history.sizes).maybe_sample(runtime.database, now)
    report = await collect_growth(
        history.sizes, runtime.settings.backup_dir, args.days, now, runtime.backups.seal
    )
    if args.png is not None:
        try:
            await asyncio.to_thread(_write_atomically, args.png, await render_growth_chart(report))
        except OSError as error:
            message = f"cannot write {args.png}: {error.strerror or error}"
            print_error(
                message,
                "choose a FILE in a folder the bot can write",
                2,
                as_json=args.json,
                redact=runtime.redactor,
            )
            return 2
    if args.json:
        print_json(growth_json(report, args.png), runtime.redactor)
    else:
        print(runtime.redactor(render_growth(report, args.png)))
    if report.samples:
        return 0
    return USAGE_ERROR if not runtime.database.configured else 1


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def growth_json(report: GrowthReport, png: Path | None) -> dict[str, Any]:
    return {
        "days": report.days,
        "since": report.since,
        "until": report.until,
        "summary": report.summary(),
        "change_bytes": report.change,
        "samples": [
            {
                "at": sample.at,
                "total_bytes": sample.total_bytes,
                "tables": {table.name: table.total_bytes for table in sample.tables},
            }
            for sample in report.samples
        ],
        "tables": [
            {
                "name": t.name,
                "first_bytes": t.first_bytes,
                "last_bytes": t.last_bytes,
                "change_bytes": t.change,
            }
            for t in report.table_growth()
        ],
        "backups": [{"name": b.name, "at": b.at, "size": b.size, "kind": b.kind} for b in report.backups],
        "backup_error": report.backup_error,
        "png": png,
    }


def render_growth(report: GrowthReport, png: Path | None) -> str:
    lines = [f"Database growth, last {report.days} days: {report.summary()}"]
    row = lines.append
    latest = report.latest
    if latest is not None:
        row(f"  Size now      {human_bytes(latest.total_bytes)} ({latest.total_bytes:,} bytes)")
        row(f"  Samples       {len(report.samples)} since {report.samples[0].at:%Y-%m-%d %H:%M} UTC")
        row("  Largest tables (size now, change):")
        for table in report.table_growth():
            change = "?" if table.first_bytes is None else f"{table.change:+,} bytes"
            row(f"    {table.name:<32} {human_bytes(table.last_bytes):>10}  {change}")
    if report.backup_error:
        row(f"  Backups       {report.backup_error}")
    elif report.backups:
        newest = report.backups[-1]
        size = human_bytes(newest.size)
        row(f"  Backups       {len(report.backups)} in the period, newest {newest.name} ({size})")
    else:
        row("  Backups       none in the period")
    if png is not None:
        row(f"  Chart         {png}")
    return "\n".join(lines)
