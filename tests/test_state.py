"""The state store: every way its file breaks is a StateUnavailable saying why and what to fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.state import StateStore, read_value
from bot.state_errors import StateUnavailable
from tests.support import broken_state


@pytest.mark.parametrize(
    ("break_it", "says", "corrupt"),
    [
        (broken_state.corrupt_bytes, "not a valid SQLite database", True),
        (broken_state.truncated, "not a valid SQLite database", True),
        (broken_state.data_dir_is_a_file, "is a file, not a folder", False),
        (broken_state.folder_instead_of_file, "is a folder, not a file", False),
    ],
)
async def test_a_broken_file_is_refused_with_the_reason_and_a_fix(
    tmp_path: Path, break_it: Callable[[Path], Path], says: str, corrupt: bool
) -> None:
    path = break_it(tmp_path / "data")
    store = StateStore(path)

    with pytest.raises(StateUnavailable) as raised:
        await store.get("filler.150")

    assert str(path) in str(raised.value) and says in str(raised.value)
    assert raised.value.hint and raised.value.corrupt is corrupt
    await store.close()


async def test_a_value_that_is_not_json_reads_as_unset_with_a_warning_until_written_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = broken_state.bad_json_row(tmp_path / "data", key="services.tmdb")
    store = StateStore(path)

    assert await store.get("services.tmdb", {}) == {}
    assert "unreadable 'services.tmdb'" in caplog.text
    assert await store.get("filler.0") == "x" * 900
    await store.put("services.tmdb", {"fresh": 1})
    assert await store.get("services.tmdb") == {"fresh": 1}
    await store.close()


async def test_a_value_that_is_not_json_in_a_transaction_is_refused_saying_so(tmp_path: Path) -> None:
    store = StateStore(broken_state.bad_json_row(tmp_path / "data"))

    with pytest.raises(StateUnavailable, match="holds a value the bot cannot read"):
        await store.run(lambda connection: read_value(connection, "alerts.engine"))
    await store.close()


async def test_a_read_only_file_reads_but_refuses_writes_saying_so(tmp_path: Path) -> None:
    path = broken_state.read_only_file(tmp_path / "data")
    store = StateStore(path)
    with broken_state.immutable(path):
        assert await store.get("filler.0") == "x" * 900
        with pytest.raises(StateUnavailable, match="read-only") as raised:
            await store.put("key", 1)
        assert "writable" in (raised.value.hint or "")
    await store.put("key", 1)  # writable again: the next call just works
    assert await store.get("key") == 1
    await store.close()


async def test_set_aside_keeps_the_corrupt_file_under_a_new_name_and_starts_fresh(tmp_path: Path) -> None:
    path = broken_state.truncated(tmp_path)
    damaged = path.read_bytes()
    store = StateStore(path)

    moved = await store.set_aside()

    assert moved is not None and moved.name.startswith("state.sqlite3.corrupt-")
    assert moved.read_bytes() == damaged
    await store.put("key", {"fresh": True})
    assert await store.get("key") == {"fresh": True}
    await store.close()


async def test_set_aside_leaves_a_good_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    broken_state.write_real_store(path)
    store = StateStore(path)

    assert await store.set_aside() is None

    assert await store.get("filler.1") == "x" * 900
    assert broken_state.files_in(tmp_path) == ["state.sqlite3"]
    await store.close()
