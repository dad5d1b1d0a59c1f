"""Where each service's credentials come from: the environment first, else Aphrodite's saved settings.

Aphrodite keeps its API keys in `system_config` (row ``key = 'settings.yaml'``), JSON with
``api_keys = {"Jellyfin": [{"url", "api_key", "user_id"}], "OMDB": [{"api_key"}], ...,
"aniDB": [{"username"}, {"password", "version", "client_name"}]}``. Each setting set in the
environment wins over the saved one.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from bot.config import Secret, Settings
from bot.database.connection import Database, DatabaseUnavailable
from bot.services.result import Outcome
from bot.status import Status

log = logging.getLogger(__name__)

ENVIRONMENT = "environment"
APHRODITE_SETTINGS = "Aphrodite settings (system_config)"
MIXED = "environment and Aphrodite settings (system_config)"

SETTINGS_QUERY = "SELECT value::text FROM system_config WHERE key = 'settings.yaml'"
# Saved fields whose values are secrets, masked wherever the bot writes anything.
_SECRET_WORDS = ("key", "password", "token", "secret")


@dataclass(frozen=True)
class AphroditeSettings:
    """The ``api_keys`` sections of Aphrodite's saved settings, or ``problem``: why there are none.

    ``unreadable`` when they may well exist but could not be read (database down, a query or
    JSON error): a failure, unlike settings that were never saved.
    """

    sections: Mapping[str, Mapping[str, str]] = field(default_factory=dict, repr=False)
    problem: str | None = None
    unreadable: bool = False

    def value(self, section: str, key: str) -> str | None:
        return self.sections.get(section.lower(), {}).get(key)

    def secrets(self) -> list[str]:
        return [
            value
            for fields in self.sections.values()
            for key, value in fields.items()
            if any(word in key.lower() for word in _SECRET_WORDS)
        ]


async def read_aphrodite_settings(database: Database, timeout: float) -> AphroditeSettings:
    """Aphrodite's saved api_keys; never raises: a database that is down only means "no saved settings"."""
    if not database.configured:
        return AphroditeSettings(
            problem="DATABASE_URL is not set, so Aphrodite's saved settings were not read"
        )
    try:
        async with asyncio.timeout(timeout):
            async with database.connection() as connection:
                raw = await connection.fetchval(SETTINGS_QUERY)
    except TimeoutError:
        problem = f"Aphrodite's database did not answer within {timeout:g} s"
    except DatabaseUnavailable as error:
        problem = f"Aphrodite's database could not be read: {error.reason}"
    except asyncpg.UndefinedTableError:
        return AphroditeSettings(problem="Aphrodite's database has no system_config table")
    except asyncpg.PostgresError as error:
        problem = f"reading Aphrodite's settings failed ({type(error).__name__}, SQLSTATE {error.sqlstate})"
    else:
        if raw is None:
            return AphroditeSettings(
                problem="Aphrodite has no saved settings (no system_config 'settings.yaml')"
            )
        return parse_settings(raw)
    log.warning("Aphrodite's saved settings unavailable: %s", problem)
    return AphroditeSettings(problem=problem, unreadable=True)


def parse_settings(raw: str) -> AphroditeSettings:
    """The api_keys sections of the saved JSON, each section's list of objects merged into one."""
    try:
        document: Any = json.loads(raw)
        if isinstance(document, str):  # JSON stored as a JSON string
            document = json.loads(document)
    except ValueError:
        return AphroditeSettings(problem="Aphrodite's saved settings are not valid JSON", unreadable=True)
    api_keys = document.get("api_keys") if isinstance(document, dict) else None
    if not isinstance(api_keys, dict):
        return AphroditeSettings(problem="Aphrodite's saved settings have no api_keys")
    sections: dict[str, dict[str, str]] = {}
    for name, entries in api_keys.items():
        merged: dict[str, str] = {}
        for entry in entries if isinstance(entries, list) else [entries]:
            if not isinstance(entry, dict):
                continue
            for key, value in entry.items():
                text = "" if value is None else str(value).strip()
                if text and key not in merged:
                    merged[str(key)] = text
        sections[str(name).lower()] = merged
    return AphroditeSettings(sections)


