"""The audit trail: who did which backup, restore, deletion, drill, log clear, pause or resume,
acknowledgement or silence, from Discord or the CLI, when, to what, and how it ended.

Adapters make one call around the action (see `Auditor.action`); the records live in an
append-only table of DATA_DIR/state.sqlite3 (store.py), kept HISTORY_DAYS; the bot mirrors them
to AUDIT_CHANNEL_ID (cogs/audit_mirror.py), the CLI's records too, once it runs.

Adapters wrap the work in the one call (the shorthands fill in actor and source):
`cogs.audited.audited(interaction, action, target)` from Discord, `bot.cli.audited.audited(runtime,
action, target)` from the CLI. It records ok, failed (with the reason) or not confirmed, whatever
the block does; a cancelled confirmation is `entry.not_confirmed(reason)` (Discord's
`cogs.audited.declined`) or the NotConfirmed that the CLI's `confirm` raises inside the block.

Actions in `AuditAction` whose commands are built elsewhere make these calls:

    async with audited(interaction, AuditAction.BACKUP_DRILL, name) as entry:   # /backup drill
        result = await ...            # raise as usual: the record says failed, with the reason
        entry.target = result.name    # optional: the target once known (the newest backup)
    async with audited(runtime, AuditAction.BACKUP_DRILL, args.name):           # backup drill [NAME]
    async with audited(interaction, AuditAction.INCIDENT_ACK, f"incident #{incident_id}"):
    async with audited(interaction, AuditAction.INCIDENT_SILENCE, f"{target} for 1 h"):
    async with audited(runtime, AuditAction.ALERTS_PAUSE, f"{minutes} minutes"):  # alerts pause
    async with audited(runtime, AuditAction.ALERTS_RESUME):                      # alerts resume

and a scheduled drill, like a scheduled backup (bot/audit/scheduled.py), writes its result with
`await runtime.audit.record(AuditAction.BACKUP_DRILL, SCHEDULE_ACTOR, AuditSource.SCHEDULE, name, outcome)`.
"""

# Only the record's types here: the CLI's commands import them at start-up, the store when they run.
from bot.audit.record import Actor, AuditAction, AuditRecord, AuditSource, Outcome, OutcomeKind

__all__ = ["Actor", "AuditAction", "AuditRecord", "AuditSource", "Outcome", "OutcomeKind"]
