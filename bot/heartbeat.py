"""A file the running bot touches while connected, so a container health check can tell it is alive."""

from __future__ import annotations

import time
from pathlib import Path

INTERVAL_SECONDS = 30
STALE_AFTER_SECONDS = 3 * INTERVAL_SECONDS


def heartbeat_path(data_dir: Path) -> Path:
    return data_dir / "heartbeat"


def beat(data_dir: Path) -> None:
    """Record that the bot is connected now."""
    path = heartbeat_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{time.time():.0f}\n")


def age_seconds(data_dir: Path) -> float | None:
    """Seconds since the last beat, or None when the bot never beat."""
    try:
        return time.time() - float(heartbeat_path(data_dir).read_text().strip())
    except (OSError, ValueError):
        return None
