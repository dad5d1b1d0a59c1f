"""What the history keeps: raw results for 48 hours, hourly aggregates and size samples HISTORY_DAYS."""

from __future__ import annotations

import sqlite3

from bot.history.sqlite_file import read_meta, write_meta
from bot.history.timeline import DAY, HOUR, hour_floor

RAW_KEEP_SECONDS = 48 * HOUR
# history_meta keys: hours before ROLLED_UP_UNTIL have their aggregate rows; raw results before
# RAW_KEPT_FROM were pruned, so queries read aggregates there.
ROLLED_UP_UNTIL = "rolled_up_until"
RAW_KEPT_FROM = "raw_kept_from"


def prune(connection: sqlite3.Connection, now: int, keep_days: int) -> None:
    """Delete what is past its keep; raw results only once their hour has been rolled up."""
    raw_cutoff = min(hour_floor(now - RAW_KEEP_SECONDS), read_meta(connection, ROLLED_UP_UNTIL))
    if raw_cutoff > read_meta(connection, RAW_KEPT_FROM):
        # Per target, so each delete is a range of the (target, at) primary key, not a table scan.
        for (target_id,) in connection.execute("SELECT id FROM history_targets").fetchall():
            connection.execute("DELETE FROM history_raw WHERE target = ? AND at < ?", (target_id, raw_cutoff))
        write_meta(connection, RAW_KEPT_FROM, raw_cutoff)
    cutoff = hour_floor(now - keep_days * DAY)
    connection.execute("DELETE FROM history_hourly WHERE hour < ?", (cutoff,))
    connection.execute("DELETE FROM history_table_size WHERE at < ?", (cutoff,))
    connection.execute("DELETE FROM history_db_size WHERE at < ?", (cutoff,))
