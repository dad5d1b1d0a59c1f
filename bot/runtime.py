"""The long-lived resources that the bot and the CLI share, opened and closed together."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp

from bot.backups.service import BackupService
from bot.config import Settings
from bot.database.connection import Database
from bot.history import FILE_NAME as HISTORY_FILE
from bot.history import HistoryStore
from bot.logs import AphroditeLog
from bot.redact import Redactor
from bot.services.credentials import read_aphrodite_settings
from bot.services.runner import CheckRunner
from bot.state import StateStore

# Reading Aphrodite's saved keys before showing the log must not hold the answer up for long.
SAVED_SECRETS_TIMEOUT_SECONDS = 5.0


@dataclass
class Runtime:
    """Everything a command needs: settings, one HTTP session, one database pool, state and history.

    ``redactor`` is the process's one redactor: every adapter, the CLI and the bot's own log use
    it, and it learns each secret read from Aphrodite's database.
    """

    settings: Settings
    redactor: Redactor
    http: aiohttp.ClientSession
    database: Database
    state: StateStore
    checks: CheckRunner
    backups: BackupService
    history: HistoryStore
    log: AphroditeLog

    @classmethod
    @asynccontextmanager
    async def open(cls, settings: Settings, redactor: Redactor | None = None) -> AsyncIterator[Runtime]:
        """Open every resource; close them all on exit, whatever happened.

        Pass ``redactor`` when something started before the runtime (the bot's logging) uses it.
        """
        redactor = redactor or Redactor(settings.secrets())
        database = Database(settings.database_url, timeout=settings.http_timeout_seconds, redactor=redactor)
        log = AphroditeLog(
            settings.aphrodite_log_file,
            redactor,
            learn_secrets=_saved_secrets_learner(database, redactor),
            time_budget=settings.log_search_timeout_seconds,
        )
        state = StateStore(settings.data_dir / "state.sqlite3")
        history = HistoryStore(
            settings.data_dir / HISTORY_FILE,
            interval_seconds=settings.check_interval_seconds,
            keep_days=settings.history_days,
        )
        async with aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=settings.http_timeout_seconds),
            headers={"User-Agent": "aphrodite-ops/0.1"},
        ) as http:
            try:
                yield cls(
                    settings=settings,
                    redactor=redactor,
                    http=http,
                    database=database,
                    state=state,
                    checks=CheckRunner(settings, http, database, state, redactor=redactor),
                    backups=BackupService(database, settings.backup_dir, redactor=redactor),
                    history=history,
                    log=log,
                )
            finally:
                log.close()
                await database.close()
                await state.close()
                await history.close()


def _saved_secrets_learner(database: Database, redactor: Redactor) -> Callable[[], Awaitable[str | None]]:
    """Reads the keys saved in Aphrodite's database into ``redactor``; says so when it could not."""

    async def learn() -> str | None:
        if not database.configured:
            return None
        saved = await read_aphrodite_settings(database, SAVED_SECRETS_TIMEOUT_SECONDS)
        redactor.learn(saved.secrets())
        if saved.problem is None:
            return None
        return f"No key is known from Aphrodite's database ({saved.problem}): secrets are masked by pattern."

    return learn
