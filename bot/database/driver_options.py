"""DATABASE_URL as asyncpg takes it: libpq's client parameters mapped, only the rest sent as server settings.

asyncpg reads a few libpq query parameters itself (sslmode, sslrootcert, ...) and sends every
other one to the server as a setting at connect, so `?connect_timeout=2` fails with "unrecognized
configuration parameter". Here libpq's own parameters are what libpq makes of them (a connect
timeout, `options`' `-c name=value` settings) or dropped with one warning; only names libpq does
not know are server settings, as `options` would make them (pg_dump gets them in PGOPTIONS: dsn.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit, urlunsplit

from bot.config import Secret
from bot.database.dsn import (
    LIBPQ_PARAMETERS,
    options_settings,
    raw_query_pairs,
    warn_unsupported,
)

# The query parameters asyncpg reads itself (connect_utils._parse_connect_dsn_and_args).
_ASYNCPG_READS = frozenset(
    "host port user password passfile dbname database service sslmode sslcert sslkey sslrootcert "
    "sslcrl sslpassword sslnegotiation ssl_min_protocol_version ssl_max_protocol_version "
    "target_session_attrs krbsrvname gsslib".split()
)
_DRIVER = "the bot's database driver (asyncpg)"


@dataclass(frozen=True)
class DriverOptions:
    """What `asyncpg.connect`/`create_pool` take: the URL, server settings and the connect timeout."""

    dsn: str
    server_settings: dict[str, str] = field(default_factory=dict)
    connect_timeout: float | None = None  # libpq's connect_timeout, when the URL sets one

    def timeout(self, limit: float) -> float:
        """The connect timeout: the URL's when shorter than ``limit`` (the bot's own)."""
        return limit if self.connect_timeout is None else min(limit, self.connect_timeout)


def driver_options(dsn: Secret) -> DriverOptions:
    """Split DATABASE_URL's query into what asyncpg reads, a connect timeout and server settings."""
    url = urlsplit(dsn.reveal())
    kept: list[str] = []
    settings: dict[str, str] = {}
    timeout: float | None = None
    for raw_name, raw_value in raw_query_pairs(url.query):
        name, value = unquote(raw_name), unquote(raw_value)
        if name in _ASYNCPG_READS:
            kept.append(f"{raw_name}={raw_value}")
        elif name == "connect_timeout":
            timeout = _libpq_timeout(value)
        elif name == "options":
            parsed = options_settings(value)
            if parsed is None:
                warn_unsupported(name, _DRIVER)
            else:
                settings.update(parsed)
        elif name in LIBPQ_PARAMETERS:  # client options (the bot names its own connections)
            warn_unsupported(name, _DRIVER)
        else:
            settings[name] = value
    cleaned = urlunsplit((url.scheme, url.netloc, url.path, "&".join(kept), url.fragment))
    return DriverOptions(cleaned, settings, timeout)


def _libpq_timeout(text: str) -> float | None:
    """libpq: whole seconds, 0 or less (or not a number) waits forever, and less than 2 means 2."""
    try:
        seconds = float(text)
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds <= 0:
        return None
    return max(2.0, float(int(seconds)))
