"""Integrity checks of the data: sequences behind their columns, orphans of unvalidated foreign keys."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from bot.database.integrity.findings import Finding, IntegrityCheck, Severity, plural
from bot.database.read_only import CATALOG_TIMEOUT, ReadOnlySession, TimeBudget, failure_reason

# One object (a max(), an orphan count) may take at most this long, and only what the budget has left.
OBJECT_TIMEOUT = 10.0
# Without an index on the column, max() reads the whole table: only done for tables below this
# many 8 KiB pages (16 MiB).
UNINDEXED_MAX_PAGES = 2048
# A sequence this far through its column's integer range is worth a warning (int4 ids run out).
RANGE_WARNING = 0.8
# Orphans are counted up to this many; beyond it the report says "more than".
ORPHAN_COUNT_LIMIT = 1000

SEQUENCES = IntegrityCheck("sequences", "Sequences")
FOREIGN_KEYS = IntegrityCheck("foreign_keys", "Unvalidated foreign keys")

_TYPE_MAX = {"smallint": 2**15 - 1, "integer": 2**31 - 1, "bigint": 2**63 - 1}

_OWNED_SEQUENCES = """
SELECT pg_catalog.format('%I.%I', sn.nspname, s.relname) AS sequence,
       pg_catalog.quote_literal(pg_catalog.format('%I.%I', sn.nspname, s.relname)) AS sequence_literal,
       pg_catalog.format('%I.%I', tn.nspname, t.relname) AS table,
       pg_catalog.quote_ident(a.attname) AS column,
       a.atttypid::regtype::text AS column_type,
       seq.seqincrement AS increment,
       seq.seqmax AS sequence_max,
       (t.relkind = 'r' AND t.relpages < $1) AS small,
       EXISTS (
           SELECT 1 FROM pg_catalog.pg_index i
           JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
           JOIN pg_catalog.pg_am am ON am.oid = ic.relam
           WHERE i.indrelid = t.oid AND i.indkey[0] = a.attnum AND i.indisvalid AND am.amname = 'btree'
       ) AS indexed
FROM pg_catalog.pg_depend d
JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace
JOIN pg_catalog.pg_sequence seq ON seq.seqrelid = s.oid
JOIN pg_catalog.pg_class t ON t.oid = d.refobjid AND t.relkind IN ('r', 'p')
JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
  AND d.deptype IN ('a', 'i')
  AND a.atttypid IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype)
  AND tn.nspname NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1
"""

_UNVALIDATED_FOREIGN_KEYS = """
SELECT pg_catalog.quote_ident(c.conname) AS constraint,
       pg_catalog.format('%I.%I', cn.nspname, ct.relname) AS child,
       pg_catalog.format('%I.%I', pn.nspname, pt.relname) AS parent,
       ct.relkind = 'p' AS child_partitioned,
       pt.relkind = 'p' AS parent_partitioned,
       c.confmatchtype = 'f' AS match_full,
       ARRAY(SELECT pg_catalog.quote_ident(a.attname)
             FROM pg_catalog.unnest(c.conkey) WITH ORDINALITY AS k(attnum, position)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
             ORDER BY k.position) AS child_columns,
       ARRAY(SELECT pg_catalog.quote_ident(a.attname)
             FROM pg_catalog.unnest(c.confkey) WITH ORDINALITY AS k(attnum, position)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum
             ORDER BY k.position) AS parent_columns
FROM pg_catalog.pg_constraint c
JOIN pg_catalog.pg_class ct ON ct.oid = c.conrelid
JOIN pg_catalog.pg_namespace cn ON cn.oid = ct.relnamespace
JOIN pg_catalog.pg_class pt ON pt.oid = c.confrelid
JOIN pg_catalog.pg_namespace pn ON pn.oid = pt.relnamespace
WHERE c.contype = 'f' AND NOT c.convalidated AND c.conparentid = 0
ORDER BY 2, 1
"""


async def check_sequences(session: ReadOnlySession, budget: TimeBudget) -> Finding:
    """serial/identity sequences whose next value already exists in their column (the next insert fails)."""
    rows = await session.fetch(_OWNED_SEQUENCES, UNINDEXED_MAX_PAGES, timeout=CATALOG_TIMEOUT)
    behind, near_limit, fixes, not_checked = [], [], [], []
    checked = 0
    for row in rows:
        label = f"{row['sequence']} ({row['table']}.{row['column']})"
        if not (row["indexed"] or row["small"]):
            not_checked.append(f"{label}: column not indexed, max() would scan the table")
            continue
        if budget.spent:
            not_checked.append(f"{label}: time budget ran out")
            continue
        try:
            position = await session.fetchrow(_position_query(row), timeout=budget.limit(OBJECT_TIMEOUT))
        except asyncpg.PostgresError as error:
            not_checked.append(f"{label}: {failure_reason(error)}")
            continue
        checked += 1
        increment, edge = row["increment"], position["edge"]
        next_value = position["last_value"] + increment if position["is_called"] else position["last_value"]
        if edge is not None and (next_value <= edge if increment > 0 else next_value >= edge):
            behind.append(f"{label}: next value {next_value:,} but the column already has {edge:,}")
            fixes.append(
                f"SELECT setval({row['sequence_literal']}, "
                f"(SELECT {_edge(row)}({row['column']}) FROM {row['table']}));"
            )
            continue
        limit = min(_TYPE_MAX[row["column_type"]], row["sequence_max"])
        if increment > 0 and next_value >= RANGE_WARNING * limit:
            near_limit.append(f"{label}: {next_value / limit:.0%} of the {row['column_type']} range used")
            fixes.append(
                f"ALTER TABLE {row['table']} ALTER COLUMN {row['column']} TYPE bigint;  "
                "-- rewrites the table: plan a maintenance window"
            )
    skipped = f"; {len(not_checked)} not checked" if not_checked else ""
    if behind:
        severity = Severity.PROBLEM
        summary = f"{plural(len(behind), 'sequence')} behind their column: the next insert will fail{skipped}"
    elif near_limit:
        severity = Severity.WARNING
        summary = f"{plural(len(near_limit), 'sequence')} close to the end of their integer range{skipped}"
    elif not checked and not_checked:
        severity = Severity.SKIPPED
        summary = f"none of {plural(len(not_checked), 'sequence')} could be checked"
    else:
        severity = Severity.OK
        summary = f"{plural(checked, 'sequence')} ahead of their columns{skipped}"
    return SEQUENCES.finding(
        severity, summary, details=[*behind, *near_limit], fix=fixes, not_checked=not_checked
    )


def _edge(row: asyncpg.Record) -> str:
    """The column's end a sequence moves towards: max for ascending, min for descending ones."""
    return "max" if row["increment"] > 0 else "min"


