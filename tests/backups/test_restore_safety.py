"""A backup file is untrusted input: what someone with write access to BACKUP_DIR can plant in one.

Nothing in a backup runs on the bot's host, nothing escapes or splits the restore's single
transaction, and a failure never claims a rollback the server did not confirm.
"""

# The fixtures imported from backup_fixtures are requested as parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import asyncpg
import pytest

from bot.backups.compression import Compression
from bot.backups.restore.errors import RestoreFailed, RestoreNotRolledBack, RestoreRefused
from bot.backups.restore.fate import restore_failure, transaction_fate
from bot.cli.backup_text import render_restored
from bot.config import Secret, Settings
from bot.database.connection import parse_dsn
from tests.backups.fixtures import (  # noqa: F401 - fixtures
    REAL_PG_DUMP,
    backup_dir,
    backup_service,
    database,
    execute,
    files_in,
    fingerprint,
    mutate,
)
from tests.backups.test_cli import python_m_bot, run_cli
from tests.database.sql_runners import superuser_sql  # noqa: F401 - fixtures

PLANTED = "aphrodite_backup_20250101_120000.sql"


@pytest.fixture
def settings(aphrodite_db, tmp_path) -> Settings:
    (tmp_path / "backups").mkdir()
    return Settings(
        database_url=Secret(aphrodite_db.dsn), backup_dir=tmp_path / "backups", data_dir=tmp_path / "data"
    )


@pytest.fixture
def marker(tmp_path) -> Path:
    """The file a planted command would create if it ran."""
    return tmp_path / "pwned.txt"


async def real_dump(dsn: str, *flags: str) -> bytes:
    process = await asyncio.create_subprocess_exec(
        REAL_PG_DUMP,
        "--no-password",
        "--clean",
        "--if-exists",
        *flags,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **parse_dsn(Secret(dsn)).environment()},
    )
    sql, errors = await process.communicate()
    assert process.returncode == 0, errors.decode()
    return sql


def after_first_copy_block(sql: bytes, planted: str) -> tuple[bytes, int]:
    """The dump with ``planted`` on the lines right after its first COPY block; and that line."""
    position = sql.index(b"\n\\.\n") + 4
    return sql[:position] + planted.encode() + sql[position:], sql.count(b"\n", 0, position) + 1


async def plant(folder: Path, dsn: str, planted: str, *flags: str) -> int:
    """Write a real dump with ``planted`` in it as an Aphrodite-style backup; the planted line."""
    sql, line = after_first_copy_block(await real_dump(dsn, *flags), planted)
    (folder / PLANTED).write_bytes(sql)
    return line


async def test_python_m_bot_refuses_a_planted_shell_command_and_runs_nothing(settings, aphrodite_db, marker):
    line = await plant(settings.backup_dir, aphrodite_db.dsn, f"\\! id > {marker}\n")
    await mutate(aphrodite_db.dsn)
    before = await fingerprint(aphrodite_db.dsn)

    status, _, err = await python_m_bot(settings, "backup", "restore", PLANTED, "--yes")

    assert status == 2
    assert f"{PLANTED} was refused: line {line}: a psql meta-command (`\\! id > " in err
    assert "The database was not touched." in err
    assert not marker.exists()
    assert await fingerprint(aphrodite_db.dsn) == before
    assert files_in(settings.backup_dir) == {PLANTED}  # no safety backup spent on it


