"""Embeds for `/backup`: progress, results, the inventory, confirmations and alerts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.backups.inventory import BackupFile, Inventory, NotABackup
from bot.backups.progress import BackupProgress
from bot.backups.results import BackupResult, DeletedBackup, RestoreResult
from bot.backups.retention import RetentionRun
from bot.drills.sidecar import kept_drill
from bot.printable import printable
from bot.status import Status
from bot.units import human_bytes, human_duration
from cogs.ui import limits
from cogs.ui.embeds import NEUTRAL, STATUS_COLOURS, EmbedSpec, absolute_time, relative_time
from cogs.ui.markup import inert, inline_code

PER_PAGE = 8
NOT_BACKUPS_SHOWN = 10


def progress_text(progress: BackupProgress) -> str:
    """One line for the message edited while pg_dump or psql runs."""
    done = human_bytes(progress.bytes_done)
    if progress.bytes_total:
        done += f" of {human_bytes(progress.bytes_total)}"
    elapsed = human_duration(progress.elapsed_seconds)
    return f"⏳ {progress.operation}: {progress.phase} — {done}, {elapsed} elapsed"


def created_embed(
    result: BackupResult, attached: bool, upload_limit: int, retention: RetentionRun | None = None
) -> EmbedSpec:
    spec = EmbedSpec(
        title="Backup created — 🟢 OK",
        description=f"`{result.name}`",
        colour=STATUS_COLOURS[Status.OK],
        timestamp=result.created_at,
    )
    spec.add_field("Size", human_bytes(result.size), True)
    spec.add_field("Compression", _codec_note(result), True)
    spec.add_field("Duration", human_duration(result.duration_seconds), True)
    spec.add_field("sha256", f"`{result.sha256[:12]}`", True)
    spec.add_field("File", _attachment_note(result.size, result.path, attached, upload_limit), False)
    if not result.compression.aphrodite_can_restore:
        spec.add_field("Aphrodite", "Its web UI cannot restore zstd files; /backup restore can.", False)
    if retention is not None and (retention.pruned or retention.error):
        spec.add_field("Retention", retention_text(retention), False)
    return spec


def _codec_note(result: BackupResult) -> str:
    """Which codec packed the file: gzip or zstd (BACKUP_COMPRESSION), or none for plain SQL."""
    if not result.compressed:
        return "none (plain SQL)"
    return f"{result.compression.value} ({human_bytes(result.sql_bytes)} of SQL)"


def retention_text(retention: RetentionRun) -> str:
    """What retention did after a backup (BACKUP_KEEP of the bot's own, safety backups by age)."""
    if retention.error:
        return f"Old backups were not cleaned up: {retention.error}"
    names = ", ".join(f"`{name}`" for name in retention.pruned)
    return f"Removed {len(retention.pruned)} old backup(s) (BACKUP_KEEP): {names}"


def _attachment_note(size: int, path: Path, attached: bool, upload_limit: int) -> str:
    if attached:
        return "attached below"
    return (
        f"not attached: {human_bytes(size)} is over this server's upload limit of "
        f"{human_bytes(upload_limit)}. It is on the bot's disk at {inline_code(str(path))}."
    )


def download_embed(backup: BackupFile, upload_limit: int) -> EmbedSpec:
    """What /backup download says when the file cannot be attached."""
    return EmbedSpec(
        title="Backup too large to attach",
        description=_attachment_note(backup.size, backup.path, False, upload_limit),
        colour=STATUS_COLOURS[Status.DEGRADED],
    )


def list_pages(
    inventory: Inventory, folder: Path, places: Mapping[str, str] | None = None
) -> list[EmbedSpec]:
    """The inventory, newest first, PER_PAGE backups a page; what is not a backup on the first page.

    ``places`` (with OFFSITE_URL) says which backups are off-site too ("both").
    """
    backups = inventory.backups
    if not backups:
        pages = [EmbedSpec(title="Backups", description=f"No backups in `{folder}` yet → /backup create")]
    else:
        pages = []
        total = sum(backup.size for backup in backups)
        for first in range(0, len(backups), PER_PAGE):
            spec = EmbedSpec(
                title=f"Backups — {len(backups)} in {folder}",
                description=f"{human_bytes(total)} in all, newest first",
                colour=NEUTRAL,
            )
            for backup in backups[first : first + PER_PAGE]:
                also = " · ☁️ off-site too" if places and places.get(backup.name) == "both" else ""
                spec.add_field(backup.name, _backup_line(backup) + also, inline=False)
            pages.append(spec)
    if inventory.not_backups:
        pages[0].add_field(
            f"⚠️ Not backups ({len(inventory.not_backups)}) — never restored, attached or deleted",
            _not_backups_text(inventory.not_backups),
            inline=False,
        )
    return pages


def _not_backups_text(entries: Sequence[NotABackup]) -> str:
    lines = [f"{shown_name(entry.name)} {entry.reason}" for entry in entries[:NOT_BACKUPS_SHOWN]]
    if len(entries) > NOT_BACKUPS_SHOWN:
        lines.append(f"and {len(entries) - NOT_BACKUPS_SHOWN} more")
    return limits.truncate("\n".join(lines), limits.FIELD_VALUE)


def shown_name(name: str) -> str:
    """A name from disk as Discord text: control characters escaped, markdown inert."""
    return inert(printable(name))


def _origin_line(backup: BackupFile) -> str:
    """Who made it: a sealed sidecar's words, or a warning that nobody can say."""
    return f"{'🔏' if backup.sealed else '❔'} {shown_name(backup.origin)}"


_RESTORABLE = {
    True: "Aphrodite can restore",
    False: "only the bot can restore",
    None: "Aphrodite can restore it if complete (unverified)",
}


def _backup_line(backup: BackupFile) -> str:
    checks = "✅ verified" if backup.verified else "◻️ not verified"
    restorable = _RESTORABLE[backup.aphrodite_restorable]
    return (
        f"{relative_time(backup.created_at)} · {absolute_time(backup.created_at)}\n"
        f"{human_bytes(backup.size)} · {backup.compression.description} · {checks} · {restorable}\n"
        f"{_origin_line(backup)}"
        f"{_drill_line(backup)}"
    )


def _origin_warning(backup: BackupFile) -> str:
    if backup.sealed:
        return ""
    return "⚠️ This bot did not make this file: be sure where it came from first.\n"


def _drill_line(backup: BackupFile) -> str:
    """'drill ✅ 3 h ago, 41 s' (or ❌ with why) when the sidecar holds a drill result."""
    drill = kept_drill(backup.manifest)
    if drill is None:
        return ""
    if drill.ok:
        return f"\ndrill ✅ {relative_time(drill.at)}, {human_duration(drill.duration_seconds)}"
    why = f": {limits.truncate(shown_name(drill.first_finding), 120)}" if drill.first_finding else ""
    return f"\ndrill ❌ {relative_time(drill.at)}{why}"


def restore_question(backup: BackupFile) -> EmbedSpec:
    return EmbedSpec(
        title=f"Restore {backup.name}?",
        description=(
            "This **replaces the whole database** with the content of this backup "
            f"({human_bytes(backup.size)}, {absolute_time(backup.created_at)}).\n"
            f"{_origin_line(backup)}\n{_origin_warning(backup)}"
            "A safety backup of the current database is taken first. If anything fails, the database "
            "is left exactly as it was. Aphrodite may need a restart afterwards.\n"
            "Only you can confirm; without an answer in 60 s nothing is done."
        ),
        colour=STATUS_COLOURS[Status.FAILED],
    )


def restored_embed(result: RestoreResult) -> EmbedSpec:
    spec = EmbedSpec(
        title="Restore complete — 🟢 OK",
        description=f"`{result.name}` restored in {human_duration(result.duration_seconds)}.",
        colour=STATUS_COLOURS[Status.OK],
        footer="Restart Aphrodite if it still shows the old data.",
    )
    spec.add_field("Safety backup", f"`{result.safety_backup.name}` (to undo: restore it)", False)
    rows = [f"{'table':<26} {'before':>9} {'after':>9}"]
    rows += [f"{t.table[:26]:<26} {_count(t.before):>9} {_count(t.after):>9}" for t in result.tables]
    spec.add_field("Rows before → after", "```\n" + "\n".join(rows) + "\n```", False)
    if result.source_database:
        spec.add_field(
            "Aphrodite backup",
            f"Database-level statements skipped (taken from database {shown_name(result.source_database)}); "
            "restored into the configured database.",
            False,
        )
    if result.skipped_extensions:
        spec.add_field(
            "Extensions left as they are",
            f"Owned by another role, so not replayed: {shown_name(', '.join(result.skipped_extensions))}.",
            False,
        )
    return spec


def _count(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def delete_question(backup: BackupFile) -> EmbedSpec:
    return EmbedSpec(
        title=f"Delete {backup.name}?",
        description=(
            f"The file ({human_bytes(backup.size)}, {absolute_time(backup.created_at)}) is removed "
            "from the backup folder for good.\n"
            f"{_origin_line(backup)}\n"
            "Only you can confirm; without an answer in 60 s nothing is done."
        ),
        colour=STATUS_COLOURS[Status.FAILED],
    )


def deleted_embed(deleted: DeletedBackup) -> EmbedSpec:
    return EmbedSpec(
        title="Backup deleted",
        description=f"`{deleted.name}` ({human_bytes(deleted.size)}) was deleted.",
        colour=NEUTRAL,
    )
