"""A restore never has more rights than a non-superuser database owner, and never changes what lies
outside the database's own objects; the bytes it replays are the bytes it checked.

The reproductions of the trust audit (issue 24), each as a planted file without a sidecar,
restored as a superuser and as the database's owner (the app role).
"""

# The fixtures imported from backup_fixtures are requested as parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from bot.backups.restore.errors import RestoreFailed, RestoreRefused
from bot.backups.service import BackupService
from bot.config import Secret, Settings
from bot.database.connection import Database
from bot.redact import Redactor
from tests.backups.fixtures import (  # noqa: F401 - fixtures
    backup_dir,
    backup_service,
    database,
    execute,
    files_in,
    fingerprint,
    make_service,
    mutate,
)
from tests.backups.test_cli import python_m_bot
from tests.backups.test_restore_safety import PLANTED, plant
from tests.database.sql_runners import superuser_sql  # noqa: F401 - fixtures

ROLE_SETTINGS = "roles, role and database settings"  # rolconfig shows in pg_roles too
# Each line of the audit's list that a database owner could have run, as the file held it.
AUDIT = [
    ("DO $$ BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''id > {marker}'''; END $$;", "a DO block"),
    ("COPY public.system_config TO '{marker}';", "a COPY statement that pg_dump does not write"),
    ("COPY public.system_config FROM PROGRAM 'id > {marker}';", "a COPY statement"),
    ("SELECT pg_catalog.lo_import('/etc/passwd');", "it calls functions"),
    ("SELECT pg_catalog.lo_export(1, '{marker}');", "it calls functions"),
    ("SELECT pg_catalog.pg_read_file('/etc/passwd');", "it calls functions"),
    ("ALTER ROLE aphrodite SUPERUSER;", "the server's roles"),
    ("CREATE ROLE planted SUPERUSER LOGIN;", "the server's roles"),
    ("ALTER ROLE aphrodite PASSWORD 'planted';", "the server's roles"),
    ("ALTER ROLE aphrodite SET statement_timeout = '1ms';", "the server's roles"),
    ("ALTER ROLE aphrodite SET search_path = evil, pg_catalog;", "the server's roles"),
    ("ALTER DATABASE {database} SET default_transaction_read_only = on;", "a database or tablespace"),
    ("LOAD 'passwordcheck';", "loads a library"),
    ("CREATE EXTENSION IF NOT EXISTS file_fdw WITH SCHEMA public;", "extension 'file_fdw'"),
    ("CREATE FOREIGN TABLE public.f (a text) SERVER s OPTIONS (program 'id > {marker}');", "foreign data"),
    ("CREATE EXTENSION IF NOT EXISTS dblink WITH SCHEMA public;", "extension 'dblink'"),
    ("SELECT public.dblink_exec('dbname=postgres', 'CREATE ROLE planted');", "it calls functions"),
    ("SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity;", "it calls functions"),
    ("SELECT pg_catalog.pg_sleep(3600);", "it calls functions"),
    ("SET ROLE postgres;", "another role"),
    ("SET SESSION AUTHORIZATION postgres;", "another role"),
]


@pytest.fixture
def marker(tmp_path) -> Path:
    """The file a planted command would create if it ran."""
    return tmp_path / "pwned.txt"


@pytest.fixture
async def superuser_service(aphrodite_db, backup_dir) -> AsyncIterator[BackupService]:
    """The backup service connected as a superuser (Docker's POSTGRES_USER is one)."""
    superuser = Database(Secret(aphrodite_db.superuser_dsn), redactor=Redactor())
    try:
        yield make_service(superuser, backup_dir)
    finally:
        await superuser.close()


