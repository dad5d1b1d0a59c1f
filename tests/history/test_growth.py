"""Database size sampling against a real PostgreSQL, and the growth report in words."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import Secret
from bot.database.connection import Database
from bot.history import GrowthReport, GrowthSampler, HistoryStore, SizeSample, TableBytes, collect_growth
from bot.redact import Redactor
from tests.backups.fixtures import write_dump_head
from tests.history.conftest import T0

GIB = 1024**3
MIB = 1024**2


async def test_the_sampler_reads_the_size_and_largest_tables_at_most_hourly(
    store: HistoryStore, app_database: Database
) -> None:
    sampler = GrowthSampler(store.sizes)
    sample = await sampler.maybe_sample(app_database, T0)
    assert sample is not None
    assert sample.total_bytes > 1_000_000
    assert len(sample.tables) == 5
    assert "media_items" in [table.name for table in sample.tables]
    assert sample.tables[0].total_bytes >= sample.tables[-1].total_bytes
    assert await sampler.maybe_sample(app_database, T0 + timedelta(minutes=59)) is None
    assert await sampler.maybe_sample(app_database, T0 + timedelta(hours=1)) is not None
    stored = await store.sizes.samples(T0, T0 + timedelta(hours=2))
    assert [s.at for s in stored] == [T0, T0 + timedelta(hours=1)]
    assert stored[0].tables == sample.tables


async def test_a_restarted_sampler_remembers_the_last_sample(
    store: HistoryStore, app_database: Database
) -> None:
    await GrowthSampler(store.sizes).maybe_sample(app_database, T0)
    assert await GrowthSampler(store.sizes).maybe_sample(app_database, T0 + timedelta(minutes=30)) is None


async def test_an_unreachable_or_missing_database_is_skipped_not_raised(store: HistoryStore) -> None:
    sampler = GrowthSampler(store.sizes)
    unreachable = Database(
        Secret("postgresql://aphrodite:pw@127.0.0.1:9/aphrodite"), timeout=1, redactor=Redactor()
    )
    try:
        assert await sampler.maybe_sample(unreachable, T0) is None
    finally:
        await unreachable.close()
    assert await sampler.maybe_sample(Database(None, redactor=Redactor()), T0) is None
    assert await store.sizes.samples(T0 - timedelta(days=1), T0 + timedelta(days=1)) == []


def sample(hours: float, total: int, **tables: int) -> SizeSample:
    return SizeSample(
        T0 + timedelta(hours=hours), total, tuple(TableBytes(name, size) for name, size in tables.items())
    )


def growth(*samples: SizeSample) -> GrowthReport:
    return GrowthReport(7, T0, T0 + timedelta(days=7), samples, ())


def test_growth_in_words_names_the_table_that_grew_most() -> None:
    report = growth(
        sample(0, 2 * GIB, media_items=GIB, media_activities=GIB // 2),
        sample(7 * 24, 2 * GIB + int(1.2 * GIB), media_items=2 * GIB, media_activities=GIB // 2 + MIB),
    )
    assert report.summary() == "+1.2 GiB in 7 days, mostly media_items"


def test_growth_spread_over_tables_names_none_and_shrinking_says_so() -> None:
    spread = growth(
        sample(0, 100 * MIB, a=10 * MIB, b=10 * MIB), sample(5, 200 * MIB, a=50 * MIB, b=50 * MIB)
    )
    assert spread.summary() == "+100.0 MiB in 5 hours"
    shrunk = growth(sample(0, 300 * MIB), sample(48, 100 * MIB))
    assert shrunk.summary() == "−200.0 MiB in 2 days"


def test_growth_without_enough_samples_says_what_is_missing() -> None:
    assert "sampled hourly" in growth().summary()
    assert growth(sample(0, GIB)).summary() == "1.0 GiB now; growth needs a second sample (hourly)."


async def test_the_report_lists_the_backups_of_the_period_from_the_inventory(
    store: HistoryStore, tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    write_dump_head(backups / "aphrodite_backup_20261101_120000.sql")  # before the period
    compressed = write_dump_head(backups / "aphrodite_backup_20261105_120000.sql.gz", compress=True)
    plain = write_dump_head(backups / "aphrodite_backup_20261107_120000.sql")
    (backups / "notes.txt").write_text("not a backup")
    await store.sizes.record(sample(24, GIB, media_items=GIB // 2))
    report = await collect_growth(store.sizes, backups, 7, T0 + timedelta(days=7))
    assert [(b.name, b.size) for b in report.backups] == [
        ("aphrodite_backup_20261105_120000.sql.gz", compressed.stat().st_size),
        ("aphrodite_backup_20261107_120000.sql", plain.stat().st_size),
    ]
    assert len(report.samples) == 1


async def test_a_day_count_outside_the_range_is_refused(store: HistoryStore, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="days"):
        await collect_growth(store.sizes, tmp_path, 0, T0)


async def test_size_samples_older_than_history_days_are_pruned(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3", keep_days=2)
    try:
        for day in range(5):
            await store.sizes.record(sample(24 * day, GIB + day))
        kept = await store.sizes.samples(T0, T0 + timedelta(days=6))
        assert [s.total_bytes for s in kept] == [GIB + 2, GIB + 3, GIB + 4]
    finally:
        await store.close()
