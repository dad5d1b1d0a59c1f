"""What `python -m bot backup ...` prints: a created backup, the inventory as a table, a restore."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.backups.compression import Compression
from bot.backups.inventory import BackupFile, Inventory, Sidecar
from bot.backups.results import BackupResult, DeletedBackup, RestoreResult
from bot.backups.retention import RetentionRun
from bot.printable import printable
from bot.units import human_bytes, human_duration


def render_created(result: BackupResult, retention: RetentionRun | None = None) -> str:
    kind = "uncompressed" if result.compression is Compression.NONE else f"{result.compression} compressed"
    lines = [
        f"Backup {result.name} created: {human_bytes(result.size)} ({kind}, "
        f"{human_bytes(result.sql_bytes)} of SQL) in {human_duration(result.duration_seconds)}.",
        f"  verified: complete dump, sha256 {result.sha256}",
        f"  path: {result.path}",
    ]
    if not result.compression.aphrodite_can_restore:
        lines.append("  Aphrodite's web UI cannot restore zstd files; this bot can.")
    if retention is not None and retention.error:
        lines.append(f"  old backups were not cleaned up: {retention.error}")
    elif retention is not None and retention.pruned:
        lines.append(f"  retention (BACKUP_KEEP) removed: {', '.join(retention.pruned)}")
    return "\n".join(lines)


def render_list(inventory: Inventory, folder: Path, places: Mapping[str, str] | None = None) -> str:
    """The backups as a table (WHERE: local or both, with OFFSITE_URL), then what else is in the folder."""
    lines = [_backup_table(inventory.backups, folder, places)]
    if inventory.not_backups:
        lines.append(f"Not backups ({len(inventory.not_backups)}; never restored, attached or deleted):")
        lines.extend(f"  {printable(entry.name)}: {entry.reason}" for entry in inventory.not_backups)
    return "\n".join(lines)


def _backup_table(backups: list[BackupFile], folder: Path, places: Mapping[str, str] | None) -> str:
    if not backups:
        return f"No backups in {folder}."
    header: tuple[str, ...] = (
        "NAME",
        "CREATED (UTC)",
        "SIZE",
        "COMPRESSED",
        "VERIFIED",
        "APHRODITE CAN RESTORE",
        "MADE BY",
    )
    rows: list[tuple[str, ...]] = [
        (
            backup.name,
            f"{backup.created_at:%Y-%m-%d %H:%M:%S}",
            human_bytes(backup.size),
            backup.compression.value if backup.compressed else "no",
            "yes" if backup.verified else ("no" if backup.sealed else "-"),
            _RESTORABLE_WORDS[backup.aphrodite_restorable],
            _origin_cell(backup),
        )
        for backup in backups
    ]
    if places is not None:
        header = (*header, "WHERE")
        rows = [(*row, places.get(row[0], "local")) for row in rows]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    return "\n".join([*(line.rstrip() for line in lines), f"{len(backups)} backup(s) in {folder}."])


def _origin_cell(backup: BackupFile) -> str:
    if backup.sealed:
        return f"bot ({backup.kind})"
    return "unknown (no sidecar)" if backup.sidecar is Sidecar.NONE else "unknown (unsealed sidecar)"


_RESTORABLE_WORDS = {True: "yes", False: "no", None: "unverified"}


def render_restored(result: RestoreResult) -> str:
    origin = " (of unknown origin: not made by this bot)" if result.made_by_aphrodite else ""
    lines = [
        f"Restored {result.name}{origin} in {human_duration(result.duration_seconds)}.",
        f"Safety backup of the previous state: {result.safety_backup.name}.",
    ]
    if result.skipped_count:
        lines.append(f"{result.skipped_count} statement(s) of the dump were not replayed:")
        if result.source_database:
            lines.append(
                f"  database-level statements of the dump of {result.source_database!r} (the objects were "
                "restored into the configured database)"
            )
        if result.skipped_extensions:
            names = ", ".join(result.skipped_extensions)
            lines.append(f"  extensions owned by another role, left as they are: {names}")
        lines.extend(f"  {statement}" for statement in result.skipped_statements[:5])
    if not result.after_counted:
        lines.append("The tables could not be counted after the restore.")
    width = max(len(row.table) for row in result.tables)
    lines.append(f"{'TABLE'.ljust(width)}  {'BEFORE':>10}  {'AFTER':>10}")
    lines.extend(
        f"{row.table.ljust(width)}  {_count(row.before):>10}  {_count(row.after):>10}"
        for row in result.tables
    )
    return "\n".join(lines)


def render_deleted(deleted: DeletedBackup) -> str:
    return f"Deleted {deleted.name} ({human_bytes(deleted.size)})."


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"
