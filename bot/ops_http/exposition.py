"""`OpsMetrics` in the Prometheus text format, through prometheus_client's own registry.

A collector reads the values at each scrape (nothing is copied in between), in a registry of its
own: no process or platform collectors, and no ``_created`` series (counter families are built
without a creation time, so the process-wide `disable_created_metrics` switch is not needed).
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from bot.ops_http.metrics import OpsMetrics

PREFIX = "aphrodite_ops_"
# The classic text format every Prometheus, VictoriaMetrics and Grafana Agent reads
# (generate_latest writes it; the metric names need none of the newer format's escaping).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class OpsCollector:
    """The contract's metric names (DESIGN.md), from one `OpsMetrics`."""

    def __init__(self, metrics: OpsMetrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        metrics = self._metrics
        up = GaugeMetricFamily(
            PREFIX + "check_up",
            "1 when the target's last check did not fail, 0 when it did.",
            labels=["target"],
        )
        duration = GaugeMetricFamily(
            PREFIX + "check_duration_seconds", "How long the target's last check took.", labels=["target"]
        )
        for target, reading in sorted(metrics.checks.items()):
            up.add_metric([target], 1.0 if reading.up else 0.0)
            if reading.duration_seconds is not None:
                duration.add_metric([target], reading.duration_seconds)
        yield up
        yield duration
        incidents = metrics.incidents_open
        if incidents is not None:
            yield GaugeMetricFamily(PREFIX + "incidents_open", "Incidents open now.", value=incidents)
        if metrics.backup is not None:
            yield _gauge(
                "backup_last_success_timestamp_seconds",
                "When the newest verified backup was made (Unix time).",
                metrics.backup.at.timestamp(),
            )
            yield _gauge(
                "backup_last_size_bytes", "Size of the newest verified backup.", metrics.backup.size_bytes
            )
        if metrics.offsite_at is not None:
            yield _gauge(
                "offsite_last_success_timestamp_seconds",
                "When a backup's off-site copy was last uploaded and verified (Unix time).",
                metrics.offsite_at.timestamp(),
            )
        if metrics.drill_at is not None:
            yield _gauge(
                "drill_last_success_timestamp_seconds",
                "When a restore drill last passed (Unix time).",
                metrics.drill_at.timestamp(),
            )
        deliveries = CounterMetricFamily(
            PREFIX + "alert_deliveries", "Attempts to post an alert, by outcome.", labels=["outcome"]
        )
        for outcome, count in metrics.deliveries.items():
            deliveries.add_metric([outcome.value], count)
        yield deliveries
        yield CounterMetricFamily(
            PREFIX + "log_errors",
            "ERROR and CRITICAL entries the monitor found in Aphrodite's log.",
            value=metrics.log_errors,
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(PREFIX + name, documentation, value=value)


class Exposition:
    """Renders one `OpsMetrics` for a scrape."""

    def __init__(self, metrics: OpsMetrics) -> None:
        self._registry = CollectorRegistry(auto_describe=False)
        self._registry.register(OpsCollector(metrics))

    def render(self) -> bytes:
        return generate_latest(self._registry)
