"""`python -m bot backup ...`: the commands, their confirmations, output and exit codes."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import os
import sys
from pathlib import Path

import pytest

from bot.backups.inventory import NO_SIDECAR_ORIGIN
from bot.cli.main import main as cli_main
from bot.config import Secret, Settings
from tests.backups.fixtures import files_in, fingerprint, mutate, run_cli, write_dump_head

REPO = Path(__file__).resolve().parents[2]


class FakeTerminal(io.StringIO):
    """Standard input that claims to be a terminal, with the user's answer already typed."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def settings(aphrodite_db, tmp_path) -> Settings:
    return Settings(
        database_url=Secret(aphrodite_db.dsn), backup_dir=tmp_path / "backups", data_dir=tmp_path / "data"
    )


async def create(settings: Settings, capsys, *options: str) -> dict:
    assert await run_cli(settings, "backup", "create", "--json", *options) == 0
    return json.loads(capsys.readouterr().out)


async def test_create_prints_the_verified_backup(settings, capsys):
    assert await run_cli(settings, "backup", "create") == 0

    out = capsys.readouterr().out
    assert out.startswith("Backup aphrodite_backup_") and ".sql.gz created:" in out
    assert "verified: complete dump, sha256" in out


async def test_create_json_and_no_compress(settings, capsys):
    created = await create(settings, capsys, "--no-compress")

    assert created["name"].endswith(".sql") and created["compressed"] is False
    assert created["kind"] == "manual" and "on the command line" in created["label"]
    assert files_in(settings.backup_dir) == {created["name"], created["name"] + ".json"}


async def test_list_shows_ours_and_aphrodites_of_unknown_origin(settings, capsys):
    ours = await create(settings, capsys)
    write_dump_head(settings.backup_dir / "aphrodite_backup_20200101_000000.sql")

    assert await run_cli(settings, "backup", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        *("NAME", "CREATED", "(UTC)", "SIZE", "COMPRESSED", "VERIFIED"),
        *("APHRODITE", "CAN", "RESTORE", "MADE", "BY"),
    ]
    assert lines[1].startswith(ours["name"]) and lines[1].split()[-5:] == [
        "gzip",
        "yes",
        "yes",
        "bot",
        "(manual)",
    ]
    assert lines[2].startswith("aphrodite_backup_20200101_000000.sql")
    assert lines[2].split()[-6:] == ["no", "-", "unverified", "unknown", "(no", "sidecar)"]

    assert await run_cli(settings, "backup", "list", "--json") == 0
    listed = json.loads(capsys.readouterr().out)["backups"]
    assert [b["name"] for b in listed] == [ours["name"], "aphrodite_backup_20200101_000000.sql"]
    assert listed[0]["verified"] is True and listed[0]["origin"] == "bot" and listed[0]["sidecar"] == "sealed"
    assert listed[0]["origin_detail"].startswith("made by this bot (manual backup, for ")
    assert (listed[1]["origin"], listed[1]["sidecar"]) == ("unknown", "none")
    assert [b["made_by_aphrodite"] for b in listed] == [False, True]  # the field scripts already read
    assert listed[1]["origin_detail"] == NO_SIDECAR_ORIGIN


async def test_create_zstd_is_listed_as_one_aphrodite_cannot_restore(settings, capsys):
    created = await create(settings, capsys, "--zstd")

    assert created["name"].endswith(".sql.zst") and created["compression"] == "zstd"
    assert created["compressed"] is True and created["aphrodite_can_restore"] is False
    assert await run_cli(settings, "backup", "list") == 0
    line = capsys.readouterr().out.splitlines()[1]
    assert line.startswith(created["name"]) and line.split()[-5:] == ["zstd", "yes", "no", "bot", "(manual)"]
    assert await run_cli(settings, "backup", "list", "--json") == 0
    [listed] = json.loads(capsys.readouterr().out)["backups"]
    assert listed["compression"] == "zstd" and listed["aphrodite_can_restore"] is False


async def test_create_packs_with_backup_compression_unless_a_flag_says_otherwise(settings, capsys):
    zstd_settings = dataclasses.replace(settings, backup_compression="zstd")

    configured = await create(zstd_settings, capsys)
    plain = await create(zstd_settings, capsys, "--no-compress")

    assert configured["name"].endswith(".sql.zst") and configured["compression"] == "zstd"
    assert plain["name"].endswith(".sql") and plain["compressed"] is False


