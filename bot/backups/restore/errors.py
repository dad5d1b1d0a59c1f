"""How a restore can fail, in two families that never blur: nothing changed, or maybe something did."""

from __future__ import annotations

from bot.backups.restore.sql import BlockingSession
from bot.errors import OpsError


class RestoreFailed(OpsError):
    """The restore did not happen; the database is as it was before (the server confirmed it)."""


class RestoreBlocked(RestoreFailed):
    """Other sessions held the tables longer than the lock timeout; ``sessions`` names them."""

    def __init__(self, message: str, sessions: tuple[BlockingSession, ...]) -> None:
        super().__init__(message)
        self.sessions = sessions


class RestoreRefused(RestoreFailed):
    """The backup holds something pg_dump never writes; refused before the database was touched."""

    def __init__(self, message: str, line: int, reason: str) -> None:
        super().__init__(message)
        self.line = line
        self.reason = reason


class RestoreNotRolledBack(OpsError):
    """The restore failed and the database may have changed: restore ``safety_backup`` to undo it."""

    def __init__(self, message: str, safety_backup: str | None) -> None:
        super().__init__(message)
        self.safety_backup = safety_backup
