"""Comparing the restored copy's row counts with those the sidecar recorded at dump time.

The sidecar is untrusted input like everything in BACKUP_DIR: counts that are not a mapping of
table names to whole numbers are reported as unreadable, not believed.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.drills.result import TableCount
from bot.printable import printable

NOT_RECORDED = "no row counts recorded at dump time: the restored rows were counted, not compared"
_LISTED = 20


@dataclass(frozen=True)
class Comparison:
    """Every table's counts, what differs (in words), and whether anything was compared at all."""

    tables: tuple[TableCount, ...]
    mismatches: tuple[str, ...]
    notes: tuple[str, ...]
    compared: bool


def recorded_counts(manifest: dict[str, object] | None) -> dict[str, int] | str | None:
    """The sidecar's row counts; None when it has none; a reason when they cannot be read."""
    value = manifest.get("row_counts") if manifest else None
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(table, str) and isinstance(rows, int) and not isinstance(rows, bool) and rows >= 0
        for table, rows in value.items()
    ):
        return "the sidecar's row_counts are unreadable (not table names with row counts): not compared"
    return value


def compare_counts(recorded: dict[str, int] | str | None, restored: dict[str, int]) -> Comparison:
    """Every table of either side; a table missing or with other rows than recorded is a mismatch."""
    if not isinstance(recorded, dict):
        uncompared = tuple(TableCount(table, None, rows) for table, rows in sorted(restored.items()))
        return Comparison(uncompared, (), (recorded or NOT_RECORDED,), compared=False)
    tables = []
    mismatches = []
    for table in sorted(recorded.keys() | restored.keys()):
        expected, got = recorded.get(table), restored.get(table)
        tables.append(TableCount(table, expected, got))
        shown = printable(table)
        if expected is None:
            continue
        if got is None:
            mismatches.append(
                f"table {shown} is missing from the restored copy ({expected:,} rows at dump time)"
            )
        elif got != expected:
            mismatches.append(f"table {shown}: {expected:,} rows at dump time, {got:,} restored")
    extra = [printable(table) for table in sorted(restored.keys() - recorded.keys())]
    notes = [f"restored but not counted at dump time: {', '.join(extra[:_LISTED])}"] if extra else []
    if len(mismatches) > _LISTED:
        mismatches[_LISTED:] = [f"… and {len(mismatches) - _LISTED} more tables differ"]
    return Comparison(tuple(tables), tuple(mismatches), tuple(notes), compared=True)
