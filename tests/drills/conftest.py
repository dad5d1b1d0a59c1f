"""Fixtures of the drill tests: the real cluster, a backup folder, a DrillService over both."""

# The backups' `database` fixture is imported and requested as parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from bot.backups.service import BackupService
from bot.config import Secret
from bot.database.connection import Database
from bot.drills.scratch import ScratchServer
from bot.drills.service import DrillService
from bot.state import StateStore
from tests.backups.fixtures import database, make_service  # noqa: F401


@pytest.fixture
def backups(database: Database, tmp_path: Path) -> BackupService:
    return make_service(database, tmp_path / "backups")


@pytest.fixture
def server(aphrodite_db, database: Database, state: StateStore) -> ScratchServer:
    return ScratchServer(Secret(aphrodite_db.dsn), redactor=database.redactor, ledger=state)


@pytest.fixture
def passed() -> list:
    return []


@pytest.fixture
def drills(backups: BackupService, server: ScratchServer, state: StateStore, passed: list) -> DrillService:
    return DrillService(backups, server, state, redactor=backups.database.redactor, on_passed=passed.append)


async def scratch_databases(aphrodite_db) -> set[str]:
    """The aphrodite_drill_* databases on the cluster now."""
    connection = await asyncpg.connect(aphrodite_db.superuser_dsn)
    try:
        rows = await connection.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE 'aphrodite_drill_%'"
        )
    finally:
        await connection.close()
    return {row["datname"] for row in rows}


async def superuser(aphrodite_db, *statements: str, database: str = "postgres") -> None:
    connection = await asyncpg.connect(aphrodite_db.cluster.superuser_dsn(database))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()
