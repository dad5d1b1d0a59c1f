"""What `/metrics` shows for what was recorded: the contract's names, nothing unset, no _created series."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.alerts.results import LogErrors, TargetResult
from bot.backups.compression import Compression
from bot.backups.inventory import BackupFile
from bot.backups.results import BackupResult
from bot.ops_http.exposition import Exposition
from bot.ops_http.metrics import DeliveryOutcome, OpsMetrics
from bot.status import Status
from tests.ops_http.scrape import names, value

NOW = datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC)


def scrape(metrics: OpsMetrics) -> str:
    return Exposition(metrics).render().decode()


def result(
    target: str, status: Status, latency_ms: float | None = None, log_errors: LogErrors | None = None
) -> TargetResult:
    return TargetResult(target, NOW, status, latency_ms, "detail", log_errors=log_errors)


def backup_file(name: str, size: int, *, verified: bool, modified_at: datetime | None = None) -> BackupFile:
    stamp = datetime.strptime(name[len("aphrodite_backup_") :][:15], "%Y%m%d_%H%M%S").replace(tzinfo=UTC)
    manifest = {"verified": True, "size": size} if verified else None
    return BackupFile(name, Path(name), size, stamp, Compression.GZIP, manifest, modified_at)


def test_a_fresh_scrape_has_the_counters_at_zero_and_no_gauge_that_would_lie() -> None:
    text = scrape(OpsMetrics())
    assert names(text) == {"aphrodite_ops_alert_deliveries_total", "aphrodite_ops_log_errors_total"}
    for outcome in ("delivered", "failed", "rejected"):
        assert value(text, "aphrodite_ops_alert_deliveries_total", outcome=outcome) == 0
    assert "_created" not in text
    assert "# TYPE aphrodite_ops_check_up gauge" in text  # documented even before the first round


def test_a_round_sets_up_and_duration_per_target_and_a_failure_is_zero() -> None:
    metrics = OpsMetrics()
    metrics.record_round(
        [
            result("tmdb", Status.FAILED, 120.0),
            result("omdb", Status.OK, 250.0),
            result("jellyfin", Status.DEGRADED, 2500.0),
            result("backups", Status.OK),
        ]
    )
    text = scrape(metrics)
    assert value(text, "aphrodite_ops_check_up", target="tmdb") == 0
    assert value(text, "aphrodite_ops_check_up", target="omdb") == 1
    assert value(text, "aphrodite_ops_check_up", target="jellyfin") == 1  # slow, but it answers
    assert value(text, "aphrodite_ops_check_up", target="backups") == 1
    assert value(text, "aphrodite_ops_check_duration_seconds", target="omdb") == 0.25
    assert value(text, "aphrodite_ops_check_duration_seconds", target="backups") is None  # nothing timed


def test_the_next_round_replaces_a_target_and_not_configured_leaves_the_scrape() -> None:
    metrics = OpsMetrics()
    metrics.record_round([result("tmdb", Status.FAILED, 10.0), result("mdblist", Status.OK, 10.0)])
    metrics.record_round([result("tmdb", Status.OK, 20.0), result("mdblist", Status.NOT_CONFIGURED)])
    text = scrape(metrics)
    assert value(text, "aphrodite_ops_check_up", target="tmdb") == 1
    assert value(text, "aphrodite_ops_check_duration_seconds", target="tmdb") == 0.02
    assert value(text, "aphrodite_ops_check_up", target="mdblist") is None


def test_log_errors_add_up_over_rounds() -> None:
    metrics = OpsMetrics()
    for count in (3, 0, 2):
        errors = LogErrors(count, (), "") if count else None
        metrics.record_round([result("log", Status.DEGRADED if count else Status.OK, log_errors=errors)])
    assert value(scrape(metrics), "aphrodite_ops_log_errors_total") == 5


def test_deliveries_are_counted_by_outcome() -> None:
    metrics = OpsMetrics()
    for outcome in (DeliveryOutcome.DELIVERED, DeliveryOutcome.DELIVERED, DeliveryOutcome.REJECTED):
        metrics.record_delivery(outcome)
    text = scrape(metrics)
    assert value(text, "aphrodite_ops_alert_deliveries_total", outcome="delivered") == 2
    assert value(text, "aphrodite_ops_alert_deliveries_total", outcome="rejected") == 1
    assert value(text, "aphrodite_ops_alert_deliveries_total", outcome="failed") == 0


def test_incidents_open_is_read_at_each_scrape_once_followed() -> None:
    metrics = OpsMetrics()
    assert value(scrape(metrics), "aphrodite_ops_incidents_open") is None  # no monitor: not shown
    incidents = [1, 2]
    metrics.follow_incidents(lambda: len(incidents))
    assert value(scrape(metrics), "aphrodite_ops_incidents_open") == 2
    incidents.pop()
    assert value(scrape(metrics), "aphrodite_ops_incidents_open") == 1


def test_a_backup_sets_its_time_and_size_and_an_older_one_does_not_replace_it() -> None:
    metrics = OpsMetrics()
    metrics.record_backup(_backup_result(NOW, 4096))
    metrics.record_backup(_backup_result(NOW - timedelta(days=1), 10))
    text = scrape(metrics)
    assert value(text, "aphrodite_ops_backup_last_success_timestamp_seconds") == NOW.timestamp()
    assert value(text, "aphrodite_ops_backup_last_size_bytes") == 4096


def test_the_newest_verified_backup_on_disk_seeds_the_backup_metrics() -> None:
    metrics = OpsMetrics()
    metrics.seed_backup(
        [
            backup_file("aphrodite_backup_20260504_000000.sql.gz", 999, verified=False),  # Aphrodite's own
            backup_file("aphrodite_backup_20260503_000000.sql.gz", 300, verified=True),
            backup_file("aphrodite_backup_20260501_000000.sql.gz", 100, verified=True),
        ]
    )
    text = scrape(metrics)
    expected = datetime(2026, 5, 3, tzinfo=UTC).timestamp()
    assert value(text, "aphrodite_ops_backup_last_success_timestamp_seconds") == expected
    assert value(text, "aphrodite_ops_backup_last_size_bytes") == 300


def test_a_backup_named_in_the_future_counts_from_when_its_file_was_written() -> None:
    metrics = OpsMetrics()
    written = datetime(2026, 5, 1, tzinfo=UTC)
    metrics.seed_backup(
        [backup_file("aphrodite_backup_20991231_000000.sql.gz", 5, verified=True, modified_at=written)]
    )
    assert (
        value(scrape(metrics), "aphrodite_ops_backup_last_success_timestamp_seconds") == written.timestamp()
    )


def test_seeding_never_overrides_a_backup_made_since() -> None:
    metrics = OpsMetrics()
    metrics.record_backup(_backup_result(NOW, 4096))
    metrics.seed_backup([backup_file("aphrodite_backup_20260101_000000.sql.gz", 1, verified=True)])
    assert value(scrape(metrics), "aphrodite_ops_backup_last_size_bytes") == 4096


def test_offsite_and_drill_times_appear_once_recorded() -> None:
    metrics = OpsMetrics()
    metrics.record_offsite_upload(NOW)
    metrics.record_drill(NOW - timedelta(hours=1))
    metrics.record_drill(NOW - timedelta(hours=2))
    text = scrape(metrics)
    assert value(text, "aphrodite_ops_offsite_last_success_timestamp_seconds") == NOW.timestamp()
    expected = (NOW - timedelta(hours=1)).timestamp()
    assert value(text, "aphrodite_ops_drill_last_success_timestamp_seconds") == expected


def _backup_result(created_at: datetime, size: int) -> BackupResult:
    name = f"aphrodite_backup_{created_at:%Y%m%d_%H%M%S}.sql.gz"
    return BackupResult(
        name,
        Path(name),
        size,
        "0" * 64,
        Compression.GZIP,
        created_at,
        1.0,
        size * 3,
        "15.4",
        "manual",
        "test",
    )
