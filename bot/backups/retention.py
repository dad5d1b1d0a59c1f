"""Which old backups the schedule removes: its own beyond the newest N, never the last good one."""

from __future__ import annotations

from bot.backups.inventory import KIND_SCHEDULED, BackupFile


def backups_to_prune(
    backups: list[BackupFile], keep: int, *, include_foreign: bool = False
) -> list[BackupFile]:
    """The backups to delete so that the newest ``keep`` scheduled backups remain.

    ``backups`` is the inventory, newest first. Only backups the schedule made are candidates,
    unless ``include_foreign`` (then manual and safety backups count too); either way only backups
    whose sidecar this bot sealed: a file of unknown origin (Aphrodite's own, one copied in, one
    beside a forged sidecar) is never deleted by retention. Whatever
    the count says, the newest backup and the newest verified backup are never deleted: a run of
    damaged backups must not take the last good one with it.
    """
    if keep < 1:
        raise ValueError("retention must keep at least one backup")
    candidates = [
        backup for backup in backups if backup.sealed and (include_foreign or backup.kind == KIND_SCHEDULED)
    ]
    keepers = (_first(backups), _first_verified(backups), _first_verified(candidates))
    protected = {backup.name for backup in keepers if backup is not None}
    return [backup for backup in candidates[keep:] if backup.name not in protected]


def _first(backups: list[BackupFile]) -> BackupFile | None:
    return backups[0] if backups else None


def _first_verified(backups: list[BackupFile]) -> BackupFile | None:
    return next((backup for backup in backups if backup.verified), None)
