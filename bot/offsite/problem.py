"""The last off-site upload problem, kept in the state store until an upload works again.

The Backups alert target reads it (a failed upload is a Backups incident); `/backup offsite`
shows it. Kept apart from the service so the alert target imports nothing of the S3 client.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.state import StateStore

PROBLEM_KEY = "offsite.last_problem"


async def record_upload(state: StateStore, name: str, error: str | None) -> None:
    """Remember the outcome of the latest upload of ``name`` (``error`` None when it worked)."""
    await state.put(PROBLEM_KEY, {"at": datetime.now(UTC).isoformat(), "name": name, "error": error})


async def last_problem(state: StateStore) -> dict[str, str] | None:
    """The latest upload's problem; None when it worked (or none was tried)."""
    record = await state.get(PROBLEM_KEY)
    return record if isinstance(record, dict) and record.get("error") else None
