"""The Docker path without Docker: the image's user (uid 10001) in a root-owned folder, with the
example .env, as `docker compose` would start it (issue 22)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
IMAGE_UID = 10001

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv to become uid 10001"
)


@pytest.fixture
def app_folder() -> Iterator[Path]:
    """A root-owned folder the image's user may enter but not write, like /app in the image."""
    folder = Path(tempfile.mkdtemp(prefix="aphrodite-ops-app-", dir="/tmp"))
    folder.chmod(0o755)
    shutil.copy(REPO / ".env.example", folder / ".env")
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


def as_image_user(cwd: Path, *argv: str, **environment: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGV` as uid 10001 in ``cwd``, with only PATH, the repo and ``environment``."""
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), "HOME": "/nonexistent", **environment}
    become = ["setpriv", f"--reuid={IMAGE_UID}", f"--regid={IMAGE_UID}", "--clear-groups"]
    return subprocess.run(
        [*become, sys.executable, "-m", "bot", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def compose_environment() -> dict[str, str]:
    """The `environment:` of the aphrodite-ops service in docker-compose.yml (what wins over .env)."""
    text = (REPO / "docker-compose.yml").read_text()
    block = re.search(r"\n    environment:\n((?:      .*\n|\s*#.*\n)+)", text)
    assert block is not None
    pairs = re.findall(r"^      ([A-Z_]+): (\S+)$", block[1], re.MULTILINE)
    return dict(pairs)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_example_env_on_a_plain_host_names_the_folder_it_cannot_create(app_folder):
    # The crash loop of the issue: DATA_DIR=./data in a folder the user cannot write.
    result = as_image_user(app_folder, DISCORD_TOKEN="x")

    assert result.returncode == 3
    assert result.stderr.startswith(f"error: DATA_DIR data ({app_folder / 'data'}) cannot be created")
    assert f"for uid {IMAGE_UID}" in result.stderr
    assert "\nhint: create it and give it to uid 10001" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (app_folder / "data").exists()


def test_cli_backup_create_as_the_image_user_names_backup_dir_instead_of_a_traceback(app_folder):
    result = as_image_user(app_folder, "backup", "create")

    assert result.returncode == 3
    backups = Path("data") / "backups"
    # The audit trail cannot be written either (DATA_DIR): one warning line before the error.
    assert f"\nerror: BACKUP_DIR {backups} ({app_folder / backups}) cannot be created" in result.stderr
    assert "\nhint: " in result.stderr and "Traceback" not in result.stderr


def test_cli_alerts_pause_as_the_image_user_names_data_dir_instead_of_a_traceback(app_folder):
    result = as_image_user(app_folder, "alerts", "pause", "--minutes", "30", ALERT_CHANNEL_ID="1234")

    assert result.returncode == 3
    assert result.stderr.startswith(f"error: DATA_DIR data ({app_folder / 'data'}) cannot be created")
    assert "Traceback" not in result.stderr


def test_with_the_compose_environment_the_image_user_gets_past_its_folders(app_folder):
    # /data is a volume the image's user owns; stand in for it with such a folder.
    volume = Path(tempfile.mkdtemp(prefix="aphrodite-ops-data-", dir="/tmp"))
    try:
        os.chown(volume, IMAGE_UID, IMAGE_UID)
        environment = {
            name: value.replace("/data", str(volume), 1) if value.startswith("/data") else value
            for name, value in compose_environment().items()
        }
        assert set(environment) >= {"DATA_DIR", "BACKUP_DIR"} and "DATABASE_URL" not in environment
        api_base = f"http://127.0.0.1:{closed_port()}/api/v10"

        result = as_image_user(app_folder, DISCORD_TOKEN="x", DISCORD_API_BASE=api_base, **environment)

        # It got as far as Discord (unreachable here): the folders, its log and the backups are fine.
        assert result.returncode == 2, result.stderr
        assert f"error: Discord cannot be reached at {api_base}" in result.stderr
        assert "Traceback" not in result.stderr
        assert (volume / "aphrodite-ops.log").is_file() and (volume / "backups").is_dir()
    finally:
        shutil.rmtree(volume)


def test_cli_backup_list_of_a_folder_the_image_user_cannot_read_names_backup_dir(app_folder):
    private = app_folder / "private"
    private.mkdir(mode=0o700)

    result = as_image_user(app_folder, "backup", "list", BACKUP_DIR=str(private))

    assert result.returncode == 3
    assert result.stderr.startswith(f"error: BACKUP_DIR {private} cannot be read: permission denied")
    assert "Traceback" not in result.stderr


def test_cli_db_growth_as_the_image_user_names_data_dir_instead_of_a_traceback(app_folder):
    result = as_image_user(app_folder, "db", "growth")

    assert result.stderr.startswith(f"error: DATA_DIR data ({app_folder / 'data'}) cannot be created")
    assert "\nhint: " in result.stderr and "Traceback" not in result.stderr
