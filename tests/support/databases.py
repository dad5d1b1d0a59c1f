"""Databases for tests: a template seeded once with Aphrodite's schema, cloned per test."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import asyncpg

from tests.support.postgres_cluster import APP_PASSWORD, APP_USER, PostgresCluster

SCHEMA_SQL = Path(__file__).with_name("aphrodite_schema.sql")
TEMPLATE = "aphrodite_template"
_counter = itertools.count(1)


async def _superuser_execute(cluster: PostgresCluster, *statements: str) -> None:
    connection = await asyncpg.connect(cluster.superuser_dsn())
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def prepare_template(cluster: PostgresCluster) -> None:
    """Create the application role and a template database holding Aphrodite's schema and rows."""
    await _superuser_execute(
        cluster,
        f"CREATE ROLE {APP_USER} LOGIN PASSWORD '{APP_PASSWORD}' CREATEDB",
        f"CREATE DATABASE {TEMPLATE} OWNER {APP_USER}",
        f"CREATE DATABASE aphrodite OWNER {APP_USER}",
    )
    connection = await asyncpg.connect(cluster.dsn(TEMPLATE))
    try:
        await connection.execute(SCHEMA_SQL.read_text())
    finally:
        await connection.close()


async def clone_database(cluster: PostgresCluster) -> str:
    """A fresh copy of the template; returns its name."""
    name = f"aphrodite_t{next(_counter)}"
    await _superuser_execute(cluster, f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} OWNER {APP_USER}")
    return name


async def drop_database(cluster: PostgresCluster, name: str) -> None:
    await _superuser_execute(cluster, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run(coroutine):
    """Run a coroutine from a synchronous session fixture."""
    return asyncio.run(coroutine)
