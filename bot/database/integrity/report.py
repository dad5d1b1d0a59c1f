"""`/db integrity`: every check, run now within a time budget; the last result kept for `/db status`."""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from bot.database.connection import Database
from bot.database.integrity.amcheck import AMCHECK, check_amcheck
from bot.database.integrity.consistency import (
    FOREIGN_KEYS,
    SEQUENCES,
    check_sequences,
    check_unvalidated_foreign_keys,
)
from bot.database.integrity.findings import Finding, IntegrityCheck, Severity
from bot.database.integrity.maintenance import (
    DEAD_TUPLES,
    VACUUM_COVERAGE,
    WRAPAROUND,
    check_dead_tuples,
    check_vacuum_coverage,
    check_wraparound,
)
from bot.database.integrity.schema import (
    EXPECTED_TABLES,
    INVALID_INDEXES,
    SETTINGS_JSON,
    check_expected_tables,
    check_invalid_indexes,
    check_settings_json,
)
from bot.database.read_only import CATALOG_TIMEOUT, ReadOnlySession, TimeBudget, failure_reason
from bot.database.target import database_label, database_redactor
from bot.errors import OpsError
from bot.redact import Redactor
from bot.state import StateStore
from bot.state_errors import StateUnavailable
from bot.status import Status, worst

log = logging.getLogger(__name__)

LAST_INTEGRITY_KEY = "db.integrity.last"
DEFAULT_BUDGET_SECONDS = 60.0

CheckFunction = Callable[[ReadOnlySession, TimeBudget], Awaitable[Finding]]

# Cheap catalog checks first; then those that visit objects one by one within the budget.
# amcheck runs last (see run_integrity) and gets whatever the budget has left.
CHECKS: tuple[tuple[IntegrityCheck, CheckFunction], ...] = (
    (EXPECTED_TABLES, check_expected_tables),
    (SETTINGS_JSON, check_settings_json),
    (INVALID_INDEXES, check_invalid_indexes),
    (WRAPAROUND, check_wraparound),
    (VACUUM_COVERAGE, check_vacuum_coverage),
    (DEAD_TUPLES, check_dead_tuples),
    (SEQUENCES, check_sequences),
    (FOREIGN_KEYS, check_unvalidated_foreign_keys),
)


class InvalidBudget(OpsError):
    """A time budget that is not a positive number of seconds."""

    exit_code = 3


@dataclass(frozen=True)
class IntegrityReport:
    """Every finding of one integrity run, with when, where and how long."""

    database: str
    checked_at: datetime
    duration_seconds: float
    budget_seconds: float
    server_version: str
    findings: tuple[Finding, ...]

    @property
    def overall(self) -> Status:
        """problem → FAILED, warning → DEGRADED, otherwise OK (skipped checks do not count)."""
        return worst([Status.OK, *(finding.severity.status for finding in self.findings)])

    @property
    def counts(self) -> dict[str, int]:
        """Findings per severity: {"ok": 7, "warning": 1, "problem": 0, "skipped": 1}."""
        return {
            severity.value: sum(finding.severity is severity for finding in self.findings)
            for severity in Severity
        }

    @property
    def summary(self) -> str:
        """One line: 'all 9 checks OK' or '1 problem (Sequences); 2 warnings (…)'."""
        parts = []
        for severity, word in ((Severity.PROBLEM, "problem"), (Severity.WARNING, "warning")):
            titles = [finding.title for finding in self.findings if finding.severity is severity]
            if titles:
                parts.append(f"{len(titles)} {word}{'s' if len(titles) > 1 else ''} ({', '.join(titles)})")
        checked = [finding for finding in self.findings if finding.severity is not Severity.SKIPPED]
        skipped = len(self.findings) - len(checked)
        if not parts:
            parts.append(f"all {len(checked)} checks OK")
        if skipped:
            parts.append(f"{skipped} skipped")
        return "; ".join(parts)


@dataclass(frozen=True)
class LastIntegrity:
    """The stored outcome of the latest integrity run, as `/db status` shows it."""

    checked_at: datetime
    overall: Status
    problems: int
    warnings: int
    summary: str


async def run_integrity(
    database: Database,
    state: StateStore,
    *,
    budget_seconds: float = DEFAULT_BUDGET_SECONDS,
    heapallindexed: bool = False,
) -> IntegrityReport:
    """Run every check now and store the outcome under LAST_INTEGRITY_KEY.

    Raises DatabaseNotConfigured or DatabaseUnavailable when no check can run at all; a check
    that fails on its own becomes a warning finding and the others still run.
    """
    if not (budget_seconds > 0 and math.isfinite(budget_seconds)):
        raise InvalidBudget(f"The time budget must be a positive number of seconds, got {budget_seconds!r}.")
    redact = database_redactor(database)
    started = time.monotonic()
    checked_at = datetime.now(UTC)
    budget = TimeBudget(budget_seconds)
    findings = []
    async with database.connection() as connection:
        session = ReadOnlySession(connection)
        server_version = str(await session.fetchval("SHOW server_version", timeout=CATALOG_TIMEOUT))
        for check, function in CHECKS:
            findings.append(await _run_check(check, function(session, budget), redact))
        amcheck = check_amcheck(session, budget, heapallindexed=heapallindexed)
        findings.append(await _run_check(AMCHECK, amcheck, redact))
    report = IntegrityReport(
        database=database_label(database),
        checked_at=checked_at,
        duration_seconds=time.monotonic() - started,
        budget_seconds=budget_seconds,
        server_version=server_version,
        findings=tuple(findings),
    )
    await _remember(state, report)
    return report


async def _run_check(check: IntegrityCheck, running: Awaitable[Finding], redact: Redactor) -> Finding:
    try:
        finding = await running
    except asyncpg.PostgresError as error:
        reason = redact(failure_reason(error))
        log.warning("integrity check %s could not run: %s", check.name, reason)
        return check.could_not_run(reason)
    return _redacted(finding, redact)


def _redacted(finding: Finding, redact: Redactor) -> Finding:
    """Object names and server messages pass through the redactor like any outside text."""
    return dataclasses.replace(
        finding,
        summary=redact(finding.summary),
        details=tuple(map(redact, finding.details)),
        fix=tuple(map(redact, finding.fix)),
        not_checked=tuple(map(redact, finding.not_checked)),
    )


async def _remember(state: StateStore, report: IntegrityReport) -> None:
    """Keep the outcome for `/db status`; a failing state store costs only that, not the report."""
    record = {
        "database": report.database,
        "checked_at": report.checked_at.isoformat(),
        "overall": report.overall.value,
        "counts": report.counts,
        "summary": report.summary,
    }
    try:
        await state.put(LAST_INTEGRITY_KEY, record)
    except StateUnavailable as error:
        log.warning("the integrity result is not kept for /db status: %s", error)


async def last_integrity(state: StateStore, database: Database) -> LastIntegrity | None:
    """The stored result of the latest run on this database; None if there is none (or it was elsewhere)."""
    try:
        record = await state.get(LAST_INTEGRITY_KEY)
    except StateUnavailable as error:
        log.warning("the last integrity result is unknown: %s", error)
        return None
    if (
        not isinstance(record, dict)
        or database.dsn is None
        or record.get("database") != database_label(database)
    ):
        return None
    try:
        return LastIntegrity(
            checked_at=datetime.fromisoformat(record["checked_at"]),
            overall=Status(record["overall"]),
            problems=int(record["counts"]["problem"]),
            warnings=int(record["counts"]["warning"]),
            summary=str(record["summary"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        log.warning("ignoring an unreadable %s record in the state store: %r", LAST_INTEGRITY_KEY, error)
        return None
