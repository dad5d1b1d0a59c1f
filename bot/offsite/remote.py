"""The copies in the store: which backups they are, who made them, which retention would delete."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.backups.inventory import BACKUP_NAME, STAMP_FORMAT
from bot.offsite.store import ObjectStore, RemoteObject
from bot.offsite.upload import MADE_BY, ROW_COUNTS

_HEADS_AT_ONCE = 8


@dataclass(frozen=True)
class RemoteCopy:
    """One copy under the prefix; ``ours`` when this bot made it (its metadata says so, with a sha256)."""

    name: str
    key: str
    size: int
    encrypted: bool
    created_at: datetime
    sha256: str | None
    ours: bool
    kind: str | None
    backup_size: int | None
    row_counts: object = None  # as the metadata holds them, unchecked (drills.compare checks them)


@dataclass(frozen=True)
class OffsiteStatus:
    """For `/backup offsite`: where, how many of ours, the newest, the last upload problem."""

    url: str
    encrypted: bool
    copies: int
    newest: RemoteCopy | None
    others: int
    would_prune: tuple[str, ...]
    problem: dict[str, str] | None
    keep: int


def _created_at(name: str) -> datetime:
    match = BACKUP_NAME.fullmatch(name)
    try:
        return datetime.strptime(match["stamp"] if match else "", STAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


async def list_copies(store: ObjectStore) -> list[RemoteCopy]:
    """Every key under the prefix named like a backup, newest first, with its metadata."""
    async with store.client() as client:
        listed = [(item, store.location.backup_name(item.key)) for item in await store.list_keys(client)]
        named = [(item, found) for item, found in listed if found is not None]
        gate = asyncio.Semaphore(_HEADS_AT_ONCE)

        async def head(key: str) -> RemoteObject | None:
            async with gate:
                return await store.head(client, key)

        heads = await asyncio.gather(*(head(item.key) for item, _ in named))
    copies = []
    for (item, (name, encrypted)), remote in zip(named, heads, strict=True):
        metadata = remote.metadata if remote is not None else {}
        sha256 = metadata.get("sha256")
        copies.append(
            RemoteCopy(
                name=name,
                key=item.key,
                size=item.size,
                encrypted=encrypted,
                created_at=_created_at(name),
                sha256=sha256,
                ours=metadata.get("made-by") == MADE_BY and bool(sha256),
                kind=metadata.get("kind"),
                backup_size=_whole_number(metadata.get("size")),
                row_counts=_json(metadata.get(ROW_COUNTS)),
            )
        )
    return sorted(copies, key=lambda copy: (copy.created_at, copy.name), reverse=True)


def _json(text: str | None) -> object:
    """The value ``text`` holds; the text itself when it is not JSON (reported as unreadable).

    The store's metadata is untrusted: nesting too deep to parse counts as not JSON.
    """
    if text is None:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def _whole_number(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None


def copies_to_prune(copies: list[RemoteCopy], keep: int) -> list[RemoteCopy]:
    """Our copies beyond the newest ``keep``; never the newest one of ours, never anybody else's."""
    ours = [copy for copy in copies if copy.ours]  # newest first
    return ours[max(keep, 1) :]


def where(local: list[str], copies: list[RemoteCopy]) -> dict[str, str]:
    """Each backup name, local or off-site, with "local", "off-site" or "both"."""
    remote = {copy.name for copy in copies if copy.ours}
    places = {name: "both" if name in remote else "local" for name in local}
    return {**{name: "off-site" for name in remote - set(local)}, **places}
