"""Exact row counts of every user table that holds rows: what a dump recorded and a drill compares.

Leaf tables only (relkind 'r', partitions included): a partitioned parent has no rows of its own,
and `FROM ONLY` counts a table's own rows the way pg_dump's COPY of it does, not its children's.
Tables that belong to an extension are left out, as pg_dump leaves out their data.
"""

from __future__ import annotations

import asyncpg

_LEAF_TABLES = """
SELECT format('%I.%I', n.nspname, c.relname) AS name
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND c.relpersistence <> 't'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend d
      WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
  )
ORDER BY 1
"""


async def count_leaf_tables(connection: asyncpg.Connection, *, timeout: float | None) -> dict[str, int]:
    """``{"public.media_items": 1200, ...}`` as this connection's transaction sees them."""
    names = [row["name"] for row in await connection.fetch(_LEAF_TABLES, timeout=timeout)]
    counts: dict[str, int] = {}
    for name in names:
        # format('%I.%I') quoted the name already.
        counts[name] = await connection.fetchval(f"SELECT count(*) FROM ONLY {name}", timeout=timeout)
    return counts
