"""`python -m bot check all` when the credentials live in Aphrodite's database and it is down."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.process import python_m_bot
from tests.fakes.services import closed_port
from tests.support.postgres_cluster import APP_PASSWORD

DOWN = f"postgresql://aphrodite:{APP_PASSWORD}@127.0.0.1:{closed_port()}/aphrodite"


async def test_unreadable_saved_credentials_fail_every_service_and_say_so(tmp_path: Path) -> None:
    environment = {"DATA_DIR": str(tmp_path), "DATABASE_URL": DOWN}

    table = await python_m_bot("check", "all", environment=environment, cwd=tmp_path)
    listing = await python_m_bot("check", "all", "--json", environment=environment, cwd=tmp_path)

    assert (table.code, listing.code) == (2, 2)
    results = json.loads(listing.out)
    assert [r["status"] for r in results] == ["failed"] * 5
    assert all("Credentials could not be read" in r["detail"] for r in results)
    assert "connection refused" in results[0]["detail"]
    assert "Not configured" not in table.out and "Credentials could not be read" in table.out
    assert APP_PASSWORD not in table.out + table.err + listing.out + listing.err
