"""Every restore is bounded: in time (a budget the server enforces too), in statement size and count,
and in how far a compressed file may inflate; a killed client leaves no session holding locks.
"""

# The fixtures imported from backup_fixtures are requested as parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import tracemalloc
import zlib

import asyncpg
import pytest

from bot.backups.dump_file import COMPLETION_MARKER
from bot.backups.restore.errors import RestoreFailed, RestoreRefused
from bot.backups.restore.events import DumpRefused
from bot.backups.restore.filter import STATEMENT_COUNT_LIMIT, DumpFilter
from bot.backups.restore.inspect import inspect_dump
from bot.backups.restore.replay import RESTORE_APPLICATION_NAME
from tests.backups.fixtures import (  # noqa: F401 - fixtures
    DUMP_HEAD,
    backup_dir,
    database,
    files_in,
    fingerprint,
    make_service,
)
from tests.backups.test_cli import REPO
from tests.backups.test_restore_safety import PLANTED, plant
from tests.backups.test_restore_trust import trap

MIB = 1024 * 1024
SLEEPER = trap("PERFORM pg_catalog.pg_sleep(3600)")  # a CHECK constraint that sleeps for an hour


async def restore_sessions(dsn: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetch(
            "SELECT pid, state, wait_event FROM pg_stat_activity WHERE application_name = $1",
            RESTORE_APPLICATION_NAME,
        )
    finally:
        await connection.close()


async def until(condition, attempts: int = 1200) -> None:
    """Wait, polling, for ``condition()`` (a coroutine function) to hold; fail after ``attempts``."""
    for _ in range(attempts):
        if await condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the condition never held")


async def test_a_restore_over_its_time_budget_is_stopped_and_rolled_back(database, aphrodite_db, backup_dir):
    service = make_service(database, backup_dir, restore_budget_seconds=2)
    await plant(backup_dir, aphrodite_db.dsn, SLEEPER)
    before = await fingerprint(aphrodite_db.dsn)

    with pytest.raises(RestoreFailed) as failure:
        await service.restore(PLANTED, label="alice")

    message = str(failure.value)
    assert "after its time budget of 2 s, so it was stopped" in message
    assert "Nothing was changed: the restore was rolled back." in message
    assert await fingerprint(aphrodite_db.dsn) == before
    assert await restore_sessions(aphrodite_db.superuser_dsn) == []


async def test_killing_a_cli_restore_leaves_no_session_holding_the_locks(aphrodite_db, backup_dir, tmp_path):
    await plant(backup_dir, aphrodite_db.dsn, SLEEPER)
    before = await fingerprint(aphrodite_db.dsn)
    environment = {
        "PATH": os.environ.get("PATH", os.defpath),
        "PYTHONPATH": str(REPO),
        "DATABASE_URL": aphrodite_db.dsn,
        "BACKUP_DIR": str(backup_dir),
        "DATA_DIR": str(tmp_path / "data"),
    }
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "backup", "restore", PLANTED, "--yes"),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        env=environment,
        cwd=tmp_path,
    )

    async def sleeping() -> bool:
        sessions = await restore_sessions(aphrodite_db.superuser_dsn)
        return any(session["wait_event"] == "PgSleep" for session in sessions)

    await until(sleeping)
    process.send_signal(signal.SIGKILL)
    await process.wait()

    async def gone() -> bool:
        return not await restore_sessions(aphrodite_db.superuser_dsn)

    await until(gone)
    assert await fingerprint(aphrodite_db.dsn) == before  # the killed restore's work was rolled back


def gzip_stream(*pieces: bytes) -> bytes:
    packer = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return b"".join(packer.compress(piece) for piece in pieces) + packer.flush()


async def test_a_huge_statement_in_a_small_gzip_is_refused_with_bounded_memory(
    database, aphrodite_db, backup_dir
):
    # The audit's file held a 1 GiB statement in 4.5 MB of gzip; twice the limit shows the same
    # (random hex digits, so that the ratio cap is not what refuses it).
    literal = random.Random(24).randbytes(MIB // 2).hex().encode()
    data = gzip_stream(
        DUMP_HEAD.encode(),
        b"SET row_security = off;\nCOMMENT ON TABLE public.media_items IS '",
        *([literal] * 64),
        b"';\n\n--\n" + COMPLETION_MARKER + b"\n--\n\n",
    )
    path = backup_dir / PLANTED.replace(".sql", ".sql.gz")
    path.write_bytes(data)
    del literal

    tracemalloc.start()
    try:
        _, refused = await asyncio.to_thread(inspect_dump, path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert refused is not None and refused.line == 6 and "a statement longer than 32 MiB" in refused.reason
    assert peak < 16 * MIB
    before = await fingerprint(aphrodite_db.dsn)
    with pytest.raises(RestoreRefused, match="a statement longer than 32 MiB"):
        await make_service(database, backup_dir).restore(path.name, label="alice")
    assert await fingerprint(aphrodite_db.dsn) == before
    assert files_in(backup_dir) == {path.name}


def test_a_file_of_a_million_statements_is_refused_when_it_is_checked():
    dump_filter = DumpFilter(keep_text=False)
    batch = b"SET row_security = off;\n" * 10_000

    with pytest.raises(DumpRefused, match=f"more than {STATEMENT_COUNT_LIMIT} statements") as refused:
        for _ in range(100):  # a million, but the refusal comes at the limit
            dump_filter.feed(batch)

    assert refused.value.line == STATEMENT_COUNT_LIMIT + 1
