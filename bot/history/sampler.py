"""GrowthSampler: the database's size and largest tables, read at most once an hour."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import asyncpg

from bot.database.connection import Database, DatabaseNotConfigured, DatabaseUnavailable
from bot.database.read_only import CATALOG_TIMEOUT, ReadOnlySession, failure_reason
from bot.history.sizes import SizeHistory, SizeSample, TableBytes

log = logging.getLogger(__name__)

SAMPLE_EVERY = timedelta(hours=1)
LARGEST_TABLES = 5

_TOTAL = "SELECT pg_database_size(current_database())"
# Tables, partitioned tables and materialised views with their indexes and TOAST; pg_toast and
# the catalogs are not Aphrodite's data.
_LARGEST = """
SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name,
       pg_total_relation_size(c.oid) AS total_bytes
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast'
ORDER BY 2 DESC, 1
LIMIT $1
"""


class GrowthSampler:
    """Takes a size sample when the stored one is an hour old; the monitor may call it every round.

    The last sample's time is read from the store each time, so samplers in the monitor and in
    `/db growth` (and across restarts) keep to one sample an hour between them.
    """

    def __init__(self, sizes: SizeHistory) -> None:
        self.sizes = sizes

    async def maybe_sample(self, database: Database, now: datetime) -> SizeSample | None:
        """The new sample, or None when one is less than an hour old or the database could not say.

        Never raises for a missing or unreachable database: the reason is logged and the next
        round tries again.
        """
        last = await self.sizes.last_at()
        if last is not None and now - last < SAMPLE_EVERY:
            return None
        try:
            sample = await read_sizes(database, now)
        except DatabaseNotConfigured:
            return None
        except DatabaseUnavailable as error:
            log.warning("database size not sampled: %s", error.reason)
            return None
        except (asyncpg.PostgresError, TimeoutError) as error:
            reason = "timed out" if isinstance(error, TimeoutError) else failure_reason(error)
            log.warning("database size not sampled: %s", reason)
            return None
        await self.sizes.record(sample)
        return sample


async def read_sizes(database: Database, now: datetime) -> SizeSample:
    """The total size and the five largest tables, read-only and bounded in time and lock waits."""
    async with asyncio.timeout(database.timeout + 2), database.connection() as connection:
        session = ReadOnlySession(connection)
        total = await session.fetchval(_TOTAL, timeout=CATALOG_TIMEOUT)
        rows = await session.fetch(_LARGEST, LARGEST_TABLES, timeout=CATALOG_TIMEOUT)
    if not isinstance(total, int):  # pg_database_size() is a bigint: anything else is a bug upstream
        raise TypeError(f"pg_database_size() gave {type(total).__name__}, not an integer")
    tables = tuple(TableBytes(row["name"], row["total_bytes"]) for row in rows)
    return SizeSample(at=now, total_bytes=total, tables=tables)
