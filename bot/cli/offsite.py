"""`python -m bot backup push NAME` and `backup offsite`: off-site copies, rendered for a terminal."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli.output import to_json
from bot.offsite.errors import OffsiteNotConfigured
from bot.offsite.listing import RemoteListing
from bot.offsite.remote import OffsiteStatus
from bot.offsite.upload import PushOutcome
from bot.runtime import Runtime
from bot.units import human_bytes, human_duration

DEGRADED = 1
FAILED = 2


def register(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    push = actions.add_parser(
        "push", parents=[common], help="copy a backup to OFFSITE_URL now (encrypted, verified)"
    )
    push.add_argument("name", help="a name from `backup list`")
    push.set_defaults(handler=run_push)
    status = actions.add_parser(
        "offsite",
        parents=[common],
        help="the off-site copies: where, how many, newest, what retention would delete",
    )
    status.set_defaults(handler=run_status)


def require_offsite(runtime: Runtime) -> None:
    if not runtime.offsite.configured:
        raise OffsiteNotConfigured("OFFSITE_URL is not set: off-site copies are off (s3://bucket/prefix).")


def listing_fields(listing: RemoteListing) -> dict[str, Any]:
    return {
        "offsite_url": listing.url,
        "where": listing.places,
        "offsite_only": [
            {"name": c.name, "created_at": c.created_at, "size": c.backup_size, "key": c.key}
            for c in listing.offsite_only
        ],
        "offsite_problem": listing.problem,
    }


def render_listing(listing: RemoteListing) -> str:
    if listing.problem is not None:
        return f"Off-site copies in {listing.url} cannot be listed: {listing.problem}"
    lines = [f"Off-site ({listing.url}): {listing.both} backup(s) both here and off-site."]
    if listing.offsite_only:
        lines.append(
            f"Only off-site ({len(listing.offsite_only)}; `backup restore NAME` downloads one first):"
        )
        lines.extend(
            f"  {c.name}  {c.created_at:%Y-%m-%d %H:%M:%S}  {human_bytes(c.backup_size or 0)}"
            for c in listing.offsite_only
        )
    return "\n".join(lines)


async def fetch_if_remote(runtime: Runtime, name: str) -> None:
    """Before a restore: a backup that is only off-site is downloaded into BACKUP_DIR first."""
    if runtime.offsite.configured and await runtime.offsite.ensure_local(name):
        print(f"Downloaded {name} from {runtime.offsite.location} and checked its sha256.", file=sys.stderr)


async def run_push(args: argparse.Namespace, runtime: Runtime) -> int:
    from bot.cli.backups import show_progress

    require_offsite(runtime)
    runtime.offsite.recipients()  # no recipients and no OFFSITE_ALLOW_PLAINTEXT: say so, try nothing
    await runtime.backups.find(args.name)
    outcome = await runtime.offsite.push_with_retries(args.name, None if args.json else show_progress)
    print_outcome(args, runtime, outcome)
    return 0 if outcome.copy is not None else FAILED


def print_outcome(args: argparse.Namespace, runtime: Runtime, outcome: PushOutcome) -> None:
    from bot.cli.backups import end_progress_line

    end_progress_line(args)
    if args.json:
        print(to_json(outcome_fields(outcome), runtime.redactor))
    else:
        print(runtime.redactor(render_outcome(outcome)))


def outcome_fields(outcome: PushOutcome) -> dict[str, Any]:
    copy = outcome.copy
    return {
        "name": outcome.name,
        "uploaded": copy is not None,
        "key": copy.key if copy else None,
        "size": copy.size if copy else None,
        "encrypted": copy.encrypted if copy else None,
        "sha256": copy.sha256 if copy else None,
        "error": outcome.error,
        "pruned": list(outcome.pruned),
    }


def render_outcome(outcome: PushOutcome) -> str:
    copy = outcome.copy
    if copy is None:
        return f"Off-site copy of {outcome.name} FAILED: {outcome.error}"
    how = "encrypted with age" if copy.encrypted else "NOT encrypted (OFFSITE_ALLOW_PLAINTEXT)"
    lines = [
        f"Off-site copy of {outcome.name}: {copy.key}, {human_bytes(copy.size)} in {copy.parts} part(s), "
        f"{how}, verified, in {human_duration(copy.duration_seconds)}."
    ]
    if outcome.pruned:
        lines.append(f"  off-site retention removed: {', '.join(outcome.pruned)}")
    return "\n".join(lines)


async def run_status(args: argparse.Namespace, runtime: Runtime) -> int:
    require_offsite(runtime)
    status = await runtime.offsite.status()
    if args.json:
        print(to_json(status, runtime.redactor))
    else:
        print(runtime.redactor(render_status(status)))
    return DEGRADED if status.problem else 0


def render_status(status: OffsiteStatus) -> str:
    lines = [
        f"Off-site copies in {status.url} ({'encrypted with age' if status.encrypted else 'NOT encrypted'}): "
        f"{status.copies} of ours, keeping the newest {status.keep}."
    ]
    if status.newest is not None:
        lines.append(f"  newest: {status.newest.name} ({human_bytes(status.newest.size)})")
    if status.others:
        lines.append(f"  {status.others} other object(s) under the prefix, not ours: never deleted")
    doomed = ", ".join(status.would_prune) or "nothing"
    lines.append(f"  retention would delete (dry run): {doomed}")
    if status.problem:
        problem = status.problem
        lines.append(f"  last upload problem ({problem['at']}, {problem['name']}): {problem['error']}")
    return "\n".join(lines)
