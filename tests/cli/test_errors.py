"""Every command fails the same way: `error:`/`hint:` on stderr, or one JSON shape with --json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.process import python_m_bot
from tests.fakes.services import closed_port

SECRET = "tmdb-key-5f3a9c"


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "backups").mkdir()
    return {
        "DATA_DIR": str(tmp_path / "data"),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "APHRODITE_LOG_FILE": str(tmp_path / "aphrodite-v2.log"),
        "TMDB_API_KEY": SECRET,
    }


def error_of(out: str) -> dict[str, Any]:
    document = json.loads(out)
    assert set(document) == {"error"}
    assert set(document["error"]) == {"message", "hint", "exit_code"}
    error: dict[str, Any] = document["error"]
    return error


@pytest.mark.parametrize(
    ("argv", "says", "hint"),
    [
        (
            ["backup", "delete", "aphrodite_backup_20990101_000000.sql", "--yes"],
            "No backup named",
            "backup list",
        ),
        (["db", "status", "--days", "3"], "unrecognized arguments: --days 3", "db status --help"),
        (["logs", "view", "--lines", "many"], "invalid int value: 'many'", "logs view --help"),
        (["logs", "clear", "--yes"], "nothing to clear", None),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
async def test_json_errors_have_one_shape_on_stdout(
    argv: list[str], says: str, hint: str | None, environment: dict[str, str], tmp_path: Path
) -> None:
    finished = await python_m_bot(*argv, "--json", environment=environment, cwd=tmp_path)

    error = error_of(finished.out)
    assert finished.code == error["exit_code"] == 3
    assert says in error["message"]
    if hint is None:
        assert error["hint"] is None
    else:
        assert error["hint"].endswith(f"-m bot {hint}")
    assert "Traceback" not in finished.err and "usage:" not in finished.err


async def test_without_json_the_same_error_goes_to_stderr_with_the_usage(
    environment: dict[str, str], tmp_path: Path
) -> None:
    finished = await python_m_bot("logs", "view", "--lines", "many", environment=environment, cwd=tmp_path)

    assert finished.code == 3 and finished.out == ""
    error, hint = finished.err.splitlines()[-2:]
    assert "usage:" in finished.err and "logs view" in finished.err.splitlines()[0]
    assert error == "error: argument --lines: invalid int value: 'many'"
    assert hint.startswith("hint: ") and hint.endswith("-m bot logs view --help")


async def test_a_secret_typed_on_the_command_line_is_masked_in_a_usage_error(
    environment: dict[str, str], tmp_path: Path
) -> None:
    finished = await python_m_bot(
        "logs", "view", "--level", SECRET, "--json", environment=environment, cwd=tmp_path
    )

    assert finished.code == 3
    assert "invalid choice" in error_of(finished.out)["message"]
    assert SECRET not in finished.out + finished.err


async def test_an_invalid_setting_is_a_json_error_too(environment: dict[str, str], tmp_path: Path) -> None:
    environment["CHECK_INTERVAL_SECONDS"] = "often"

    finished = await python_m_bot("alerts", "status", "--json", environment=environment, cwd=tmp_path)

    error = error_of(finished.out)
    assert finished.code == error["exit_code"] == 3
    assert "CHECK_INTERVAL_SECONDS must be a number" in error["message"]


async def test_db_integrity_keeps_its_overall_status_beside_the_same_error(
    environment: dict[str, str], tmp_path: Path
) -> None:
    environment["DATABASE_URL"] = f"postgresql://aph:pw-secret-1@127.0.0.1:{closed_port()}/aphrodite"
    environment["HTTP_TIMEOUT_SECONDS"] = "2"

    finished = await python_m_bot("db", "integrity", "--json", environment=environment, cwd=tmp_path)

    document = json.loads(finished.out)
    assert set(document) == {"overall", "error"} and document["overall"] == "failed"
    assert finished.code == document["error"]["exit_code"] == 2
    assert "Database unreachable" in document["error"]["message"]
    assert "pw-secret-1" not in finished.out + finished.err


@pytest.mark.parametrize(
    ("name", "value"),
    [("JELLYFIN_URL", "http://[::1"), ("HTTP_TIMEOUT_SECONDS", "nan"), ("ALERT_CHANNEL_ID", "²")],
)
async def test_a_setting_that_does_not_parse_is_a_json_error_not_a_traceback(
    environment: dict[str, str], tmp_path: Path, name: str, value: str
) -> None:
    environment[name] = value

    finished = await python_m_bot("check", "all", "--json", environment=environment, cwd=tmp_path)

    error = error_of(finished.out)
    assert finished.code == error["exit_code"] == 3
    assert name in error["message"] and ".env" in error["hint"]
    assert "Traceback" not in finished.err


@pytest.mark.parametrize(
    "argv",
    [
        ("alerts", "history", "--days", "999999999"),
        ("alerts", "history", "--days", "²"),
        ("db", "growth", "--days", "0"),
        ("db", "growth", "--days", "99999999999999999999999"),
    ],
)
async def test_a_day_count_out_of_range_is_a_json_usage_error_not_an_overflow(
    environment: dict[str, str], tmp_path: Path, argv: tuple[str, ...]
) -> None:
    finished = await python_m_bot(*argv, "--json", environment=environment, cwd=tmp_path)

    error = error_of(finished.out)
    assert finished.code == error["exit_code"] == 3
    assert "--days" in error["message"] and "Traceback" not in finished.err
