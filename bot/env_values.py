"""Typed, validated reads of environment variables: the one place a setting's text becomes a value.

Each read raises ConfigError naming the variable (and, for numbers, its range in NUMBER_RANGES);
`bot.config.load_settings` uses one EnvValues over the environment it was given.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import urlsplit

from bot.errors import OpsError

_Number = TypeVar("_Number", int, float)
BackupCodec = Literal["gzip", "zstd"]
BACKUP_CODECS: tuple[BackupCodec, ...] = ("gzip", "zstd")
# RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# An age X25519 recipient: "age1" and 58 characters of bech32's alphabet.
_AGE_RECIPIENT = re.compile(r"age1[02-9ac-hj-np-z]{58}")
_FLAGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
_HOST_NAME = re.compile(r"(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*")

# Every numeric setting's allowed range (inclusive): past these a value is a typo, and it would
# overflow a date, a timeout or a sleep somewhere far from here.
NUMBER_RANGES: dict[str, tuple[float, float]] = {
    "BACKUP_KEEP": (1, 10_000),
    "BACKUP_SCHEDULE_HOURS": (0, 8_760),
    "DRILL_SCHEDULE_HOURS": (0, 8_760),
    "CHECK_INTERVAL_SECONDS": (10, 86_400),
    "ALERT_FAILURE_THRESHOLD": (1, 100),
    "ALERT_SUCCESS_THRESHOLD": (1, 100),
    "ALERT_REMINDER_HOURS": (0, 8_760),
    "ALERT_ESCALATE_MINUTES": (0, 10_080),
    "HISTORY_DAYS": (1, 3_650),
    "LOG_SEARCH_TIMEOUT_SECONDS": (1, 3_600),
    "HTTP_TIMEOUT_SECONDS": (0.1, 300),
    "OFFSITE_KEEP": (1, 10_000),
    "METRICS_PORT": (0, 65_535),
}
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_DECIMAL_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SNOWFLAKE = re.compile(r"[0-9]{1,20}")
_LARGEST_SNOWFLAKE = 2**64 - 1


class ConfigError(OpsError):
    """A setting is present but invalid; the message names the variable."""

    exit_code = 3  # the CLI contract's "not configured"
    hint = "fix it in .env or the environment; .env.example explains every setting"


class Secret:
    """A string that never shows itself in `repr`, `str`, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The real value, for the one place that must send it (a header, PGPASSWORD)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


