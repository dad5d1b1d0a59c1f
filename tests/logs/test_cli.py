"""`python -m bot logs ...`: output, JSON, and the exit statuses of the contract."""

import asyncio
import gzip
import json
import random

import pytest

from bot.cli.main import main
from bot.logs.shown import LINE_LIMIT
from tests.fakes.services import closed_port
from tests.logs.conftest import SAVED_KEYS, TMDB_KEY, leaking_entries, save_aphrodite_settings, saved_settings
from tests.logs.generate import FORMATS, START, entry, format_header, generate, write_log


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


@pytest.mark.parametrize("action", ["status", "view", "count"])
def test_a_log_whose_folder_does_not_exist_is_a_wrong_setting_exit_3(cli, monkeypatch, tmp_path, action):
    wrong = tmp_path / "no-such-folder" / "aphrodite-v2.log"
    monkeypatch.setenv("APHRODITE_LOG_FILE", str(wrong))

    status, _, err = cli(action)

    assert status == 3
    assert err.startswith(
        f"error: APHRODITE_LOG_FILE is {wrong}, but its folder {wrong.parent} does not exist"
    )
    assert "\nhint: set APHRODITE_LOG_FILE" in err
    status, out, _ = cli(action, "--json")
    assert status == 3 and json.loads(out)["error"]["exit_code"] == 3


def test_clear_no_archive_keeps_no_copy_where_clear_archives_one(cli, written, log_path):
    status, out, _ = cli("clear", "--yes", "--no-archive")
    assert status == 0 and "Archived" not in out
    assert list(log_path.parent.glob(log_path.name + ".*.gz")) == []

    log_path.write_text("2025-06-06 18:52:46 [INFO] app.main:1: started again\n")
    status, out, _ = cli("clear", "--yes")
    assert status == 0 and "Archived to" in out
    assert len(list(log_path.parent.glob(log_path.name + ".*.gz"))) == 1


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


# --- Keys saved only in Aphrodite's database (audit item 7) ---------------------------------------


@pytest.fixture
def cli_with_saved_keys(cli, aphrodite_db, log_path, monkeypatch):
    """The README's minimal setup: DATABASE_URL set, every key only in system_config."""
    asyncio.run(save_aphrodite_settings(aphrodite_db.dsn, saved_settings()))
    monkeypatch.setenv("DATABASE_URL", aphrodite_db.dsn)
    monkeypatch.delenv("TMDB_API_KEY")
    write_log(log_path, [*generate(30, seed=2), *leaking_entries()])
    return cli


def test_keys_saved_only_in_aphrodites_database_never_show(cli_with_saved_keys, tmp_path):
    outputs = [
        cli_with_saved_keys("view", "--lines", "100"),
        cli_with_saved_keys("view", "--json"),
        cli_with_saved_keys("view", "--search", "refused"),
        cli_with_saved_keys("count", "--search", "login"),
        cli_with_saved_keys("download", "--out", "-"),
        cli_with_saved_keys("download", "--out", str(tmp_path / "saved.log")),
    ]
    shown = "".join(out + err for _, out, err in outputs) + (tmp_path / "saved.log").read_text()
    assert [status for status, _, _ in outputs] == [0] * len(outputs)
    assert "TMDB refused ***" in shown and "AniDB login aphro/***" in shown
    for key in SAVED_KEYS.values():
        assert key not in shown


def test_when_the_database_cannot_be_read_it_says_so_and_still_masks_by_pattern(cli, log_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"postgresql://aph:db-pass-x1@127.0.0.1:{closed_port()}/aphrodite")
    write_log(log_path, [entry("aphrodite", START, "INFO", "app.omdb", "GET ?apikey=pattern0key1 done")])
    status, out, err = cli("view")
    assert status == 0
    assert "No key is known from Aphrodite's database" in err
    assert "apikey=***" in out and "pattern0key1" not in out + err


# --- Searches see only redacted text (audit item 8) ------------------------------------------------


def test_a_search_cannot_tell_a_masked_keys_characters(cli, log_path):
    write_log(log_path, [entry("aphrodite", START, "INFO", "app.omdb", "GET ?apikey=o7e5secretkey&i=tt1")])
    counts = {}
    for guess in ("o", "x", "o7", "o7e5secretkey"):
        _, out, _ = cli("count", "--search", f"re:apikey={guess}|apikey=\\*", "--json")
        counts[guess] = json.loads(out)["matching"]
    assert counts == {"o": 1, "x": 1, "o7": 1, "o7e5secretkey": 1}  # the mask matches; the key never does
    for guess in ("apikey=o", "o7e5", "secretkey"):
        _, out, _ = cli("view", "--search", guess)
        assert "No entries match" in out
    _, out, _ = cli("view", "--search", "apikey=***")
    assert "GET ?apikey=***&i=tt1" in out


# --- Lines over 16 MiB (audit item 9) --------------------------------------------------------------

