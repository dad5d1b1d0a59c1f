"""The alert channel's messages, built from notices (no Discord needed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.alerts.notices import Notice, NoticeKind
from bot.alerts.results import LogErrors
from bot.status import Status
from cogs.ui.alert_embeds import alert_message, outage_words
from cogs.ui.embeds import absolute_time

T0 = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def test_a_late_alert_says_when_it_happened() -> None:
    notice = Notice(NoticeKind.OPENED, T0, Status.FAILED, "tmdb", "TMDB answered 401", "check TMDB_API_KEY")
    on_time = alert_message(notice, late=False, role_id=42)
    late = alert_message(notice, late=True, role_id=42)
    assert "Delayed" not in on_time.embed.description
    assert "Delayed" in late.embed.description and f"<t:{int(T0.timestamp())}:f>" in late.embed.description
    assert late.content == "<@&42>" and late.embed.timestamp == T0


def test_a_recovery_while_the_bot_was_offline_gives_a_range() -> None:
    notice = Notice(
        NoticeKind.RECOVERED,
        T0 + timedelta(hours=3),
        Status.OK,
        "tmdb",
        "fine",
        started_at=T0,
        ended_at=T0 + timedelta(hours=3),
        ended_after=T0 + timedelta(minutes=10),
    )
    start, end = absolute_time(T0), absolute_time(T0 + timedelta(hours=3))
    words = outage_words(notice)
    assert words == f"{start} → ended while the bot was offline · between 10 min and 3 h"
    exact = outage_words(replace(notice, ended_after=None))
    assert exact == f"{start} → {end} · 3 h"


def test_a_log_summary_of_huge_entries_stays_within_discord_limits() -> None:
    entries = tuple("2026-11-30 03:00:00 [ERROR] x:1: " + "y" * 1990 for _ in range(5))
    errors = LogErrors(5000, entries, "\n".join(entries))
    notice = Notice(NoticeKind.LOG_ERRORS, T0, Status.DEGRADED, "log", "5000 new errors", log_errors=errors)
    description = alert_message(notice, late=True, role_id=42).embed.build().description
    assert description is not None
    assert len(description) <= 4096 and description.count("```") == 2
    assert "4995 more" in description
    assert alert_message(notice, late=False, role_id=42).content is None


def test_amber_and_green_messages_never_mention_the_role() -> None:
    for kind, status in [
        (NoticeKind.OPENED, Status.DEGRADED),
        (NoticeKind.RECOVERED, Status.OK),
        (NoticeKind.FLAPPING, Status.DEGRADED),
        (NoticeKind.PAUSED, Status.NOT_CONFIGURED),
    ]:
        assert alert_message(Notice(kind, T0, status, "tmdb"), late=False, role_id=42).content is None


def test_a_group_mentions_each_role_once_and_stays_within_discord_limits() -> None:
    opened = [
        Notice(
            NoticeKind.OPENED, T0, Status.FAILED, key, "x" * 3000, "fix it", incident_id=number, started_at=T0
        )
        for number, key in enumerate(("jellyfin", "omdb", "tmdb", "mdblist", "anidb", "database", "backups"))
    ]
    late = Notice(NoticeKind.UNACKNOWLEDGED, T0, Status.FAILED, "tmdb", "down", incident_id=9, started_at=T0)
    group = Notice(NoticeKind.GROUPED, T0, Status.FAILED, parts=(*opened, late))
    message = alert_message(group, late=True, role_id=42, escalation_role_id=43)
    assert message.content == "<@&42> <@&43>" and message.incident_buttons
    embed = message.embed.build()
    assert len(embed) <= 6000 and len(embed.fields) == 8
    assert embed.footer.text is not None and "#9" in embed.footer.text


def test_an_acknowledged_incident_mentions_nobody_and_its_recovery_names_who() -> None:
    worse = Notice(
        NoticeKind.ESCALATED, T0, Status.FAILED, "tmdb", "down", incident_id=1, acknowledged_by="alice"
    )
    assert alert_message(worse, late=False, role_id=42).content is None
    recovered = Notice(
        NoticeKind.RECOVERED, T0, Status.OK, "tmdb", "fine", incident_id=1, acknowledged_by="alice"
    )
    spec = alert_message(recovered, late=False, role_id=42).embed
    assert ("Acknowledged by", "alice", False) in spec.fields
