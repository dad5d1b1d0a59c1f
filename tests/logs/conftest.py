"""Fixtures for the log tests: a log path in a temporary folder and a redactor that knows secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.logs import AphroditeLog
from bot.redact import Redactor

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
