"""Every message the bot created, by id, and the message objects Discord returns for them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .bodies import UploadedFile
from .errors import unknown_message
from .records import LOADING, MessageRecord, StoredFile
from .snowflakes import SnowflakeFactory, timestamp
from .world import FakeUser

SUPPRESS_EMBEDS = 1 << 2
CDN = "https://cdn.discordapp.com/attachments"


class MessageStore:
    """Creates, edits and deletes messages; one mutable ``MessageRecord`` per id."""

    def __init__(self, new_id: SnowflakeFactory, guild_id: int) -> None:
        self._new_id = new_id
        self._guild_id = guild_id
        self._messages: dict[int, MessageRecord] = {}

    def create(
        self,
        *,
        channel_id: int,
        author: FakeUser,
        payload: dict[str, Any],
        files: Sequence[UploadedFile] = (),
        type: int = 0,
        flags: int = 0,
        webhook_id: int | None = None,
        interaction_metadata: dict[str, Any] | None = None,
    ) -> MessageRecord:
        """A new message from a create payload; ``flags`` adds what Discord sets itself (e.g. LOADING)."""
        record = MessageRecord(
            id=self._new_id(),
            channel_id=channel_id,
            author=author,
            created_at=timestamp(),
            content=payload.get("content") or "",
            embeds=list(payload.get("embeds") or []),
            components=list(payload.get("components") or []),
            files=self._attachments(payload.get("attachments"), files, kept=[]),
            flags=flags | (payload.get("flags") or 0),
            type=type,
            webhook_id=webhook_id,
            interaction_metadata=interaction_metadata,
        )
        self._messages[record.id] = record
        return record

    def edit(
        self, record: MessageRecord, payload: dict[str, Any], files: Sequence[UploadedFile] = ()
    ) -> None:
        """Apply an edit payload: only the fields it names change; editing ends the "thinking" state."""
        if "content" in payload:
            record.content = payload["content"] or ""
        if "embeds" in payload:
            record.embeds = list(payload["embeds"] or [])
        if "components" in payload:
            record.components = list(payload["components"] or [])
        if "attachments" in payload or files:
            record.files = self._attachments(payload.get("attachments"), files, kept=record.files)
        if payload.get("flags") is not None:
            record.flags = (record.flags & ~SUPPRESS_EMBEDS) | (payload["flags"] & SUPPRESS_EMBEDS)
        if not record.loading:
            record.edited_at = timestamp()
        record.flags &= ~LOADING

    def delete(self, record: MessageRecord) -> None:
        record.deleted = True

    def get(self, message_id: int) -> MessageRecord:
        """The live message with that id, or Discord's Unknown Message."""
        record = self._messages.get(message_id)
        if record is None or record.deleted:
            raise unknown_message()
        return record

    def in_channel(self, channel_id: int) -> list[MessageRecord]:
        """Live messages posted through the channel route (not interaction responses), oldest first."""
        return [
            m
            for m in self._messages.values()
            if m.channel_id == channel_id and m.webhook_id is None and not m.deleted
        ]

    def payload(self, record: MessageRecord) -> dict[str, Any]:
        """The message object Discord returns."""
        payload: dict[str, Any] = {
            "id": str(record.id),
            "channel_id": str(record.channel_id),
            "guild_id": str(self._guild_id),
            "author": record.author.payload(),
            "content": record.content,
            "timestamp": record.created_at,
            "edited_timestamp": record.edited_at,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [self._attachment_payload(record, f) for f in record.files],
            "embeds": [{"type": "rich", **embed} for embed in record.embeds],
            "components": record.components,
            "pinned": False,
            "type": record.type,
            "flags": record.flags,
        }
        if record.webhook_id is not None:
            payload["webhook_id"] = str(record.webhook_id)
            payload["application_id"] = str(record.webhook_id)
        if record.interaction_metadata is not None:
            payload["interaction_metadata"] = record.interaction_metadata
        return payload

    def _attachments(
        self, listed: list[dict[str, Any]] | None, uploads: Sequence[UploadedFile], kept: list[StoredFile]
    ) -> list[StoredFile]:
        """Resolve an ``attachments`` list: ids of kept attachments, or indexes of ``files[n]`` uploads."""
        by_index = {u.index: u for u in uploads}
        if listed is None:
            return [*kept, *(StoredFile(self._new_id(), u.filename, u.data) for u in uploads)]
        existing = {f.id: f for f in kept}
        result = []
        for entry in listed:
            key = int(entry["id"])
            if key in existing:
                result.append(existing[key])
            elif key in by_index:
                upload = by_index[key]
                filename = entry.get("filename") or upload.filename
                result.append(StoredFile(self._new_id(), filename, upload.data, entry.get("description")))
        return result

    def _attachment_payload(self, record: MessageRecord, file: StoredFile) -> dict[str, Any]:
        url = f"{CDN}/{record.channel_id}/{file.id}/{file.filename}"
        return {
            "id": str(file.id),
            "filename": file.filename,
            "description": file.description,
            "size": len(file.data),
            "url": url,
            "proxy_url": url,
            "content_type": "application/octet-stream",
        }
