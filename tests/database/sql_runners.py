"""Fixtures that run SQL in the test database as the superuser or as Aphrodite's own user.

Imported by tests/database/conftest.py and by the backup tests that need them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
import pytest

RunSql = Callable[..., Awaitable[None]]


def _runner(dsn: str) -> RunSql:
    async def run(*statements: str) -> None:
        connection = await asyncpg.connect(dsn)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    return run


@pytest.fixture
def superuser_sql(aphrodite_db) -> RunSql:
    """Run statements as the cluster's superuser in the test database."""
    return _runner(aphrodite_db.superuser_dsn)


@pytest.fixture
def app_sql(aphrodite_db) -> RunSql:
    """Run statements as Aphrodite's own user (the tables' owner)."""
    return _runner(aphrodite_db.dsn)
