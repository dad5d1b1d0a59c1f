"""Integrity checks of Aphrodite's schema: expected tables, the settings row, invalid indexes."""

from __future__ import annotations

import json
import re

from bot.database.aphrodite_tables import APHRODITE_TABLES
from bot.database.integrity.findings import Finding, IntegrityCheck, Severity, plural
from bot.database.read_only import CATALOG_TIMEOUT, ReadOnlySession, TimeBudget

SETTINGS_KEY = "settings.yaml"

EXPECTED_TABLES = IntegrityCheck("expected_tables", "Aphrodite tables")
SETTINGS_JSON = IntegrityCheck("settings_json", "Aphrodite settings")
INVALID_INDEXES = IntegrityCheck("invalid_indexes", "Invalid indexes")

# REINDEX CONCURRENTLY leaves <name>_ccnew / <name>_ccold behind when it fails; PostgreSQL's
# documentation says to drop those rather than rebuild them.
_REINDEX_LEFTOVER = re.compile(r"_cc(new|old)\d*\"?$")

_INVALID_INDEXES = """
SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) AS index,
       pg_catalog.format('%I.%I', tn.nspname, t.relname) AS table,
       i.indisready AS ready,
       EXISTS (SELECT 1 FROM pg_catalog.pg_stat_progress_create_index p
               WHERE p.index_relid = i.indexrelid) AS building
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
WHERE NOT (i.indisvalid AND i.indisready) AND i.indislive AND c.relpersistence <> 't'
ORDER BY 1
"""


async def check_expected_tables(session: ReadOnlySession, budget: TimeBudget) -> Finding:
    """Aphrodite's tables are all there (resolved through the bot's search_path: pg_catalog, public)."""
    missing = [
        row["name"]
        for row in await session.fetch(
            "SELECT name FROM pg_catalog.unnest($1::text[]) AS name "
            "WHERE pg_catalog.to_regclass(pg_catalog.quote_ident(name)) IS NULL",
            list(APHRODITE_TABLES),
            timeout=CATALOG_TIMEOUT,
        )
    ]
    if not missing:
        return EXPECTED_TABLES.finding(Severity.OK, f"all {len(APHRODITE_TABLES)} tables present")
    return EXPECTED_TABLES.finding(
        Severity.PROBLEM,
        f"{plural(len(missing), 'table')} missing: {', '.join(missing)}",
        details=(f"missing table {name}" for name in missing),
        fix=(
            "Restore the database from a backup (the bot's backup restore command), or let Aphrodite "
            "recreate its schema (restart it so its migrations run: alembic upgrade head).",
        ),
    )


async def check_settings_json(session: ReadOnlySession, budget: TimeBudget) -> Finding:
    """The system_config row 'settings.yaml' holds a JSON object (text or jsonb column).

    The value holds API keys: neither it nor any part of it ever goes into the finding.
    """
    if (
        await session.fetchval("SELECT pg_catalog.to_regclass('system_config')", timeout=CATALOG_TIMEOUT)
        is None
    ):
        return SETTINGS_JSON.finding(Severity.SKIPPED, "table system_config is missing")
    rows = await session.fetch(
        "SELECT value::text AS value FROM system_config WHERE key = $1", SETTINGS_KEY, timeout=CATALOG_TIMEOUT
    )
    if not rows:
        return SETTINGS_JSON.finding(
            Severity.WARNING,
            f"no {SETTINGS_KEY!r} row in system_config: Aphrodite runs on its defaults",
            fix=("Save the settings once in Aphrodite's web UI (Settings page).",),
        )
    value = rows[0]["value"]
    error = _json_object_error(value)
    if error is None:
        return SETTINGS_JSON.finding(Severity.OK, f"{SETTINGS_KEY!r} is valid JSON")
    return SETTINGS_JSON.finding(
        Severity.PROBLEM,
        f"{SETTINGS_KEY!r} in system_config is not usable: {error}",
        details=(f"system_config key = {SETTINGS_KEY!r}: {error}",),
        fix=(
            "Re-save the settings in Aphrodite's web UI (Settings page), or restore system_config "
            "from a backup.",
        ),
    )


def _json_object_error(value: str | None) -> str | None:
    """Why ``value`` is not a JSON object, in words that quote none of its content."""
    if value is None:
        return "the value is NULL"
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as error:
        # The message and the position only, never the document.
        return f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
    if not isinstance(parsed, dict):
        return f"JSON but not an object (a {type(parsed).__name__})"
    return None


async def check_invalid_indexes(session: ReadOnlySession, budget: TimeBudget) -> Finding:
    """Indexes marked invalid or not ready: left by a failed CREATE INDEX/REINDEX CONCURRENTLY."""
    rows = await session.fetch(_INVALID_INDEXES, timeout=CATALOG_TIMEOUT)
    broken = [row for row in rows if not row["building"]]
    building = [row for row in rows if row["building"]]
    if not broken:
        summary = "no invalid indexes"
        if building:
            summary += f" ({plural(len(building), 'index', 'indexes')} being built right now)"
        return INVALID_INDEXES.finding(Severity.OK, summary)
    return INVALID_INDEXES.finding(
        Severity.PROBLEM,
        f"{plural(len(broken), 'invalid index', 'invalid indexes')}: queries cannot use them",
        details=(
            f"{row['index']} on {row['table']} ({'not valid' if row['ready'] else 'not ready'})"
            for row in broken
        ),
        fix=(_index_fix(row["index"]) for row in broken),
    )


def _index_fix(index: str) -> str:
    if _REINDEX_LEFTOVER.search(index):
        return f"DROP INDEX CONCURRENTLY {index};  -- leftover of a failed REINDEX CONCURRENTLY"
    return f"REINDEX INDEX CONCURRENTLY {index};"
