"""`python -m bot backup drill [NAME]`: exit 0 when the drill passed, 2 when it failed; --json."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.audit import AuditAction, OutcomeKind
from bot.audit.store import AuditStore
from bot.config import Secret, Settings
from bot.state import StateStore
from tests.backups.fixtures import run_cli
from tests.drills.conftest import scratch_databases


@pytest.fixture
def settings(aphrodite_db, tmp_path) -> Settings:
    return Settings(
        database_url=Secret(aphrodite_db.dsn), backup_dir=tmp_path / "backups", data_dir=tmp_path / "data"
    )


async def _create(settings: Settings, capsys) -> str:
    assert await run_cli(settings, "backup", "create", "--json") == 0
    return json.loads(capsys.readouterr().out)["name"]


async def test_drill_of_the_newest_backup_passes_with_exit_0(settings, capsys, aphrodite_db):
    name = await _create(settings, capsys)

    assert await run_cli(settings, "backup", "drill") == 0

    out = capsys.readouterr().out
    assert out.startswith(f"Drill of {name} passed: restores in ")
    assert "every count as recorded" in out and "public.media_items" in out and "3,000" in out
    assert await scratch_databases(aphrodite_db) == set()


async def test_drill_json_names_the_backup_and_its_tables(settings, capsys):
    name = await _create(settings, capsys)

    assert await run_cli(settings, "backup", "drill", name, "--json") == 0

    shown = json.loads(capsys.readouterr().out)
    assert shown["name"] == name and shown["ok"] is True and shown["compared"] is True
    assert {"table": "public.media_items", "expected": 3000, "restored": 3000} in shown["tables"]
    assert shown["rows"] == sum(table["restored"] for table in shown["tables"])
    assert await run_cli(settings, "backup", "list", "--json") == 0
    [listed] = json.loads(capsys.readouterr().out)["backups"]
    assert listed["drill"]["ok"] is True and listed["drill"]["at"] == shown["started_at"]


async def test_a_failed_drill_exits_2_and_is_audited_as_failed(settings, capsys):
    name = await _create(settings, capsys)
    path = settings.backup_dir / name
    path.write_bytes(path.read_bytes()[:-200])  # the completion marker is gone

    assert await run_cli(settings, "backup", "drill", name, "--json") == 2

    shown = json.loads(capsys.readouterr().out)
    assert shown["ok"] is False and shown["findings"]
    state = StateStore(settings.data_dir / "state.sqlite3")
    try:
        [drill, _made] = await AuditStore(state).since(datetime(2000, 1, 1, tzinfo=UTC))
    finally:
        await state.close()
    assert drill.action is AuditAction.BACKUP_DRILL and drill.target == name
    assert drill.outcome.kind is OutcomeKind.FAILED and drill.outcome.reason


async def test_drill_without_backups_is_a_usage_error(settings, capsys):
    assert await run_cli(settings, "backup", "drill") == 3

    assert "no backup" in capsys.readouterr().err
