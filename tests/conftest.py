"""Fixtures shared by the whole suite: the PostgreSQL cluster and per-test Aphrodite databases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import event_loop, pattern_set
from bot.config import Secret
from bot.database.connection import Database
from bot.redact import Redactor
from bot.state import StateStore
from tests.support.databases import clone_database, drop_database, prepare_template, run
from tests.support.postgres_cluster import PostgresCluster


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, object]:
    """Every async test runs on the event loop the bot and the CLI run on (bot/event_loop.py)."""
    return {"bot's loop": event_loop.loop_factory()}


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """One real PostgreSQL cluster for the session, seeded template included."""
    cluster = PostgresCluster.create()
    try:
        run(prepare_template(cluster))
        yield cluster
    finally:
        cluster.destroy()


@dataclass(frozen=True)
class AphroditeDatabase:
    """A per-test copy of Aphrodite's database."""

    cluster: PostgresCluster
    name: str

    @property
    def dsn(self) -> str:
        """The application user's URL (password auth over TCP), as DATABASE_URL would hold."""
        return self.cluster.dsn(self.name)

    @property
    def superuser_dsn(self) -> str:
        return self.cluster.superuser_dsn(self.name)


@pytest.fixture
async def aphrodite_db(pg_cluster: PostgresCluster) -> AsyncIterator[AphroditeDatabase]:
    """A fresh database with Aphrodite's schema and a few thousand rows, dropped afterwards."""
    name = await clone_database(pg_cluster)
    try:
        yield AphroditeDatabase(pg_cluster, name)
    finally:
        await drop_database(pg_cluster, name)


@pytest.fixture
async def app_database(aphrodite_db: AphroditeDatabase) -> AsyncIterator[Database]:
    """The bot's Database as DATABASE_URL would configure it: the non-superuser `aphrodite`."""
    database = Database(Secret(aphrodite_db.dsn), timeout=5, redactor=Redactor())
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def state(tmp_path: Path) -> AsyncIterator[StateStore]:
    """The bot's state store in a fresh file."""
    store = StateStore(tmp_path / "state.sqlite3")
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture(params=["hyperscan", "without hyperscan"])
def scan_engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs a test with Hyperscan and again as on a platform without it (pattern_set.py)."""
    from bot.logs import candidates

    if request.param != "hyperscan":
        monkeypatch.setattr(pattern_set, "_hyperscan", lambda: None)
    candidates.clear_compiled()
    request.addfinalizer(candidates.clear_compiled)
    return str(request.param)
