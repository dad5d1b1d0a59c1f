"""The scratch databases of restore drills: created fresh, dropped whatever happens, leftovers swept.

They live on DRILL_DATABASE_URL's server (default: DATABASE_URL's), named
`aphrodite_drill_YYYYMMDD_HHMMSS` (UTC) and owned by its role, which must be allowed to create
databases. A drill drops its database in `finally`; one that a killed process left is dropped by
`sweep_leftovers` at the next start or drill, which runs under the backups' operation lock: the
scratch database this installation noted in its state store (``ledger``) as in use is dropped at
once, since its drill died with the lock; any other of our role only when it is older than a few
minutes and nobody is connected to it (a drill running elsewhere is left alone). The live
database is never changed: CREATE and DROP DATABASE run on a connection to the URL's database
(or `postgres`), and every statement names `aphrodite_drill_*` databases only.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import asyncpg

from bot.backups.restore.rights import RestoreRights, restore_rights
from bot.config import Secret
from bot.database.connection import Database, DatabaseUnavailable
from bot.database.dsn import parse_dsn
from bot.errors import OpsError
from bot.redact import Redactor
from bot.state import StateStore

log = logging.getLogger(__name__)

PREFIX = "aphrodite_drill_"
SCRATCH_NAME = re.compile(rf"{PREFIX}(?P<stamp>\d{{8}}_\d{{6}})\Z")
STAMP_FORMAT = "%Y%m%d_%H%M%S"
LEFTOVER_AGE = timedelta(minutes=5)
LEDGER_KEY = "drills.scratch_in_use"
_ADMIN_DATABASE = "postgres"  # where CREATE/DROP DATABASE run when the URL names no database

_ROLE = "SELECT current_user AS name, quote_ident(current_user) AS quoted, rolcreatedb OR rolsuper AS may "
_ROLE += "FROM pg_catalog.pg_roles WHERE rolname = current_user"
_OURS = """
SELECT d.datname,
       EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.datname = d.datname) AS in_use
FROM pg_catalog.pg_database d
WHERE d.datname LIKE 'aphrodite\\_drill\\_%' AND d.datdba = (SELECT oid FROM pg_catalog.pg_roles
                                                            WHERE rolname = current_user)
"""


class DrillNotPermitted(OpsError):
    """The drill role may not create databases; the message gives the exact grant."""

    exit_code = 3


class ScratchServer:
    """Where scratch databases are made: DRILL_DATABASE_URL, or DATABASE_URL's server."""

    def __init__(
        self, dsn: Secret, *, redactor: Redactor, timeout: float = 10.0, ledger: StateStore | None = None
    ) -> None:
        self._dsn = dsn
        self._ledger = ledger
        self._redactor = redactor
        self._timeout = timeout
        # For describing connection failures in words (and teaching the redactor the URL); it
        # never opens a pool: every statement here runs on a connection of its own.
        self._admin = Database(_with_database(dsn, _admin_database(dsn)), timeout=timeout, redactor=redactor)

    def database(self, name: str) -> Database:
        """A Database for scratch database ``name`` (one of ours, never the live one)."""
        assert SCRATCH_NAME.fullmatch(name), name
        return Database(_with_database(self._dsn, name), timeout=self._timeout, redactor=self._redactor)

    async def create(self, now: datetime | None = None) -> str:
        """A new empty scratch database; DrillNotPermitted with the grant when the role may not."""
        moment = (now or datetime.now(UTC)).replace(microsecond=0)
        async with self._connection() as connection:
            role = await connection.fetchrow(_ROLE)
            assert role is not None, "current_user is always a role"
            if not role["may"]:
                raise self._not_permitted(role["name"], role["quoted"])
            while True:
                name = f"{PREFIX}{moment.strftime(STAMP_FORMAT)}"
                try:
                    await connection.execute(f"CREATE DATABASE {name}")
                except asyncpg.DuplicateDatabaseError:
                    moment += timedelta(seconds=1)
                    continue
                except asyncpg.InsufficientPrivilegeError:
                    raise self._not_permitted(role["name"], role["quoted"]) from None
                log.info("created scratch database %s for a restore drill", name)
                await self._note(name)
                return name

    async def drop(self, name: str) -> None:
        """DROP DATABASE ... WITH (FORCE): ends sessions still connected to it (a replay cut short)."""
        assert SCRATCH_NAME.fullmatch(name), name
        async with self._connection() as connection:
            await connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        log.info("dropped scratch database %s", name)
        await self._note(None)

    async def sweep_leftovers(self, now: datetime | None = None) -> tuple[str, ...]:
        """Drop the noted scratch database, and ours older than LEFTOVER_AGE that nobody is connected to.

        The caller holds the operation lock: a noted drill that is not running any more died.
        """
        cutoff = (now or datetime.now(UTC)) - LEFTOVER_AGE
        noted = await self._ledger.get(LEDGER_KEY) if self._ledger is not None else None
        dropped = []
        async with self._connection() as connection:
            for row in await connection.fetch(_OURS):
                name = row["datname"]
                created = _stamp(name)
                old_and_unused = created is not None and created <= cutoff and not row["in_use"]
                if name != noted and not old_and_unused:
                    continue
                await connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                log.warning("dropped scratch database %s, left by an interrupted drill", name)
                dropped.append(name)
        if noted is not None:
            await self._note(None)
        return tuple(dropped)

    async def _note(self, name: str | None) -> None:
        """Remember the scratch database in use (None: none), for the sweep after a crash."""
        if self._ledger is None:
            return
        try:
            await self._ledger.put(LEDGER_KEY, name)
        except (OSError, sqlite3.Error):  # the drill goes on; the age rule of the sweep still applies
            log.warning("could not note the scratch database %s in the state store", name, exc_info=True)

    def _not_permitted(self, role: str, quoted: str) -> DrillNotPermitted:
        parts = self._admin.parts
        return DrillNotPermitted(
            f"User {role!r} may not create databases on {parts.host}:{parts.port}, so no restore drill "
            f"can run. Grant it as a superuser: ALTER ROLE {quoted} CREATEDB; or set DRILL_DATABASE_URL "
            "to a role that may create databases."
        )

    async def rights(self) -> RestoreRights:
        """What the drill role may do beyond a database owner (restore/rights.py), asked of the server."""
        async with self._connection() as connection:
            return await restore_rights(connection)

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        try:
            connection = await asyncpg.connect(
                self._admin.dsn.reveal() if self._admin.dsn else "",
                timeout=self._timeout,
                command_timeout=max(self._timeout, 60),
                server_settings={"application_name": "aphrodite-ops drill"},
            )
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as error:
            raise DatabaseUnavailable(self._admin.describe(error)) from None
        try:
            yield connection
        finally:
            await connection.close(timeout=5)


def _stamp(name: str) -> datetime | None:
    match = SCRATCH_NAME.fullmatch(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match["stamp"], STAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _admin_database(dsn: Secret) -> str:
    """The database the URL names (where CREATE DATABASE runs), else ``postgres``."""
    return parse_dsn(dsn).database or _ADMIN_DATABASE


def _with_database(dsn: Secret, name: str) -> Secret:
    """``dsn`` naming database ``name``; a `dbname` query parameter would win, so it goes.

    The other query parameters stay exactly as written (libpq reads them, not urllib).
    """
    url = urlsplit(dsn.reveal())
    query = "&".join(
        pair for pair in url.query.split("&") if pair and unquote(pair.partition("=")[0]) != "dbname"
    )
    return Secret(urlunsplit((url.scheme, url.netloc, "/" + quote(name), query, url.fragment)))
