"""`python -m bot db growth`: text, JSON, the PNG file and the exit status."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.cli.main import build_parser, main
from bot.config import Secret, Settings
from bot.errors import OpsError
from bot.history import FILE_NAME, HistoryStore, SizeSample, TableBytes
from bot.runtime import Runtime
from tests.support.postgres_cluster import APP_PASSWORD

if TYPE_CHECKING:
    from tests.conftest import AphroditeDatabase

MIB = 1024**2


async def run_cli(settings: Settings, *argv: str) -> int:
    """Parse with the real command tree and run like bot/cli/main.py does."""
    args = build_parser().parse_args(argv)
    async with Runtime.open(settings) as runtime:
        try:
            status: int = await args.handler(args, runtime)
            return status
        except OpsError as error:
            print(f"error: {runtime.redactor(str(error))}", file=sys.stderr)
            return error.exit_code


@pytest.fixture
def settings(aphrodite_db: AphroditeDatabase, tmp_path: Path) -> Settings:
    return Settings(
        database_url=Secret(aphrodite_db.dsn), backup_dir=tmp_path / "backups", data_dir=tmp_path / "data"
    )


async def test_json_and_png_after_two_days_of_samples(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC)
    store = HistoryStore(settings.data_dir / FILE_NAME)
    try:
        for hours_ago in (48, 24):
            tables = (TableBytes("media_items", (100 - hours_ago) * MIB),)
            await store.sizes.record(SizeSample(now - timedelta(hours=hours_ago), 200 * MIB, tables))
    finally:
        await store.close()
    png = tmp_path / "growth.png"
    assert await run_cli(settings, "db", "growth", "--days", "7", "--json", "--png", str(png)) == 0
    printed = json.loads(capsys.readouterr().out)
    assert len(printed["samples"]) == 3  # the two above and the one taken now from the real database
    assert printed["samples"][0]["tables"] == {"media_items": 52 * MIB}
    assert "media_items" in printed["samples"][-1]["tables"]
    assert printed["png"] == str(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert APP_PASSWORD not in json.dumps(printed)


async def test_text_output_names_the_largest_tables(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_cli(settings, "db", "growth") == 0
    out = capsys.readouterr().out
    assert out.startswith("Database growth, last 30 days:")
    assert "media_items" in out


async def test_without_database_and_samples_the_exit_status_is_not_configured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=tmp_path / "data", backup_dir=tmp_path / "backups")
    assert await run_cli(settings, "db", "growth") == 3
    assert "No size samples yet" in capsys.readouterr().out


def test_a_day_count_out_of_range_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "growth", "--days", "0"]) == 3
    assert "--days" in capsys.readouterr().err


async def test_an_unwritable_png_path_fails_and_says_why(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing-folder" / "growth.png"
    assert await run_cli(settings, "db", "growth", "--png", str(target)) == 2
    assert "cannot write" in capsys.readouterr().err
    assert not target.exists()
