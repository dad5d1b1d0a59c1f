"""Physical corruption check with PostgreSQL's amcheck: B-tree indexes and, on 14+, table heaps."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import asyncpg

from bot.database.integrity.findings import Finding, IntegrityCheck, Severity, plural
from bot.database.read_only import (
    CATALOG_TIMEOUT,
    DEFAULT_LOCK_TIMEOUT_SECONDS,
    ReadOnlySession,
    TimeBudget,
    failure_reason,
    stopped_by_limit,
)

log = logging.getLogger(__name__)

AMCHECK = IntegrityCheck("amcheck", "Corruption (amcheck)")
HEAP_CHECK_VERSION = 140000  # verify_heapam arrived in PostgreSQL 14
BT_INDEX_CHECK = "bt_index_check(regclass)"
BT_INDEX_CHECK_HEAPALLINDEXED = "bt_index_check(regclass, boolean)"
VERIFY_HEAPAM = "verify_heapam(regclass, boolean, boolean, text, bigint, bigint)"
# SQLSTATEs amcheck raises for what it exists to find: data_corrupted, index_corrupted.
CORRUPTION_STATES = ("XX001", "XX002")

_STATE = """
SELECT e.extversion AS installed_version,
       pg_catalog.quote_ident(n.nspname) AS schema,
       EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'amcheck') AS available,
       (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) AS superuser,
       pg_catalog.pg_is_in_recovery() AS standby,
       pg_catalog.quote_ident(current_user) AS user,
       pg_catalog.current_database() AS database,
       pg_catalog.current_setting('server_version_num')::int AS server_version_num
FROM (SELECT 1) AS one
LEFT JOIN pg_catalog.pg_extension e ON e.extname = 'amcheck'
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
"""

_EXECUTABLE = """
SELECT name,
       COALESCE(
           pg_catalog.has_function_privilege(pg_catalog.to_regprocedure($1 || '.' || name), 'EXECUTE'), false
       ) AS executable
