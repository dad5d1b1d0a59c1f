"""The CLI's audit call: who runs the command (the system user) and where from (the command line)."""

from __future__ import annotations

import getpass
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from bot.audit import Actor, AuditAction, AuditSource

if TYPE_CHECKING:  # the store and its SQLite load only when the command runs (runtime.audit)
    from bot.audit.auditor import AuditEntry
    from bot.runtime import Runtime


def cli_actor() -> Actor:
    """The user this process runs as (no id: the CLI knows no Discord user)."""
    try:
        return Actor(getpass.getuser())
    except (KeyError, OSError):
        return Actor("unknown user")


def audited(
    runtime: Runtime, action: AuditAction, target: str | None = None
) -> AbstractAsyncContextManager[AuditEntry]:
    """``async with audited(runtime, AuditAction.BACKUP_DELETE, name):`` around the command's work."""
    return runtime.audit.action(action, cli_actor(), AuditSource.CLI, target)
