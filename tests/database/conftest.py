"""Fixtures for the health and integrity tests: a superuser Database and SQL runners."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Callable

import pytest

from bot.cli import database as database_cli
from bot.config import Secret
from bot.database.connection import Database
from bot.redact import Redactor
from tests.database.sql_runners import app_sql, superuser_sql  # noqa: F401 - fixtures


@pytest.fixture
async def superuser_database(aphrodite_db) -> AsyncIterator[Database]:
    database = Database(Secret(aphrodite_db.superuser_dsn), timeout=5, redactor=Redactor())
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def parse_cli() -> Callable[..., argparse.Namespace]:
    """Parse a `python -m bot db ...` command line with the feature's own parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true")
    parser = argparse.ArgumentParser(prog="python -m bot")
    database_cli.register(parser.add_subparsers(dest="command", required=True), common)
    return lambda *argv: parser.parse_args(argv)
