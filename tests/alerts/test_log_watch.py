"""The log target: only what was appended since the previous round, across restarts, rotation, truncation."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from bot.alerts.log_watch import DOWNLOAD_CHARS, SHOWN_ENTRIES, LogWatcher
from bot.redact import Redactor
from bot.status import Status

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
SECRET = "tmdb-key-4f2a9c-NEVER-SHOWN"


def line(level: str, message: str) -> str:
    return f"2026-11-30 02:59:00 [{level}] app.services.tmdb:88: {message}\n"


def append(path: Path, *lines: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.writelines(lines)


def watcher(path: Path, **options: int) -> LogWatcher:
    return LogWatcher(path, Redactor([SECRET]), **options)


async def errors_seen(watch: LogWatcher) -> int:
    [result] = await watch(NOW)
    return 0 if result.log_errors is None else result.log_errors.count


async def test_the_first_round_watches_from_now_on(tmp_path: Path) -> None:
    log = tmp_path / "aphrodite-v2.log"
    append(log, *[line("ERROR", "old failure")] * 20)
    watch = watcher(log)
    [result] = await watch(NOW)
    assert result.status is Status.OK and result.log_errors is None
    append(log, line("INFO", "fine"), line("ERROR", "new failure"))
    assert await errors_seen(watch) == 1
    assert await errors_seen(watch) == 0


async def test_an_error_in_the_three_field_format_is_summarised(tmp_path: Path) -> None:
    log = tmp_path / "aphrodite.log"
    log.touch()
    watch = watcher(log)
    await watch(NOW)
    append(
        log,
        "2025-06-09 15:40:27 - WARNING - STARTED: Test failed operation\n",
        "2025-06-09 15:40:27 - ERROR - FAILED: Test failed operation - Simulated error\n",
        "Traceback (most recent call last):\n",
        '  File "C:\\Users\\admin\\aphrodite\\app.py", line 12, in <module>\n',
        "RuntimeError: Simulated error\n",
        "2025-06-09 15:40:28,195 - CRITICAL - System memory usage exceeds 90%\n",
    )
    [result] = await watch(NOW)
    assert result.status is Status.FAILED
    errors = result.log_errors
    assert errors is not None and errors.count == 2
    assert errors.shown[0].startswith("2025-06-09 15:40:27 - ERROR - FAILED: Test failed operation")
    assert errors.shown[0].endswith("RuntimeError: Simulated error")
    assert "C:\\Users\\admin\\aphrodite\\app.py" in errors.shown[0]
    assert errors.shown[1] == "2025-06-09 15:40:28,195 - CRITICAL - System memory usage exceeds 90%"


async def test_a_burst_is_one_result_with_the_count_the_first_entries_and_all_of_them_to_download(
    tmp_path: Path,
) -> None:
    log = tmp_path / "aphrodite-v2.log"
    log.touch()
    watch = watcher(log)
    await watch(NOW)
    append(
        log,
        *[line("ERROR", f"failure {n}") + "Traceback (most recent call last):\n  boom\n" for n in range(300)],
    )
    append(log, line("CRITICAL", "disk full"), line("WARNING", "not counted"))
    [result] = await watch(NOW)
    errors = result.log_errors
    assert errors is not None
    assert errors.count == 301 and result.status is Status.FAILED  # a CRITICAL makes it red
    assert len(errors.shown) == SHOWN_ENTRIES and "failure 0" in errors.shown[0]
    assert "Traceback" in errors.shown[0]  # an entry keeps its traceback
    assert errors.text.count("[ERROR]") == 300 and "disk full" in errors.text
    assert "not counted" not in errors.text


async def test_errors_are_redacted(tmp_path: Path) -> None:
    log = tmp_path / "aphrodite-v2.log"
    log.touch()
    watch = watcher(log)
    await watch(NOW)
    append(log, line("ERROR", f"TMDB refused key {SECRET} at https://x/?api_key=abc123"))
    [result] = await watch(NOW)
    errors = result.log_errors
    assert errors is not None
    assert SECRET not in errors.text and "abc123" not in errors.text
    assert SECRET not in errors.shown[0]


async def test_a_restarted_watcher_neither_recounts_nor_misses(tmp_path: Path) -> None:
    log = tmp_path / "aphrodite-v2.log"
    log.touch()
    first = watcher(log)
    await first(NOW)
    append(log, line("ERROR", "a"))
    assert await errors_seen(first) == 1
    append(log, line("ERROR", "b"), line("ERROR", "c"))  # written while the bot is down
    second = watcher(log)
    second.restore(first.snapshot())
    assert await errors_seen(second) == 2


async def test_rotation_between_rounds_is_followed(tmp_path: Path) -> None:
    log = tmp_path / "aphrodite-v2.log"
    log.touch()
    watch = watcher(log)
    await watch(NOW)
    append(log, line("ERROR", "before rotation"))
    os.rename(log, tmp_path / "aphrodite-v2.log.1")
    append(log, line("ERROR", "after rotation 1"), line("ERROR", "after rotation 2"))
    [result] = await watch(NOW)
    errors = result.log_errors
    assert errors is not None
    assert errors.count == 3
    assert "before rotation" in errors.text and "after rotation 2" in errors.text
    assert await errors_seen(watch) == 0


async def test_truncation_starts_over_without_missing_the_new_lines(tmp_path: Path) -> None:
    log = tmp_path / "aphrodite-v2.log"
    append(log, line("INFO", "x" * 500))
    watch = watcher(log)
    await watch(NOW)
    with log.open("w") as handle:  # /logs clear, or copytruncate, then new lines
        handle.write(line("ERROR", "after clear"))
    assert await errors_seen(watch) == 1
    with log.open("w") as handle:  # truncated and written past the old offset before the round
        handle.write(line("ERROR", "y" * 600) + line("ERROR", "z"))
    assert await errors_seen(watch) == 2


async def test_each_round_reads_a_bounded_amount_and_carries_on(tmp_path: Path) -> None:
    log = tmp_path / "aphrodite-v2.log"
    log.touch()
    watch = watcher(log, max_bytes=4096)
    await watch(NOW)
    append(log, *[line("ERROR", f"failure {n:04d}") for n in range(500)])  # about 35 KiB
    counts = [await errors_seen(watch) for _ in range(12)]
    assert sum(counts) == 500
    assert max(counts) < 100


async def test_a_missing_log_is_not_configured_and_an_unreadable_one_fails(tmp_path: Path) -> None:
    watch = watcher(tmp_path / "nothing.log")
    [missing] = await watch(NOW)
    assert missing.status is Status.NOT_CONFIGURED
    folder = tmp_path / "folder.log"
    folder.mkdir()
    [unreadable] = await watcher(folder)(NOW)
    assert unreadable.status is Status.FAILED and "not a log file" in unreadable.detail


async def test_the_text_kept_for_download_is_bounded_and_says_so(tmp_path: Path) -> None:
    log = tmp_path / "aphrodite-v2.log"
    log.touch()
    watch = watcher(log)
    await watch(NOW)
    append(log, *[line("ERROR", f"{n:05d} " + "x" * 1000) for n in range(2000)])  # about 2 MiB
    [result] = await watch(NOW)
    errors = result.log_errors
    assert errors is not None
    assert errors.count == 2000 and errors.text_cut
    assert len(errors.text) <= DOWNLOAD_CHARS and errors.text.startswith("2026")
