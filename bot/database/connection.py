"""One asyncpg pool to Aphrodite's database: lazy, time-bounded, reconnecting, password-free errors."""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.config import Secret
from bot.database.driver_options import DriverOptions, driver_options
from bot.database.dsn import DsnParts, dsn_secrets, parse_dsn
from bot.errors import OpsError
from bot.redact import Redactor

log = logging.getLogger(__name__)

# Set at connection start, which overrides a role's or database's own search_path (ALTER ROLE ...
# SET search_path = evil, pg_catalog): a look-alike pg_tables or count() in another schema is
# never what the bot's unqualified names find.
SESSION_SETTINGS = {"application_name": "aphrodite-ops", "search_path": "pg_catalog, public"}


class DatabaseNotConfigured(OpsError):
    """DATABASE_URL is not set."""

    exit_code = 3

    def __init__(self) -> None:
        super().__init__(
            "No database configured: set DATABASE_URL (postgresql://user:password@host:5432/db)."
        )


class DatabaseUnavailable(OpsError):
    """The server could not be reached or refused us; ``reason`` says why in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Database unreachable: {reason}")
        self.reason = reason


def mask_dsn(dsn: Secret) -> str:
    """The connection string with its password replaced by ``***``."""
    parts = urlsplit(dsn.reveal())
    if parts.password is None:
        return dsn.reveal()
    netloc = f"{parts.username}:***@{parts.hostname}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class Database:
    """Owns the pool; every query through it has a timeout and fails with DatabaseUnavailable.

    The pool is created on first use and re-created after a failure, so the bot starts with the
    database down and recovers on its own when the server comes back.
    """

    def __init__(
        self,
        dsn: Secret | None,
        *,
        timeout: float = 10.0,
        max_size: int = 4,
        redactor: Redactor,
    ) -> None:
        self.dsn = dsn
        self.timeout = timeout
        self._max_size = max_size
        self._pool: asyncpg.Pool | None = None
        self._pool_lock = asyncio.Lock()
        # The process's one redactor (the Runtime's), taught this connection's secrets.
        self.redactor = redactor
        self.redactor.learn(dsn_secrets(dsn))

    @property
    def configured(self) -> bool:
        return self.dsn is not None

    @property
    def parts(self) -> DsnParts:
        if self.dsn is None:
            raise DatabaseNotConfigured()
        return parse_dsn(self.dsn)

    @property
    def driver_options(self) -> DriverOptions:
        """DATABASE_URL for asyncpg: libpq's client parameters mapped, not sent as server settings."""
        if self.dsn is None:
            raise DatabaseNotConfigured()
        return driver_options(self.dsn)

    @property
    def masked_dsn(self) -> str:
        return mask_dsn(self.dsn) if self.dsn else "(not configured)"

    async def _get_pool(self) -> asyncpg.Pool:
        if self.dsn is None:
            raise DatabaseNotConfigured()
        async with self._pool_lock:
            if self._pool is None:
                options = self.driver_options
                try:
                    self._pool = await asyncio.wait_for(
                        asyncpg.create_pool(
                            options.dsn,
                            min_size=0,
                            max_size=self._max_size,
                            timeout=options.timeout(self.timeout),
                            command_timeout=self.timeout,
                            max_inactive_connection_lifetime=60,
                            server_settings={**options.server_settings, **SESSION_SETTINGS},
                        ),
                        timeout=self.timeout + 1,
                    )
                except Exception as error:
                    raise self.unavailable(error) from None
            return self._pool

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection; connection-level failures become DatabaseUnavailable."""
        pool = await self._get_pool()
        try:
            async with asyncio.timeout(self.timeout + 1):
                connection = await pool.acquire()
        except Exception as error:
            await self._reset_pool()
            raise self.unavailable(error) from None
        try:
            # The pool hands out a proxy that forwards every method of the Connection it wraps.
            yield cast(asyncpg.Connection, connection)
        except (TimeoutError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError) as error:
            await self._reset_pool()
            raise self.unavailable(error) from None
        finally:
            await pool.release(connection)

    async def _reset_pool(self) -> None:
        async with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()

    def unavailable(self, error: BaseException) -> DatabaseUnavailable:
        """Translate a connection error into plain, password-free words."""
        reason = self.describe(error)
        log.warning("database unavailable: %s", reason)
        return DatabaseUnavailable(reason)

    def describe(self, error: BaseException) -> str:
        """A plain-words reason for a database error, with no password in it."""
        parts = self.parts
        where = f"{parts.host}:{parts.port}"
        if isinstance(error, DatabaseUnavailable):
            return error.reason
        if isinstance(error, (asyncio.TimeoutError, TimeoutError)):
            return f"no answer from {where} within {self.timeout:g} s (timeout)"
        if isinstance(error, ConnectionRefusedError):
            return f"connection refused by {where}: is PostgreSQL running and listening there?"
        if isinstance(error, socket.gaierror):
            return f"host name {parts.host!r} could not be resolved (DNS)"
        if isinstance(error, ssl.SSLError):
            return f"TLS error talking to {where}: {self.redactor(str(error))}"
        if isinstance(error, (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError)):
            return f"authentication failed for user {parts.user!r}: check the password in DATABASE_URL"
        if isinstance(error, asyncpg.InvalidCatalogNameError):
            return f"database {parts.database!r} does not exist on {where}"
        if isinstance(error, asyncpg.CannotConnectNowError):
            return f"{where} is starting up or shutting down"
        if isinstance(error, asyncpg.UndefinedObjectError | asyncpg.InvalidParameterValueError):
            # At connect, only the server settings of DATABASE_URL's query can be unknown or wrong.
            return f"{where} refused a setting from DATABASE_URL: {self.redactor(str(error))}"
        if isinstance(error, asyncpg.TooManyConnectionsError):
            return f"{where} has too many connections"
        if isinstance(error, (asyncpg.ConnectionDoesNotExistError, ConnectionResetError)):
            return f"the connection to {where} was closed (server restarting or stopped?)"
        if isinstance(error, OSError):
            return f"cannot connect to {where}: {self.redactor(error.strerror or str(error))}"
        return f"{type(error).__name__}: {self.redactor(str(error))}"

    async def close(self) -> None:
        async with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            try:
                await asyncio.wait_for(pool.close(), timeout=5)
            except TimeoutError:
                pool.terminate()