async def test_a_truncated_gzip_is_listed_as_unverified_not_restorable(settings, capsys):
    ours = await create(settings, capsys)
    truncated = settings.backup_dir / "aphrodite_backup_20200101_000000.sql.gz"
    whole = await asyncio.to_thread(Path(ours["path"]).read_bytes)
    await asyncio.to_thread(truncated.write_bytes, whole[: len(whole) // 2])

    assert await run_cli(settings, "backup", "list") == 0
    line = capsys.readouterr().out.splitlines()[2]
    assert line.startswith(truncated.name)
    assert line.split()[-6:] == ["gzip", "-", "unverified", "unknown", "(no", "sidecar)"]
    assert await run_cli(settings, "backup", "list", "--json") == 0
    listed = json.loads(capsys.readouterr().out)["backups"]
    assert [b["aphrodite_can_restore"] for b in listed] == [True, None]


async def test_create_applies_retention_to_the_bots_backups_and_spares_aphrodites(settings, capsys):
    settings = dataclasses.replace(settings, backup_keep=1)
    first = await create(settings, capsys)
    aphrodite_made = settings.backup_dir / "aphrodite_backup_20200101_000000.sql"
    write_dump_head(aphrodite_made)

    second = await create(settings, capsys)

    assert second["retention"] == {"pruned": [first["name"]], "error": None}
    assert files_in(settings.backup_dir) == {second["name"], second["name"] + ".json", aphrodite_made.name}


def test_zstd_and_no_compress_together_are_a_usage_error(capsys):
    assert cli_main(["backup", "create", "--zstd", "--no-compress"]) == 3
    assert "not allowed with argument" in capsys.readouterr().err


async def test_restore_with_yes_restores_and_reports_row_counts(settings, capsys, aphrodite_db):
    original = await fingerprint(aphrodite_db.dsn)
    backup = await create(settings, capsys)
    await mutate(aphrodite_db.dsn)

    assert await run_cli(settings, "backup", "restore", backup["name"], "--yes") == 0

    out = capsys.readouterr().out
    assert f"Restored {backup['name']}" in out and "Safety backup of the previous state:" in out
    assert any(line.split() == ["badge_applications", "2,000", "4,000"] for line in out.splitlines())
    assert await fingerprint(aphrodite_db.dsn) == original


async def test_restore_without_yes_refuses_when_stdin_is_not_a_terminal(
    settings, capsys, aphrodite_db, monkeypatch
):
    backup = await create(settings, capsys)
    await mutate(aphrodite_db.dsn)
    before = await fingerprint(aphrodite_db.dsn)
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))

    assert await run_cli(settings, "backup", "restore", backup["name"]) == 3

    assert "Pass --yes" in capsys.readouterr().err
    assert await fingerprint(aphrodite_db.dsn) == before


@pytest.mark.parametrize(("answer", "status"), [("n\n", 3), ("\n", 3), ("y\n", 0)])
async def test_restore_asks_on_the_terminal(settings, capsys, aphrodite_db, monkeypatch, answer, status):
    backup = await create(settings, capsys)
    await mutate(aphrodite_db.dsn)
    before = await fingerprint(aphrodite_db.dsn)
    monkeypatch.setattr(sys, "stdin", FakeTerminal(answer))

    assert await run_cli(settings, "backup", "restore", backup["name"]) == status

    changed = await fingerprint(aphrodite_db.dsn) != before
    assert changed == (status == 0)


async def test_delete_asks_then_deletes(settings, capsys, monkeypatch):
    backup = await create(settings, capsys)
    monkeypatch.setattr(sys, "stdin", FakeTerminal("yes\n"))

    assert await run_cli(settings, "backup", "delete", backup["name"]) == 0

    assert f"Deleted {backup['name']}" in capsys.readouterr().out
    assert files_in(settings.backup_dir) == set()


async def test_delete_without_yes_refuses_when_stdin_is_not_a_terminal(settings, capsys, monkeypatch):
    backup = await create(settings, capsys)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))

    assert await run_cli(settings, "backup", "delete", backup["name"]) == 3

    assert files_in(settings.backup_dir) == {backup["name"], backup["name"] + ".json"}


@pytest.mark.parametrize("action", ["restore", "delete"])
async def test_a_path_instead_of_a_name_is_a_usage_error(settings, capsys, action):
    assert await run_cli(settings, "backup", action, "../../etc/passwd", "--yes") == 3

    assert "is not a backup name" in capsys.readouterr().err


async def test_backup_without_a_database_is_not_configured(tmp_path, capsys):
    settings = Settings(backup_dir=tmp_path / "backups", data_dir=tmp_path / "data")

    assert await run_cli(settings, "backup", "create") == 3

    assert "DATABASE_URL" in capsys.readouterr().err


async def python_m_bot(settings: Settings, *argv: str) -> tuple[int, str, str]:
    """The real entry point in a child process, configured through its environment only."""
    environment = {
        "PATH": os.environ.get("PATH", os.defpath),
        "PYTHONPATH": str(REPO),
        "DATABASE_URL": settings.database_url.reveal(),
        "BACKUP_DIR": str(settings.backup_dir),
        "DATA_DIR": str(settings.data_dir),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=environment,
        cwd=settings.data_dir.parent,  # away from any .env of the checkout
    )
    out, err = await process.communicate()
    return process.returncode, out.decode(), err.decode()


async def test_python_m_bot_backup_end_to_end(settings, aphrodite_db):
    original = await fingerprint(aphrodite_db.dsn)
    status, out, _ = await python_m_bot(settings, "backup", "create", "--json")
    assert status == 0
    name = json.loads(out)["name"]
    await mutate(aphrodite_db.dsn)

    status, _, err = await python_m_bot(settings, "backup", "restore", name)
    assert status == 3 and "Pass --yes" in err

    status, out, _ = await python_m_bot(settings, "backup", "restore", name, "--yes", "--json")
    assert status == 0 and json.loads(out)["name"] == name
    assert await fingerprint(aphrodite_db.dsn) == original

    status, out, _ = await python_m_bot(settings, "backup", "list", "--json")
    assert status == 0 and len(json.loads(out)["backups"]) == 2  # the backup and the safety backup


async def test_restore_and_delete_questions_say_a_planted_file_is_of_unknown_origin(
    settings, capsys, monkeypatch
):
    ours = await create(settings, capsys)
    planted = write_dump_head(settings.backup_dir / "aphrodite_backup_20300101_000000.sql")
    monkeypatch.setattr(sys, "stdin", FakeTerminal("n\n"))

    assert await run_cli(settings, "backup", "restore", planted.name) == 3
    restore_question = capsys.readouterr().err
    assert await run_cli(settings, "backup", "delete", planted.name) == 3
    delete_question = capsys.readouterr().err
    assert await run_cli(settings, "backup", "delete", ours["name"]) == 3
    our_question = capsys.readouterr().err

    assert NO_SIDECAR_ORIGIN in restore_question and "This bot did not make it" in restore_question
    assert NO_SIDECAR_ORIGIN in delete_question
    assert "made by this bot (manual backup, for " in our_question and "unknown origin" not in our_question