@dataclass(frozen=True)
class CredentialField:
    """One setting a check needs: its variable (Settings attribute = its lower-case name) and saved key."""

    name: str
    env: str
    saved_key: str | None = None  # None: only the environment (or a default) provides it
    required: bool = True

    @property
    def attribute(self) -> str:
        return self.env.lower()


@dataclass(frozen=True)
class ServiceCredentials:
    """The settings a service needs, where each came from, and the values (never in repr)."""

    section: str
    fields: tuple[CredentialField, ...]
    values: Mapping[str, str] = field(repr=False)
    sources: Mapping[str, str]
    saved_problem: str | None = None
    saved_unreadable: bool = False

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def __getitem__(self, name: str) -> str:
        return self.values[name]

    @property
    def missing(self) -> tuple[CredentialField, ...]:
        return tuple(f for f in self.fields if f.required and f.name not in self.values)

    @property
    def source(self) -> str | None:
        """Where the credentials came from (fields with defaults, such as API URLs, aside)."""
        kinds = {self.sources[f.name] for f in self.fields if f.saved_key and f.name in self.sources}
        if not kinds:
            return None
        return kinds.pop() if len(kinds) == 1 else MIXED

    def where(self, name: str) -> str:
        """Where to fix a setting, for hints: its variable, or the saved value it came from."""
        spec = next(f for f in self.fields if f.name == name)
        if self.sources.get(name) == APHRODITE_SETTINGS:
            return f"the {self.section} {spec.saved_key} in Aphrodite's settings (or set {spec.env})"
        return spec.env

    def not_configured(self, display_name: str) -> Outcome:
        """The result of a service with something required set nowhere.

        Grey (not configured) when it is saved nowhere either; red (failed) when Aphrodite's
        saved settings, where it may well be, could not be read: that is an outage, not a choice.
        """
        names = " and ".join(f.env for f in self.missing)
        if self.saved_unreadable:
            return Outcome(
                Status.FAILED,
                f"Credentials could not be read: {self.saved_problem}",
                hint=f"Make Aphrodite's database reachable again (it holds the {display_name} settings), "
                f"or set {names} in the bot's environment (.env).",
            )
        detail = f"Not configured: set {names}, or save {display_name} in Aphrodite's settings"
        if self.saved_problem:
            detail += f" ({self.saved_problem})"
        return Outcome(
            Status.NOT_CONFIGURED,
            detail,
            hint=f"Set {names} in the bot's environment (.env), "
            f"or fill in {display_name} in Aphrodite's settings.",
        )


def needs_saved_settings(fields: tuple[CredentialField, ...], settings: Settings) -> bool:
    """Whether any setting is missing from the environment, so Aphrodite's saved ones must be read."""
    return any(f.saved_key and not getattr(settings, f.attribute) for f in fields)


def resolve(
    section: str,
    fields: tuple[CredentialField, ...],
    settings: Settings,
    saved: AphroditeSettings | None,
) -> ServiceCredentials:
    """Each field from the environment if set there, else from Aphrodite's saved settings."""
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    for spec in fields:
        value: Any = getattr(settings, spec.attribute)
        if isinstance(value, Secret):
            value = value.reveal()
        if value:
            values[spec.name], sources[spec.name] = str(value), ENVIRONMENT
        elif saved is not None and spec.saved_key and (stored := saved.value(section, spec.saved_key)):
            values[spec.name], sources[spec.name] = stored, APHRODITE_SETTINGS
    if saved is None:
        return ServiceCredentials(section, fields, values, sources)
    return ServiceCredentials(section, fields, values, sources, saved.problem, saved.unreadable)