SIXTEEN_MIB = 16 * 1024 * 1024


@pytest.fixture
def huge_line_log(log_path):
    """A log whose middle entry is one 17 MiB line, with keys across its 64 KiB and 16 MiB marks."""
    before = format_header("aphrodite", START, "INFO", "app.main", "before the huge line").encode()
    after = format_header("aphrodite", START, "ERROR", "app.main", "after the huge line").encode()
    header = format_header("aphrodite", START, "WARNING", "app.x", "payload=").encode()
    key = TMDB_KEY.encode()
    with log_path.open("wb") as out:
        out.write(before + b"\n")
        start = out.tell()
        out.write(header)
        for mark in (LINE_LIMIT, SIXTEEN_MIB):  # the key straddles each mark
            out.write(b"y" * (start + mark - len(key) // 2 - out.tell()) + key)
        out.write(b"z" * (start + SIXTEEN_MIB + 1024 * 1024 - out.tell()) + b"\n")
        out.write(after + b"\n")
    return log_path


@pytest.mark.timeout(60)
def test_a_line_over_16_mib_is_shown_cut_and_masked_and_never_stalls(cli, huge_line_log, tmp_path):
    status, out, _ = cli("view")
    assert status == 0
    assert "before the huge line" in out and "after the huge line" in out
    assert "[line truncated, 17,825,793 bytes]" in out and TMDB_KEY not in out
    status, out, _ = cli("count", "--json")
    assert json.loads(out)["matching"] == 3

    status, _, _ = cli("download", "--out", str(tmp_path / "huge.log"))
    written = (tmp_path / "huge.log").read_bytes()
    assert status == 0 and len(written) < 1024 * 1024
    assert TMDB_KEY.encode() not in written and TMDB_KEY[: len(TMDB_KEY) // 2].encode() not in written
    assert written.count(b"\n") == 3 and b"line truncated" in written


# --- Time budget (audit item 10) ---------------------------------------------------------------------


@pytest.fixture
def hostile_log(log_path):
    """Lines on which `re:(.*a){20}` costs RE2 about 0.1 s each: minutes for the whole log."""
    line = bytes(random.Random(4).choice(b"ab ") for _ in range(60_000))
    with log_path.open("wb") as out:
        for _ in range(400):
            out.write(b"2026-11-28 22:59:00 [ERROR] app.x:1: " + line + b"\n")
    return log_path


@pytest.mark.timeout(60)
def test_a_hostile_search_stops_at_the_time_budget_with_what_it_found(
    cli, hostile_log, monkeypatch, tmp_path
):
    monkeypatch.setenv("LOG_SEARCH_TIMEOUT_SECONDS", "1")
    status, out, err = cli("view", "--search", "re:(.*a){20}")
    assert status == 1
    assert "Stopped after 1 s (LOG_SEARCH_TIMEOUT_SECONDS): searched" in err and "of 22.9 MiB" in err
    assert "[ERROR] app.x:1:" in out

    status, out, _ = cli("download", "--search", "re:(.*a){20}", "--out", str(tmp_path / "partial.log"))
    assert status == 1 and "Stopped at the time limit" in out
    assert 0 < (tmp_path / "partial.log").read_bytes().count(b"\n") < 400


# --- Where a download goes (audit item 13) -------------------------------------------------------------


def test_download_to_a_missing_folder_is_refused_cleanly(cli, written, tmp_path):
    status, _, err = cli("download", "--out", str(tmp_path / "missing" / "dir" / "x.log"))
    assert status == 3
    assert err.startswith("error: --out") and "does not exist" in err and "Traceback" not in err
    assert not (tmp_path / "missing").exists()


def test_download_to_dash_writes_standard_output(cli, written, tmp_path):
    status, out, err = cli("download", "--level", "ERROR", "--out", "-")
    assert status == 0
    assert not (tmp_path / "-").exists()
    errors = [line for e in written if e.level == "ERROR" for line in e.text.splitlines()]
    assert out.splitlines() == [line.replace(TMDB_KEY, "***") for line in errors]
    assert "Wrote standard output" in err and TMDB_KEY not in out


def test_a_max_size_download_under_a_plain_log_name_is_refused(cli, written, tmp_path):
    status, _, err = cli("download", "--max-size", "2K", "--out", str(tmp_path / "x.log"))
    assert status == 3 and ".gz" in err
    assert not (tmp_path / "x.log").exists()
    status, _, _ = cli("download", "--max-size", "2K", "--out", str(tmp_path / "x.log.gz"))
    assert status == 0
    assert gzip.decompress((tmp_path / "x.log.gz").read_bytes())


def test_a_key_typed_into_the_search_is_not_echoed(cli, written):
    for argv in (("count",), ("count", "--json"), ("view",), ("view", "--json")):
        status, out, err = cli(*argv, "--search", TMDB_KEY)
        assert status == 0 and TMDB_KEY not in out + err
