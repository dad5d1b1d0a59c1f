"""What a checked service is: its identity, and the parts each service module provides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.services.credentials import CredentialField, ServiceCredentials
from bot.services.probe import HttpProbe
from bot.services.result import Facts, Outcome


@dataclass(frozen=True)
class Service:
    """A checked service: its key (command and CLI name), display name and a one-line description.

    ``ban_guarded``: the service bans clients that ask too often, so its requests go through the
    AniDB guard (spacing, a result cache, ban memory), keyed by its settings' values.
    """

    key: str
    name: str
    description: str
    ban_guarded: bool = False


class ServiceModule(Protocol):
    """A service module (jellyfin.py, omdb.py, ...): listed once, in catalog.MODULES."""

    @property
    def SERVICE(self) -> Service: ...

    @property
    def SECTION(self) -> str:
        """Its section of Aphrodite's saved ``api_keys`` settings."""
        ...

    @property
    def FIELDS(self) -> tuple[CredentialField, ...]:
        """The settings its check needs."""
        ...

    def known_facts(self, credentials: ServiceCredentials) -> Facts:
        """Facts shown whatever the answer (its address, the configured user...)."""
        ...

    async def check(self, probe: HttpProbe, credentials: ServiceCredentials) -> Outcome:
        """One request (or two) and what the answer means; `CheckFailed` for a bad one."""
        ...
