"""The image's build files: pinned dependencies, a /data the bot's user owns, a lean build context."""

from __future__ import annotations

import re
import subprocess
from importlib.metadata import distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = (REPO / "Dockerfile").read_text()


def instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_the_data_volume_belongs_to_the_user_the_image_runs_as():
    steps = instructions()
    (user,) = [step.split()[1] for step in steps if step.startswith("USER ")]
    creating = next(i for i, step in enumerate(steps) if "mkdir -p /data" in step)
    volume = next(i for i, step in enumerate(steps) if step.startswith("VOLUME"))

    assert f"chown -R {user}:{user} /data" in steps[creating]
    assert creating < volume and '"/data"' in steps[volume]


def test_the_image_installs_the_locked_versions_and_the_project_without_resolving():
    steps = instructions()

    assert "RUN pip install --no-cache-dir --requirement requirements.lock" in steps
    assert any(step.startswith("RUN pip install --no-cache-dir --no-deps .") for step in steps)


def test_the_lock_is_what_the_venv_holds(tmp_path):
    regenerated = tmp_path / "requirements.lock"
    subprocess.run([REPO / "scripts" / "lock-requirements", regenerated], check=True, timeout=60)

    assert regenerated.read_text() == (REPO / "requirements.lock").read_text(), (
        "requirements.lock is stale: run scripts/lock-requirements"
    )


def test_the_lock_satisfies_every_runtime_dependency():
    locked = [
        Requirement(line)
        for line in (REPO / "requirements.lock").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    # Canonical names: the lock spells them as the package does (prometheus_client), pyproject may not.
    lowered = {canonicalize_name(pin.name): (next(iter(pin.specifier)).version, pin.marker) for pin in locked}
    for text in distribution("aphrodite-ops").requires or []:
        requirement = Requirement(text)
        if requirement.marker is None or "extra" not in str(requirement.marker):
            version, marker = lowered[canonicalize_name(requirement.name)]
            assert requirement.specifier.contains(version), text
            assert marker == requirement.marker, f"{text}: the lock must keep the platform marker"


def test_the_build_context_leaves_out_secrets_and_local_state():
    ignore = (REPO / ".dockerignore").read_text().splitlines()
    rules = [line for line in ignore if line and not line.startswith("#")]

    assert rules[0] == "*"  # everything is excluded unless allowed below
    assert {rule for rule in rules if rule.startswith("!")} == {
        "!bot/",
        "!cogs/",
        "!pyproject.toml",
        "!README.md",
        "!requirements.lock",
    }


COMPOSE = (REPO / "docker-compose.yml").read_text()


def test_compose_joins_aphrodites_project_instead_of_starting_a_database():
    assert "image: postgres" not in COMPOSE and "postgres-data" not in COMPOSE
    network = r"\nnetworks:\n  aphrodite:\n    external: true\n    name: \$\{APHRODITE_NETWORK:-"
    logs = r"\n  aphrodite-logs:\n    external: true\n    name: \$\{APHRODITE_LOGS_VOLUME:-"
    assert re.search(network, COMPOSE) and re.search(logs, COMPOSE)
    assert "- aphrodite-logs:/app/logs" in COMPOSE


def test_compose_takes_every_setting_from_env_but_the_containers_own_paths():
    environment = re.search(r"\n    environment:\n((?:      .*\n)+)", COMPOSE)
    assert environment is not None
    names = set(re.findall(r"^      ([A-Z_]+):", environment[1], re.MULTILINE))

    assert names == {"DATA_DIR", "BACKUP_DIR", "APHRODITE_LOG_FILE"}  # never DATABASE_URL, never a secret
    assert "env_file: .env" in COMPOSE and "- ops-data:/data" in COMPOSE


def test_every_setting_compose_reads_from_env_example_is_in_it():
    example = (REPO / ".env.example").read_text()
    for name in re.findall(r"\$\{([A-Z_]+):-", COMPOSE):
        assert re.search(rf"^{name}=", example, re.MULTILINE), name
