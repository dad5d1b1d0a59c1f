"""CheckRunner: checks the services concurrently, one request in flight per service, results recorded.

The cog, the CLI and the alert monitor share one runner, so a `/check all` pressed while the
monitor is checking joins its requests instead of sending new ones.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime

import aiohttp

from bot.config import Settings
from bot.database.connection import Database
from bot.errors import OpsError
from bot.redact import Redactor
from bot.services.anidb import AniDBBanned
from bot.services.anidb_guard import PROCESS_SPACING, AniDBGuard, RequestSpacing, fingerprint
from bot.services.catalog import BY_KEY, SERVICE_KEYS, SERVICES
from bot.services.credentials import (
    AphroditeSettings,
    ServiceCredentials,
    needs_saved_settings,
    read_aphrodite_settings,
    resolve,
)
from bot.services.failures import CheckFailed
from bot.services.probe import HttpProbe
from bot.services.result import CheckResult, Outcome
from bot.services.service import ServiceModule
from bot.state import StateStore
from bot.state_errors import StateUnavailable
from bot.status import Status

__all__ = ["SERVICES", "CheckResult", "CheckRunner", "UnknownService"]

log = logging.getLogger(__name__)

SLOW_AFTER_SECONDS = 3.0
STATE_KEY_PREFIX = "checks.last."


class UnknownService(OpsError):
    """A service name that is not one of SERVICE_KEYS."""

    exit_code = 3

    def __init__(self, name: str) -> None:
        super().__init__(f"Unknown service {name!r}: choose one of {', '.join(SERVICE_KEYS)}.")


class _SavedSettingsRead:
    """Aphrodite's saved settings, read at most once, and only if some service needs them."""

    def __init__(self, read: Callable[[], Awaitable[AphroditeSettings]]) -> None:
        self._read = read
        self._task: asyncio.Future[AphroditeSettings] | None = None

    async def get(self) -> AphroditeSettings:
        if self._task is None:
            self._task = asyncio.ensure_future(self._read())
        return await asyncio.shield(self._task)


