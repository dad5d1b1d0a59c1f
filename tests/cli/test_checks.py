"""`python -m bot check ...`: a table or JSON, and the exit status of the contract."""

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import checks
from bot.config import Settings
from bot.runtime import Runtime
from bot.services.catalog import SERVICE_KEYS
from bot.status import Status
from tests.cli.process import python_m_bot
from tests.fakes.services import SECRETS, FakeServices

NOTHING_CONFIGURED = {
    "JELLYFIN_URL": None,
    "JELLYFIN_API_KEY": None,
    "OMDB_API_KEY": None,
    "TMDB_API_KEY": None,
    "MDBLIST_API_KEY": None,
    "ANIDB_CLIENT": None,
}


async def run_check(argv: list[str], settings: Settings) -> int:
    """Parse ``argv`` as `python -m bot` does (``--json`` on the leaves) and run the handler."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true")
    parser = argparse.ArgumentParser()
    checks.register(parser.add_subparsers(dest="command", required=True), common)
    args = parser.parse_args(argv)
    async with Runtime.open(settings) as runtime:
        status: int = await args.handler(args, runtime)
        return status


@pytest.fixture
def environment(fake_services: FakeServices, tmp_path: Path) -> Callable[..., Settings]:
    """Settings at the fakes, state in a temporary DATA_DIR, no Discord token.

    AniDB is left unconfigured unless a test sets it: the CLI uses the process-wide AniDB request
    spacing, which would make every test wait 2 s for its slot.
    """

    def make(**overrides: str | None) -> Settings:
        return fake_services.settings(DATA_DIR=str(tmp_path), **{"ANIDB_CLIENT": None, **overrides})

    return make


async def test_all_ok_prints_a_table_and_exits_0(
    environment: Callable[..., Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run_check(["check", "all"], environment())

    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["Service", "Status", "Latency", "Detail"]
    assert [line.split()[0] for line in lines[1:6]] == ["Jellyfin", "OMDb", "TMDB", "MDBList", "AniDB"]
    assert lines[5].split()[1:3] == ["Not", "configured"]  # grey, not a failure: still exit 0
    assert "978 of 1000 requests left today" in out
    assert "\033[" not in out  # no colour when stdout is not a terminal


async def test_degraded_service_exits_1_and_shows_the_hint(
    environment: Callable[..., Settings], fake_services: FakeServices, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_services.omdb.set_mode("quota")

    code = await run_check(["check", "all"], environment())

    out = capsys.readouterr().out
    assert code == Status.DEGRADED.exit_code == 1
    assert "→ Free OMDb keys allow 1,000 requests a day" in out


async def test_failed_service_exits_2(
    environment: Callable[..., Settings], fake_services: FakeServices, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_services.tmdb.set_mode("bad_key")

    assert await run_check(["check", "all"], environment()) == 2


async def test_nothing_configured_exits_3(
    environment: Callable[..., Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_check(["check", "all"], environment(**NOTHING_CONFIGURED)) == 3
    assert "Not configured" in capsys.readouterr().out


async def test_one_service_shows_its_facts_and_credential_source(
    environment: Callable[..., Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run_check(["check", "jellyfin"], environment())

    out = capsys.readouterr().out
    assert code == 0
    assert "Version" in out and "10.9.11" in out
    assert "Credentials from  environment" in out


async def test_json_lists_every_result(
    environment: Callable[..., Settings], fake_services: FakeServices, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_services.mdblist.set_mode("quota")

    code = await run_check(["check", "all", "--json"], environment())

    results = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [r["service"] for r in results] == list(SERVICE_KEYS)
    assert results[3]["status"] == "degraded"
    assert set(results[0]) >= {
        "status",
        "latency_ms",
        "detail",
        "facts",
        "credential_source",
        "checked_at",
        "hint",
    }


async def test_json_for_one_service_is_a_list_of_one(
    environment: Callable[..., Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run_check(["check", "tmdb", "--json"], environment())

    results = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [r["service"] for r in results] == ["tmdb"]
    assert dict(results[0]["facts"])["Key type"] == "v3 API key"


async def test_output_never_shows_a_key(
    environment: Callable[..., Settings], fake_services: FakeServices, capsys: pytest.CaptureFixture[str]
) -> None:
    for key in SERVICE_KEYS:
        fake_services[key].set_mode("garbage")

    await run_check(["check", "all"], environment())
    await run_check(["check", "all", "--json"], environment())

    out = capsys.readouterr().out
    assert [secret for secret in SECRETS if secret in out] == []


def test_unknown_service_is_a_usage_error() -> None:
    common = argparse.ArgumentParser(add_help=False)
    parser = argparse.ArgumentParser()
    checks.register(parser.add_subparsers(dest="command"), common)

    with pytest.raises(SystemExit) as raised:
        parser.parse_args(["check", "plex"])
    assert raised.value.code == 2  # argparse's usage error; bot.cli.main turns it into 3


async def test_colour_marks_the_status_on_a_terminal(
    environment: Callable[..., Settings], fake_services: FakeServices
) -> None:
    from bot.services.runner import CheckRunner

    fake_services.tmdb.set_mode("bad_key")
    async with Runtime.open(environment()) as runtime:
        runner = CheckRunner(
            runtime.settings, runtime.http, runtime.database, runtime.state, redactor=runtime.redactor
        )
        results = await runner.check_all()

    table = checks.render(results, colour=True)
    assert "\033[31mFailed" in table
    assert "\033[32mOK" in table


async def test_python_m_bot_check_all_json_exits_with_the_worst_status(
    fake_services: FakeServices, tmp_path: Path
) -> None:
    fake_services.omdb.set_mode("bad_key")
    environment = fake_services.environment(DATA_DIR=str(tmp_path))

    finished = await python_m_bot("check", "all", "--json", environment=environment, cwd=tmp_path)

    results = json.loads(finished.out)
    assert finished.code == 2
    assert [r["status"] for r in results] == ["ok", "failed", "ok", "ok", "ok"]


async def test_python_m_bot_check_one_unconfigured_service_exits_3(tmp_path: Path) -> None:
    finished = await python_m_bot("check", "mdblist", environment={"DATA_DIR": str(tmp_path)}, cwd=tmp_path)

    assert finished.code == 3
    assert "MDBLIST_API_KEY" in finished.out