class EnvValues:
    """Typed reads of environment variables; blank counts as unset."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def text(self, name: str) -> str | None:
        value = self._environ.get(name, "").strip()
        return value or None

    def secret(self, name: str) -> Secret | None:
        value = self.text(name)
        return Secret(value) if value else None

    def snowflake(self, name: str) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        return _parse_snowflake(name, value)

    def snowflakes(self, name: str) -> frozenset[int]:
        value = self.text(name)
        if value is None:
            return frozenset()
        parts = [part.strip() for part in value.split(",") if part.strip()]
        return frozenset(_parse_snowflake(name, part) for part in parts)

    def url(self, name: str) -> str | None:
        value = self.text(name)
        if value is None:
            return None
        example = "an http(s) URL such as https://example.org"
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises on a port that is not a number or out of range
        except ValueError as error:
            raise ConfigError(f"{name} must be {example}, got {value!r} ({error}).") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{name} must be {example}, got {value!r}.")
        return value

    def database_url(self, name: str, *, database_name: bool = True) -> Secret | None:
        """A postgresql:// URL; ``database_name`` False for a server URL whose database is optional."""
        value = self.text(name)
        if value is None:
            return None
        shape = "postgresql://user:password@host:5432/database (scheme postgresql, with a database name)"
        if not database_name:
            shape = "postgresql://user:password@host:5432 (scheme postgresql; a database name is not needed)"
        try:
            parts = urlsplit(value)
        except ValueError:  # the message would quote the URL, password and all
            raise ConfigError(f"{name} does not parse as a URL: it must look like {shape}.") from None
        if parts.scheme not in ("postgresql", "postgres") or (database_name and not parts.path.strip("/")):
            raise ConfigError(f"{name} must look like {shape}.")
        try:
            parts.port  # noqa: B018 - raises on a non-numeric port
        except ValueError:
            raise ConfigError(f"{name} has a port that is not a number from 1 to 65535.") from None
        return Secret(value)

    def backup_codec(self, name: str) -> BackupCodec:
        written = self.text(name) or "gzip"
        value = written.lower()
        if value not in BACKUP_CODECS:
            raise ConfigError(
                f"{name} must be gzip (Aphrodite can restore it) or zstd, got {written!r}; "
                "for plain SQL use /backup create compress:false or --no-compress."
            )
        return value

    def port(self, name: str) -> int:
        """A TCP port, 0 meaning off (its range is in NUMBER_RANGES)."""
        return self.number(name, 0, int)

    def host(self, name: str) -> str | None:
        """An IP address (v4 or v6) or a host name to listen on."""
        value = self.text(name)
        if value is None:
            return None
        try:
            ipaddress.ip_address(value)
        except ValueError:
            if not _HOST_NAME.fullmatch(value):
                raise ConfigError(
                    f"{name} must be an IP address (127.0.0.1, 0.0.0.0, ::) or a host name, got {value!r}."
                ) from None
        return value

    def path(self, name: str, default: str) -> Path:
        return Path(self.text(name) or default)

    def optional_path(self, name: str) -> Path | None:
        value = self.text(name)
        return Path(value) if value else None

    def flag(self, name: str) -> bool:
        written = self.text(name) or "false"
        value = written.lower()
        if value not in _FLAGS:
            raise ConfigError(f"{name} must be true or false, got {written!r}.")
        return _FLAGS[value]

    def s3_url(self, name: str) -> str | None:
        """``s3://bucket/prefix`` (the prefix may be empty), as written."""
        value = self.text(name)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme != "s3" or not _BUCKET.fullmatch(parts.netloc) or parts.query or parts.fragment:
            raise ConfigError(
                f"{name} must look like s3://bucket/prefix (a bucket name of 3 to 63 lower-case "
                f"letters, digits, dots and hyphens), got {value!r}."
            )
        return value

    def age_recipients(self, name: str) -> tuple[str, ...]:
        value = self.text(name)
        if value is None:
            return ()
        keys = tuple(part.strip() for part in value.split(",") if part.strip())
        for key in keys:
            if not _AGE_RECIPIENT.fullmatch(key):
                raise ConfigError(
                    f"{name} must be comma-separated age public keys (age1 followed by 58 letters "
                    f"and digits, as `age-keygen -y` prints), got {key[:70]!r}."
                )
        return keys

    def number(self, name: str, default: _Number, kind: type[_Number]) -> _Number:
        """A number within the setting's range in `NUMBER_RANGES`: ASCII digits, never nan or inf."""
        low, high = NUMBER_RANGES[name]
        allowed = f"from {low:g} to {high:g}"
        value = self.text(name)
        if value is None:
            return kind(default)
        whole = kind is int
        if not (_WHOLE_NUMBER if whole else _DECIMAL_NUMBER).fullmatch(value):
            raise ConfigError(f"{name} must be a {'whole ' if whole else ''}number {allowed}, got {value!r}.")
        try:
            number = kind(value)
        except ValueError:  # more digits than int() reads
            raise ConfigError(f"{name} must be {allowed}, got {value[:40]!r}...") from None
        if not (math.isfinite(number) and low <= number <= high):
            raise ConfigError(f"{name} must be {allowed}, got {value!r}.")
        return number


def _parse_snowflake(name: str, value: str) -> int:
    # Not str.isdigit: it accepts "²" and other digits that int() then refuses or misreads.
    if not _SNOWFLAKE.fullmatch(value) or not 0 < int(value) <= _LARGEST_SNOWFLAKE:
        raise ConfigError(
            f"{name} must be a Discord id (ASCII digits, from 1 to {_LARGEST_SNOWFLAKE}), got {value!r}."
        )
    return int(value)
