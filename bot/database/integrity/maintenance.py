"""Integrity checks of upkeep: transaction-ID wraparound headroom, vacuum/analyse coverage, dead tuples."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import asyncpg

from bot.database.integrity.findings import Finding, IntegrityCheck, Severity, plural
from bot.database.read_only import CATALOG_TIMEOUT, ReadOnlySession, TimeBudget
from bot.units import human_duration

# Transaction and multixact IDs are 32-bit: at 2^31 of age PostgreSQL stops accepting writes.
ID_LIMIT = 2**31
# Half the hard limit: anti-wraparound autovacuum (due at autovacuum_freeze_max_age, 200 million by
# default) has been failing for a long time.
PROBLEM_FRACTION_OF_LIMIT = 0.5
# Forced autovacuum is due at autovacuum_freeze_max_age; half as much again means it is not keeping up.
WARNING_FACTOR_OF_FREEZE_MAX_AGE = 1.5
# Tables smaller than this (live + dead rows) are ignored by the vacuum/analyse coverage check.
NEVER_MAINTAINED_MIN_ROWS = 1_000
# Dead-tuple warning: at least this many dead rows, and at least this share of the live rows.
DEAD_TUPLES_MIN = 10_000
DEAD_TUPLES_RATIO = 0.2

WRAPAROUND = IntegrityCheck("xid_wraparound", "Transaction ID wraparound")
VACUUM_COVERAGE = IntegrityCheck("vacuum_analyze", "Vacuum and analyse")
DEAD_TUPLES = IntegrityCheck("dead_tuples", "Dead tuples (bloat)")
# A row of the catalog queries below, or the same as a plain mapping (what the tests pass).
Row: TypeAlias = asyncpg.Record | Mapping[str, Any]

_DATABASE_AGES = """
SELECT datname AS database, datname = pg_catalog.current_database() AS current,
       pg_catalog.age(datfrozenxid) AS xid_age, pg_catalog.mxid_age(datminmxid) AS mxid_age,
       pg_catalog.current_setting('autovacuum_freeze_max_age')::bigint AS xid_freeze_max_age,
       pg_catalog.current_setting('autovacuum_multixact_freeze_max_age')::bigint AS mxid_freeze_max_age
FROM pg_catalog.pg_database
ORDER BY pg_catalog.age(datfrozenxid) DESC
"""

_OLDEST_TABLES = """
SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) AS table, pg_catalog.age(c.relfrozenxid) AS xid_age
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm', 't') AND c.relpersistence <> 't'
ORDER BY pg_catalog.age(c.relfrozenxid) DESC
LIMIT 3
"""

# What holds back the oldest transaction ID that vacuum may freeze up to.
_HORIZON_HOLDERS = """
SELECT (SELECT pg_catalog.max(pg_catalog.age(backend_xmin))
        FROM pg_catalog.pg_stat_activity) AS session_xmin_age,
       (SELECT pg_catalog.count(*) FROM pg_catalog.pg_prepared_xacts) AS prepared_transactions,
       (SELECT pg_catalog.max(greatest(pg_catalog.age(xmin), pg_catalog.age(catalog_xmin)))
        FROM pg_catalog.pg_replication_slots) AS slot_xmin_age
"""

_NEVER_MAINTAINED = """
SELECT pg_catalog.format('%I.%I', s.schemaname, s.relname) AS table,
       s.n_live_tup AS live,
       s.last_vacuum IS NULL AND s.last_autovacuum IS NULL AS never_vacuumed,
       s.last_analyze IS NULL AND s.last_autoanalyze IS NULL AS never_analyzed,
       EXISTS (SELECT 1 FROM pg_catalog.unnest(c.reloptions) AS option
               WHERE option ~* '^autovacuum_enabled=(false|off|no|0)$') AS autovacuum_disabled
FROM pg_catalog.pg_stat_user_tables s JOIN pg_catalog.pg_class c ON c.oid = s.relid
WHERE s.n_live_tup + s.n_dead_tup >= $1
  AND ((s.last_vacuum IS NULL AND s.last_autovacuum IS NULL)
       OR (s.last_analyze IS NULL AND s.last_autoanalyze IS NULL))
