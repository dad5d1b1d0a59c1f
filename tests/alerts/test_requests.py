"""The queue between `python -m bot alerts pause|resume|test` and the running bot's monitor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.alerts.requests import RequestOutcome, RequestQueue, RequestUnanswered
from bot.state import StateStore


@pytest.fixture
async def queue(tmp_path: Path) -> AsyncIterator[RequestQueue]:
    state = StateStore(tmp_path / "state.sqlite3")
    try:
        yield RequestQueue(state)
    finally:
        await state.close()


async def test_a_request_nobody_takes_is_withdrawn_so_it_never_applies_late(queue: RequestQueue) -> None:
    request_id = await queue.submit("pause", 30, "alice")

    assert await queue.wait_for(request_id, timeout=0.3) is None
    assert await queue.take_pending() == []  # a bot starting later does not pause anything


async def test_a_taken_request_is_not_withdrawn_and_its_outcome_is_returned(queue: RequestQueue) -> None:
    request_id = await queue.submit("resume", None, "alice")
    [taken] = await queue.take_pending()
    assert (taken.action, taken.by) == ("resume", "alice")
    await queue.finish(request_id, RequestOutcome("resume", resumed=True))

    assert await queue.wait_for(request_id, timeout=0.3) == RequestOutcome("resume", resumed=True)
    assert not await queue.withdraw(request_id)


async def test_a_taken_request_without_an_outcome_is_reported_not_withdrawn(queue: RequestQueue) -> None:
    request_id = await queue.submit("test", None, "alice")
    await queue.take_pending()

    with pytest.raises(RequestUnanswered):
        await queue.wait_for(request_id, timeout=0.2)
