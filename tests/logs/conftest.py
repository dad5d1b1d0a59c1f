"""Fixtures for the log tests: a log path in a temporary folder and a redactor that knows secrets."""

from __future__ import annotations

import json
from pathlib import Path

import asyncpg
import pytest

from bot.logs import AphroditeLog
from bot.redact import Redactor
from tests.logs.generate import START, entry

# Configured secrets, as the bot's settings would hold them; planted in logs by the tests.
TMDB_KEY = "tmdb-key-5f2b9c7e11"
JELLYFIN_KEY = "jf-key-a81c3d9f"
DB_PASSWORD = "pg-pass-77xq"
SECRETS = (TMDB_KEY, JELLYFIN_KEY, DB_PASSWORD)


@pytest.fixture
def redactor() -> Redactor:
    return Redactor(SECRETS)


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    """Where the log lives; the tests write it (or leave it missing)."""
    folder = tmp_path / "logs"
    folder.mkdir()
    return folder / "aphrodite-v2.log"


@pytest.fixture
def aphrodite_log(log_path: Path, redactor: Redactor, tmp_path: Path) -> AphroditeLog:
    work = tmp_path / "work"
    work.mkdir()
    return AphroditeLog(log_path, redactor, work_dir=work)


# Keys kept only in Aphrodite's database (system_config), as in the README's minimal setup.
SAVED_KEYS = {
    "OMDB": "omdbsaved4e1f",
    "MDBList": "mdblistsaved9a8b7c",
    "TMDB": "tmdbsaved0c9d8e7f6a",
    "aniDB": "anidbsavedpw55",
}


def saved_settings() -> dict:
    """Aphrodite's settings.yaml row holding SAVED_KEYS."""
    return {
        "api_keys": {
            "OMDB": [{"api_key": SAVED_KEYS["OMDB"]}],
            "MDBList": [{"api_key": SAVED_KEYS["MDBList"]}],
            "TMDB": [{"api_key": SAVED_KEYS["TMDB"]}],
            "aniDB": [
                {"username": "aphro"},
                {"password": SAVED_KEYS["aniDB"], "version": "1", "client_name": "c"},
            ],
        }
    }


def leaking_entries() -> list:
    """Lines that hold the saved keys in shapes no pattern knows: only knowing the keys masks them."""
    return [
        entry("aphrodite", START, "INFO", "app.services.omdb", f"OMDb client ready ({SAVED_KEYS['OMDB']})"),
        entry(
            "aphrodite", START, "INFO", "app.services.mdblist", f"GET /lists/{SAVED_KEYS['MDBList']}/items"
        ),
        entry("aphrodite", START, "ERROR", "app.services.tmdb", f"TMDB refused {SAVED_KEYS['TMDB']}"),
        entry("aphrodite", START, "INFO", "app.services.anidb", f"AniDB login aphro/{SAVED_KEYS['aniDB']}"),
    ]


async def save_aphrodite_settings(dsn: str, value: dict) -> None:
    """Store Aphrodite's settings row as Aphrodite does (JSON text in system_config.value)."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(
            "INSERT INTO system_config (key, value) VALUES ('settings.yaml', $1) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            json.dumps(value),
        )
    finally:
        await connection.close()
