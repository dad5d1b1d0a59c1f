"""The audit trail's core: records appended with their outcome, bounded, redacted, append-only."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.audit import Actor, AuditAction, AuditSource, Outcome, OutcomeKind
from bot.audit.auditor import Auditor
from bot.audit.store import SCHEMA_KEY, AuditStore, AuditUnavailable
from bot.errors import NotConfirmed, OpsError
from bot.redact import Redactor
from bot.state import StateStore
from bot.state_errors import StateUnavailable

SECRET = "s3cr3t-database-password"
ALICE = Actor("alice", 1234)


@pytest.fixture
async def state(tmp_path: Path) -> AsyncIterator[StateStore]:
    store = StateStore(tmp_path / "state.sqlite3")
    try:
        yield store
    finally:
        await store.close()


def auditor(state: StateStore, *, at: datetime | None = None, keep_days: int = 90) -> Auditor:
    clock = (lambda: at) if at is not None else None
    return Auditor(AuditStore(state), Redactor([SECRET]), keep_days=keep_days, clock=clock)


def ok() -> Outcome:
    return Outcome(OutcomeKind.OK)


def week_ago() -> datetime:
    return datetime.now(UTC) - timedelta(days=7)


async def test_an_action_that_completes_is_recorded_ok_with_who_where_and_what(state: StateStore) -> None:
    audit = auditor(state)
    async with audit.action(AuditAction.BACKUP_CREATE, ALICE, AuditSource.DISCORD) as entry:
        entry.target = "aphrodite_backup_20250101_120000.sql.gz"

    (record,) = await audit.store.since(week_ago())
    assert record.actor == ALICE and record.source is AuditSource.DISCORD
    assert record.action is AuditAction.BACKUP_CREATE
    assert record.target == "aphrodite_backup_20250101_120000.sql.gz"
    assert record.outcome.kind is OutcomeKind.OK and record.outcome.text == "ok"


async def test_a_failure_is_recorded_with_its_reason_redacted_and_still_raised(state: StateStore) -> None:
    audit = auditor(state)
    with pytest.raises(OpsError):
        async with audit.action(AuditAction.BACKUP_RESTORE, ALICE, AuditSource.CLI, "x.sql"):
            raise OpsError(f"busy with password {SECRET}")

    (record,) = await audit.store.since(week_ago())
    assert record.outcome.kind is OutcomeKind.FAILED
    assert record.outcome.reason is not None and "busy with password" in record.outcome.reason
    assert SECRET not in record.outcome.text


async def test_an_unexpected_error_is_recorded_by_its_kind_only(state: StateStore) -> None:
    audit = auditor(state)
    with pytest.raises(ZeroDivisionError):
        async with audit.action(AuditAction.LOGS_CLEAR, ALICE, AuditSource.DISCORD):
            raise ZeroDivisionError(SECRET)

    (record,) = await audit.store.since(week_ago())
    assert record.outcome.text == "failed: unexpected error (ZeroDivisionError); see the log"


async def test_declined_and_unanswered_confirmations_are_recorded_as_not_confirmed(state: StateStore) -> None:
    audit = auditor(state)
    with pytest.raises(NotConfirmed):
        async with audit.action(AuditAction.BACKUP_DELETE, ALICE, AuditSource.CLI, "a.sql"):
            raise NotConfirmed("Not confirmed: did not delete; nothing was changed.")
    async with audit.action(AuditAction.BACKUP_DELETE, ALICE, AuditSource.DISCORD, "b.sql") as entry:
        entry.not_confirmed("cancelled")

    records = await audit.store.since(week_ago())
    assert [(r.target, r.outcome.kind) for r in records] == [
        ("b.sql", OutcomeKind.NOT_CONFIRMED),
        ("a.sql", OutcomeKind.NOT_CONFIRMED),
    ]


async def test_a_cancelled_action_is_recorded_as_interrupted(state: StateStore) -> None:
    audit = auditor(state)
    started = asyncio.Event()

    async def restore() -> None:
        async with audit.action(AuditAction.BACKUP_RESTORE, ALICE, AuditSource.DISCORD, "x.sql"):
            started.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(restore())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    (record,) = await audit.store.since(week_ago())
    assert record.outcome.kind is OutcomeKind.FAILED
    assert record.outcome.reason is not None and record.outcome.reason.startswith("interrupted")


async def test_long_untrusted_text_is_bounded(state: StateStore) -> None:
    audit = auditor(state)
    async with audit.action(AuditAction.BACKUP_DELETE, Actor("x" * 5000, 1), AuditSource.DISCORD, "y" * 5000):
        pass

    (record,) = await audit.store.since(week_ago())
    assert len(record.actor.name) <= 200 and record.target is not None and len(record.target) <= 200


async def test_records_older_than_history_days_are_pruned_when_a_record_is_added(state: StateStore) -> None:
    now = datetime.now(UTC)
    old = auditor(state, at=now - timedelta(days=31), keep_days=30)
    await old.record(AuditAction.ALERTS_PAUSE, ALICE, AuditSource.DISCORD, "60 minutes", ok())
    kept = auditor(state, at=now - timedelta(days=29), keep_days=30)
    await kept.record(AuditAction.ALERTS_RESUME, ALICE, AuditSource.DISCORD, None, ok())

    await auditor(state, keep_days=30).record(AuditAction.LOGS_CLEAR, ALICE, AuditSource.CLI, None, ok())

    records = await AuditStore(state).since(now - timedelta(days=365))
    assert [r.action for r in records] == [AuditAction.LOGS_CLEAR, AuditAction.ALERTS_RESUME]


async def test_records_are_listed_for_one_user_and_within_the_days_asked(state: StateStore) -> None:
    now = datetime.now(UTC)
    await auditor(state, at=now - timedelta(days=10)).record(
        AuditAction.LOGS_CLEAR, ALICE, AuditSource.DISCORD, None, ok()
    )
    audit = auditor(state)
    await audit.record(AuditAction.BACKUP_CREATE, ALICE, AuditSource.DISCORD, None, ok())
    await audit.record(AuditAction.BACKUP_CREATE, Actor("bob", 99), AuditSource.DISCORD, None, ok())

    mine = await audit.store.since(week_ago(), actor_id=ALICE.id)
    assert [(r.actor.name, r.action) for r in mine] == [("alice", AuditAction.BACKUP_CREATE)]


async def test_stored_records_cannot_be_updated_or_deleted_before_their_time(state: StateStore) -> None:
    audit = auditor(state)
    await audit.record(AuditAction.BACKUP_DELETE, ALICE, AuditSource.DISCORD, "a.sql", ok())

    def rewrite(connection: sqlite3.Connection) -> None:
        connection.execute("UPDATE audit_log SET outcome = 'ok', actor_name = 'nobody'")

    def erase(connection: sqlite3.Connection) -> None:
        connection.execute("DELETE FROM audit_log")

    with pytest.raises(StateUnavailable, match="append-only"):
        await state.run(rewrite)
    with pytest.raises(StateUnavailable, match="never deleted"):
        await state.run(erase)
    (record,) = await audit.store.since(week_ago())
    assert record.actor == ALICE


async def test_a_record_that_cannot_be_written_does_not_fail_the_action(state: StateStore) -> None:
    def newer_schema(connection: sqlite3.Connection) -> None:
        connection.execute("INSERT INTO state (key, value) VALUES (?, '99')", (SCHEMA_KEY,))

    await state.run(newer_schema)
    audit = auditor(state)
    async with audit.action(AuditAction.BACKUP_CREATE, ALICE, AuditSource.CLI) as entry:
        entry.target = "done.sql"
    with pytest.raises(AuditUnavailable, match="schema version 99"):
        await audit.store.since(week_ago())


async def test_a_row_that_does_not_read_as_a_record_is_skipped(state: StateStore) -> None:
    audit = auditor(state)
    await audit.record(AuditAction.BACKUP_CREATE, ALICE, AuditSource.CLI, None, ok())

    def plant(connection: sqlite3.Connection) -> None:
        connection.execute(
            "INSERT INTO audit_log (at, actor_name, source, action, outcome) "
            "VALUES (?, 'x', 'telepathy', 'backup_create', 'ok')",
            (datetime.now(UTC).isoformat(),),
        )

    await state.run(plant)
    assert [r.source for r in await audit.store.since(week_ago())] == [AuditSource.CLI]