@pytest.mark.parametrize(
    ("planted", "lines_before"),
    [
        ("SET row_security = off; \\! id > {marker}\n", 0),
        ("\\restrict abc\nSET row_security = off;\n\\! id > {marker}\n", 2),  # pg_dump's guard line passes
        ("SELECT 1 \\g |id > {marker}\n;\n", 0),
        ("\\o |id > {marker}\nSELECT 1;\n", 0),
        ("\\copy (SELECT 1) TO PROGRAM 'id > {marker}'\n", 0),
        ("\\set x `id > {marker}`\n", 0),
        ("\\w {marker}\n", 0),
        ("\\i {marker}\n", 0),
        ("\\ir {marker}\n", 0),
        ("SELECT 'id > {marker}' \\gexec\n", 0),
        ("\\unrestrict abc\n\\! id > {marker}\n", 1),
        ("\\if true\n\\! id > {marker}\n\\endif\n", 0),
        ("   /* quiet */ \\! id > {marker}\n", 0),
        ("\\setenv PAGER 'id > {marker}'\n", 0),
    ],
)
async def test_no_spelling_of_a_meta_command_runs_or_touches_the_database(
    settings, aphrodite_db, marker, capsys, planted, lines_before
):
    line = await plant(settings.backup_dir, aphrodite_db.dsn, planted.format(marker=marker)) + lines_before
    before = await fingerprint(aphrodite_db.dsn)

    assert await run_cli(settings, "backup", "restore", PLANTED, "--yes") == 2

    err = capsys.readouterr().err
    assert f"was refused: line {line}: a psql meta-command" in err and "not touched" in err
    assert not marker.exists()
    assert await fingerprint(aphrodite_db.dsn) == before
    assert files_in(settings.backup_dir) == {PLANTED}


async def test_commit_after_the_first_copy_block_is_refused_before_anything_is_committed(
    settings, aphrodite_db, capsys
):
    # The audit's case: COMMIT after the first COPY block, then a syntax error. Replayed, it left
    # system_config and processing_jobs empty while the message claimed a rollback.
    await execute(aphrodite_db.dsn, "INSERT INTO system_config (key, value) VALUES ('a', '1'), ('b', '2')")
    line = await plant(settings.backup_dir, aphrodite_db.dsn, "COMMIT;\nSELEC broken;\n")
    before = await fingerprint(aphrodite_db.dsn)

    assert await run_cli(settings, "backup", "restore", PLANTED, "--yes") == 2

    err = capsys.readouterr().err
    assert f"line {line}: transaction control (COMMIT) would end or split" in err and "not touched" in err
    assert "rolled back" not in err
    after = await fingerprint(aphrodite_db.dsn)
    assert after == before and after["system_config"][0] == 2 and after["processing_jobs"][0] == 1500


@pytest.mark.parametrize(
    "planted",
    ["commit\n;\n", "  Commit  work ;\n", "END TRANSACTION;\n", "/* x */ ROLLBACK;\n", "START TRANSACTION;"],
)
async def test_transaction_control_is_refused_in_any_spelling(
    backup_service, aphrodite_db, backup_dir, planted
):
    line = await plant(backup_dir, aphrodite_db.dsn, planted)
    before = await fingerprint(aphrodite_db.dsn)

    with pytest.raises(RestoreRefused) as refused:
        await backup_service.restore(PLANTED, label="alice")

    assert refused.value.line == line and "transaction control" in refused.value.reason
    assert await fingerprint(aphrodite_db.dsn) == before
    assert files_in(backup_dir) == {PLANTED}


@pytest.mark.parametrize("planted", ["\\connect postgres\n", "\\c template1\n"])
async def test_an_aphrodite_dump_that_connects_elsewhere_is_refused(
    backup_service, aphrodite_db, backup_dir, planted
):
    line = await plant(backup_dir, aphrodite_db.dsn, planted, "--create")

    with pytest.raises(RestoreRefused, match="connect to another database") as refused:
        await backup_service.restore(PLANTED, label="alice")

    assert refused.value.line == line


@pytest.mark.parametrize(
    ("planted", "lines_before", "reason"),
    [
        (
            "CREATE PROCEDURE public.sneaky() LANGUAGE plpgsql AS $$ BEGIN DELETE FROM public.system_config; "
            "COMMIT; END $$;\nCALL public.sneaky();\n",
            1,
            "it calls functions",
        ),
        ("DO $$ BEGIN DELETE FROM public.system_config; COMMIT; END $$;\n", 0, "a DO block runs any code"),
    ],
)
async def test_procedure_calls_and_do_blocks_are_refused_before_anything_runs(
    backup_service, aphrodite_db, backup_dir, planted, lines_before, reason
):
    line = await plant(backup_dir, aphrodite_db.dsn, planted) + lines_before
    before = await fingerprint(aphrodite_db.dsn)

    with pytest.raises(RestoreRefused) as refused:
        await backup_service.restore(PLANTED, label="alice")

    assert refused.value.line == line and reason in refused.value.reason
    assert "The database was not touched." in str(refused.value)
    assert await fingerprint(aphrodite_db.dsn) == before
    assert files_in(backup_dir) == {PLANTED}


