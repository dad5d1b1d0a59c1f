"""DATABASE_URL taken apart the way libpq reads a connection URI, for pg_dump's and psql's environment.

libpq percent-decodes every part of `postgresql://user:password@host:port/dbname?param=value`
(so a password `Rt@S3cret/PW#x9` is written `Rt%40S3cret%2FPW%23x9`), lets query parameters
override the parts before them, and does not read `+` as a space. The client programs get the
decoded values through PG* variables, the password in PGPASSWORD, never on their command line.
A parameter libpq does not know is a server setting, as the driver sends it (driver_options.py):
it reaches the client programs in PGOPTIONS as `-c name=value`.
"""

from __future__ import annotations

import functools
import logging
import re
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
# libpq's other connection parameters: client options without a variable (never server settings).
_CLIENT_ONLY = (
    "fallback_application_name",
    "gssdelegation",
    "keepalives",
    "keepalives_count",
    "keepalives_idle",
    "keepalives_interval",
    "replication",
    "require_auth",
    "requiressl",
    "sslcertmode",
    "sslkeylogfile",
    "sslnegotiation",
    "sslpassword",
    "tcp_user_timeout",
)
LIBPQ_PARAMETERS = frozenset((*_PART_PARAMETERS, *_PARAMETER_VARIABLES, *_CLIENT_ONLY))
_SETTING_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


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
    server_settings: list[str] = []
    for name, value in query_parameters(url.query):
        if name in _PART_PARAMETERS:
            parts[name] = value
        elif name in _PARAMETER_VARIABLES:
            parameters[_PARAMETER_VARIABLES[name]] = value
        elif name not in LIBPQ_PARAMETERS and _SETTING_NAME.fullmatch(name):
            server_settings.append(f"-c {name}={_escape_option(value)}")
        else:
            warn_unsupported(name, "pg_dump and psql")
    if server_settings:
        parameters["PGOPTIONS"] = " ".join([parameters.get("PGOPTIONS", ""), *server_settings]).strip()
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
    written += [value for name, value in raw_query_pairs(url.query) if unquote(name) == "password"]
    passwords = {form for text in written if text for form in (text, unquote(text))}
    return [dsn.reveal(), *sorted(passwords)]


@functools.cache
def warn_unsupported(name: str, client: str) -> None:
    """Once per name and client: the URL is taken apart for every label, connection and program."""
    log.warning("DATABASE_URL parameter %r is not passed to %s", name, client)


def options_settings(text: str) -> dict[str, str] | None:
    """The server settings in libpq's ``options`` (`-c name=value`, `--name=value`); None if it has more."""
    words = _option_words(text)
    settings: dict[str, str] = {}
    while words:
        word = words.pop(0)
        if word == "-c" and words:
            spec = words.pop(0)
        elif word.startswith("-c"):
            spec = word[2:]
        elif word.startswith("--"):
            spec = word[2:]
        else:
            return None
        name, equals, value = spec.partition("=")
        if not equals or not _SETTING_NAME.fullmatch(name.replace("-", "_")):
            return None
        settings[name.replace("-", "_")] = value
    return settings


def _option_words(text: str) -> list[str]:
    """Split on blanks as the server splits ``options``: a backslash keeps the next character."""
    return [re.sub(r"\\(.)", r"\1", word) for word in re.findall(r"(?:\\.|[^\s\\])+", text, flags=re.DOTALL)]


def _escape_option(value: str) -> str:
    return re.sub(r"([\\\s])", r"\\\1", value)


def _split_host_port(hostport: str) -> tuple[str, str]:
    if hostport.startswith("["):  # [::1]:5432
        host, _, rest = hostport[1:].partition("]")
        return host, rest.removeprefix(":")
    host, _, port = hostport.partition(":")
    return host, port


def query_parameters(query: str) -> Iterable[tuple[str, str]]:
    """`a=1&b=2` decoded as libpq does (no `+` for space)."""
    for name, value in raw_query_pairs(query):
        yield unquote(name), unquote(value)


def raw_query_pairs(query: str) -> Iterable[tuple[str, str]]:
    """`a=1&b=2` as written (still percent-encoded)."""
    for pair in query.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            yield name, value


def _port(text: str) -> int:
    try:
        return int(text) if text else DEFAULT_PORT
    except ValueError:
        return DEFAULT_PORT
