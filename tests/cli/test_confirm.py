"""One confirmation for every command that destroys something: same question, answers, exit status."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.backups.fixtures import write_dump_head

BACKUP = "aphrodite_backup_20250101_120000.sql"
LOG_LINE = b"2025-06-06 18:52:46 [INFO] app.main:1: started\n"


class Terminal(io.StringIO):
    """Standard input that is a terminal, with the user's answer already typed."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env
    (tmp_path / "backups").mkdir()
    write_dump_head(tmp_path / "backups" / BACKUP)
    (tmp_path / "aphrodite-v2.log").write_bytes(LOG_LINE)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.setenv("APHRODITE_LOG_FILE", str(tmp_path / "aphrodite-v2.log"))
    return tmp_path


def untouched(place: Path) -> bool:
    backup = place / "backups" / BACKUP
    return backup.exists() and (place / "aphrodite-v2.log").read_bytes() == LOG_LINE


COMMANDS = {"logs clear": ["logs", "clear"], "backup delete": ["backup", "delete", BACKUP]}


@pytest.mark.parametrize("argv", COMMANDS.values(), ids=COMMANDS.keys())
@pytest.mark.parametrize("answer", ["n\n", "\n", "yess\n", ""])
def test_declining_changes_nothing_and_exits_3(
    argv: list[str],
    answer: str,
    place: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal(answer))

    assert main(argv) == 3

    captured = capsys.readouterr()
    assert captured.out == ""
    question, refusal = captured.err.split(" [y/N] ")
    assert question.startswith(("Clear ", "Delete "))
    assert refusal.strip().startswith("error: Not confirmed") and refusal.endswith("nothing was changed.\n")
    assert untouched(place)


@pytest.mark.parametrize("argv", COMMANDS.values(), ids=COMMANDS.keys())
@pytest.mark.parametrize("answer", ["y\n", "YES\n"])
def test_y_or_yes_confirms(
    argv: list[str],
    answer: str,
    place: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal(answer))

    assert main(argv) == 0

    assert not untouched(place)


@pytest.mark.parametrize("argv", COMMANDS.values(), ids=COMMANDS.keys())
def test_without_a_terminal_it_is_refused_as_json_with_json(
    argv: list[str], place: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))

    assert main([*argv, "--json"]) == 3

    error = json.loads(capsys.readouterr().out)["error"]
    assert error["exit_code"] == 3 and "Pass --yes" in error["message"]
    assert untouched(place)
