"""Whom the bot is connected as: a superuser connection is a risk worth saying out loud.

A superuser can read and change every database of the server, so a leaked DATABASE_URL or a bug
in a restore would reach far beyond Aphrodite's tables. `/db status`, `python -m bot db status`
and the bot's start all say so, with what to do.
"""

from __future__ import annotations

import logging

import asyncpg

from bot.database.connection import Database, DatabaseUnavailable
from bot.database.read_only import CATALOG_TIMEOUT, ReadOnlySession, failure_reason

log = logging.getLogger(__name__)

SUPERUSER_QUERY = "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user"
SUPERUSER_RISK = (
    "connected as a superuser: the bot could read and change every database of this server. "
    "→ Connect as the database's owner instead (a role without SUPERUSER) in DATABASE_URL."
)


async def connected_as_superuser(database: Database) -> bool:
    """Whether DATABASE_URL's role is a superuser; DatabaseUnavailable or PostgresError if unknown."""
    async with database.connection() as connection:
        return bool(await ReadOnlySession(connection).fetchval(SUPERUSER_QUERY, timeout=CATALOG_TIMEOUT))


async def warn_if_superuser(database: Database) -> None:
    """Log one warning at start when the bot connects as a superuser (nothing without a database)."""
    if not database.configured:
        return
    try:
        superuser = await connected_as_superuser(database)
    except DatabaseUnavailable as error:
        log.info("could not tell whether DATABASE_URL's role is a superuser: %s", error.reason)
        return
    except asyncpg.PostgresError as error:
        log.info("could not tell whether DATABASE_URL's role is a superuser: %s", failure_reason(error))
        return
    if superuser:
        log.warning("database: %s", SUPERUSER_RISK)
