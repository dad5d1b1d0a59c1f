"""The scheduler's backups and its retention's deletions, audited with actor "the backup schedule"."""

from __future__ import annotations

from bot.audit.auditor import Auditor
from bot.audit.record import Actor, AuditAction, AuditSource, Outcome, OutcomeKind
from bot.backups.schedule import SCHEDULER_LABEL, ScheduledBackupDone, ScheduledBackupFailure

SCHEDULE_ACTOR = Actor(SCHEDULER_LABEL)
OK = Outcome(OutcomeKind.OK)


async def audit_scheduled(auditor: Auditor, run: ScheduledBackupDone | ScheduledBackupFailure) -> None:
    """One record for the backup (ok or failed), one per old backup the retention removed."""
    if isinstance(run, ScheduledBackupFailure):
        failed = Outcome(OutcomeKind.FAILED, run.error)
        await auditor.record(AuditAction.BACKUP_CREATE, SCHEDULE_ACTOR, AuditSource.SCHEDULE, None, failed)
        return
    await auditor.record(AuditAction.BACKUP_CREATE, SCHEDULE_ACTOR, AuditSource.SCHEDULE, run.backup.name, OK)
    for name in run.pruned:
        await auditor.record(AuditAction.BACKUP_DELETE, SCHEDULE_ACTOR, AuditSource.SCHEDULE, name, OK)
    if run.prune_error is not None:
        failed = Outcome(OutcomeKind.FAILED, f"retention after the scheduled backup: {run.prune_error}")
        await auditor.record(AuditAction.BACKUP_DELETE, SCHEDULE_ACTOR, AuditSource.SCHEDULE, None, failed)
