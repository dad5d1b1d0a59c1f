"""Retention: every backup the bot made beyond the newest N goes, safety backups after a week;
the last good one and Aphrodite's never do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.backups.compression import Compression
from bot.backups.inventory import BackupFile, Sidecar
from bot.backups.retention import SAFETY_KEPT_FOR, backups_to_prune

START = datetime(2025, 6, 1, tzinfo=UTC)
LATER = START + timedelta(hours=100)  # "now" a few days after the backups below


def backup(hour: float, kind: str, *, verified: bool = True) -> BackupFile:
    """A backup made ``hour`` hours after START, with a sealed sidecar of ``kind``.

    'aphrodite' ones have no sidecar; 'planted' ones have a sidecar the seal does not verify.
    """
    created = START + timedelta(hours=hour)
    name = f"aphrodite_backup_{created:%Y%m%d_%H%M%S}.sql.gz"
    path = Path("/backups") / name
    if kind in ("aphrodite", "planted"):
        sidecar = Sidecar.NONE if kind == "aphrodite" else Sidecar.UNSEALED
        return BackupFile(name, path, 100, created, Compression.GZIP, None, created, sidecar=sidecar)
    manifest: dict[str, object] = {"kind": kind, "verified": verified, "size": 100}
    return BackupFile(name, path, 100, created, Compression.GZIP, manifest, created, sidecar=Sidecar.SEALED)


def inventory(*backups: BackupFile) -> list[BackupFile]:
    return sorted(backups, key=lambda b: b.created_at, reverse=True)


def names(backups: list[BackupFile]) -> list[str]:
    return [b.name for b in backups]


def test_every_backup_the_bot_made_counts_towards_keep_and_aphrodites_are_spared():
    backups = inventory(
        backup(0, "manual"),
        backup(1, "scheduled"),
        backup(2, "aphrodite"),
        backup(3, "manual"),
        backup(4, "scheduled"),
        backup(5, "manual"),
    )

    doomed = backups_to_prune(backups, keep=2, now=LATER)

    assert names(doomed) == names(inventory(backup(0, "manual"), backup(1, "scheduled"), backup(3, "manual")))


def test_safety_backups_are_kept_for_their_time_then_pruned_without_counting_towards_keep():
    fresh = backup(90, "safety")
    old = backup(0, "safety")
    now = START + SAFETY_KEPT_FOR + timedelta(hours=1)
    backups = inventory(old, backup(1, "manual"), fresh, backup(95, "manual"))

    doomed = backups_to_prune(backups, keep=2, now=now)

    assert names(doomed) == [old.name]


def test_a_safety_backup_with_an_old_name_but_a_new_file_is_kept():
    renamed = backup(0, "safety")
    now = START + SAFETY_KEPT_FOR + timedelta(days=1)
    renamed = BackupFile(
        renamed.name, renamed.path, 100, renamed.created_at, Compression.GZIP, renamed.manifest, now
    )
    backups = inventory(renamed, backup(1, "manual"))

    assert backups_to_prune(backups, keep=1, now=now) == []


def test_the_last_good_backup_survives_a_run_of_damaged_ones():
    good = backup(1, "scheduled")
    backups = inventory(
        backup(0, "scheduled"),
        good,
        backup(2, "manual", verified=False),
        backup(3, "scheduled", verified=False),
    )

    doomed = backups_to_prune(backups, keep=2, now=LATER)

    assert names(doomed) == [backup(0, "scheduled").name]


def test_the_last_good_backup_survives_even_when_it_is_an_old_safety_backup():
    only_good = backup(0, "safety")
    backups = inventory(only_good, backup(1, "manual", verified=False))

    assert backups_to_prune(backups, keep=1, now=START + 2 * SAFETY_KEPT_FOR) == []


def test_retention_never_deletes_a_backup_of_unknown_origin():
    backups = inventory(
        *(backup(hour, "aphrodite") for hour in range(3)),
        *(backup(hour, "planted") for hour in range(3, 6)),
        backup(6, "scheduled"),
        backup(7, "scheduled"),
    )

    assert names(backups_to_prune(backups, keep=1, now=START)) == [backup(6, "scheduled").name]


def test_keep_must_be_at_least_one():
    with pytest.raises(ValueError):
        backups_to_prune([], keep=0, now=LATER)
