"""Settings, read once from the environment (and `.env`), validated, with secrets wrapped."""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import unquote, urlsplit

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


@dataclass(frozen=True)
class Settings:
    """Every setting of DESIGN.md's contract; see `.env.example` for their meaning."""

    discord_token: Secret | None = None
    discord_guild_id: int | None = None
    discord_api_base: str | None = None
    alert_channel_id: int | None = None
    alert_role_id: int | None = None
    audit_channel_id: int | None = None
    admin_role_ids: frozenset[int] = frozenset()
    database_url: Secret | None = None
    aphrodite_log_file: Path = Path("/app/logs/aphrodite-v2.log")
    backup_dir: Path = Path("./data/backups")
    backup_compression: BackupCodec = "gzip"
    backup_keep: int = 10
    backup_schedule_hours: float = 0
    drill_schedule_hours: float = 0
    drill_database_url: Secret | None = None
    check_interval_seconds: float = 300
    alert_failure_threshold: int = 2
    alert_success_threshold: int = 1
    alert_reminder_hours: float = 6
    alert_escalate_minutes: float = 0
    alert_escalation_role_id: int | None = None
    history_days: int = 90
    log_search_timeout_seconds: float = 30
    http_timeout_seconds: float = 10
    data_dir: Path = Path("./data")
    metrics_port: int = 0
    metrics_bind: str = "127.0.0.1"
    jellyfin_url: str | None = None
    jellyfin_api_key: Secret | None = None
    jellyfin_user_id: str | None = None
    omdb_api_key: Secret | None = None
    omdb_url: str = "https://www.omdbapi.com/"
    tmdb_api_key: Secret | None = None
    tmdb_url: str = "https://api.themoviedb.org/3"
    mdblist_api_key: Secret | None = None
    mdblist_url: str = "https://api.mdblist.com"
    anidb_client: str | None = None
    anidb_client_version: str | None = None
    anidb_url: str = "http://api.anidb.net:9001/httpapi"
    anidb_username: str | None = None
    anidb_password: Secret | None = None
    offsite_url: str | None = None
    offsite_endpoint_url: str | None = None
    offsite_region: str = "us-east-1"
    aws_access_key_id: Secret | None = None
    aws_secret_access_key: Secret | None = None
    offsite_age_recipients: tuple[str, ...] = ()
    offsite_age_identity_file: Path | None = None
    offsite_keep: int = 30
    offsite_allow_plaintext: bool = False

    def secrets(self) -> list[str]:
        """Every secret value configured, for redaction of anything the bot writes."""
        values = [
            self.discord_token,
            self.database_url,
            self.drill_database_url,
            self.jellyfin_api_key,
            self.omdb_api_key,
            self.tmdb_api_key,
            self.mdblist_api_key,
            self.anidb_password,
            self.aws_access_key_id,
            self.aws_secret_access_key,
        ]
        revealed = [value.reveal() for value in values if value]
        for url in (self.database_url, self.drill_database_url):
            password = urlsplit(url.reveal()).password if url else None
            if password:
                revealed += [password, unquote(password)]  # as written and as libpq decodes it
        return revealed


