"""Row counts of Aphrodite's main tables: what a restore reports before and after."""

from __future__ import annotations

from bot.database.aphrodite_tables import APHRODITE_TABLES
from bot.database.connection import Database

MAIN_TABLES = APHRODITE_TABLES

COUNT_TIMEOUT_SECONDS = 300


async def count_rows(database: Database, tables: tuple[str, ...] = MAIN_TABLES) -> dict[str, int | None]:
    """Exact row counts by table; None for a table the database does not have."""
    counts: dict[str, int | None] = {}
    async with database.connection() as connection:
        present = {
            row["name"]
            for row in await connection.fetch(
                "SELECT name FROM pg_catalog.unnest($1::text[]) AS name "
                "WHERE pg_catalog.to_regclass('public.' || pg_catalog.quote_ident(name)) IS NOT NULL",
                list(tables),
            )
        }
        for table in tables:
            if table not in present:
                counts[table] = None
                continue
            # Names come from MAIN_TABLES, not from users; quoted all the same.
            quoted = '"' + table.replace('"', '""') + '"'
            counts[table] = await connection.fetchval(
                f"SELECT pg_catalog.count(*) FROM public.{quoted}", timeout=COUNT_TIMEOUT_SECONDS
            )
    return counts