async def test_the_fate_of_a_transaction_is_what_the_server_says(database, aphrodite_db):
    connection = await asyncpg.connect(aphrodite_db.dsn)
    try:
        await connection.execute("BEGIN")
        committed = await connection.fetchval("SELECT pg_current_xact_id()::text")
        await connection.execute("COMMIT")
        await connection.execute("BEGIN")
        open_one = await connection.fetchval("SELECT pg_current_xact_id()::text")

        assert await transaction_fate(connection, committed, database) == "committed"
        assert await transaction_fate(connection, open_one, database) == "aborted"  # it rolls back first
        assert await transaction_fate(connection, None, database) == "aborted"  # never began
    finally:
        await connection.close()


@pytest.mark.parametrize("fate", ["committed", "in progress", "unknown"])
def test_only_a_transaction_the_server_calls_aborted_is_reported_as_nothing_changed(fate):
    safety = "aphrodite_backup_20260101_000000.sql.gz"

    error = restore_failure("The restore stopped at line 9.", fate, None, 5, safety)

    assert isinstance(error, RestoreNotRolledBack) and not isinstance(error, RestoreFailed)
    assert error.safety_backup == safety
    assert "MAY HAVE CHANGED" in str(error) and f"Restore the safety backup {safety}" in str(error)
    assert "Nothing was changed" not in str(error) and "rolled back." not in str(error)
    aborted = restore_failure("The restore stopped at line 9.", "aborted", None, 5, safety)
    assert isinstance(aborted, RestoreFailed) and "Nothing was changed" in str(aborted)


async def test_extensions_a_dba_installed_are_skipped_and_reported(
    backup_service, aphrodite_db, backup_dir, superuser_sql
):
    await superuser_sql("CREATE EXTENSION amcheck")  # what the integrity check advises
    original = await fingerprint(aphrodite_db.dsn)
    backup = await backup_service.create(label="alice")
    await mutate(aphrodite_db.dsn)

    result = await backup_service.restore(backup.name, label="alice")

    assert result.skipped_extensions == ("amcheck",)
    assert any(s.startswith("COMMENT ON EXTENSION amcheck IS ") for s in result.skipped_statements)
    assert await fingerprint(aphrodite_db.dsn) == original
    assert "extensions owned by another role, left as they are: amcheck" in render_restored(result)


async def test_a_row_larger_than_a_chunk_streams_through_and_comes_back_whole(backup_service, aphrodite_db):
    big = "x" * (5 * 1024 * 1024 + 123)
    await execute(aphrodite_db.dsn, f"INSERT INTO system_config (key, value) VALUES ('big', '{big}')")
    backup = await backup_service.create(label="alice", compression=Compression.NONE)
    await execute(aphrodite_db.dsn, "DELETE FROM system_config WHERE key = 'big'")

    await backup_service.restore(backup.name, label="alice")

    connection = await asyncpg.connect(aphrodite_db.dsn)
    try:
        assert await connection.fetchval("SELECT value FROM system_config WHERE key = 'big'") == big
    finally:
        await connection.close()


@pytest.mark.parametrize(
    "planted", ["\\! printf '\x1b]0;owned\x07\x1b[2J'\n", 'SELECT "\x1b[2J\x1b[31mfine";\n']
)
async def test_messages_never_carry_terminal_control_characters_from_the_file(
    backup_service, aphrodite_db, backup_dir, planted
):
    await plant(backup_dir, aphrodite_db.dsn, planted)

    with pytest.raises(RestoreFailed) as failure:
        await backup_service.restore(PLANTED, label="alice")

    message = str(failure.value)
    assert "\x1b" not in message and "\x07" not in message
    assert "\ufffd" in message  # shown, defused
