"""The long-lived resources that the bot and the CLI share, opened and closed together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp

from bot.config import Settings
from bot.database.backups import BackupService
from bot.database.connection import Database
from bot.history import HistoryStore
from bot.redact import Redactor
from bot.services.runner import CheckRunner
from bot.state import StateStore


@dataclass
class Runtime:
    """Everything a command needs: settings, one HTTP session, one database pool, state and history."""

    settings: Settings
    redactor: Redactor
    http: aiohttp.ClientSession
    database: Database
    state: StateStore
    checks: CheckRunner
    backups: BackupService
    history: HistoryStore

    @classmethod
    @asynccontextmanager
    async def open(cls, settings: Settings) -> AsyncIterator[Runtime]:
        """Open every resource; close them all on exit, whatever happened."""
        database = Database(settings.database_url, timeout=settings.http_timeout_seconds)
        redactor = Redactor(settings.secrets())
        state = StateStore(settings.data_dir / "state.sqlite3")
        history = HistoryStore(
            settings.data_dir / "state.sqlite3",
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
                    checks=CheckRunner(settings, http, database, state),
                    backups=BackupService(database, settings.backup_dir, redactor=redactor),
                    history=history,
                )
            finally:
                await database.close()
                await state.close()
                await history.close()
