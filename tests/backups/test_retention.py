"""Retention: the schedule's own backups beyond the newest N go; the last good one never does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.backups.compression import Compression
from bot.backups.inventory import BackupFile
from bot.backups.retention import backups_to_prune

START = datetime(2025, 6, 1, tzinfo=UTC)


def backup(hour: int, kind: str, *, verified: bool = True) -> BackupFile:
    """A backup made ``hour`` hours after START; 'aphrodite' ones have no sidecar."""
    created = START + timedelta(hours=hour)
    name = f"aphrodite_backup_{created:%Y%m%d_%H%M%S}.sql.gz"
    manifest = None if kind == "aphrodite" else {"kind": kind, "verified": verified, "size": 100}
    return BackupFile(name, Path("/backups") / name, 100, created, Compression.GZIP, manifest)


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


def test_foreign_backups_are_pruned_only_when_asked_and_never_the_newest():
    backups = inventory(
        backup(0, "aphrodite"), backup(1, "manual"), backup(2, "aphrodite"), backup(3, "aphrodite")
    )

    assert backups_to_prune(backups, keep=1) == []
    doomed = backups_to_prune(backups, keep=1, include_foreign=True)

    # The newest (Aphrodite's, unverified) stays, and so does the newest verified one (the manual).
    assert names(doomed) == names(inventory(backup(0, "aphrodite"), backup(2, "aphrodite")))


def test_keep_must_be_at_least_one():
    with pytest.raises(ValueError):
        backups_to_prune([], keep=0)
