"""The one call the adapters make: `async with auditor.action(...)` records how the action ended.

Whatever happens inside the block is recorded once: ok, failed (an OpsError's own words, or the
kind of an unexpected error), not confirmed (declined, unanswered), or interrupted (cancelled).
A record that cannot be written is logged and never fails the action it describes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.audit.record import (
    REASON_CHARS,
    TARGET_CHARS,
    Actor,
    AuditAction,
    AuditRecord,
    AuditSource,
    Outcome,
    OutcomeKind,
)
from bot.audit.store import AuditStore
from bot.errors import NotConfirmed, OpsError
from bot.redact import Redactor

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted before it finished (the bot stopped or the command was cancelled)"

Listener = Callable[[AuditRecord], None]


@dataclass
class AuditEntry:
    """What the block may add before the record is written: the target once known, a refusal."""

    target: str | None = None
    outcome: Outcome | None = None

    def not_confirmed(self, reason: str) -> None:
        """The user cancelled or did not answer: nothing was done."""
        self.outcome = Outcome(OutcomeKind.NOT_CONFIRMED, reason)


class Auditor:
    """Writes audit records (redacted, bounded), prunes those older than ``keep_days``, tells listeners."""

    def __init__(
        self,
        store: AuditStore,
        redactor: Redactor,
        *,
        keep_days: int,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self._redactor = redactor
        self._keep_days = keep_days
        self._clock = clock or _now
        self._listeners: list[Listener] = []

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener`` with every record this process writes (the bot's mirror wakes up)."""
        self._listeners.append(listener)

    @asynccontextmanager
    async def action(
        self, action: AuditAction, actor: Actor, source: AuditSource, target: str | None = None
    ) -> AsyncIterator[AuditEntry]:
        """Record ``action`` by ``actor`` with the outcome of the block; exceptions pass through."""
        entry = AuditEntry(target)
        try:
            yield entry
        except NotConfirmed as declined:
            await self._write(action, actor, source, entry, Outcome(OutcomeKind.NOT_CONFIRMED, str(declined)))
            raise
        except OpsError as error:
            await self._write(action, actor, source, entry, Outcome(OutcomeKind.FAILED, str(error)))
            raise
        except asyncio.CancelledError:
            await self._write(action, actor, source, entry, Outcome(OutcomeKind.FAILED, INTERRUPTED))
            raise
        except Exception as error:
            reason = f"unexpected error ({type(error).__name__}); see the log"
            await self._write(action, actor, source, entry, Outcome(OutcomeKind.FAILED, reason))
            raise
        await self._write(action, actor, source, entry, entry.outcome or Outcome(OutcomeKind.OK))

    async def record(
        self, action: AuditAction, actor: Actor, source: AuditSource, target: str | None, outcome: Outcome
    ) -> AuditRecord | None:
        """Write one record now (for what is not a block: a scheduled backup's result); None if it failed."""
        now = self._clock()
        reason = None if outcome.reason is None else self._bounded(outcome.reason, REASON_CHARS)
        try:
            record = await self.store.append(
                now,
                Actor(self._bounded(actor.name), actor.id),
                source,
                action,
                None if target is None else self._bounded(target),
                Outcome(outcome.kind, reason),
            )
        except OpsError as error:  # the state store says what is wrong and what to do: no traceback
            log.warning("could not write the audit record of %s by %r: %s", action.value, actor.name, error)
            return None
        except Exception:
            # Never raised: the action itself already happened, and saying it failed would be false.
            log.exception("could not write the audit record of %s by %r", action.value, actor.name)
            return None
        for listener in self._listeners:
            listener(record)
        try:
            await self.store.prune(now, self._keep_days)
        except Exception:
            log.exception("could not prune audit records older than %d days", self._keep_days)
        return record

    async def _write(
        self, action: AuditAction, actor: Actor, source: AuditSource, entry: AuditEntry, outcome: Outcome
    ) -> None:
        await self.record(action, actor, source, entry.target, outcome)

    def _bounded(self, text: str, limit: int = TARGET_CHARS) -> str:
        text = self._redactor(text)
        return text if len(text) <= limit else text[: limit - 1] + "…"


def _now() -> datetime:
    return datetime.now(UTC)
