"""`python -m bot logs ...`: output, JSON, and the exit statuses of the contract."""

import gzip
import json

import pytest

from bot.cli.main import main
from tests.logs.conftest import TMDB_KEY
from tests.logs.generate import FORMATS, START, entry, generate, write_log


@pytest.fixture
def cli(log_path, tmp_path, monkeypatch, capsys):
    """Run the CLI against ``log_path``; returns (exit status, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("APHRODITE_LOG_FILE", str(log_path))
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TMDB_API_KEY", TMDB_KEY)

    def run(*argv):
        status = main(["logs", *argv])
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


@pytest.fixture
def written(log_path):
    entries = list(generate(300, seed=9, formats=FORMATS))
    entries.append(
        entry("aphrodite", START, "ERROR", "app.services.tmdb", f"GET ?api_key={TMDB_KEY} timed out")
    )
    return write_log(log_path, entries)


def test_view_prints_the_summary_then_the_entries(cli, written):
    status, out, _ = cli("view", "--level", "error", "--search", "tmdb", "--lines", "2")
    assert status == 0
    header, *body = out.splitlines()
    assert "total lines (showing 2 filtered)" in header
    assert body[-1].endswith("GET ?api_key=*** timed out")
    assert TMDB_KEY not in out


def test_view_json_holds_entries_and_totals(cli, written):
    status, out, _ = cli("view", "--level", "WARN", "--lines", "3", "--json")
    data = json.loads(out)
    assert status == 0
    assert data["total_lines"] == sum(len(e.lines) for e in written)
    assert [e["level"] for e in data["entries"]] == ["WARNING"] * 3
    assert data["query"] == {"level": "WARNING", "search": None}
    assert {"timestamp", "logger", "message", "continuation", "text", "offset"} <= data["entries"][0].keys()


@pytest.mark.parametrize(
    "argv",
    [
        ("view", "--search", "re:(a)\\1"),
        ("view", "--level", "LOUD"),
        ("view", "--lines", "0"),
        ("download", "--max-size", "lots", "--out", "x"),
    ],
)
def test_usage_errors_exit_3(cli, written, argv):
    status, _, err = cli(*argv)
    assert status == 3
    assert err


def test_status_of_a_missing_log_says_so(cli, log_path):
    status, out, _ = cli("status")
    assert status == 0
    assert out.strip() == f"The log file is empty or doesn't exist yet. ({log_path})"
    status, out, _ = cli("status", "--json")
    assert json.loads(out)["empty"] is True


def test_status_and_count(cli, written):
    status, out, _ = cli("status", "--json")
    assert status == 0 and json.loads(out)["total_lines"] == sum(len(e.lines) for e in written)
    status, out, _ = cli("count", "--level", "ERROR", "--json")
    assert json.loads(out)["matching"] == sum(e.level == "ERROR" for e in written)


def test_download_writes_a_redacted_file(cli, written, tmp_path):
    status, out, _ = cli("download", "--out", str(tmp_path), "--max-size", "2K")
    assert status == 0
    (path,) = tmp_path.glob("aphrodite-logs-*.log.gz")
    assert f"Wrote {path}" in out and "Only the newest part fits" in out
    assert TMDB_KEY not in gzip.decompress(path.read_bytes()).decode()


def test_clear_needs_yes_when_not_interactive(cli, written, log_path):
    status, _, err = cli("clear")
    assert status == 3 and "--yes" in err
    assert log_path.stat().st_size > 0
    status, out, _ = cli("clear", "--yes", "--no-archive")
    assert status == 0 and out.startswith("Cleared")
    assert log_path.stat().st_size == 0


def test_clearing_a_missing_log_exits_3(cli):
    status, _, err = cli("clear", "--yes")
    assert status == 3 and "nothing to clear" in err