def _position_query(row: asyncpg.Record) -> str:
    # Names come from the catalog already quoted by the server (format('%I'), quote_ident).
    edge = f"(SELECT {_edge(row)}({row['column']}) FROM {row['table']})"
    return f"SELECT s.last_value, s.is_called, {edge} AS edge FROM {row['sequence']} AS s"


@dataclass(frozen=True)
class _ForeignKey:
    constraint: str
    child: str
    parent: str
    child_from: str
    parent_from: str
    match_full: bool
    child_columns: tuple[str, ...]
    parent_columns: tuple[str, ...]

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> _ForeignKey:
        # ONLY, as PostgreSQL's own checks do: inheritance children are not bound by the constraint.
        return cls(
            constraint=row["constraint"],
            child=row["child"],
            parent=row["parent"],
            child_from=row["child"] if row["child_partitioned"] else f"ONLY {row['child']}",
            parent_from=row["parent"] if row["parent_partitioned"] else f"ONLY {row['parent']}",
            match_full=row["match_full"],
            child_columns=tuple(row["child_columns"]),
            parent_columns=tuple(row["parent_columns"]),
        )

    @property
    def orphan_condition(self) -> str:
        """WHERE clause (child aliased ``c``) that holds for rows the constraint would reject."""
        matches = " AND ".join(
            f"p.{parent} = c.{child}"
            for child, parent in zip(self.child_columns, self.parent_columns, strict=True)
        )
        all_set = " AND ".join(f"c.{column} IS NOT NULL" for column in self.child_columns)
        missing = f"{all_set} AND NOT EXISTS (SELECT 1 FROM {self.parent_from} AS p WHERE {matches})"
        if not self.match_full:
            return missing
        # MATCH FULL also rejects keys that are partly NULL.
        any_set = " OR ".join(f"c.{column} IS NOT NULL" for column in self.child_columns)
        return f"({missing}) OR (({any_set}) AND NOT ({all_set}))"

    @property
    def validate(self) -> str:
        return f"ALTER TABLE {self.child} VALIDATE CONSTRAINT {self.constraint};"


async def check_unvalidated_foreign_keys(session: ReadOnlySession, budget: TimeBudget) -> Finding:
    """Foreign keys added NOT VALID were never checked against existing rows: count their orphans."""
    keys = [
        _ForeignKey.from_row(row)
        for row in await session.fetch(_UNVALIDATED_FOREIGN_KEYS, timeout=CATALOG_TIMEOUT)
    ]
    if not keys:
        return FOREIGN_KEYS.finding(Severity.OK, "every foreign key is validated")
    with_orphans, clean, fixes, not_checked = [], [], [], []
    for key in keys:
        label = f"{key.child} → {key.parent} ({key.constraint})"
        if budget.spent:
            not_checked.append(f"{label}: time budget ran out")
            continue
        try:
            orphans = await session.fetchval(
                f"SELECT pg_catalog.count(*) FROM (SELECT 1 FROM {key.child_from} AS c "
                f"WHERE {key.orphan_condition} LIMIT {ORPHAN_COUNT_LIMIT + 1}) AS orphans",
                timeout=budget.limit(OBJECT_TIMEOUT),
            )
        except asyncpg.PostgresError as error:
            not_checked.append(f"{label}: {failure_reason(error)}")
            continue
        if not orphans:
            clean.append(label)
            fixes.append(key.validate)
            continue
        count = f"more than {ORPHAN_COUNT_LIMIT:,}" if orphans > ORPHAN_COUNT_LIMIT else f"{orphans:,}"
        with_orphans.append(f"{label}: {count} orphaned rows")
        fixes.extend(
            (
                f"SELECT * FROM {key.child_from} AS c WHERE {key.orphan_condition};  -- the orphaned rows",
                f"DELETE FROM {key.child_from} AS c WHERE {key.orphan_condition};  -- or repair them instead",
                key.validate,
            )
        )
    skipped = f"; {len(not_checked)} not checked" if not_checked else ""
    if with_orphans:
        severity = Severity.PROBLEM
        summary = f"{plural(len(with_orphans), 'NOT VALID foreign key')} with orphaned rows{skipped}"
    elif not clean:
        severity = Severity.SKIPPED
        summary = f"none of {plural(len(not_checked), 'NOT VALID foreign key')} could be checked"
    else:
        severity = Severity.OK
        summary = (
            f"{plural(len(clean), 'NOT VALID foreign key')}, no orphaned rows: they can be validated{skipped}"
        )
    return FOREIGN_KEYS.finding(
        severity,
        summary,
        details=[*with_orphans, *(f"{label}: no orphans" for label in clean)],
        fix=fixes,
        not_checked=not_checked,
    )
