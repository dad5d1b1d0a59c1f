"""A superuser DATABASE_URL is named as a risk: in `/db status`, the CLI's status and at the bot's start."""

from __future__ import annotations

import json
import logging

from bot.cli.database import run_status
from bot.config import Secret, Settings
from bot.database.health import collect_status
from bot.database.role import SUPERUSER_RISK, warn_if_superuser
from bot.runtime import Runtime


async def test_status_names_a_superuser_connection_as_a_risk(superuser_database, state, tmp_path):
    status = await collect_status(superuser_database, Settings(backup_dir=tmp_path), state)

    assert status.server is not None and status.server.superuser
    assert status.risks == (SUPERUSER_RISK,)
    assert "database's owner" in SUPERUSER_RISK


async def test_status_of_the_owner_role_shows_no_risk(app_database, state, tmp_path):
    status = await collect_status(app_database, Settings(backup_dir=tmp_path), state)

    assert status.server is not None and not status.server.superuser
    assert status.risks == ()


async def test_cli_status_prints_the_superuser_risk(aphrodite_db, tmp_path, parse_cli, capsys):
    dsn = Secret(aphrodite_db.superuser_dsn)
    settings = Settings(database_url=dsn, backup_dir=tmp_path, data_dir=tmp_path)
    async with Runtime.open(settings) as runtime:
        text_code = await run_status(parse_cli("db", "status"), runtime)
        json_code = await run_status(parse_cli("db", "status", "--json"), runtime)

    text, as_json = capsys.readouterr().out.split("\n{", 1)
    assert (text_code, json_code) == (0, 0)
    assert f"  Risk          {SUPERUSER_RISK}" in text.splitlines()
    document = json.loads("{" + as_json)
    assert document["risks"] == [SUPERUSER_RISK] and document["server"]["superuser"] is True


async def test_start_warns_once_about_a_superuser(superuser_database, app_database, caplog):
    with caplog.at_level(logging.INFO, logger="bot.database.role"):
        await warn_if_superuser(app_database)
        assert not caplog.records
        await warn_if_superuser(superuser_database)

    (warning,) = caplog.records
    assert warning.levelno == logging.WARNING and SUPERUSER_RISK in warning.getMessage()