ORDER BY s.n_live_tup DESC, 1
"""

_STATISTICS_SETTINGS = """
SELECT pg_catalog.current_setting('autovacuum')::bool AS autovacuum,
       (SELECT stats_reset FROM pg_catalog.pg_stat_database
        WHERE datname = pg_catalog.current_database()) AS stats_reset
"""

_DEAD_TUPLES = """
SELECT pg_catalog.format('%I.%I', schemaname, relname) AS table, n_live_tup AS live, n_dead_tup AS dead,
       pg_catalog.now() - greatest(last_vacuum, last_autovacuum) AS since_vacuum
FROM pg_catalog.pg_stat_user_tables
WHERE n_dead_tup >= $1 AND n_dead_tup >= $2 * greatest(n_live_tup, 1)
ORDER BY n_dead_tup DESC, 1
"""


def wraparound_severity(age: int, freeze_max_age: int) -> Severity:
    """How close an ID age is to wraparound, given the server's autovacuum freeze trigger."""
    if age >= ID_LIMIT * PROBLEM_FRACTION_OF_LIMIT:
        return Severity.PROBLEM
    if age >= freeze_max_age * WARNING_FACTOR_OF_FREEZE_MAX_AGE:
        return Severity.WARNING
    return Severity.OK


async def check_wraparound(session: ReadOnlySession, budget: TimeBudget) -> Finding:
    """Headroom before transaction-ID (and multixact) wraparound forces the server read-only."""
    databases = await session.fetch(_DATABASE_AGES, timeout=CATALOG_TIMEOUT)
    oldest_tables = await session.fetch(_OLDEST_TABLES, timeout=CATALOG_TIMEOUT)
    horizon = await session.fetchrow(_HORIZON_HOLDERS, timeout=CATALOG_TIMEOUT)
    return wraparound_finding(databases, oldest_tables, horizon)


def wraparound_finding(
    databases: Sequence[Row],
    oldest_tables: Sequence[Row],
    horizon: Row,
) -> Finding:
    """The finding for these rows of _DATABASE_AGES, _OLDEST_TABLES and _HORIZON_HOLDERS."""
    severity = Severity.OK
    lines: list[str] = []
    fix: list[str] = []
    for row in databases:
        for kind, age, freeze_max_age in (
            ("transaction ID", row["xid_age"], row["xid_freeze_max_age"]),
            ("multixact ID", row["mxid_age"], row["mxid_freeze_max_age"]),
        ):
            found = wraparound_severity(age, freeze_max_age)
            if found is Severity.OK:
                continue
            severity = max(severity, found, key=lambda item: item.rank)
            lines.append(
                f"database {row['database']}: {kind} age {age:,} ({age / ID_LIMIT:.1%} of the limit)"
            )
            if row["current"]:
                fix.extend(f"VACUUM (FREEZE, VERBOSE) {table['table']};" for table in oldest_tables)
            else:
                fix.append(f"-- connected to database {row['database']}: VACUUM (FREEZE, VERBOSE);")
    oldest = databases[0]
    summary = (
        f"oldest database {oldest['database']}: transaction ID age {oldest['xid_age']:,}, "
        f"{ID_LIMIT - oldest['xid_age']:,} left before the wraparound limit "
        f"({oldest['xid_age'] / ID_LIMIT:.1%} used)"
    )
    if severity is not Severity.OK:
        lines.extend(f"table {row['table']}: transaction ID age {row['xid_age']:,}" for row in oldest_tables)
        lines.extend(_horizon_lines(horizon))
    return WRAPAROUND.finding(severity, summary, details=lines, fix=dict.fromkeys(fix))