async def outside_the_database(dsn: str) -> list[str]:
    """The roles, memberships and settings a restore must leave alone, as text."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT r::text FROM pg_roles r UNION ALL SELECT m::text FROM pg_auth_members m "
            "UNION ALL SELECT s::text FROM pg_db_role_setting s ORDER BY 1"
        )
        return [row[0] for row in rows]
    finally:
        await connection.close()


@pytest.mark.parametrize(("planted", "reason"), [("", ""), *AUDIT[:3]])
async def test_a_superuser_connection_replays_no_file_of_unknown_origin(
    superuser_service, aphrodite_db, backup_dir, marker, planted, reason
):
    await plant(backup_dir, aphrodite_db.dsn, planted.format(marker=marker, database=aphrodite_db.name))
    before = await fingerprint(aphrodite_db.dsn)

    with pytest.raises(RestoreRefused) as refused:
        await superuser_service.restore(PLANTED, label="alice")

    message = str(refused.value)
    assert "connects as 'postgres', which is a superuser" in message
    assert "The database was not touched." in message and "no sidecar of this bot" in message
    assert not marker.exists()
    assert await fingerprint(aphrodite_db.dsn) == before
    assert files_in(backup_dir) == {PLANTED}  # not even a safety backup


async def test_python_m_bot_as_a_superuser_refuses_a_planted_file_and_says_what_to_do(
    aphrodite_db, backup_dir, tmp_path, marker
):
    await plant(backup_dir, aphrodite_db.dsn, AUDIT[0][0].format(marker=marker, database=aphrodite_db.name))
    settings = Settings(
        database_url=Secret(aphrodite_db.superuser_dsn), backup_dir=backup_dir, data_dir=tmp_path / "data"
    )

    status, _, err = await python_m_bot(settings, "backup", "restore", PLANTED, "--yes")

    assert status == 2
    assert "which is a superuser" in err and "Connect as the database owner without those rights" in err
    assert "The database was not touched." in err
    assert not marker.exists() and files_in(backup_dir) == {PLANTED}


async def test_a_superuser_connection_restores_a_backup_this_bot_made(superuser_service, aphrodite_db):
    original = await fingerprint(aphrodite_db.dsn)
    backup = await superuser_service.create(label="alice")
    await mutate(aphrodite_db.dsn)

    await superuser_service.restore(backup.name, label="alice")

    assert await fingerprint(aphrodite_db.dsn) == original


async def test_with_dblink_installed_the_owner_replays_only_backups_this_bot_made(
    backup_service, aphrodite_db, backup_dir, superuser_sql
):
    # dblink's calls commit elsewhere, beyond the restore's rollback: "nothing changed" would lie.
    await superuser_sql("CREATE EXTENSION dblink")
    ours = await backup_service.create(label="alice")
    await plant(backup_dir, aphrodite_db.dsn, "")
    original = await fingerprint(aphrodite_db.dsn)
    await mutate(aphrodite_db.dsn)
    mutated = await fingerprint(aphrodite_db.dsn)

    with pytest.raises(RestoreRefused) as refused:
        await backup_service.restore(PLANTED, label="alice")

    assert "'aphrodite', which can use dblink (installed here)" in str(refused.value)
    assert await fingerprint(aphrodite_db.dsn) == mutated
    await backup_service.restore(ours.name, label="alice")
    assert await fingerprint(aphrodite_db.dsn) == original


@pytest.mark.parametrize(("planted", "reason"), AUDIT)
async def test_what_the_audit_ran_is_refused_for_the_owner_before_the_database_is_touched(
    backup_service, aphrodite_db, backup_dir, marker, planted, reason
):
    sql = planted.format(marker=marker, database=aphrodite_db.name)
    line = await plant(backup_dir, aphrodite_db.dsn, sql + "\n")
    before, roles = await fingerprint(aphrodite_db.dsn), await outside_the_database(aphrodite_db.dsn)

    with pytest.raises(RestoreRefused) as refused:
        await backup_service.restore(PLANTED, label="alice")

    assert refused.value.line == line and reason in refused.value.reason
    assert "The database was not touched." in str(refused.value)
    assert not marker.exists()
    assert await fingerprint(aphrodite_db.dsn) == before
    assert await outside_the_database(aphrodite_db.dsn) == roles
    assert files_in(backup_dir) == {PLANTED}


def trap(body: str) -> str:
    """A table whose CHECK constraint runs ``body`` (PL/pgSQL) for each row COPY loads into it."""
    return (
        "CREATE FUNCTION public.trap(integer) RETURNS boolean LANGUAGE plpgsql AS $f$ BEGIN "
        f"{body}; RETURN true; END $f$;\n"
        "CREATE TABLE public.trapped (x integer CHECK (public.trap(x)));\n"
        "COPY public.trapped (x) FROM stdin;\n1\n\\.\n"
    )


@pytest.mark.parametrize(
    ("body", "what"),
    [
        ("EXECUTE 'ALTER ROLE aphrodite SET statement_timeout = ''1ms'''", ROLE_SETTINGS),
        ("EXECUTE 'ALTER ROLE aphrodite SET search_path = evil, pg_catalog'", ROLE_SETTINGS),
        (
            "EXECUTE format('ALTER DATABASE %I SET default_transaction_read_only = on', current_database())",
            "role and database settings",
        ),
    ],
)
async def test_code_run_by_the_restore_that_changes_settings_outside_the_database_is_not_committed(
    backup_service, aphrodite_db, backup_dir, body, what
):
    await plant(backup_dir, aphrodite_db.dsn, trap(body))
    before, roles = await fingerprint(aphrodite_db.dsn), await outside_the_database(aphrodite_db.dsn)

    with pytest.raises(RestoreFailed) as failure:
        await backup_service.restore(PLANTED, label="alice")

    message = str(failure.value)
    assert f"The backup changed {what} outside the database's own objects" in message
    assert "Nothing was changed: the restore was rolled back." in message
    assert await outside_the_database(aphrodite_db.dsn) == roles
    assert await fingerprint(aphrodite_db.dsn) == before


async def test_code_run_by_the_restore_has_no_more_rights_than_the_owner(
    backup_service, aphrodite_db, backup_dir, marker
):
    await plant(backup_dir, aphrodite_db.dsn, trap(f"EXECUTE 'COPY (SELECT 1) TO PROGRAM ''id > {marker}'''"))
    before = await fingerprint(aphrodite_db.dsn)

    with pytest.raises(RestoreFailed) as failure:
        await backup_service.restore(PLANTED, label="alice")

    assert "must be superuser or have privileges of the pg_execute_server_program role" in str(failure.value)
    assert "Nothing was changed" in str(failure.value)
    assert not marker.exists()
    assert await fingerprint(aphrodite_db.dsn) == before


async def test_a_setval_that_a_rollback_would_not_undo_is_refused(
    backup_service, aphrodite_db, backup_dir, superuser_sql
):
    # Sequences are not transactional: a setval on one the restore did not recreate would stay
    # after the rollback while the message said nothing changed.
    setval = "SELECT pg_catalog.setval('public.shared_seq', 999, true);\n"
    line = await plant(backup_dir, aphrodite_db.dsn, setval)
    await superuser_sql("CREATE SEQUENCE public.shared_seq", "GRANT ALL ON public.shared_seq TO aphrodite")
    before = await fingerprint(aphrodite_db.dsn)

    with pytest.raises(RestoreFailed) as failure:
        await backup_service.restore(PLANTED, label="alice")

    message = str(failure.value)
    assert f"was refused at line {line}: setval of a sequence the restore did not recreate" in message
    assert "Nothing was changed" in message
    assert await fingerprint(aphrodite_db.dsn) == before
    connection = await asyncpg.connect(aphrodite_db.superuser_dsn)
    try:
        assert await connection.fetchval("SELECT last_value FROM public.shared_seq") == 1
    finally:
        await connection.close()
