"""A file the running bot touches while connected, so a container health check can tell it is alive."""

from __future__ import annotations

import time
from pathlib import Path

INTERVAL_SECONDS = 5
# One missed beat is allowed (a slow disk, a busy moment); two are not: a bot killed 11 s ago
# is reported unhealthy, where a 90 s allowance called one killed 16 s ago healthy.
STALE_AFTER_SECONDS = 2 * INTERVAL_SECONDS


def heartbeat_path(data_dir: Path) -> Path:
    return data_dir / "heartbeat"


def beat(data_dir: Path) -> None:
    """Record that the bot is connected now."""
    path = heartbeat_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{time.time():.3f}\n")


def age_seconds(data_dir: Path) -> float | None:
    """Seconds since the last beat; None when the bot never beat or the file is not a heartbeat."""
    try:
        with open(heartbeat_path(data_dir), "rb") as file:
            return time.time() - float(file.read(64).strip())
    except (OSError, ValueError):
        return None
