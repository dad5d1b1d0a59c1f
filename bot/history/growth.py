"""`/db growth`: the size samples of a period, the backups made in it, and the growth in words."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.backups.inventory import list_backups
from bot.backups.sidecar_seal import SidecarSeal
from bot.history.sizes import SizeHistory, SizeSample
from bot.units import human_bytes

log = logging.getLogger(__name__)

MAX_DAYS = 3650
# A table is "mostly" the growth when it accounts for at least this share of it.
MOSTLY_SHARE = 0.5


@dataclass(frozen=True)
class BackupPoint:
    name: str
    at: datetime
    size: int
    kind: str


@dataclass(frozen=True)
class TableGrowth:
    name: str
    first_bytes: int | None
    last_bytes: int

    @property
    def change(self) -> int:
        return self.last_bytes - (self.first_bytes or 0)


@dataclass(frozen=True)
class GrowthReport:
    """Size samples and backups of the last ``days`` days; ``backup_error`` says why none were listed."""

    days: int
    since: datetime
    until: datetime
    samples: tuple[SizeSample, ...]
    backups: tuple[BackupPoint, ...]
    backup_error: str | None = None

    @property
    def latest(self) -> SizeSample | None:
        return self.samples[-1] if self.samples else None

    @property
    def change(self) -> int | None:
        """Bytes gained (negative: lost) from the first sample to the last; None with fewer than two."""
        if len(self.samples) < 2:
            return None
        return self.samples[-1].total_bytes - self.samples[0].total_bytes

    def table_growth(self) -> list[TableGrowth]:
        """The latest sample's largest tables, most grown first, with their size at the first sample."""
        if not self.samples:
            return []
        first, last = self.samples[0], self.samples[-1]
        growth = [TableGrowth(t.name, first.table_bytes(t.name), t.total_bytes) for t in last.tables]
        return sorted(growth, key=lambda table: -table.change)

    def summary(self) -> str:
        """'+1.2 GiB in 7 days, mostly media_items', or why there is nothing to say yet."""
        if not self.samples:
            return "No size samples yet: the database size is sampled hourly while the bot runs."
        if len(self.samples) == 1:
            return f"{human_bytes(self.samples[0].total_bytes)} now; growth needs a second sample (hourly)."
        change = self.change or 0
        span = period_words(self.samples[-1].at - self.samples[0].at)
        if change == 0:
            return f"No change in {span} ({human_bytes(self.samples[-1].total_bytes)})."
        sign = "+" if change > 0 else "−"
        words = f"{sign}{human_bytes(abs(change))} in {span}"
        grown = self.table_growth()
        if change > 0 and grown and grown[0].change >= MOSTLY_SHARE * change:
            words += f", mostly {grown[0].name}"
        return words


def period_words(span: timedelta) -> str:
    """'7 days', '1 day', '5 hours', '40 minutes': a period rounded to the unit that reads best."""
    seconds = span.total_seconds()
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= 2 * size or (unit == "minute" and seconds >= size):
            count = round(seconds / size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{round(seconds)} seconds"


async def collect_growth(
    sizes: SizeHistory, backup_dir: Path, days: int, now: datetime, seal: SidecarSeal | None = None
) -> GrowthReport:
    """The report for the ``days`` days up to ``now``; an unreadable backup folder is said, not raised.

    ``seal`` tells the bot's own backups (and their kind) from those of unknown origin.
    """
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}")
    since = now - timedelta(days=days)
    samples = await sizes.samples(since, now + timedelta(seconds=1))
    error = None
    try:
        backups = [
            BackupPoint(backup.name, backup.created_at, backup.size, backup.kind)
            for backup in await list_backups(backup_dir, seal)
            if since <= backup.created_at <= now
        ]
    except OSError as failure:
        log.warning("cannot read the backup folder %s: %s", backup_dir, failure.strerror or failure)
        backups, error = [], f"cannot read {backup_dir}: {failure.strerror or failure}"
    backups.sort(key=lambda backup: backup.at)
    return GrowthReport(days, since, now, tuple(samples), tuple(backups), error)