class CheckRunner:
    """Tests Jellyfin, OMDb, TMDB, MDBList and AniDB; see `check_all` and `check`.

    ``redactor`` is the process's one redactor (the Runtime's): it learns every key read from
    Aphrodite's database, so whatever shows output afterwards masks them too. ``anidb_spacing``
    defaults to the process-wide AniDB request spacing; ``clock`` gives the current aware UTC
    time (tests move it forward to expire caches and bans).
    """

    def __init__(
        self,
        settings: Settings,
        http: aiohttp.ClientSession,
        database: Database,
        state: StateStore,
        *,
        redactor: Redactor,
        anidb_spacing: RequestSpacing = PROCESS_SPACING,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._settings = settings
        self._http = http
        self._database = database
        self._state = state
        self._clock = clock
        self._redactor = redactor
        self._anidb = AniDBGuard(state, anidb_spacing, clock)
        self._in_flight: dict[str, asyncio.Task[CheckResult]] = {}
        self._recording_fails = False  # logged once per outage of the state store
        # 3 s with the default 10 s timeout; a third of shorter timeouts.
        self.slow_after_seconds = min(SLOW_AFTER_SECONDS, settings.http_timeout_seconds / 3)

    async def check_all(self) -> list[CheckResult]:
        """Every service at once (total time ≈ the slowest), in SERVICES order."""
        saved = _SavedSettingsRead(self._read_saved_settings)
        flights = [self._join_or_start(key, saved) for key in SERVICE_KEYS]
        return list(await asyncio.gather(*(asyncio.shield(flight) for flight in flights)))

    async def check(self, service: str) -> CheckResult:
        """One service by key ("jellyfin", "omdb", "tmdb", "mdblist", "anidb"); UnknownService otherwise."""
        if service not in BY_KEY:
            raise UnknownService(service)
        flight = self._join_or_start(service, _SavedSettingsRead(self._read_saved_settings))
        return await asyncio.shield(flight)

    async def last_result(self, service: str) -> CheckResult | None:
        """The result recorded by the latest check of ``service``, even from before a restart."""
        if service not in BY_KEY:
            raise UnknownService(service)
        data = await self._state.get(STATE_KEY_PREFIX + service)
        return None if data is None else CheckResult.from_dict(data)

    def _join_or_start(self, key: str, saved: _SavedSettingsRead) -> asyncio.Task[CheckResult]:
        """The check of ``key`` already in flight, or a new one: concurrent callers share one request."""
        flight = self._in_flight.get(key)
        if flight is None:
            flight = asyncio.create_task(self._run(BY_KEY[key], saved), name=f"check {key}")
            self._in_flight[key] = flight
            flight.add_done_callback(lambda done: self._in_flight.pop(key, None))
        return flight

    async def _read_saved_settings(self) -> AphroditeSettings:
        return await read_aphrodite_settings(self._database, self._settings.http_timeout_seconds)

    async def _run(self, module: ServiceModule, saved: _SavedSettingsRead) -> CheckResult:
        service = module.SERVICE
        stored = await saved.get() if needs_saved_settings(module.FIELDS, self._settings) else None
        if stored:
            self._redactor.learn(stored.secrets())
        credentials = resolve(module.SECTION, module.FIELDS, self._settings, stored)
        if credentials.missing:
            outcome = credentials.not_configured(service.name)
        else:
            probe = HttpProbe(self._http, self._settings.http_timeout_seconds, self._redactor)
            outcome = await self._outcome(module, probe, credentials)
            outcome = replace(outcome, facts=(*module.known_facts(credentials), *outcome.facts))
        outcome = outcome.redacted(self._redactor)
        result = CheckResult(
            service=service.key,
            display_name=service.name,
            status=outcome.status,
            latency_ms=outcome.latency_ms,
            detail=outcome.detail,
            facts=outcome.facts,
            credential_source=credentials.source,
            checked_at=self._clock(),
            hint=outcome.hint,
        )
        await self._record(result)
        return result

    async def _outcome(
        self, module: ServiceModule, probe: HttpProbe, credentials: ServiceCredentials
    ) -> Outcome:
        async def attempt() -> Outcome:
            try:
                outcome = await module.check(probe, credentials)
            except CheckFailed as failure:
                return failure.outcome()
            except AniDBBanned:
                raise  # the AniDB guard's to handle: it stops all requests for hours
            except Exception:
                # A bug in one check must not take the whole report down; the log has the traceback.
                log.exception("the %s check crashed", module.SERVICE.name)
                return Outcome(Status.FAILED, "The check itself crashed (see the bot's log)")
            return self._judge_speed(outcome)

        if not module.SERVICE.ban_guarded:
            return await attempt()
        request_id = fingerprint(*(credentials.get(field.name) or "" for field in module.FIELDS))
        return await self._anidb.run(request_id, attempt)

    def _judge_speed(self, outcome: Outcome) -> Outcome:
        """A working service that answers slower than the threshold is degraded, not OK."""
        latency_ms = outcome.latency_ms
        if (
            outcome.status is not Status.OK
            or latency_ms is None
            or latency_ms <= self.slow_after_seconds * 1000
        ):
            return outcome
        threshold = round(self.slow_after_seconds, 1)
        return replace(
            outcome,
            status=Status.DEGRADED,
            detail=f"Slow: {latency_ms / 1000:.1f} s (over {threshold:g} s) — {outcome.detail}",
            hint="It works but answers slowly: check the service's load and the network to it.",
        )

    async def _record(self, result: CheckResult) -> None:
        try:
            await self._state.put(STATE_KEY_PREFIX + result.service, result.to_dict())
        except StateUnavailable as error:
            if not self._recording_fails:
                log.warning("check results are not recorded (logged once until they are): %s", error)
            self._recording_fails = True
        else:
            self._recording_fails = False
