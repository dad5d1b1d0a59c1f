"""The values behind `/metrics`: what the monitor, backups and alert deliveries last reported.

Plain Python, so recording costs nothing when nobody scrapes (the CLI) and prometheus_client is
imported only by the exposition. A value that was never recorded is not exposed at all: a gauge
shown as 0 would claim a backup made in 1970 or a check that failed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.status import Status

if TYPE_CHECKING:
    from bot.alerts.results import TargetResult
    from bot.backups.inventory import BackupFile
    from bot.backups.results import BackupResult


class DeliveryOutcome(enum.Enum):
    """What became of one attempt to post an alert (the ``outcome`` label)."""

    DELIVERED = "delivered"
    FAILED = "failed"  # not posted now; it stays queued and is retried with the next round
    REJECTED = "rejected"  # Discord will never take it; dropped


@dataclass(frozen=True)
class CheckReading:
    """A target's last result: up unless it failed; its latency when the check measures one."""

    up: bool
    duration_seconds: float | None


@dataclass(frozen=True)
class BackupReading:
    at: datetime
    size_bytes: int


class OpsMetrics:
    """The values `/metrics` shows; every `record_*` is cheap, synchronous and never raises."""

    def __init__(self) -> None:
        self.checks: dict[str, CheckReading] = {}
        self.backup: BackupReading | None = None
        self.offsite_at: datetime | None = None
        self.drill_at: datetime | None = None
        self.deliveries: dict[DeliveryOutcome, int] = dict.fromkeys(DeliveryOutcome, 0)
        self.log_errors = 0
        self._incidents_open: Callable[[], int] | None = None

    def record_round(self, results: Sequence[TargetResult]) -> None:
        """A monitor round: each target's up/down and latency, and the new log errors it found.

        A target that is not configured leaves the scrape (it is neither up nor down).
        """
        for result in results:
            self.log_errors += result.log_errors.count if result.log_errors else 0
            if result.status is Status.NOT_CONFIGURED:
                self.checks.pop(result.target, None)
                continue
            duration = None if result.latency_ms is None else result.latency_ms / 1000
            self.checks[result.target] = CheckReading(result.status is not Status.FAILED, duration)

    def record_backup(self, result: BackupResult) -> None:
        """A backup completed and was verified (manual, scheduled or a restore's safety backup)."""
        self._newer_backup(BackupReading(result.created_at, result.size))

    def seed_backup(self, backups: Iterable[BackupFile]) -> None:
        """At start: the newest verified backup on disk, so a restart does not forget it.

        The time is the older of the name's stamp and the file's modification time: a planted
        name cannot date a backup in the future.
        """
        verified = [backup for backup in backups if backup.verified]
        if not verified:
            return
        newest = max(verified, key=_made_at)
        self._newer_backup(BackupReading(_made_at(newest), newest.size))

    def record_offsite_upload(self, at: datetime) -> None:
        """A backup's off-site copy was uploaded and verified (the off-site feature calls this)."""
        self.offsite_at = at if self.offsite_at is None else max(self.offsite_at, at)

    def record_drill(self, at: datetime) -> None:
        """A restore drill passed (the drill feature calls this)."""
        self.drill_at = at if self.drill_at is None else max(self.drill_at, at)

    def record_delivery(self, outcome: DeliveryOutcome) -> None:
        self.deliveries[outcome] += 1

    def follow_incidents(self, count: Callable[[], int]) -> None:
        """Read the number of open incidents from ``count`` at each scrape (the monitor's engine)."""
        self._incidents_open = count

    @property
    def incidents_open(self) -> int | None:
        return None if self._incidents_open is None else self._incidents_open()

    def _newer_backup(self, reading: BackupReading) -> None:
        if self.backup is None or reading.at >= self.backup.at:
            self.backup = reading


def _made_at(backup: BackupFile) -> datetime:
    if backup.modified_at is None:
        return backup.created_at
    return min(backup.created_at, backup.modified_at)
