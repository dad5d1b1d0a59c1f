"""Settings, read once from the environment (and `.env`), validated, with secrets wrapped."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bot.env_values import BackupCodec, ConfigError, EnvValues, Secret

__all__ = ["ConfigError", "Secret", "Settings", "load_settings"]


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
    env = EnvValues(environ)
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
