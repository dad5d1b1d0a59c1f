"""DATABASE_URL as libpq reads it: percent-encoded credentials and query parameters reach pg_dump and psql."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from urllib.parse import quote

import pytest

from bot.config import Secret, Settings
from bot.database.dsn import parse_dsn
from bot.redact import Redactor
from tests.backups.fixtures import execute, fingerprint, mutate, run_cli

# Every character that has a meaning in a URL, as a real role's password.
TRICKY_PASSWORD = "Rt@S3cret/PW#x9:%z?&="


@pytest.fixture
async def tricky_dsn(aphrodite_db) -> AsyncIterator[str]:
    """DATABASE_URL of a role whose password holds @/#:%?&=, percent-encoded as libpq expects.

    The role works as `aphrodite` (the tables' owner) through its default `role` setting.
    """
    role = f"tricky_{secrets.token_hex(4)}"
    admin = aphrodite_db.cluster.superuser_dsn()
    await execute(
        admin,
        f"CREATE ROLE {role} LOGIN PASSWORD '{TRICKY_PASSWORD}'",
        f"GRANT aphrodite TO {role}",
        f"ALTER ROLE {role} SET role = 'aphrodite'",
    )
    try:
        yield (
            f"postgresql://{role}:{quote(TRICKY_PASSWORD, safe='')}"
            f"@127.0.0.1:{aphrodite_db.cluster.port}/{aphrodite_db.name}"
        )
    finally:
        await execute(admin, f"DROP ROLE {role}")


def settings_for(dsn: str, tmp_path) -> Settings:
    return Settings(database_url=Secret(dsn), backup_dir=tmp_path / "backups", data_dir=tmp_path / "data")


async def test_an_encoded_password_works_for_backup_and_restore(tricky_dsn, aphrodite_db, tmp_path, capsys):
    settings = settings_for(tricky_dsn, tmp_path)
    before = await fingerprint(aphrodite_db.dsn)

    assert await run_cli(settings, "backup", "create", "--json") == 0
    name = json.loads(capsys.readouterr().out)["name"]
    await mutate(aphrodite_db.dsn)
    assert await run_cli(settings, "backup", "restore", name, "--yes") == 0

    assert await fingerprint(aphrodite_db.dsn) == before
    out, err = capsys.readouterr()
    assert TRICKY_PASSWORD not in out + err


async def test_query_parameters_reach_pg_dump(tricky_dsn, tmp_path, capsys):
    # The test server has no TLS: pg_dump can only refuse this if sslmode=require reached it.
    settings = settings_for(tricky_dsn + "?sslmode=require", tmp_path)

    assert await run_cli(settings, "backup", "create") == 2

    err = capsys.readouterr().err
    assert "SSL" in err and TRICKY_PASSWORD not in err


def test_every_part_is_decoded_and_query_parameters_win():
    parts = parse_dsn(
        Secret(
            "postgresql://us%65r:p%40ss+word@db%2Dhost:6543/my%20db"
            "?sslmode=verify-full&sslrootcert=%2Fcerts%2Froot.crt&application_name=a+b&dbname=other%2Fdb"
        )
    )

    assert (parts.user, parts.host, parts.port, parts.database) == ("user", "db-host", 6543, "other/db")
    assert parts.password.reveal() == "p@ss+word"  # libpq reads `+` as itself, not a space
    environment = parts.environment()
    assert environment["PGSSLMODE"] == "verify-full"
    assert environment["PGSSLROOTCERT"] == "/certs/root.crt"
    assert environment["PGAPPNAME"] == "a+b"
    assert environment["PGPASSWORD"] == "p@ss+word"


def test_a_unix_socket_folder_and_an_ipv6_host_are_kept_as_written():
    socket = parse_dsn(Secret("postgresql://u@%2Fvar%2Frun%2FPostgreSQL/db"))
    ipv6 = parse_dsn(Secret("postgresql://u:pw@[::1]:5433/db"))

    assert (socket.host, socket.port, socket.password) == ("/var/run/PostgreSQL", 5432, None)
    assert (ipv6.host, ipv6.port) == ("::1", 5433)


def test_the_decoded_password_is_masked_everywhere():
    encoded = quote(TRICKY_PASSWORD, safe="")
    settings = Settings(database_url=Secret(f"postgresql://u:{encoded}@h/db"))

    masked = Redactor(settings.secrets())(f"FATAL: password {TRICKY_PASSWORD} and {encoded} refused")

    assert TRICKY_PASSWORD not in masked and encoded not in masked


async def test_a_connect_timeout_in_the_url_is_a_timeout_for_the_restore_too(aphrodite_db, tmp_path, capsys):
    # libpq's connect_timeout sent as a server setting makes the server refuse the connection.
    settings = settings_for(aphrodite_db.dsn + "?connect_timeout=5", tmp_path)
    before = await fingerprint(aphrodite_db.dsn)

    assert await run_cli(settings, "backup", "create", "--json") == 0
    name = json.loads(capsys.readouterr().out)["name"]
    await mutate(aphrodite_db.dsn)
    assert await run_cli(settings, "backup", "restore", name, "--yes") == 0

    assert await fingerprint(aphrodite_db.dsn) == before
