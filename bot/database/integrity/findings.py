"""What an integrity check found: a severity, one line for people, the objects, and the fix."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from bot.status import Status

# Details and fixes are lists of objects; a broken database can have thousands. The report keeps
# the first few and says how many more there are.
MAX_LISTED = 20


class Severity(enum.Enum):
    """How bad a finding is. SKIPPED is a check that could not run (e.g. amcheck not installed)."""

    OK = "ok"
    WARNING = "warning"
    PROBLEM = "problem"
    SKIPPED = "skipped"

    @property
    def status(self) -> Status:
        """problem → FAILED, warning → DEGRADED, ok → OK; skipped → NOT_CONFIGURED (grey, never worst)."""
        return _STATUSES[self]

    @property
    def rank(self) -> int:
        """Order from best to worst; SKIPPED ranks below OK so it never decides an overall result."""
        return _RANKS[self]

    @property
    def label(self) -> str:
        text = str(self.value)
        return text.upper() if self in (Severity.WARNING, Severity.PROBLEM) else text


_STATUSES = {
    Severity.OK: Status.OK,
    Severity.WARNING: Status.DEGRADED,
    Severity.PROBLEM: Status.FAILED,
    Severity.SKIPPED: Status.NOT_CONFIGURED,
}
_RANKS = {Severity.SKIPPED: 0, Severity.OK: 1, Severity.WARNING: 2, Severity.PROBLEM: 3}


@dataclass(frozen=True)
class Finding:
    """The result of one integrity check.

    ``details`` lists affected objects (capped), ``fix`` the statements a maintainer would run,
    ``not_checked`` the objects the check did not reach (time budget, lock, timeout) and why.
    """

    check: str
    title: str
    severity: Severity
    summary: str
    details: tuple[str, ...] = ()
    fix: tuple[str, ...] = ()
    not_checked: tuple[str, ...] = ()


def capped(lines: Iterable[str], limit: int = MAX_LISTED) -> tuple[str, ...]:
    """The first ``limit`` lines, then one line saying how many were left out."""
    items = list(lines)
    if len(items) <= limit:
        return tuple(items)
    return (*items[:limit], f"… and {len(items) - limit} more")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 index', '3 indexes'."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


@dataclass(frozen=True)
class IntegrityCheck:
    """A check's stable name (for JSON and the state store) and its title (for people)."""

    name: str
    title: str

    def finding(
        self,
        severity: Severity,
        summary: str,
        *,
        details: Iterable[str] = (),
        fix: Iterable[str] = (),
        not_checked: Iterable[str] = (),
    ) -> Finding:
        """A finding of this check; the three lists are capped to MAX_LISTED lines each."""
        return Finding(
            self.name, self.title, severity, summary, capped(details), capped(fix), capped(not_checked)
        )

    def could_not_run(self, reason: str) -> Finding:
        """The check failed for a reason other than what it looks for (a permission, a timeout)."""
        return self.finding(Severity.WARNING, f"could not run: {reason}")