def load_settings(
    environ: Mapping[str, str] | None = None, *, dotenv: bool = True, env_file: str | None = None
) -> Settings:
    """Read and validate the settings; raise ConfigError naming the first bad variable.

    With ``dotenv`` (the default when reading the real environment) a `.env` file is loaded
    first: ``env_file`` (`--env-file`), else $APHRODITE_OPS_ENV, else the working directory's
    (bot/env_file.py); variables already set win over it.
    """
    if environ is None:
        from bot.env_file import dotenv_file

        found = dotenv_file(env_file, os.environ, Path.cwd()) if dotenv else None
        if found is not None:  # without one, python-dotenv need not even load
            from dotenv import load_dotenv

            # Explicitly this file: by default python-dotenv searches from the calling
            # module's folder, which is the installed package, not where the user is.
            load_dotenv(found, override=False)
        environ = os.environ
    env = _Env(environ)
    return Settings(
        discord_token=env.secret("DISCORD_TOKEN"),
        discord_guild_id=env.snowflake("DISCORD_GUILD_ID"),
        discord_api_base=env.url("DISCORD_API_BASE"),
        alert_channel_id=env.snowflake("ALERT_CHANNEL_ID"),
        alert_role_id=env.snowflake("ALERT_ROLE_ID"),
        audit_channel_id=env.snowflake("AUDIT_CHANNEL_ID"),
        admin_role_ids=env.snowflakes("ADMIN_ROLE_IDS"),
        database_url=env.database_url("DATABASE_URL"),
        aphrodite_log_file=env.path("APHRODITE_LOG_FILE", "/app/logs/aphrodite-v2.log"),
        backup_dir=env.path("BACKUP_DIR", "./data/backups"),
        backup_compression=env.backup_codec("BACKUP_COMPRESSION"),
        backup_keep=env.number("BACKUP_KEEP", 10, int),
        backup_schedule_hours=env.number("BACKUP_SCHEDULE_HOURS", 0, float),
        drill_schedule_hours=env.number("DRILL_SCHEDULE_HOURS", 0, float),
        drill_database_url=env.database_url("DRILL_DATABASE_URL", database_name=False),
        check_interval_seconds=env.number("CHECK_INTERVAL_SECONDS", 300, float),
        alert_failure_threshold=env.number("ALERT_FAILURE_THRESHOLD", 2, int),
        alert_success_threshold=env.number("ALERT_SUCCESS_THRESHOLD", 1, int),
        alert_reminder_hours=env.number("ALERT_REMINDER_HOURS", 6, float),
        alert_escalate_minutes=env.number("ALERT_ESCALATE_MINUTES", 0, float),
        alert_escalation_role_id=env.snowflake("ALERT_ESCALATION_ROLE_ID"),
        history_days=env.number("HISTORY_DAYS", 90, int),
        log_search_timeout_seconds=env.number("LOG_SEARCH_TIMEOUT_SECONDS", 30, float),
        http_timeout_seconds=env.number("HTTP_TIMEOUT_SECONDS", 10, float),
        data_dir=env.path("DATA_DIR", "./data"),
        metrics_port=env.port("METRICS_PORT"),
        metrics_bind=env.host("METRICS_BIND") or "127.0.0.1",
        jellyfin_url=env.url("JELLYFIN_URL"),
        jellyfin_api_key=env.secret("JELLYFIN_API_KEY"),
        jellyfin_user_id=env.text("JELLYFIN_USER_ID"),
        omdb_api_key=env.secret("OMDB_API_KEY"),
        omdb_url=env.url("OMDB_URL") or "https://www.omdbapi.com/",
        tmdb_api_key=env.secret("TMDB_API_KEY"),
        tmdb_url=env.url("TMDB_URL") or "https://api.themoviedb.org/3",
        mdblist_api_key=env.secret("MDBLIST_API_KEY"),
        mdblist_url=env.url("MDBLIST_URL") or "https://api.mdblist.com",
        anidb_client=env.text("ANIDB_CLIENT"),
        anidb_client_version=env.text("ANIDB_CLIENT_VERSION"),
        anidb_url=env.url("ANIDB_URL") or "http://api.anidb.net:9001/httpapi",
        anidb_username=env.text("ANIDB_USERNAME"),
        anidb_password=env.secret("ANIDB_PASSWORD"),
        offsite_url=env.s3_url("OFFSITE_URL"),
        offsite_endpoint_url=env.url("OFFSITE_ENDPOINT_URL"),
        offsite_region=env.text("OFFSITE_REGION") or "us-east-1",
        aws_access_key_id=env.secret("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=env.secret("AWS_SECRET_ACCESS_KEY"),
        offsite_age_recipients=env.age_recipients("OFFSITE_AGE_RECIPIENTS"),
        offsite_age_identity_file=env.optional_path("OFFSITE_AGE_IDENTITY_FILE"),
        offsite_keep=env.number("OFFSITE_KEEP", 30, int),
        offsite_allow_plaintext=env.flag("OFFSITE_ALLOW_PLAINTEXT"),
    )


class _Env:
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
