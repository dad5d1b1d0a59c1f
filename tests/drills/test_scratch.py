"""Scratch databases: the exact grant when the role may not create them; leftovers of a crash dropped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from bot.backups.lock import BackupBusy, RunningOperation
from bot.config import Secret
from bot.drills.scratch import DrillNotPermitted, ScratchServer
from bot.drills.target import last_drill
from bot.redact import Redactor
from tests.drills.conftest import scratch_databases, superuser

OLD = "aphrodite_drill_20200101_000000"


async def test_a_role_without_createdb_is_told_the_exact_grant(aphrodite_db, backups, drills, state):
    await superuser(aphrodite_db, "CREATE ROLE nocreate LOGIN PASSWORD 'nocreate-pw'")
    try:
        server = ScratchServer(
            Secret(aphrodite_db.cluster.dsn("postgres", "nocreate", "nocreate-pw")), redactor=Redactor()
        )
        with pytest.raises(DrillNotPermitted) as refused:
            await server.create()
        message = str(refused.value)
        assert "ALTER ROLE nocreate CREATEDB;" in message and "set DRILL_DATABASE_URL" in message
        assert "nocreate-pw" not in message
        assert refused.value.exit_code == 3
        assert await scratch_databases(aphrodite_db) == set()

        await backups.create(label="alice")
        drills.server = server
        with pytest.raises(DrillNotPermitted):
            await drills.drill(None, label="alice")
        recorded = await last_drill(state)
        assert recorded is not None and not recorded.ok and "CREATEDB" in recorded.summary
    finally:
        await superuser(aphrodite_db, "DROP ROLE nocreate")


async def test_a_database_a_killed_drill_left_is_dropped_at_the_next_start(aphrodite_db, server, drills):
    # What a killed drill leaves: an aphrodite_drill_* database of our role that nobody uses.
    await superuser(aphrodite_db, f"CREATE DATABASE {OLD} OWNER aphrodite")
    assert OLD in await scratch_databases(aphrodite_db)

    assert await drills.sweep(label="the bot's start") == (OLD,)
    assert await scratch_databases(aphrodite_db) == set()


async def test_a_fresh_database_of_a_drill_that_died_is_dropped_at_once(aphrodite_db, server, state):
    # A drill created its database, then its process was killed (a crash, a restart of the container).
    left = await server.create()
    next_start = ScratchServer(Secret(aphrodite_db.dsn), redactor=Redactor(), ledger=state)

    assert await next_start.sweep_leftovers() == (left,)
    assert await scratch_databases(aphrodite_db) == set()


async def test_the_sweep_spares_a_drill_in_progress_and_other_roles_databases(aphrodite_db, server):
    fresh = f"aphrodite_drill_{datetime.now(UTC):%Y%m%d_%H%M%S}"
    in_use, foreign = "aphrodite_drill_20200101_000001", "aphrodite_drill_20200101_000002"
    await superuser(
        aphrodite_db,
        f"CREATE DATABASE {fresh} OWNER aphrodite",
        f"CREATE DATABASE {in_use} OWNER aphrodite",
        f"CREATE DATABASE {foreign}",
    )
    connected = await asyncpg.connect(aphrodite_db.cluster.dsn(in_use))
    try:
        assert await server.sweep_leftovers() == ()
        await connected.close()
        later = datetime.now(UTC) + timedelta(minutes=10)
        assert set(await server.sweep_leftovers(later)) == {fresh, in_use}
        assert await scratch_databases(aphrodite_db) == {foreign}
    finally:
        await connected.close()
        await superuser(
            aphrodite_db, *(f"DROP DATABASE IF EXISTS {name}" for name in (fresh, in_use, foreign))
        )


async def test_a_drill_waits_for_no_backup_or_restore_it_is_refused_while_one_runs(
    backups, drills, aphrodite_db
):
    await backups.create(label="alice")
    async with backups.lock.hold(RunningOperation("A backup (compressed)", "bob")):
        with pytest.raises(BackupBusy, match="by bob"):
            await drills.drill(None, label="alice")
    assert await scratch_databases(aphrodite_db) == set()
