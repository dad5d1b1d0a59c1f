"""DATABASE_URL's query parameters: libpq's client options are not sent to the server as settings."""

from __future__ import annotations

import asyncio
import logging
import os

import pytest

from bot.config import Secret
from bot.database.connection import Database, DatabaseUnavailable
from bot.database.driver_options import driver_options
from bot.database.dsn import parse_dsn
from bot.redact import Redactor


async def test_libpq_client_parameters_connect_and_options_become_server_settings(aphrodite_db) -> None:
    options = "-c statement_timeout=4321 -c search_path=public"
    dsn = f"{aphrodite_db.dsn}?connect_timeout=2&application_name=mine&keepalives=1&options={options}"
    database = Database(Secret(dsn.replace(" ", "%20")), timeout=5, redactor=Redactor())
    try:
        async with database.connection() as connection:
            timeout = await connection.fetchval("SHOW statement_timeout")
            name = await connection.fetchval("SHOW application_name")
    finally:
        await database.close()

    assert timeout == "4321ms"
    assert name == "aphrodite-ops"  # the bot names its connections, as before


async def test_an_unknown_parameter_is_a_server_setting_for_the_driver_and_for_psql(aphrodite_db) -> None:
    dsn = Secret(f"{aphrodite_db.dsn}?sslmode=disable&statement_timeout=2500")
    database = Database(dsn, timeout=5, redactor=Redactor())
    try:
        async with database.connection() as connection:
            assert await connection.fetchval("SHOW statement_timeout") == "2500ms"
    finally:
        await database.close()

    psql = await asyncio.create_subprocess_exec(
        "psql",
        "-XAtc",
        "SHOW statement_timeout",
        env={"PATH": os.environ["PATH"], **parse_dsn(dsn).environment()},
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(psql.communicate(), timeout=30)
    assert out.decode().strip() == "2500ms"


def test_the_driver_url_keeps_what_asyncpg_reads_and_drops_client_options(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        options = driver_options(
            Secret(
                "postgresql://u:p%40w@h:5433/db?sslmode=require&connect_timeout=1&tcp_user_timeout=9&jit=off"
            )
        )

    assert options.dsn == "postgresql://u:p%40w@h:5433/db?sslmode=require"
    assert options.server_settings == {"jit": "off"}
    assert options.timeout(10) == 2  # libpq waits at least 2 s
    assert options.timeout(1.5) == 1.5  # never longer than the bot's own limit
    assert "'tcp_user_timeout' is not passed" in caplog.text and "p@w" not in caplog.text


@pytest.mark.parametrize("value", ["0", "-3", "soon", "nan"])
def test_a_connect_timeout_libpq_reads_as_forever_leaves_the_bots_own(value: str) -> None:
    assert driver_options(Secret(f"postgresql://h/db?connect_timeout={value}")).timeout(7) == 7


def test_unknown_parameters_join_the_options_for_pg_dump() -> None:
    parts = parse_dsn(Secret("postgresql://h/db?options=-c%20jit%3Doff&lock_timeout=1s&search_path=a%20b"))

    assert parts.environment()["PGOPTIONS"] == r"-c jit=off -c lock_timeout=1s -c search_path=a\ b"


@pytest.mark.parametrize(
    ("query", "says"),
    [("no_such_setting=1", "no_such_setting"), ("statement_timeout=soon", "statement_timeout")],
)
async def test_a_server_setting_the_server_refuses_is_named_as_coming_from_database_url(
    aphrodite_db, query: str, says: str
) -> None:
    database = Database(Secret(f"{aphrodite_db.dsn}?{query}"), timeout=5, redactor=Redactor())
    try:
        with pytest.raises(DatabaseUnavailable) as raised:
            async with database.connection() as connection:
                await connection.fetchval("SELECT 1")
    finally:
        await database.close()

    assert "refused a setting from DATABASE_URL" in raised.value.reason and says in raised.value.reason
