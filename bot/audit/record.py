"""What one audit record says: who did what, from where, when, to what, and how it ended."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

# What a record keeps of untrusted text (a name the user typed, an error): enough to read, bounded.
TARGET_CHARS = 200
REASON_CHARS = 500


class AuditAction(enum.Enum):
    """Every audited action; the value is what the table and `--json` hold."""

    BACKUP_CREATE = "backup_create"
    BACKUP_RESTORE = "backup_restore"
    BACKUP_DELETE = "backup_delete"
    BACKUP_DRILL = "backup_drill"
    LOGS_CLEAR = "logs_clear"
    ALERTS_PAUSE = "alerts_pause"
    ALERTS_RESUME = "alerts_resume"
    INCIDENT_ACK = "incident_ack"
    INCIDENT_SILENCE = "incident_silence"

    @property
    def label(self) -> str:
        """``backup delete``: the words people read."""
        return self.value.replace("_", " ")


class AuditSource(enum.Enum):
    """Where the action was asked for: a Discord command or button, the CLI, or the bot's own schedule."""

    DISCORD = "discord"
    CLI = "cli"
    SCHEDULE = "schedule"


class OutcomeKind(enum.Enum):
    OK = "ok"
    FAILED = "failed"
    NOT_CONFIRMED = "not_confirmed"


@dataclass(frozen=True)
class Outcome:
    """How the action ended; ``reason`` (redacted) says why it failed or was not confirmed."""

    kind: OutcomeKind
    reason: str | None = None

    @property
    def text(self) -> str:
        """``ok``, ``failed: <reason>``, ``not confirmed: <reason>``."""
        words = self.kind.value.replace("_", " ")
        return words if self.reason is None else f"{words}: {self.reason}"


@dataclass(frozen=True)
class Actor:
    """Who: the name shown at the time and, from Discord, the user's id (None for the CLI and schedule)."""

    name: str
    id: int | None = None


@dataclass(frozen=True)
class AuditRecord:
    """One stored record; ``id`` orders records as they were made."""

    id: int
    at: datetime
    actor: Actor
    source: AuditSource
    action: AuditAction
    target: str | None
    outcome: Outcome