FROM pg_catalog.unnest($2::text[]) AS name
"""

# Valid, permanent relations only: invalid indexes are their own check, and other sessions'
# temporary tables cannot be read. User schemas first, smallest first, so a short budget covers
# the most of what matters.
_INDEXES = """
SELECT c.oid, pg_catalog.format('%I.%I', n.nspname, c.relname) AS name
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
JOIN pg_catalog.pg_am am ON am.oid = c.relam
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE am.amname = 'btree' AND c.relpersistence <> 't' AND i.indisvalid AND i.indisready AND i.indislive
ORDER BY n.nspname IN ('pg_catalog', 'pg_toast', 'information_schema'), c.relpages, 2
"""

_TABLES = """
SELECT c.oid, pg_catalog.format('%I.%I', n.nspname, c.relname) AS name
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm', 't') AND c.relpersistence <> 't'
ORDER BY n.nspname IN ('pg_catalog', 'pg_toast', 'information_schema'), c.relpages, 2
"""


@dataclass
class _Walk:
    """What visiting indexes and tables one by one found."""

    checked: int = 0
    corrupt: list[str] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    not_checked: list[str] = field(default_factory=list)


async def check_amcheck(
    session: ReadOnlySession, budget: TimeBudget, *, heapallindexed: bool = False
) -> Finding:
    """Run amcheck on every B-tree index and table, within the budget; create the extension if we may."""
    state = await session.fetchrow(_STATE, timeout=CATALOG_TIMEOUT)
    created = False
    if state["installed_version"] is None:
        refusal = _cannot_create(state)
        if refusal is not None:
            return refusal
        await _create_extension(session)
        log.info("created the amcheck extension in database %s", state["database"])
        created = True
        state = await session.fetchrow(_STATE, timeout=CATALOG_TIMEOUT)
    schema = state["schema"]
    executable = {
        row["name"]: row["executable"]
        for row in await session.fetch(
            _EXECUTABLE,
            schema,
            [BT_INDEX_CHECK, BT_INDEX_CHECK_HEAPALLINDEXED, VERIFY_HEAPAM],
            timeout=CATALOG_TIMEOUT,
        )
    }
    grant = (
        f"GRANT EXECUTE ON FUNCTION {schema}.{BT_INDEX_CHECK}, {schema}.{VERIFY_HEAPAM} TO {state['user']};"
        "  -- as a superuser"
    )
    if not executable[BT_INDEX_CHECK]:
        return AMCHECK.finding(
            Severity.SKIPPED,
            f"amcheck is installed but user {state['user']} may not execute its functions: "
            "ask your DBA to grant them",
            fix=(grant,),
        )
    walk = _Walk()
    indexes = await session.fetch(_INDEXES, timeout=CATALOG_TIMEOUT)
    thorough = heapallindexed and executable[BT_INDEX_CHECK_HEAPALLINDEXED]
    index_call = f"SELECT {schema}.bt_index_check($1::oid::regclass{', true' if thorough else ''})"
    await _visit(session, budget, walk, indexes, index_call, "index")
    tables: list[asyncpg.Record] = []
    notes = []
    if state["server_version_num"] < HEAP_CHECK_VERSION:
        notes.append("tables not checked: verify_heapam needs PostgreSQL 14 or later")
    elif not executable[VERIFY_HEAPAM]:
        notes.append(f"tables not checked: user {state['user']} may not execute verify_heapam")
        walk.fixes.append(grant)
    else:
        tables = await session.fetch(_TABLES, timeout=CATALOG_TIMEOUT)
        heap_call = f"SELECT blkno, offnum, msg FROM {schema}.verify_heapam($1::oid::regclass, true) LIMIT 3"
        await _visit(session, budget, walk, tables, heap_call, "table")
    return _finding(walk, len(indexes), len(tables), created, notes, budget)


def _cannot_create(state: asyncpg.Record) -> Finding | None:
    """Why we may not create the extension here, as a finding; None when we may."""
    ask = (
        f"CREATE EXTENSION amcheck;  -- as a superuser, in database {state['database']}",
        f"GRANT EXECUTE ON FUNCTION public.{BT_INDEX_CHECK}, public.{VERIFY_HEAPAM} TO {state['user']};",
    )
    if not state["available"]:
        summary = "amcheck is not available on this server: install PostgreSQL's contrib modules"
    elif state["standby"]:
        summary = "amcheck is not installed and this server is a read-only standby: create it on the primary"
    elif not state["superuser"]:
        summary = (
            f"amcheck is not installed in this database and user {state['user']} cannot create it "
            "(it needs a superuser): ask your DBA to run CREATE EXTENSION amcheck"
        )
    else:
        return None
    return AMCHECK.finding(Severity.SKIPPED, summary, fix=ask)


async def _create_extension(session: ReadOnlySession) -> None:
    """CREATE EXTENSION amcheck: the one write of the whole integrity run, bounded like the reads."""
    connection = session.connection
    async with connection.transaction():
        await connection.execute(
            f"SET LOCAL statement_timeout = {int(CATALOG_TIMEOUT * 1000)}; "
            f"SET LOCAL lock_timeout = {int(DEFAULT_LOCK_TIMEOUT_SECONDS * 1000)}"
        )
        await connection.execute("CREATE EXTENSION amcheck")


async def _visit(
    session: ReadOnlySession,
    budget: TimeBudget,
    walk: _Walk,
    relations: list[asyncpg.Record],
    call: str,
    kind: str,
) -> None:
    for relation in relations:
        name = relation["name"]
        if budget.spent:
            walk.not_checked.append(f"{kind} {name}: time budget ran out")
            continue
        try:
            damage = await session.fetch(call, relation["oid"], timeout=budget.remaining())
        except asyncpg.PostgresError as error:
            if error.sqlstate in CORRUPTION_STATES:
                walk.checked += 1
                walk.corrupt.append(f"{kind} {name}: {failure_reason(error)}")
                walk.fixes.append(_repair(kind, name))
            elif reason := stopped_by_limit(error):
                walk.not_checked.append(f"{kind} {name}: {reason}")
            elif not await _still_exists(session, relation["oid"]):
                walk.not_checked.append(f"{kind} {name}: dropped while the check ran")
            else:
                walk.failed.append(f"{kind} {name}: {failure_reason(error)}")
            continue
        walk.checked += 1
        if kind == "table" and damage:
            walk.corrupt.extend(
                f"table {name}: block {row['blkno']}, offset {row['offnum']}: {row['msg']}" for row in damage
            )
            walk.fixes.append(_repair(kind, name))


async def _still_exists(session: ReadOnlySession, oid: int) -> bool:
    # A relation dropped between listing and checking (REINDEX CONCURRENTLY swaps indexes, for
    # one) fails with an internal error that is no sign of corruption.
    return bool(
        await session.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE oid = $1)", oid, timeout=CATALOG_TIMEOUT
        )
    )


def _repair(kind: str, name: str) -> str:
    if kind == "index":
        return f"REINDEX INDEX CONCURRENTLY {name};"
    return (
        f"-- table {name}: REINDEX cannot repair table data; restore it from a backup "
        "and check the disk (dmesg, SMART)"
    )


def _finding(
    walk: _Walk, indexes: int, tables: int, created: bool, notes: list[str], budget: TimeBudget
) -> Finding:
    total = indexes + tables
    scope = f"{plural(indexes, 'B-tree index', 'B-tree indexes')}" + (
        f" and {plural(tables, 'table')}" if tables else ""
    )
    if walk.checked == total:
        coverage = f"verified {scope}"
    else:
        coverage = f"verified {walk.checked:,} of {total:,} relations ({scope})"
        if any(line.endswith("time budget ran out") for line in walk.not_checked):
            coverage += f" before the {budget.seconds:g} s budget ran out"
    if walk.corrupt:
        severity, verdict = Severity.PROBLEM, f"CORRUPTION in {plural(len(walk.corrupt), 'place')}"
    elif walk.failed:
        severity, verdict = Severity.WARNING, f"{plural(len(walk.failed), 'check')} failed"
    elif walk.checked == 0:
        severity, verdict = Severity.SKIPPED, "nothing was checked"
    else:
        severity, verdict = Severity.OK, "no corruption"
    prefix = "amcheck extension created (CREATE EXTENSION amcheck); " if created else ""
    return AMCHECK.finding(
        severity,
        f"{prefix}{coverage}: {verdict}",
        details=[*walk.corrupt, *walk.failed, *notes],
        fix=dict.fromkeys(walk.fixes),
        not_checked=walk.not_checked,
    )
