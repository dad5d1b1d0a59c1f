"""Where incident alerts were posted (AlertStore): found by incident, forgotten with their notice."""

from __future__ import annotations

from datetime import timedelta

from bot.alerts.engine_state import EngineState
from bot.alerts.notices import Notice, NoticeKind
from bot.alerts.store import DELIVERED_KEPT, AlertStore
from bot.status import Status
from tests.alerts.conftest import Clock


async def test_posts_are_found_by_any_of_their_incidents_and_pruned_with_their_notice(
    alert_store: AlertStore, clock: Clock
) -> None:
    opened = [
        Notice(
            NoticeKind.OPENED, clock.now, Status.FAILED, key, "down", incident_id=number, started_at=clock.now
        )
        for number, key in ((1, "tmdb"), (2, "omdb"))
    ]
    group = Notice(NoticeKind.GROUPED, clock.now, Status.FAILED, parts=tuple(opened))
    single = Notice(
        NoticeKind.OPENED, clock.now, Status.FAILED, "jellyfin", "down", incident_id=3, started_at=clock.now
    )
    stored_group, stored_single = await alert_store.save(EngineState(), [group, single])
    await alert_store.record_post(stored_group.id, 10, 100)
    await alert_store.record_post(stored_single.id, 10, 101)
    [post] = await alert_store.posts_about([2])
    assert (post.notice.incident_ids, post.channel_id, post.message_id) == ((1, 2), 10, 100)
    await alert_store.forget_post(stored_group.id)
    assert await alert_store.posts_about([1, 2]) == []
    for notice in (stored_group, stored_single):
        await alert_store.mark_delivered(notice.id, clock.now)
    await alert_store.prune(clock.now + DELIVERED_KEPT + timedelta(days=1), history_days=90)
    assert await alert_store.posts_about([3]) == []
