"""How a restore can fail, in two families that never blur: nothing changed, or maybe something did."""

from __future__ import annotations

import logging

from bot.backups.restore.sql import BlockingSession
from bot.errors import OpsError

log = logging.getLogger(__name__)


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


def restore_failure(
    reason: str,
    fate: str,
    sessions: list[BlockingSession] | None,
    lock_timeout_seconds: float,
    safety_backup: str | None,
) -> OpsError:
    """The exception for a failed restore; it says nothing changed only if the server said 'aborted'.

    ``sessions`` is None unless the restore gave up waiting for locks.
    """
    if fate == "aborted":
        if sessions is not None:
            return RestoreBlocked(_blocked_message(sessions, lock_timeout_seconds), tuple(sessions))
        return RestoreFailed(f"{reason} Nothing was changed: the restore was rolled back.")
    what = (
        "part of the backup was committed before the failure"
        if fate == "committed"
        else "the server could not confirm that none of it was committed"
    )
    undo = (
        f"Restore the safety backup {safety_backup} to return to the state before this restore."
        if safety_backup
        else "Check the database before using it."
    )
    log.error("restore failed and was not rolled back (%s): %s", fate, reason)
    return RestoreNotRolledBack(f"{reason} The database MAY HAVE CHANGED: {what}. {undo}", safety_backup)


def _blocked_message(sessions: list[BlockingSession], lock_timeout_seconds: float) -> str:
    start = (
        f"Other sessions kept the tables busy for more than {lock_timeout_seconds:g} s, so the restore "
        "gave up; nothing was changed."
    )
    if not sessions:
        return start + " The sessions have ended since; try the restore again."
    listed = "; ".join(session.describe() for session in sessions[:5])
    return (
        f"{start} Sessions in an open transaction: {listed}. Finish or stop them (for example stop "
        "Aphrodite's worker, or SELECT pg_terminate_backend(pid)), then restore again."
    )
