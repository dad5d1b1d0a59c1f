"""The drill record a sidecar holds is input from disk: read only when it is well formed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.drills.sidecar import kept_drill

GOOD = {"at": "2026-06-01T12:00:00+00:00", "ok": True, "duration_seconds": 41.2, "findings": []}


def test_a_well_formed_drill_record_is_read():
    drill = kept_drill({"drill": GOOD})
    assert drill is not None and drill.ok and drill.duration_seconds == 41.2
    assert drill.at == datetime(2026, 6, 1, 12, tzinfo=UTC) and drill.first_finding is None


@pytest.mark.parametrize(
    "record",
    [
        "passed",
        {**GOOD, "at": "yesterday"},
        {**GOOD, "ok": "yes"},
        {**GOOD, "duration_seconds": float("nan")},
        {**GOOD, "duration_seconds": -1},
        {key: value for key, value in GOOD.items() if key != "at"},
    ],
)
def test_a_malformed_drill_record_is_ignored(record):
    assert kept_drill({"drill": record}) is None


def test_a_failed_drill_keeps_its_first_finding():
    drill = kept_drill(
        {"drill": {**GOOD, "ok": False, "findings": ["table public.x: 2 rows at dump time, 0 restored"]}}
    )
    assert drill is not None and not drill.ok and drill.first_finding.startswith("table public.x")
