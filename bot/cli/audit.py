"""`python -m bot audit [--days N] [--user NAME] [--json]`: who did what, newest first."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.audit import AuditRecord
from bot.cli.output import Redact, jsonable, print_json
from bot.printable import printable
from bot.runtime import Runtime

MAX_DAYS = 3650


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    audit = commands.add_parser(
        "audit", parents=[common], help="who did which backup, restore, deletion, log clear, pause..."
    )
    audit.add_argument("--days", type=_days, default=7, help="how far back (default 7)")
    audit.add_argument("--user", help="only this user's actions: a Discord user name or id, or a system user")
    audit.set_defaults(handler=run_audit)


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_DAYS}")
    return value


async def run_audit(args: argparse.Namespace, runtime: Runtime) -> int:
    since = datetime.now(UTC) - timedelta(days=args.days)
    store = runtime.audit.store
    user: str | None = args.user
    if user is not None and user.isdigit():
        records = await store.since(since, actor_id=int(user))
    else:
        records = await store.since(since, actor_name=user)
    if args.json:
        print_json(
            {"days": args.days, "since": since, "records": [_shown(r, runtime.redactor) for r in records]},
            runtime.redactor,
        )
    else:
        print(render_records(records, args.days, user))
    return 0


def _shown(record: AuditRecord, redact: Redact) -> Any:
    return {
        "id": record.id,
        "at": jsonable(record.at, redact),
        "actor": jsonable(record.actor, redact),
        "source": record.source.value,
        "action": record.action.value,
        "target": jsonable(record.target, redact),
        "outcome": record.outcome.kind.value,
        "reason": jsonable(record.outcome.reason, redact),
    }


def render_records(records: list[AuditRecord], days: int, user: str | None) -> str:
    """A table, newest first; text from the store (untrusted) with control characters escaped."""
    whose = f" by {printable(user)}" if user else ""
    if not records:
        return f"No audited actions{whose} in the last {days} day(s)."
    header = ("WHEN (UTC)", "WHO", "FROM", "ACTION", "TARGET", "OUTCOME")
    rows = [
        (
            f"{record.at.astimezone(UTC):%Y-%m-%d %H:%M:%S}",
            printable(record.actor.name),
            record.source.value,
            record.action.label,
            printable(record.target or "-"),
            printable(record.outcome.text),
        )
        for record in records
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = [
        "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]]).rstrip()
        for row in [header, *rows]
    ]
    lines.append(f"{len(records)} action(s){whose} in the last {days} day(s).")
    return "\n".join(lines)
