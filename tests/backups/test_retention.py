"""Retention: the schedule's own backups beyond the newest N go; the last good one never does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.backups.compression import Compression
from bot.backups.inventory import BackupFile, Sidecar
from bot.backups.retention import backups_to_prune

START = datetime(2025, 6, 1, tzinfo=UTC)


def backup(hour: int, kind: str, *, verified: bool = True) -> BackupFile:
    """A backup made ``hour`` hours after START, with a sealed sidecar of ``kind``.

    'aphrodite' ones have no sidecar; 'planted' ones have a sidecar the seal does not verify.
    """
    created = START + timedelta(hours=hour)
    name = f"aphrodite_backup_{created:%Y%m%d_%H%M%S}.sql.gz"
    path = Path("/backups") / name
    if kind in ("aphrodite", "planted"):
        sidecar = Sidecar.NONE if kind == "aphrodite" else Sidecar.UNSEALED
        return BackupFile(name, path, 100, created, Compression.GZIP, None, sidecar=sidecar)
    manifest: dict[str, object] = {"kind": kind, "verified": verified, "size": 100}
    return BackupFile(name, path, 100, created, Compression.GZIP, manifest, sidecar=Sidecar.SEALED)


def inventory(*backups: BackupFile) -> list[BackupFile]:
    return sorted(backups, key=lambda b: b.created_at, reverse=True)


def names(backups: list[BackupFile]) -> list[str]:
    return [b.name for b in backups]


def test_only_the_schedules_own_backups_beyond_keep_are_pruned():
    backups = inventory(
        *(backup(hour, "scheduled") for hour in range(5)),
        backup(10, "manual"),
        backup(11, "aphrodite"),
        backup(12, "safety"),
    )

    doomed = backups_to_prune(backups, keep=2)

    assert names(doomed) == names(
        inventory(backup(0, "scheduled"), backup(1, "scheduled"), backup(2, "scheduled"))
    )


def test_the_last_good_backup_survives_a_run_of_damaged_ones():
    good = backup(1, "scheduled")
    backups = inventory(
        backup(0, "scheduled"),
        good,
        backup(2, "scheduled", verified=False),
        backup(3, "scheduled", verified=False),
    )

    doomed = backups_to_prune(backups, keep=2)

    assert names(doomed) == [backup(0, "scheduled").name]


def test_manual_and_safety_backups_are_pruned_only_when_asked_and_never_the_newest():
    backups = inventory(backup(0, "manual"), backup(1, "safety"), backup(2, "manual"), backup(3, "manual"))

    assert backups_to_prune(backups, keep=1) == []
    doomed = backups_to_prune(backups, keep=1, include_foreign=True)

    assert names(doomed) == names(inventory(backup(0, "manual"), backup(1, "safety"), backup(2, "manual")))


def test_retention_never_deletes_a_backup_of_unknown_origin():
    backups = inventory(
        *(backup(hour, "aphrodite") for hour in range(3)),
        *(backup(hour, "planted") for hour in range(3, 6)),
        backup(6, "scheduled"),
        backup(7, "scheduled"),
    )

    assert names(backups_to_prune(backups, keep=1)) == [backup(6, "scheduled").name]
    assert names(backups_to_prune(backups, keep=1, include_foreign=True)) == [backup(6, "scheduled").name]


def test_keep_must_be_at_least_one():
    with pytest.raises(ValueError):
        backups_to_prune([], keep=0)
