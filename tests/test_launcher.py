"""`python -m bot`: without a token it stops with one clear line; the CLI works without one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_bot(tmp_path: Path, *args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot` in an empty folder (no .env) with only the given settings."""
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "DATA_DIR": str(tmp_path / "data"),
        **environment,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_a_token_the_bot_names_what_to_set(tmp_path):
    result = run_bot(tmp_path)
    assert result.returncode == 3
    assert "DISCORD_TOKEN" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_invalid_setting_stops_the_start_naming_it(tmp_path):
    result = run_bot(tmp_path, DISCORD_TOKEN="x", ALERT_CHANNEL_ID="ops")
    assert result.returncode == 3
    assert "ALERT_CHANNEL_ID" in result.stderr


def test_a_bad_backup_compression_stops_the_start_naming_it(tmp_path):
    result = run_bot(tmp_path, DISCORD_TOKEN="x", BACKUP_COMPRESSION="xz")
    assert result.returncode == 3
    assert "BACKUP_COMPRESSION" in result.stderr and "gzip" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_cli_runs_without_a_token(tmp_path):
    result = run_bot(tmp_path, "check", "all", "--json")
    assert result.returncode == 3  # nothing configured
    assert '"not configured"' in result.stdout


def test_settings_are_read_from_dotenv(tmp_path):
    (tmp_path / ".env").write_text("ALERT_CHANNEL_ID=not-a-number\n")
    result = run_bot(tmp_path, "check", "all")
    assert result.returncode == 3
    assert "ALERT_CHANNEL_ID" in result.stderr


def test_a_setting_that_does_not_parse_stops_the_start_with_error_and_hint(tmp_path):
    result = run_bot(tmp_path, DISCORD_TOKEN="x", JELLYFIN_URL="http://[::1")
    assert result.returncode == 3
    assert result.stderr.startswith("error: JELLYFIN_URL must be an http(s) URL")
    assert "\nhint: " in result.stderr and "Traceback" not in result.stderr