def _horizon_lines(horizon: Row) -> list[str]:
    lines = []
    if horizon["session_xmin_age"]:
        lines.append(
            f"a session holds a snapshot {horizon['session_xmin_age']:,} transactions old "
            "(see pg_stat_activity.backend_xmin): vacuum cannot freeze past it"
        )
    if horizon["prepared_transactions"]:
        lines.append(
            f"{plural(horizon['prepared_transactions'], 'prepared transaction')} pending "
            "(pg_prepared_xacts): COMMIT PREPARED or ROLLBACK PREPARED them"
        )
    if horizon["slot_xmin_age"]:
        lines.append(
            f"a replication slot holds xmin {horizon['slot_xmin_age']:,} transactions old "
            "(pg_replication_slots): drop it if unused"
        )
    return lines


async def check_vacuum_coverage(session: ReadOnlySession, budget: TimeBudget) -> Finding:
    """Tables with rows that were never vacuumed or analysed (since the statistics were last reset)."""
    rows = await session.fetch(_NEVER_MAINTAINED, NEVER_MAINTAINED_MIN_ROWS, timeout=CATALOG_TIMEOUT)
    settings = await session.fetchrow(_STATISTICS_SETTINGS, timeout=CATALOG_TIMEOUT)
    never_analyzed = sum(row["never_analyzed"] for row in rows)
    never_vacuumed = sum(row["never_vacuumed"] for row in rows)
    problems = []
    if not settings["autovacuum"]:
        problems.append("autovacuum is off for the whole server")
    if never_analyzed:
        problems.append(f"{plural(never_analyzed, 'table')} never analysed")
    if never_vacuumed:
        problems.append(f"{plural(never_vacuumed, 'table')} never vacuumed")
    if not problems:
        return VACUUM_COVERAGE.finding(Severity.OK, "every table with rows has been vacuumed and analysed")
    since = (
        f" (since statistics were reset {settings['stats_reset']:%Y-%m-%d %H:%M} UTC)"
        if settings["stats_reset"]
        else ""
    )
    details = [_never_maintained_line(row) for row in rows]
    fix = [
        f"VACUUM (ANALYZE) {row['table']};" if row["never_vacuumed"] else f"ANALYZE {row['table']};"
        for row in rows
    ]
    if not settings["autovacuum"]:
        fix.append("ALTER SYSTEM SET autovacuum = on; SELECT pg_reload_conf();")
    return VACUUM_COVERAGE.finding(Severity.WARNING, "; ".join(problems) + since, details=details, fix=fix)


def _never_maintained_line(row: asyncpg.Record) -> str:
    missing = [
        word
        for word, never in (("vacuumed", row["never_vacuumed"]), ("analysed", row["never_analyzed"]))
        if never
    ]
    line = f"{row['table']} ({row['live']:,} rows): never {' or '.join(missing)}"
    return line + (" — autovacuum is disabled on this table" if row["autovacuum_disabled"] else "")


async def check_dead_tuples(session: ReadOnlySession, budget: TimeBudget) -> Finding:
    """Tables where dead rows pile up (bloat): vacuum is not keeping up with updates and deletes."""
    rows = await session.fetch(_DEAD_TUPLES, DEAD_TUPLES_MIN, DEAD_TUPLES_RATIO, timeout=CATALOG_TIMEOUT)
    if not rows:
        return DEAD_TUPLES.finding(
            Severity.OK,
            f"no table has {DEAD_TUPLES_MIN:,}+ dead rows above {DEAD_TUPLES_RATIO:.0%} of its live rows",
        )
    details = [
        f"{row['table']}: {row['dead']:,} dead rows vs {row['live']:,} live "
        f"({row['dead'] / max(row['live'], 1):.0%}), last vacuumed "
        + (f"{human_duration(row['since_vacuum'])} ago" if row["since_vacuum"] is not None else "never")
        for row in rows
    ]
    return DEAD_TUPLES.finding(
        Severity.WARNING,
        f"{plural(len(rows), 'table')} with many dead rows: vacuum is not keeping up",
        details=details,
        fix=(f"VACUUM (ANALYZE, VERBOSE) {row['table']};" for row in rows),
    )
