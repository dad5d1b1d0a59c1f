"""What a restore drill found: per-table counts, findings in words, how long a restore takes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TableCount:
    """One table's rows at dump time (None: not recorded) and in the restored copy (None: missing)."""

    table: str
    expected: int | None
    restored: int | None

    @property
    def matches(self) -> bool:
        return self.expected is None or self.expected == self.restored


@dataclass(frozen=True)
class DrillResult:
    """One drill of backup ``name``.

    ``restore_seconds`` is the recovery time a real restore of this backup would take (vetting and
    replay); ``duration_seconds`` the whole drill (with counting and amcheck). ``ok`` is False when
    the backup could not be restored, a row count differs from the sidecar's, or amcheck found
    corruption; ``findings`` say what was seen, in words, in every case.
    """

    name: str
    scratch_database: str | None
    started_at: datetime
    restore_seconds: float | None
    duration_seconds: float
    ok: bool
    tables: tuple[TableCount, ...]
    findings: tuple[str, ...]
    compared: bool
    amcheck: str | None

    @property
    def rows(self) -> int:
        """Rows in the restored copy."""
        return sum(table.restored or 0 for table in self.tables)

    def sidecar_record(self) -> dict[str, object]:
        """What the backup's sidecar keeps under "drill"."""
        return {
            "at": self.started_at.isoformat(),
            "duration_seconds": round(self.restore_seconds or self.duration_seconds, 3),
            "total_seconds": round(self.duration_seconds, 3),
            "tables": len(self.tables),
            "rows": self.rows,
            "findings": list(self.findings),
            "ok": self.ok,
        }
