"""Building an OffsiteService over a real BackupService and the test S3 server."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot.backups.service import BackupService
from bot.config import load_settings
from bot.offsite.service import OffsiteService
from bot.redact import Redactor
from bot.state import StateStore
from tests.offsite.conftest import AgeKeys, offsite_environ

SMALL_PART = 4096


def make_offsite(
    backups: BackupService,
    endpoint: str,
    bucket: str,
    keys: AgeKeys | None,
    state: StateStore | None = None,
    on_uploaded: Callable[[datetime], None] | None = None,
    **extra: str,
) -> OffsiteService:
    settings = load_settings(
        offsite_environ(endpoint, bucket, backups.backup_dir, keys, **extra), dotenv=False
    )
    return OffsiteService(
        settings,
        backups,
        redactor=Redactor(settings.secrets()),
        state=state,
        on_uploaded=on_uploaded,
        part_size=SMALL_PART,
        retry_delays=(0.0, 0.0),
    )


def object_bytes(client: object, bucket: str, key: str) -> bytes:
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()  # type: ignore[attr-defined, no-any-return]


def keys_in(client: object, bucket: str) -> list[str]:
    listing = client.list_objects_v2(Bucket=bucket)  # type: ignore[attr-defined]
    return sorted(item["Key"] for item in listing.get("Contents", []))


def files_open_in(folder: Path) -> list[str]:
    """What this process holds open in ``folder``, unlinked files included ("... (deleted)")."""
    held = []
    for descriptor in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # the descriptor listdir itself used is gone already
            target = os.readlink(f"/proc/self/fd/{descriptor}")
            if target.startswith(f"{folder}/"):
                held.append(target)
    return sorted(held)
