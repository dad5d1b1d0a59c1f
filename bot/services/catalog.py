"""The services the bot checks, in the order every report lists them: the one list to extend.

A new service is a module satisfying `ServiceModule` (service.py) added to MODULES; the runner,
the `/check` commands, the CLI and the monitor's targets all derive from it.
"""

from __future__ import annotations

from bot.services import anidb, jellyfin, mdblist, omdb, tmdb
from bot.services.service import Service, ServiceModule

MODULES: tuple[ServiceModule, ...] = (jellyfin, omdb, tmdb, mdblist, anidb)
SERVICES: tuple[Service, ...] = tuple(module.SERVICE for module in MODULES)
SERVICE_KEYS: tuple[str, ...] = tuple(service.key for service in SERVICES)
BY_KEY: dict[str, ServiceModule] = {module.SERVICE.key: module for module in MODULES}
