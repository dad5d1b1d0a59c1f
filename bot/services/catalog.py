"""The services the bot checks, in the order every report lists them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    """A checked service: its key (command and CLI name), display name and a one-line description."""

    key: str
    name: str
    description: str


SERVICES: tuple[Service, ...] = (
    Service("jellyfin", "Jellyfin", "Test Jellyfin (server and configured user)"),
    Service("omdb", "OMDb", "Test the OMDb API key"),
    Service("tmdb", "TMDB", "Test the TMDB key or read token"),
    Service("mdblist", "MDBList", "Test the MDBList key and today's quota"),
    Service("anidb", "AniDB", "Test the AniDB HTTP API client (rate-limited, cached)"),
)
SERVICE_KEYS: tuple[str, ...] = tuple(service.key for service in SERVICES)
BY_KEY: dict[str, Service] = {service.key: service for service in SERVICES}
