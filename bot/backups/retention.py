"""Which old backups retention removes: every backup the bot made, never the last good one.

The bot's own backups (those with a sidecar it sealed: made from Discord, the CLI or the schedule) beyond
the newest BACKUP_KEEP go; safety backups (taken before a restore) are not counted among them
but kept for SAFETY_KEPT_FOR, so a restore can be undone for a week whatever else happens.
Backups the bot did not make (Aphrodite's web UI's) are never removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.backups.inventory import KIND_SAFETY, BackupFile

# How long a safety backup is kept (a documented constant; see the README's settings section).
SAFETY_KEPT_FOR = timedelta(days=7)


@dataclass(frozen=True)
class RetentionRun:
    """What one retention run removed, or why it could not run (``error`` is safe to show)."""

    pruned: tuple[str, ...] = ()
    error: str | None = None


def backups_to_prune(backups: list[BackupFile], keep: int, *, now: datetime) -> list[BackupFile]:
    """The backups to delete, newest first, so that the newest ``keep`` of the bot's own remain.

    ``backups`` is the inventory, newest first. Only backups whose sidecar this bot sealed are
    candidates: a file of unknown origin (Aphrodite's own, one copied in, one beside a forged
    sidecar) is never deleted by retention. Whatever the count or the age says, the newest backup
    and the newest verified backup are never deleted: a run of damaged backups must not take the
    last good one with it.
    """
    if keep < 1:
        raise ValueError("retention must keep at least one backup")
    ours = [backup for backup in backups if backup.sealed]
    counted = [backup for backup in ours if backup.kind != KIND_SAFETY]
    expired = {
        backup.name
        for backup in ours
        if backup.kind == KIND_SAFETY and now - _newest_moment(backup) > SAFETY_KEPT_FOR
    }
    doomed = {backup.name for backup in counted[keep:]} | expired
    keepers = (_first(backups), _first_verified(backups))
    doomed -= {backup.name for backup in keepers if backup is not None}
    return [backup for backup in backups if backup.name in doomed]


def _newest_moment(backup: BackupFile) -> datetime:
    """When the backup was made, by its name or its file, whichever is later (a name can be old)."""
    if backup.modified_at is None:
        return backup.created_at
    return max(backup.created_at, backup.modified_at)


def _first(backups: list[BackupFile]) -> BackupFile | None:
    return backups[0] if backups else None


def _first_verified(backups: list[BackupFile]) -> BackupFile | None:
    return next((backup for backup in backups if backup.verified), None)
