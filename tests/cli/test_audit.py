"""`python -m bot audit`: the CLI's own actions are audited with source cli, and listed."""

from __future__ import annotations

import getpass
import io
import json
import sys
from pathlib import Path

import pytest

from bot.cli.main import build_parser, run_parsed
from bot.config import Secret, Settings
from tests.backups.fixtures import write_dump_head

BACKUP = "aphrodite_backup_20250101_120000.sql"


class Terminal(io.StringIO):
    """Standard input that is a terminal, with the user's answer already typed."""

    def isatty(self) -> bool:
        return True


async def run(settings: Settings, *argv: str) -> int:
    return await run_parsed(build_parser(argv[:1]).parse_args(argv), settings)


async def audit_json(settings: Settings, capsys: pytest.CaptureFixture[str], *options: str) -> dict:
    capsys.readouterr()
    assert await run(settings, "audit", "--json", *options) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(backup_dir=tmp_path / "backups", data_dir=tmp_path / "data")


async def test_a_cli_backup_shows_in_the_audit_with_source_cli(aphrodite_db, tmp_path, capsys):
    settings = Settings(
        database_url=Secret(aphrodite_db.dsn), backup_dir=tmp_path / "backups", data_dir=tmp_path / "data"
    )
    assert await run(settings, "backup", "create", "--json") == 0
    created = json.loads(capsys.readouterr().out)

    (record,) = (await audit_json(settings, capsys))["records"]
    assert record["action"] == "backup_create" and record["source"] == "cli"
    assert record["target"] == created["name"] and record["outcome"] == "ok"
    assert record["actor"] == {"name": getpass.getuser(), "id": None}


async def test_a_declined_delete_and_a_failed_one_are_audited(settings, capsys, monkeypatch):
    settings.backup_dir.mkdir()
    write_dump_head(settings.backup_dir / BACKUP)
    monkeypatch.setattr(sys, "stdin", Terminal("n\n"))
    assert await run(settings, "backup", "delete", BACKUP) == 3
    assert await run(settings, "backup", "delete", "../../etc/passwd", "--yes") != 0

    failed, declined = (await audit_json(settings, capsys))["records"]
    assert (declined["target"], declined["outcome"]) == (BACKUP, "not_confirmed")
    assert (failed["target"], failed["outcome"]) == ("../../etc/passwd", "failed")
    assert (settings.backup_dir / BACKUP).exists()


async def test_a_log_clear_is_audited_and_the_table_names_who_and_what(settings, tmp_path, capsys):
    log = tmp_path / "aphrodite-v2.log"
    log.write_text("2025-06-06 18:52:46 [INFO] app.main:1: started\n")
    settings = Settings(data_dir=settings.data_dir, aphrodite_log_file=log)
    assert await run(settings, "logs", "clear", "--yes") == 0
    capsys.readouterr()

    assert await run(settings, "audit") == 0
    header, row, total = capsys.readouterr().out.splitlines()
    assert header.split() == ["WHEN", "(UTC)", "WHO", "FROM", "ACTION", "TARGET", "OUTCOME"]
    assert f"{getpass.getuser()}  cli   logs clear  {log}  ok" in row
    assert total == "1 action(s) in the last 7 day(s)."


async def test_user_and_days_narrow_the_listing(settings, capsys, monkeypatch):
    settings.backup_dir.mkdir()
    write_dump_head(settings.backup_dir / BACKUP)
    assert await run(settings, "backup", "delete", BACKUP, "--yes") == 0

    assert (await audit_json(settings, capsys, "--user", "someone-else"))["records"] == []
    mine = await audit_json(settings, capsys, "--user", getpass.getuser().upper(), "--days", "1")
    assert [r["action"] for r in mine["records"]] == ["backup_delete"]
    assert await run(settings, "audit", "--user", "nobody") == 0
    assert capsys.readouterr().out == "No audited actions by nobody in the last 7 day(s).\n"


@pytest.mark.parametrize("days", ["0", "x", "9999"])
def test_days_out_of_range_are_a_usage_error(days, tmp_path, monkeypatch, capsys):
    from bot.cli.main import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    assert main(["audit", "--days", days]) == 3
    assert "--days" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()
