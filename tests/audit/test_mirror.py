"""The audit mirror's order and progress, with a stand-in for Discord's channel (the boundary)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.audit import Actor, AuditAction, AuditRecord, AuditSource, Outcome, OutcomeKind
from bot.audit.mirror import AuditMirror, MirrorFailed, MirrorRejected
from bot.audit.store import AuditStore
from bot.state import StateStore

OK = Outcome(OutcomeKind.OK)


class Channel:
    """Takes records unless told to fail, or to refuse one target for good."""

    def __init__(self) -> None:
        self.posted: list[str | None] = []
        self.down = False
        self.refused: set[str] = set()

    async def post(self, record: AuditRecord) -> None:
        if self.down:
            raise MirrorFailed("Discord answered 503")
        if record.target in self.refused:
            raise MirrorRejected("Discord answered 400")
        self.posted.append(record.target)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[AuditStore]:
    state = StateStore(tmp_path / "state.sqlite3")
    try:
        yield AuditStore(state)
    finally:
        await state.close()


async def add(store: AuditStore, target: str, at: datetime | None = None) -> None:
    moment = at or datetime.now(UTC)
    await store.append(moment, Actor("alice", 1), AuditSource.CLI, AuditAction.BACKUP_DELETE, target, OK)


async def test_a_new_mirror_posts_only_what_happened_since_it_was_created(store: AuditStore) -> None:
    await add(store, "before", datetime.now(UTC) - timedelta(minutes=1))
    channel = Channel()
    mirror = AuditMirror(store, channel.post)
    await add(store, "after")

    assert await mirror.flush() == 1
    assert channel.posted == ["after"]
    assert await mirror.flush() == 0


async def test_an_outage_keeps_records_and_posts_them_in_order_once_it_ends(store: AuditStore) -> None:
    channel = Channel()
    mirror = AuditMirror(store, channel.post)
    await mirror.flush()
    channel.down = True
    for target in ("a", "b", "c"):
        await add(store, target)
    assert await mirror.flush() == 0
    assert mirror.failing == "Discord answered 503"

    channel.down = False
    assert await mirror.flush() == 3
    assert channel.posted == ["a", "b", "c"] and mirror.failing is None


async def test_a_refused_record_is_skipped_and_the_rest_still_go(store: AuditStore) -> None:
    channel = Channel()
    channel.refused.add("b")
    mirror = AuditMirror(store, channel.post)
    await mirror.flush()
    for target in ("a", "b", "c"):
        await add(store, target)

    assert await mirror.flush() == 3
    assert channel.posted == ["a", "c"]


async def test_the_progress_survives_a_restart_and_stale_records_are_not_posted_late(
    store: AuditStore,
) -> None:
    channel = Channel()
    await AuditMirror(store, channel.post).flush()
    await add(store, "week-old", datetime.now(UTC) - timedelta(days=8))
    await add(store, "fresh")

    restarted = AuditMirror(store, channel.post)
    assert await restarted.flush() == 2
    assert channel.posted == ["fresh"]
