"""The audit trail: who did which backup, restore, deletion, drill, log clear, pause or resume,
acknowledgement or silence, from Discord or the CLI, when, to what, and how it ended.

Adapters make one call around the action (see `Auditor.action`); the records live in an
append-only table of DATA_DIR/state.sqlite3 (store.py), kept HISTORY_DAYS; the bot mirrors them
to AUDIT_CHANNEL_ID (cogs/audit_mirror.py), the CLI's records too, once it runs.

To audit a new action: add it to `AuditAction`, then wrap the adapter's work::

    async with runtime.audit.action(AuditAction.BACKUP_DRILL, actor, source, target=name) as entry:
        result = await ...            # raise as usual: the record says failed, with the reason
        entry.target = result.name    # optional: the target once known

The adapters' shorthands fill in the actor and source: `cogs.audited.audited(interaction, action,
target)` from Discord, `bot.cli.audited.audited(runtime, action, target)` from the CLI. A cancelled
confirmation is `entry.not_confirmed(reason)` (Discord) or the NotConfirmed that the CLI's
`confirm` raises inside the block.
"""

from bot.audit.auditor import AuditEntry, Auditor
from bot.audit.record import Actor, AuditAction, AuditRecord, AuditSource, Outcome, OutcomeKind
from bot.audit.store import AuditStore, AuditUnavailable

__all__ = [
    "Actor",
    "AuditAction",
    "AuditEntry",
    "AuditRecord",
    "AuditSource",
    "AuditStore",
    "AuditUnavailable",
    "Auditor",
    "Outcome",
    "OutcomeKind",
]
