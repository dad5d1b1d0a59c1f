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
