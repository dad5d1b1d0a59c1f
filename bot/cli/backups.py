"""`python -m bot backup create|list|restore|delete`: the backup core, for a terminal.

`backup drill` is registered here too; it lives in drills.py. The text printed is backup_text.py's.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from bot.audit import AuditAction
from bot.backups.compression import Compression
from bot.backups.inventory import BackupFile
from bot.backups.progress import BackupProgress
from bot.backups.results import BackupResult, RestoreResult
from bot.cli import drills, offsite
from bot.cli.audited import audited
from bot.cli.backup_text import render_created, render_deleted, render_list, render_restored
from bot.cli.confirm import confirm
from bot.cli.output import Redact, fields_of, to_json
from bot.drills.sidecar import kept_drill
from bot.offsite.listing import remote_listing
from bot.runtime import Runtime
from bot.units import human_bytes, human_duration


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    backup = commands.add_parser("backup")
    actions = backup.add_subparsers(dest="action", required=True, metavar="ACTION")

    create = actions.add_parser(
        "create",
        parents=[common],
        help="dump the database into a new backup, packed with BACKUP_COMPRESSION (gzip by default)",
    )
    packing = create.add_mutually_exclusive_group()
    packing.add_argument("--no-compress", action="store_true", help="write plain .sql, not compressed")
    packing.add_argument(
        "--zstd",
        action="store_true",
        help="write .sql.zst: faster and smaller, but Aphrodite cannot restore it",
    )
    create.set_defaults(handler=run_create)

    listing = actions.add_parser("list", parents=[common], help="list backups, newest first")
    listing.set_defaults(handler=run_list)

    restore = actions.add_parser(
        "restore", parents=[common], help="safety backup, then replace the database with a backup"
    )
    restore.add_argument("name", help="a name from `backup list`")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.set_defaults(handler=run_restore)

    delete = actions.add_parser("delete", parents=[common], help="delete a backup and its sidecar")
    delete.add_argument("name", help="a name from `backup list`")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(handler=run_delete)
    offsite.register(actions, common)

    drills.register(actions, common)


def cli_label() -> str:
    try:
        return f"{getpass.getuser()} on the command line"
    except (KeyError, OSError):
        return "the command line"


async def run_create(args: argparse.Namespace, runtime: Runtime) -> int:
    service = runtime.backups
    async with audited(runtime, AuditAction.BACKUP_CREATE) as entry:
        result = await service.create(
            label=cli_label(), compression=_compression(args), progress=None if args.json else show_progress
        )
        entry.target = result.name
    copied = await runtime.offsite.wait(result.name) if runtime.offsite.configured else None
    end_progress_line(args)
    retention = await service.apply_retention(runtime.settings.backup_keep, label=cli_label())
    shown = {**_created(result, runtime.redactor), "retention": fields_of(retention, runtime.redactor)}
    if copied is not None:
        shown["offsite"] = offsite.outcome_fields(copied)
    print(to_json(shown, runtime.redactor) if args.json else render_created(result, retention))
    if copied is not None and not args.json:
        print(runtime.redactor(offsite.render_outcome(copied)))
    return 0 if copied is None or copied.copy is not None else offsite.DEGRADED


def _compression(args: argparse.Namespace) -> Compression | None:
    """The codec the flags ask for; None for BACKUP_COMPRESSION's."""
    if args.zstd:
        return Compression.ZSTD
    return Compression.NONE if args.no_compress else None


async def run_list(args: argparse.Namespace, runtime: Runtime) -> int:
    inventory = await runtime.backups.inventory()
    remote = await remote_listing(runtime.offsite, inventory)
    if args.json:
        listing = {
            "backup_dir": str(runtime.settings.backup_dir),
            "backups": [_listed(b) for b in inventory.backups],
            "not_backups": inventory.not_backups,
        }
        print(to_json({**listing, **offsite.listing_fields(remote)} if remote else listing, runtime.redactor))
    else:
        print(render_list(inventory, runtime.settings.backup_dir, remote.places if remote else None))
        if remote:
            print(runtime.redactor(offsite.render_listing(remote)))
    return 0 if remote is None or remote.problem is None else offsite.DEGRADED


async def run_restore(args: argparse.Namespace, runtime: Runtime) -> int:
    service = runtime.backups
    async with audited(runtime, AuditAction.BACKUP_RESTORE, args.name):
        await offsite.fetch_if_remote(runtime, args.name)
        backup = await service.find(args.name)
        question = (
            f"Replace database {runtime.database.parts.database!r} with {backup.name} "
            f"({human_bytes(backup.size)}, {backup.created_at:%Y-%m-%d %H:%M} UTC, {backup.origin})? "
            f"{_origin_warning(backup)}A safety backup is taken first."
        )
        await confirm(question, "restore", assume_yes=args.yes)
        result = await service.restore(
            backup.name, label=cli_label(), progress=None if args.json else show_progress
        )
        await runtime.offsite.drain()  # the safety backup's off-site copy, before the command ends
    end_progress_line(args)
    shown = _restored(result, runtime.redactor)
    print(to_json(shown, runtime.redactor) if args.json else render_restored(result))
    return 0


async def run_delete(args: argparse.Namespace, runtime: Runtime) -> int:
    service = runtime.backups
    async with audited(runtime, AuditAction.BACKUP_DELETE, args.name):
        backup = await service.find(args.name)
        question = (
            f"Delete {backup.name} ({human_bytes(backup.size)}, {backup.origin})? This cannot be undone."
        )
        await confirm(question, "delete", assume_yes=args.yes)
        deleted = await service.delete(backup.name, label=cli_label())
    print(to_json(deleted, runtime.redactor) if args.json else render_deleted(deleted))
    return 0


def _origin_warning(backup: BackupFile) -> str:
    if backup.sealed:
        return ""
    return "This bot did not make it: be sure where it came from before restoring it. "


async def show_progress(progress: BackupProgress) -> None:
    if not sys.stderr.isatty():
        return
    done = human_bytes(progress.bytes_done)
    if progress.bytes_total:
        done += f" of {human_bytes(progress.bytes_total)}"
    line = f"{progress.phase}: {done}, {human_duration(progress.elapsed_seconds)}"
    print(f"\r{line:<70}", end="", file=sys.stderr, flush=True)


def end_progress_line(args: argparse.Namespace) -> None:
    if not args.json and sys.stderr.isatty():
        print("\r" + " " * 70 + "\r", end="", file=sys.stderr, flush=True)


def _listed(backup: BackupFile) -> dict[str, Any]:
    return {
        "name": backup.name,
        "created_at": backup.created_at,
        "size": backup.size,
        "compressed": backup.compressed,
        "compression": backup.compression.value,
        "aphrodite_can_restore": backup.aphrodite_restorable,
        "verified": backup.verified,
        "kind": backup.kind,
        "origin": "bot" if backup.sealed else "unknown",
        "origin_detail": backup.origin,
        "sidecar": backup.sidecar.value,
        # Kept for scripts written against earlier releases: true for every backup not made here.
        "made_by_aphrodite": backup.made_by_aphrodite,
        "sha256": backup.sha256,
        "drill": kept_drill(backup.manifest),
    }


def _created(result: BackupResult, redact: Redact) -> dict[str, Any]:
    return {
        **fields_of(result, redact),
        "compressed": result.compressed,
        "aphrodite_can_restore": result.compression.aphrodite_can_restore,
    }


def _restored(result: RestoreResult, redact: Redact) -> dict[str, Any]:
    return {**fields_of(result, redact), "safety_backup": _created(result.safety_backup, redact)}
