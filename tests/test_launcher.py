"""`python -m bot`: no token, a bad folder or an unreachable Discord: error: and hint:, no traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from aiohttp import web

from tests.cli.process import python_m_bot

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
    assert [line.split(":")[0] for line in result.stderr.strip().splitlines()] == ["error", "hint"]


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


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_discord_is_an_error_and_a_hint_not_a_traceback(tmp_path):
    api_base = f"http://127.0.0.1:{closed_port()}/api/v10"
    result = run_bot(tmp_path, DISCORD_TOKEN="x", DISCORD_API_BASE=api_base)

    assert result.returncode == 2
    assert f"error: Discord cannot be reached at {api_base}: cannot connect" in result.stderr
    assert "hint:" in result.stderr and "DISCORD_API_BASE" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_data_dir_that_is_a_file_stops_the_start_naming_it(tmp_path):
    (tmp_path / "data").write_text("not a folder")
    result = run_bot(tmp_path, DISCORD_TOKEN="x")

    assert result.returncode == 3
    assert result.stderr.startswith(f"error: DATA_DIR {tmp_path / 'data'} exists but is not a folder")
    assert "\nhint: " in result.stderr and "Traceback" not in result.stderr


def test_a_backup_dir_that_cannot_be_created_stops_the_start_naming_it(tmp_path):
    (tmp_path / "blocker").write_text("a file where a folder should be")
    result = run_bot(tmp_path, DISCORD_TOKEN="x", BACKUP_DIR=str(tmp_path / "blocker" / "backups"))

    assert result.returncode == 3
    assert result.stderr.startswith(f"error: BACKUP_DIR {tmp_path / 'blocker' / 'backups'} cannot be created")
    assert "Traceback" not in result.stderr


async def test_discord_answering_503_at_login_is_an_error_and_a_hint_not_a_traceback(tmp_path):
    async def unavailable(request: web.Request) -> web.Response:
        return web.Response(status=503, text="Service Unavailable")  # 502 is retried for 30 s

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", unavailable)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        done = await python_m_bot(
            environment={
                "DISCORD_TOKEN": "x",
                "DISCORD_API_BASE": f"http://127.0.0.1:{port}/api/v10",
                "DATA_DIR": str(tmp_path / "data"),
            },
            cwd=tmp_path,
        )
    finally:
        await runner.cleanup()

    assert done.code == 2
    assert "error: Discord answered HTTP 503 at start" in done.err and "\nhint: " in done.err
    assert "Traceback" not in done.err
