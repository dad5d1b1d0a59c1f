"""Clearing the database before an in-place replay: every object the restoring role owns goes.

The dump then recreates the database exactly as it was, whether it brings its own DROP statements
(our `--clean` dumps) or not (Aphrodite's `--create` dumps, which fail on any object left behind).
It runs inside the restore's transaction: until COMMIT nothing is visible to anyone, and any
failure rolls every drop back.

Each kind of object pg_dump writes has one entry in ``DROPS``, in an order that needs no
dependency sorting: event triggers first (one guarding DDL would refuse the drops after it), then
the objects others hang on, each dropped with CASCADE and IF EXISTS, so one a cascade already took
is skipped. An object that exists only as a part of another (a range type's constructors and
multirange, an identity column's sequence, an array type) is never dropped itself: PostgreSQL
refuses that, and it goes with its owner. Neither are system objects nor extensions' members.
Each kind's statements are listed before the first of them runs, and a failure names the
statement that failed.
"""

from __future__ import annotations

from dataclasses import dataclass

CLEARING_FAILED = "clearing the database before the replay failed at"


@dataclass(frozen=True)
class Drop:
    """One kind of object: its catalog, and how its DROP statements are made from that catalog's rows."""

    catalog: str
    alias: str
    owner: str
    statement: str  # a format(...) over the row (alias) and, for schema objects, n (its pg_namespace)
    namespace: str | None = None  # the column naming its schema; None for a database-wide object
    joins: str = ""
    where: str = "true"
    order: str = "1"

    def query(self) -> str:
        """The SELECT of every statement of this kind, as one array, in the order they run."""
        source = f"pg_catalog.{self.catalog} {self.alias}"
        condition = f"({self.where}) AND {_owned_and_whole(self)}"
        if self.namespace is not None:
            source += f" JOIN pg_catalog.pg_namespace n ON n.oid = {self.alias}.{self.namespace}"
            condition += " AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'"
        return (
            f"SELECT pg_catalog.array_agg({self.statement} ORDER BY {self.order}) "
            f"FROM {source} {self.joins} WHERE {condition}"
        )


def _owned_and_whole(drop: Drop) -> str:
    """Owned by the restoring role (or one it is a member of), not an extension's, not part of another."""
    return (
        f"pg_catalog.pg_has_role({drop.alias}.{drop.owner}, 'USAGE')"
        " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
        f" WHERE d.classid = 'pg_catalog.{drop.catalog}'::pg_catalog.regclass"
        f" AND d.objid = {drop.alias}.oid AND d.deptype IN ('e', 'x', 'i')"
        # a partitioned table's key depends on its own columns ('i'): that makes it no part of another
        f" AND NOT (d.refclassid = d.classid AND d.refobjid = d.objid))"
    )


def _named(kind: str, catalog: str, alias: str, prefix: str, *, schema: bool = True) -> Drop:
    """An object dropped by its name alone: `DROP <kind> IF EXISTS [schema.]name CASCADE`."""
    if schema:
        statement = (
            f"pg_catalog.format('DROP {kind} IF EXISTS %I.%I CASCADE', n.nspname, {alias}.{prefix}name)"
        )
        return Drop(catalog, alias, f"{prefix}owner", statement, namespace=f"{prefix}namespace")
    statement = f"pg_catalog.format('DROP {kind} IF EXISTS %I CASCADE', {alias}.{prefix}name)"
    return Drop(catalog, alias, f"{prefix}owner", statement)


