"""DATABASE_URL taken apart the way libpq reads a connection URI, for pg_dump's and psql's environment.

libpq percent-decodes every part of `postgresql://user:password@host:port/dbname?param=value`
(so a password `Rt@S3cret/PW#x9` is written `Rt%40S3cret%2FPW%23x9`), lets query parameters
override the parts before them, and does not read `+` as a space. The client programs get the
decoded values through PG* variables, the password in PGPASSWORD, never on their command line.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from bot.config import Secret

log = logging.getLogger(__name__)

DEFAULT_PORT = 5432
# The URI query parameters libpq also reads from the environment, and their variables.
_PARAMETER_VARIABLES = {
    "application_name": "PGAPPNAME",
    "channel_binding": "PGCHANNELBINDING",
    "client_encoding": "PGCLIENTENCODING",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "gssencmode": "PGGSSENCMODE",
    "gsslib": "PGGSSLIB",
    "hostaddr": "PGHOSTADDR",
    "krbsrvname": "PGKRBSRVNAME",
    "load_balance_hosts": "PGLOADBALANCEHOSTS",
    "options": "PGOPTIONS",
    "passfile": "PGPASSFILE",
    "requirepeer": "PGREQUIREPEER",
    "service": "PGSERVICE",
    "ssl_max_protocol_version": "PGSSLMAXPROTOCOLVERSION",
    "ssl_min_protocol_version": "PGSSLMINPROTOCOLVERSION",
    "sslcert": "PGSSLCERT",
    "sslcompression": "PGSSLCOMPRESSION",
    "sslcrl": "PGSSLCRL",
    "sslcrldir": "PGSSLCRLDIR",
    "sslkey": "PGSSLKEY",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslsni": "PGSSLSNI",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}
# Query parameters that replace a part of the URI itself.
_PART_PARAMETERS = ("host", "port", "user", "password", "dbname")


@dataclass(frozen=True)
class DsnParts:
    """What pg_dump/psql need, decoded, with the password kept apart for PGPASSWORD.

    ``parameters`` are the URI's other libpq settings (sslmode, ...) as (variable, value) pairs.
    """

    host: str
    port: int
    user: str
    database: str
    password: Secret | None
    parameters: tuple[tuple[str, str], ...] = ()

    def environment(self) -> dict[str, str]:
        """libpq environment variables; the password never goes on a command line."""
        env = dict(self.parameters)
        env.update(
            {
                "PGHOST": self.host,
                "PGPORT": str(self.port),
                "PGUSER": self.user,
                "PGDATABASE": self.database,
            }
        )
        if self.password:
            env["PGPASSWORD"] = self.password.reveal()
        return env


def parse_dsn(dsn: Secret) -> DsnParts:
    """Decode DATABASE_URL like libpq: percent-escapes everywhere, query parameters win."""
    url = urlsplit(dsn.reveal())
    userinfo, _, hostport = url.netloc.rpartition("@")
    user, has_password, password = userinfo.partition(":")
    host, port = _split_host_port(hostport)
    parts = {
        "host": unquote(host),
        "port": port,
        "user": unquote(user),
        "password": unquote(password) if has_password else "",
        "dbname": unquote(url.path.lstrip("/")),
    }
    parameters: dict[str, str] = {}
    for name, value in _query_parameters(url.query):
        if name in _PART_PARAMETERS:
            parts[name] = value
        elif name in _PARAMETER_VARIABLES:
            parameters[_PARAMETER_VARIABLES[name]] = value
        else:
            _warn_unsupported(name)
    return DsnParts(
        host=parts["host"] or "localhost",
        port=_port(parts["port"]),
        user=parts["user"] or "postgres",
        database=parts["dbname"],
        password=Secret(parts["password"]) if parts["password"] else None,
        parameters=tuple(sorted(parameters.items())),
    )


def dsn_secrets(dsn: Secret | None) -> list[str]:
    """The URL and every password in it, as written and decoded: what a redactor must mask."""
    if dsn is None:
        return []
    url = urlsplit(dsn.reveal())
    written = [url.password or ""]
    written += [value for name, value in _raw_query_pairs(url.query) if unquote(name) == "password"]
    passwords = {form for text in written if text for form in (text, unquote(text))}
    return [dsn.reveal(), *sorted(passwords)]


@functools.cache
def _warn_unsupported(name: str) -> None:
    """Once per name: ``parse_dsn`` runs for every label and client program."""
    log.warning("DATABASE_URL parameter %r is not passed to pg_dump and psql", name)


def _split_host_port(hostport: str) -> tuple[str, str]:
    if hostport.startswith("["):  # [::1]:5432
        host, _, rest = hostport[1:].partition("]")
        return host, rest.removeprefix(":")
    host, _, port = hostport.partition(":")
    return host, port


def _query_parameters(query: str) -> Iterable[tuple[str, str]]:
    """`a=1&b=2` decoded as libpq does (no `+` for space)."""
    for name, value in _raw_query_pairs(query):
        yield unquote(name), unquote(value)


def _raw_query_pairs(query: str) -> Iterable[tuple[str, str]]:
    for pair in query.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            yield name, value


def _port(text: str) -> int:
    try:
        return int(text) if text else DEFAULT_PORT
    except ValueError:
        return DEFAULT_PORT
