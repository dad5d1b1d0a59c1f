"""Uptime over a period, counting only measured time: gaps and maintenance are reported, not guessed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.history.rollup import HourlyAggregate, kind_of_time
from bot.history.samples import RawSample
from bot.history.timeline import HOUR, from_epoch


@dataclass(frozen=True)
class Uptime:
    """Seconds of [since, until) that were up, down, in maintenance, or not measured at all."""

    target: str
    since: datetime
    until: datetime
    up_seconds: float
    down_seconds: float
    maintenance_seconds: float

    @property
    def period_seconds(self) -> float:
        return (self.until - self.since).total_seconds()

    @property
    def measured_seconds(self) -> float:
        """Time known to be up or down; maintenance windows and gaps are not part of it."""
        return self.up_seconds + self.down_seconds

    @property
    def unmeasured_seconds(self) -> float:
        """The bot was down, the target not configured, or nothing was recorded yet."""
        return max(0.0, self.period_seconds - self.measured_seconds - self.maintenance_seconds)

    @property
    def percentage(self) -> float | None:
        """Up time as a share of measured time; None when nothing was measured."""
        if self.measured_seconds <= 0:
            return None
        return 100.0 * self.up_seconds / self.measured_seconds


@dataclass
class TimeTally:
    """Running sums of up, down and maintenance seconds."""

    up: float = 0.0
    down: float = 0.0
    maintenance: float = 0.0

    def add(self, kind: str | None, seconds: float) -> None:
        if kind is not None and seconds > 0:
            setattr(self, kind, getattr(self, kind) + seconds)

    def add_samples(
        self, samples: Sequence[RawSample], sample_spans: Sequence[float], start: int, end: int
    ) -> None:
        """Each sample's span, clipped to [start, end)."""
        for sample, span in zip(samples, sample_spans, strict=True):
            overlap = min(sample.at + span, end) - max(sample.at, start)
            self.add(kind_of_time(sample), overlap)

    def add_hours(self, hours: Iterable[HourlyAggregate], start: int, end: int) -> None:
        """Each hour's totals, pro rata for hours only partly inside [start, end)."""
        for hour in hours:
            share = max(0, min(hour.hour + HOUR, end) - max(hour.hour, start)) / HOUR
            self.add("up", hour.up_seconds * share)
            self.add("down", hour.down_seconds * share)
            self.add("maintenance", hour.maintenance_seconds * share)

    def uptime(self, target: str, start: int, end: int) -> Uptime:
        return Uptime(target, from_epoch(start), from_epoch(end), self.up, self.down, self.maintenance)
