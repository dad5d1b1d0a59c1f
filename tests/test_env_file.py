"""Cron: `--env-file` and APHRODITE_OPS_ENV name the .env, so the CLI reads it from any folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.env_file import split_env_file
from tests.cli.process import python_m_bot


def test_the_option_is_taken_out_wherever_it_stands():
    assert split_env_file(["--env-file", "/etc/ops.env", "backup", "list"]) == (
        "/etc/ops.env",
        ["backup", "list"],
    )
    assert split_env_file(["backup", "list", "--env-file=/etc/ops.env"]) == (
        "/etc/ops.env",
        ["backup", "list"],
    )
    assert split_env_file(["logs", "view"]) == (None, ["logs", "view"])
    assert split_env_file(["--env-file"]) == ("", [])


@pytest.fixture
def ops_folder(tmp_path: Path) -> Path:
    """Where the operator keeps the bot's .env (not the folder cron runs in)."""
    folder = tmp_path / "ops"
    folder.mkdir()
    return folder


def write_env(folder: Path, **settings: str) -> Path:
    env_file = folder / ".env"
    env_file.write_text("".join(f"{name}={value}\n" for name, value in settings.items()))
    return env_file


async def test_cron_in_another_folder_reads_the_env_file_named_by_the_option(ops_folder, tmp_path):
    env_file = write_env(
        ops_folder, BACKUP_DIR=str(ops_folder / "backups"), DATA_DIR=str(ops_folder / "data")
    )

    done = await python_m_bot(
        "--env-file", str(env_file), "backup", "list", "--json", environment={}, cwd=Path("/tmp")
    )

    assert done.code == 0, done.err
    assert json.loads(done.out)["backup_dir"] == str(ops_folder / "backups")


async def test_cron_backup_create_reads_database_url_from_aphrodite_ops_env(ops_folder, aphrodite_db):
    env_file = write_env(
        ops_folder,
        DATABASE_URL=aphrodite_db.dsn,
        BACKUP_DIR=str(ops_folder / "backups"),
        DATA_DIR=str(ops_folder / "data"),
    )

    done = await python_m_bot(
        "backup", "create", "--json", environment={"APHRODITE_OPS_ENV": str(env_file)}, cwd=Path("/tmp")
    )

    assert done.code == 0, done.err
    created = json.loads(done.out)
    assert (ops_folder / "backups" / created["name"]).is_file()


async def test_the_option_wins_over_the_variable(ops_folder, tmp_path):
    chosen = write_env(ops_folder, BACKUP_DIR=str(ops_folder / "chosen"))
    other = tmp_path / "other.env"
    other.write_text(f"BACKUP_DIR={tmp_path / 'other'}\n")

    done = await python_m_bot(
        "--env-file", str(chosen), "backup", "list", "--json",
        environment={"APHRODITE_OPS_ENV": str(other), "DATA_DIR": str(tmp_path / "data")},
        cwd=Path("/tmp"),
    )  # fmt: skip

    assert json.loads(done.out)["backup_dir"] == str(ops_folder / "chosen")


@pytest.mark.parametrize("how", ["option", "variable"])
async def test_a_named_env_file_that_is_missing_is_an_error_not_silence(how, tmp_path):
    missing = tmp_path / "nowhere" / ".env"
    argv = ["--env-file", str(missing)] if how == "option" else []
    environment = {"APHRODITE_OPS_ENV": str(missing)} if how == "variable" else {}

    done = await python_m_bot(*argv, "backup", "list", environment=environment, cwd=tmp_path)

    named = "--env-file" if how == "option" else "APHRODITE_OPS_ENV"
    assert done.code == 3
    assert done.err.startswith(f"error: {named} names {missing}, which is not a file")
    assert "\nhint: " in done.err and "Traceback" not in done.err


async def test_the_bot_reads_the_named_env_file_too(ops_folder, tmp_path):
    env_file = write_env(ops_folder, DISCORD_TOKEN="x", ALERT_CHANNEL_ID="ops")

    done = await python_m_bot("--env-file", str(env_file), environment={}, cwd=tmp_path)

    assert done.code == 3
    assert "ALERT_CHANNEL_ID" in done.err
