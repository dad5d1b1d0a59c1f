"""The long-lived resources that the bot and the CLI share, each opened on first use, closed together.

A command pays only for what it touches: `logs status` never imports aiohttp, and asyncpg is
imported only when something reaches the database (so only when DATABASE_URL is set).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.redact import Redactor

if TYPE_CHECKING:
    import aiohttp

    from bot.audit.auditor import Auditor
    from bot.backups.results import BackupResult
    from bot.backups.service import BackupService
    from bot.database.connection import Database
    from bot.drills.service import DrillService
    from bot.history import HistoryStore
    from bot.logs import AphroditeLog
    from bot.offsite.service import OffsiteService
    from bot.ops_http.metrics import OpsMetrics
    from bot.services.runner import CheckRunner
    from bot.state import StateStore

# Reading Aphrodite's saved keys before showing the log must not hold the answer up for long.
SAVED_SECRETS_TIMEOUT_SECONDS = 5.0
USER_AGENT = "aphrodite-ops/0.1"


def process_redactor(settings: Settings | None) -> Redactor:
    """The process's one redactor, taught every configured secret (without settings: patterns only).

    The Runtime's, or built before it by whatever must redact first (the bot's log, the CLI's
    errors before the runtime opens): the one place a production redactor is constructed.
    """
    return Redactor(settings.secrets() if settings is not None else ())


class Runtime:
    """Everything a command needs: settings, one HTTP session, one database pool, state and history.

    ``redactor`` is the process's one redactor: every adapter, the CLI and the bot's own log use
    it, and it learns each secret read from Aphrodite's database. The other resources are
    properties that open their resource (and import its library) the first time they are read.
    """

    def __init__(self, settings: Settings, redactor: Redactor) -> None:
        self.settings = settings
        self.redactor = redactor

    @classmethod
    @asynccontextmanager
    async def open(cls, settings: Settings, redactor: Redactor | None = None) -> AsyncIterator[Runtime]:
        """A runtime whose opened resources are all closed on exit, whatever happened.

        Pass ``redactor`` when something started before the runtime (the bot's logging) uses it.
        """
        runtime = cls(settings, redactor if redactor is not None else process_redactor(settings))
        try:
            yield runtime
        finally:
            await runtime.close()

    @cached_property
    def http(self) -> aiohttp.ClientSession:
        """The one HTTP session (call from a running event loop)."""
        import aiohttp

        return aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.settings.http_timeout_seconds),
            headers={"User-Agent": USER_AGENT},
        )

    @cached_property
    def database(self) -> Database:
        from bot.database.connection import Database

        settings = self.settings
        return Database(settings.database_url, timeout=settings.http_timeout_seconds, redactor=self.redactor)

    @cached_property
    def state(self) -> StateStore:
        from bot.state import StateStore

        return StateStore(self.settings.data_dir / "state.sqlite3")

    @cached_property
    def audit(self) -> Auditor:
        """The audit trail, in the state store, kept HISTORY_DAYS."""
        from bot.audit.auditor import Auditor
        from bot.audit.store import AuditStore

        return Auditor(AuditStore(self.state), self.redactor, keep_days=self.settings.history_days)

    @cached_property
    def history(self) -> HistoryStore:
        from bot.history import FILE_NAME, HistoryStore

        settings = self.settings
        return HistoryStore(
            settings.data_dir / FILE_NAME,
            interval_seconds=settings.check_interval_seconds,
            keep_days=settings.history_days,
        )

    @cached_property
    def log(self) -> AphroditeLog:
        from bot.logs import AphroditeLog

        return AphroditeLog(
            self.settings.aphrodite_log_file,
            self.redactor,
            learn_secrets=self._learn_saved_secrets,
            time_budget=self.settings.log_search_timeout_seconds,
            state=self.state,
        )

    @cached_property
    def checks(self) -> CheckRunner:
        from bot.services.runner import CheckRunner

        return CheckRunner(self.settings, self.http, self.database, self.state, redactor=self.redactor)

    @cached_property
    def backups(self) -> BackupService:
        from bot.backups.compression import Compression
        from bot.backups.service import BackupService
        from bot.backups.sidecar_seal import KEY_FILE_NAME, SidecarSeal

        settings = self.settings
        seal = SidecarSeal(settings.data_dir / KEY_FILE_NAME, settings.backup_dir)
        return BackupService(
            self.database,
            settings.backup_dir,
            redactor=self.redactor,
            seal=seal,
            codec=Compression(settings.backup_compression),
            on_created=self._backup_created,
        )

    @cached_property
    def drills(self) -> DrillService:
        """Restore drills on DRILL_DATABASE_URL's server (default: DATABASE_URL's)."""
        from bot.drills.scratch import ScratchServer
        from bot.drills.service import DrillService

        settings = self.settings
        url = settings.drill_database_url or settings.database_url
        server = (
            ScratchServer(
                url, redactor=self.redactor, timeout=settings.http_timeout_seconds, ledger=self.state
            )
            if url
            else None
        )
        return DrillService(
            self.backups, server, self.state, redactor=self.redactor, on_passed=self.metrics.record_drill
        )

    @cached_property
    def offsite(self) -> OffsiteService:
        """Off-site copies (OFFSITE_URL); its `configured` is False when they are off."""
        from bot.offsite.service import OffsiteService

        return OffsiteService(
            self.settings,
            self.backups,
            redactor=self.redactor,
            state=self.state,
            on_uploaded=self.metrics.record_offsite_upload,
        )

    def _backup_created(self, result: BackupResult) -> None:
        """Every new verified backup: counted, and copied off-site in the background when configured."""
        self.metrics.record_backup(result)
        if self.settings.offsite_url is not None:
            self.offsite.observe(result)

    @cached_property
    def metrics(self) -> OpsMetrics:
        """The values `/metrics` serves (METRICS_PORT); recording into them is cheap, so always done."""
        from bot.ops_http.metrics import OpsMetrics

        return OpsMetrics()

    def opened(self, name: str) -> bool:
        """Whether the resource ``name`` (``"http"``, ``"database"``...) was opened."""
        return name in self.__dict__

    async def close(self) -> None:
        """Close what was opened, in the reverse order of need; each close runs whatever happened before."""
        closers: list[Callable[[], Awaitable[None]]] = []
        if self.opened("offsite"):
            closers.append(self.offsite.close)  # uploads still running stop before what they use closes
        if self.opened("log"):
            closers.append(self._close_log)
        if self.opened("database"):
            closers.append(self.database.close)
        if self.opened("state"):
            closers.append(self.state.close)
        if self.opened("history"):
            closers.append(self.history.close)
        if self.opened("http"):
            closers.append(self.http.close)
        await _close_all(closers)

    async def _close_log(self) -> None:
        self.log.close()

    async def _learn_saved_secrets(self) -> str | None:
        """Reads the keys saved in Aphrodite's database into the redactor; says so when it could not."""
        if not self.settings.database_url:
            return None  # without a database there is nothing to learn, and asyncpg stays unloaded
        from bot.services.credentials import read_aphrodite_settings

        saved = await read_aphrodite_settings(self.database, SAVED_SECRETS_TIMEOUT_SECONDS)
        self.redactor.learn(saved.secrets())
        if saved.problem is None:
            return None
        return f"No key is known from Aphrodite's database ({saved.problem}): secrets are masked by pattern."


async def _close_all(closers: list[Callable[[], Awaitable[None]]]) -> None:
    """Await every closer even when one raises; the first error is raised after all ran."""
    if not closers:
        return
    first, *rest = closers
    try:
        await first()
    finally:
        await _close_all(rest)