DROPS: tuple[Drop, ...] = (
    Drop(
        "pg_event_trigger", "e", "evtowner", "pg_catalog.format('DROP EVENT TRIGGER IF EXISTS %I', e.evtname)"
    ),
    Drop("pg_publication", "b", "pubowner", "pg_catalog.format('DROP PUBLICATION IF EXISTS %I', b.pubname)"),
    Drop(
        "pg_class",
        "c",
        "relowner",
        "pg_catalog.format('DROP %s IF EXISTS %I.%I CASCADE', CASE c.relkind WHEN 'v' THEN 'VIEW'"
        " WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'"
        " ELSE 'TABLE' END, n.nspname, c.relname)",
        namespace="relnamespace",
        where="c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')",
        order="c.relkind IN ('S', 'v', 'm'), c.oid",
    ),
    Drop(
        "pg_proc",
        "p",
        "proowner",
        "pg_catalog.format('DROP %s IF EXISTS %I.%I(%s) CASCADE', CASE p.prokind WHEN 'a' THEN"
        " 'AGGREGATE' WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, n.nspname, p.proname,"
        " pg_catalog.pg_get_function_identity_arguments(p.oid))",
        namespace="pronamespace",
        order="p.oid",
    ),
    Drop(
        "pg_type",
        "t",
        "typowner",
        "pg_catalog.format('DROP %s IF EXISTS %I.%I CASCADE',"
        " CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname, t.typname)",
        namespace="typnamespace",
        joins="LEFT JOIN pg_catalog.pg_class r ON r.oid = t.typrelid",
        where="t.typtype IN ('b', 'd', 'e', 'p', 'r') OR (t.typtype = 'c' AND r.relkind = 'c')",
        order="t.oid",
    ),
    Drop(
        "pg_operator",
        "o",
        "oprowner",
        "pg_catalog.format('DROP OPERATOR IF EXISTS %I.%s(%s, %s) CASCADE', n.nspname, o.oprname,"
        " coalesce(o.oprleft::pg_catalog.regtype::text, 'NONE'),"
        " coalesce(o.oprright::pg_catalog.regtype::text, 'NONE'))",
        namespace="oprnamespace",
    ),
    Drop(
        "pg_opfamily",
        "f",
        "opfowner",
        "pg_catalog.format('DROP OPERATOR FAMILY IF EXISTS %I.%I USING %I CASCADE',"
        " n.nspname, f.opfname, a.amname)",
        namespace="opfnamespace",
        joins="JOIN pg_catalog.pg_am a ON a.oid = f.opfmethod",
    ),
    _named("COLLATION", "pg_collation", "l", "coll"),
    _named("CONVERSION", "pg_conversion", "v", "con"),
    _named("TEXT SEARCH CONFIGURATION", "pg_ts_config", "g", "cfg"),
    _named("TEXT SEARCH DICTIONARY", "pg_ts_dict", "y", "dict"),
    _named("STATISTICS", "pg_statistic_ext", "s", "stx"),
    _named("SERVER", "pg_foreign_server", "fs", "srv", schema=False),
    _named("FOREIGN DATA WRAPPER", "pg_foreign_data_wrapper", "w", "fdw", schema=False),
    Drop(
        "pg_namespace",
        "n",
        "nspowner",
        "pg_catalog.format('DROP SCHEMA IF EXISTS %I CASCADE', n.nspname)",
        where="n.nspname <> 'public' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'",
    ),
)


def clear_schema() -> str:
    """One DO block dropping every object the restoring role owns, and its large objects."""
    loops = "\n".join(
        f"""    SELECT ({drop.query()}) INTO statements;
    FOREACH current_statement IN ARRAY coalesce(statements, '{{}}') LOOP
        EXECUTE current_statement;
    END LOOP;"""
        for drop in DROPS
    )
    return f"""
DO $aphrodite_ops_clear$
DECLARE
    statements text[];
    current_statement text := 'the listing of the objects to drop';
BEGIN
{loops}
    current_statement := 'the removal of the large objects';
    PERFORM pg_catalog.lo_unlink(l.oid) FROM pg_catalog.pg_largeobject_metadata l
    WHERE pg_catalog.pg_has_role(l.lomowner, 'USAGE');
EXCEPTION WHEN OTHERS THEN
    RAISE EXCEPTION USING ERRCODE = SQLSTATE,
        MESSAGE = pg_catalog.format('{CLEARING_FAILED} %s: %s', current_statement, SQLERRM);
END
$aphrodite_ops_clear$;
"""
