"""`python -m bot check all|jellyfin|omdb|tmdb|mdblist|anidb [--json]`: connection checks in a terminal."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from bot.cli.output import print_json
from bot.runtime import Runtime
from bot.services.catalog import SERVICES
from bot.services.result import CheckResult
from bot.status import Status, overall_exit_code
from bot.units import human_duration

_COLOURS = {Status.OK: "32", Status.DEGRADED: "33", Status.FAILED: "31", Status.NOT_CONFIGURED: "90"}


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = commands.add_parser("check")
    targets = parser.add_subparsers(dest="service", required=True, metavar="SERVICE")
    targets.add_parser("all", parents=[common], help="every service at once").set_defaults(handler=run)
    for service in SERVICES:
        targets.add_parser(service.key, parents=[common], help=service.description).set_defaults(handler=run)


async def run(args: argparse.Namespace, runtime: Runtime) -> int:
    runner = runtime.checks
    if args.service == "all":
        results = await runner.check_all()
    else:
        results = [await runner.check(args.service)]
    if args.json:
        print_json([result.to_dict() for result in results], runtime.redactor)
    else:
        print(render(results, colour=_wants_colour(sys.stdout), details=args.service != "all"))
    return overall_exit_code(result.status for result in results)


def render(results: Sequence[CheckResult], *, colour: bool, details: bool = False) -> str:
    """A table (service, status, latency, detail), hints under failures; ``details`` adds the facts."""
    rows = [("Service", "Status", "Latency", "Detail")]
    rows += [(r.display_name, r.status.label, _latency(r), r.detail) for r in results]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    indent = " " * (sum(widths) + 6)
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        if index and colour:
            cells[1] = f"\033[{_COLOURS[results[index - 1].status]}m{cells[1]}\033[0m"
        lines.append("  ".join([*cells, row[3]]).rstrip())
        if index and (hint := results[index - 1].hint) and results[index - 1].status is not Status.OK:
            lines.append(f"{indent}→ {hint}")
    if details:
        for result in results:
            lines.append("")
            facts = [*result.facts, ("Credentials from", result.credential_source or "nowhere")]
            facts.append(("Checked at", f"{result.checked_at:%Y-%m-%d %H:%M:%S} UTC"))
            width = max(len(label) for label, _ in facts)
            lines += [f"  {label.ljust(width)}  {value}" for label, value in facts]
    return "\n".join(lines)


def _latency(result: CheckResult) -> str:
    return "—" if result.latency_ms is None else human_duration(result.latency_ms / 1000)


def _wants_colour(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ
