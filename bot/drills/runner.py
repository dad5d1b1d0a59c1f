"""One restore drill of a backup file: vet, replay into a fresh scratch database, count, amcheck, drop.

It takes the local path of a backup (one from BACKUP_DIR, or a downloaded off-site copy) with the
sha256 and row counts its sidecar recorded. The scratch database is dropped in `finally`, whatever
happened; nothing is replayed into, counted or checked in the live database. A backup that fails
vetting or replay, a row count that differs from the sidecar's, or corruption found by amcheck
fails the drill. amcheck
that cannot run on the copy (not installed there, and the role may not create it) is a finding,
not a failure: the restore itself was proven; the finding says how to get amcheck on the copies
(CREATE EXTENSION amcheck in template1, which every scratch database is made from).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from bot.database.connection import Database
from bot.database.integrity.amcheck import AMCHECK, check_amcheck
from bot.database.integrity.findings import Finding, Severity
from bot.database.leaf_counts import count_leaf_tables
from bot.database.read_only import ReadOnlySession, TimeBudget, failure_reason
from bot.drills.compare import Comparison, compare_counts
from bot.drills.restore_path import DrillRefused, replay_into, vet_dump
from bot.drills.result import DrillResult
from bot.drills.scratch import ScratchServer
from bot.redact import Redactor

log = logging.getLogger(__name__)

COUNT_TIMEOUT_SECONDS = 600.0
AMCHECK_BUDGET_SECONDS = 300.0
AMCHECK_TEMPLATE_HINT = (
    "to check the copies too, a superuser runs CREATE EXTENSION amcheck in template1 and grants its "
    "functions (bt_index_check, verify_heapam) to the drill role"
)


@dataclass(frozen=True)
class DrillSource:
    """The backup to drill: a local file and what its sidecar recorded (sha256, row counts)."""

    name: str
    path: Path
    sha256: str | None
    row_counts: dict[str, int] | str | None
    identity: tuple[int, int] | None = None  # the file that was vetted (device, inode)
    made_here: bool = False  # a sealed sidecar of this bot vouches for it


async def drill_file(
    source: DrillSource,
    server: ScratchServer,
    redactor: Redactor,
    *,
    amcheck_budget_seconds: float = AMCHECK_BUDGET_SECONDS,
) -> DrillResult:
    """Drill ``source``; a failed drill is a result (ok False). Raises only when no drill could run
    (DrillNotPermitted, DatabaseUnavailable): then nothing was created."""
    started_at = datetime.now(UTC)
    started = time.monotonic()

    def failed(reason: str, scratch: str | None) -> DrillResult:
        return DrillResult(
            source.name,
            scratch,
            started_at,
            None,
            time.monotonic() - started,
            False,
            (),
            (reason,),
            False,
            None,
        )

    try:
        vetted = await vet_dump(
            source.path,
            source.identity,
            source.name,
            source.sha256,
            made_here=source.made_here,
            rights=await server.rights(),
        )
    except DrillRefused as refused:
        return failed(str(refused), None)
    with vetted.file:
        name = await server.create()
        try:
            scratch = server.database(name)
            try:
                try:
                    await replay_into(source.path, vetted, scratch, redactor)
                except DrillRefused as refused:
                    return failed(str(refused), name)
                restore_seconds = time.monotonic() - started
                comparison, amcheck = await _inspect_copy(scratch, source, amcheck_budget_seconds)
            finally:
                await scratch.close()
        finally:
            # Shielded: a cancelled drill still drops its copy (the sweep would, later).
            await asyncio.shield(server.drop(name))
    return _result(source, name, started_at, restore_seconds, time.monotonic() - started, comparison, amcheck)


async def _inspect_copy(
    scratch: Database, source: DrillSource, amcheck_budget_seconds: float
) -> tuple[Comparison, Finding]:
    async with scratch.connection() as connection:
        restored = await count_leaf_tables(connection, timeout=COUNT_TIMEOUT_SECONDS)
        try:
            amcheck = await check_amcheck(ReadOnlySession(connection), TimeBudget(amcheck_budget_seconds))
        except asyncpg.PostgresError as error:
            amcheck = AMCHECK.could_not_run(failure_reason(error))
    return compare_counts(source.row_counts, restored), amcheck


def _result(
    source: DrillSource,
    scratch: str,
    started_at: datetime,
    restore_seconds: float,
    duration: float,
    comparison: Comparison,
    amcheck: Finding,
) -> DrillResult:
    findings = [*comparison.mismatches, *comparison.notes]
    if amcheck.severity is Severity.PROBLEM:
        findings.append(f"amcheck: {amcheck.summary}")
        findings.extend(f"  {line}" for line in amcheck.details)
    elif amcheck.severity is Severity.SKIPPED:
        findings.append(f"amcheck not run on the copy: {amcheck.summary}; {AMCHECK_TEMPLATE_HINT}")
    elif amcheck.severity is Severity.WARNING:
        findings.append(f"amcheck: {amcheck.summary}")
    ok = not comparison.mismatches and amcheck.severity is not Severity.PROBLEM
    log.info("drill of %s: %s in %.1f s", source.name, "passed" if ok else "FAILED", duration)
    return DrillResult(
        name=source.name,
        scratch_database=scratch,
        started_at=started_at,
        restore_seconds=restore_seconds,
        duration_seconds=duration,
        ok=ok,
        tables=comparison.tables,
        findings=tuple(findings),
        compared=comparison.compared,
        amcheck=amcheck.summary,
    )
