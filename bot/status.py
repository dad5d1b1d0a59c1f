"""The four statuses every check reports, ordered from best to worst."""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Status(enum.Enum):
    """Outcome of a check; adapters map it to a colour and the CLI to an exit code."""

    OK = "ok"
    NOT_CONFIGURED = "not configured"
    DEGRADED = "degraded"
    FAILED = "failed"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    @property
    def exit_code(self) -> int:
        """Exit status of the CLI contract: 0 OK, 1 degraded, 2 failed, 3 not configured."""
        return _EXIT_CODES[self]

    @property
    def label(self) -> str:
        return _LABELS[self]


_SEVERITY = {Status.NOT_CONFIGURED: 0, Status.OK: 1, Status.DEGRADED: 2, Status.FAILED: 3}
_EXIT_CODES = {Status.OK: 0, Status.DEGRADED: 1, Status.FAILED: 2, Status.NOT_CONFIGURED: 3}
_LABELS = {
    Status.OK: "OK",
    Status.DEGRADED: "Degraded",
    Status.FAILED: "Failed",
    Status.NOT_CONFIGURED: "Not configured",
}


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe status.

    "Not configured" only wins when nothing was tested: two unconfigured services beside
    three healthy ones make a green report, not a grey one. No statuses at all is OK.
    """
    return max(statuses, key=lambda status: status.severity, default=Status.OK)


def overall_exit_code(statuses: Iterable[Status]) -> int:
    """CLI exit code for several results (0 OK, 1 degraded, 2 failed, 3 nothing configured)."""
    return worst(statuses).exit_code
