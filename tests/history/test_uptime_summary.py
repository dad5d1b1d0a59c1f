"""The uptime words and JSON fields that `/alerts status` and `python -m bot alerts status` share."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.history import FILE_NAME, HistoryStore
from bot.history.uptime import Uptime
from bot.history.uptime_summary import UptimeSummary, read_uptime_summaries, uptime_fields, uptime_line
from tests.history.conftest import T0

DAY = 86400.0


def day(up: float, down: float = 0, maintenance: float = 0) -> Uptime:
    return Uptime("tmdb", T0, T0 + timedelta(days=1), up, down, maintenance)


def week(up: float, down: float = 0) -> Uptime:
    return Uptime("tmdb", T0, T0 + timedelta(days=7), up, down, 0)


def test_a_nearly_perfect_day_is_never_rounded_up_to_100_percent() -> None:
    line = uptime_line(UptimeSummary(day(DAY - 1, 1), week(7 * DAY)))
    assert line == "Uptime 24 h 99.99 % · 7 d 100 %"


def test_maintenance_and_unmeasured_time_of_the_day_are_said_from_a_minute_on() -> None:
    line = uptime_line(UptimeSummary(day(DAY - 3600 - 900, 0, 3600), week(DAY)))
    assert line == "Uptime 24 h 100 % · 7 d 100 % (last 24 h: 1 h maintenance, 15 min not measured)"
    assert uptime_line(UptimeSummary(day(DAY - 59), week(7 * DAY))) == "Uptime 24 h 100 % · 7 d 100 %"


def test_a_period_with_nothing_measured_has_a_dash_and_a_null_fraction() -> None:
    summary = UptimeSummary(day(0, 0, DAY), week(3600, 3600))
    assert uptime_line(summary) == "Uptime 24 h — · 7 d 50.00 % (last 24 h: 24 h maintenance)"
    fields = uptime_fields(summary)
    assert fields["uptime_24h"] is None and fields["maintenance_24h_seconds"] == DAY
    assert (fields["uptime_7d"], fields["measured_7d_seconds"]) == (0.5, 7200)


def test_without_a_summary_every_field_is_null() -> None:
    fields = uptime_fields(None)
    assert set(fields) == {
        "uptime_24h",
        "uptime_7d",
        "measured_24h_seconds",
        "maintenance_24h_seconds",
        "measured_7d_seconds",
        "maintenance_7d_seconds",
    }
    assert set(fields.values()) == {None}


async def test_an_unusable_history_is_said_with_its_path_and_with_the_file_name_alone(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    path.write_bytes(b"not a database " * 300)
    store = HistoryStore(path)
    try:
        reading = await read_uptime_summaries(store, T0)
    finally:
        await store.close()
    assert reading.summaries is None
    assert reading.missing == f"The measurement history in {path} is unusable: file is not a database"
    assert reading.missing_without_path == (
        "The measurement history in history.sqlite3 is unusable: file is not a database"
    )
