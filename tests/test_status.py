"""Statuses: the worst wins, unconfigured services do not hide a tested result."""

from bot.status import Status, overall_exit_code, worst


def test_failed_beats_degraded_beats_ok():
    assert worst([Status.OK, Status.DEGRADED, Status.FAILED]) is Status.FAILED
    assert worst([Status.OK, Status.DEGRADED]) is Status.DEGRADED


def test_not_configured_only_wins_when_nothing_was_tested():
    assert worst([Status.OK, Status.NOT_CONFIGURED]) is Status.OK
    assert worst([Status.NOT_CONFIGURED, Status.NOT_CONFIGURED]) is Status.NOT_CONFIGURED


def test_exit_codes_follow_the_cli_contract():
    assert overall_exit_code([Status.OK]) == 0
    assert overall_exit_code([Status.OK, Status.DEGRADED]) == 1
    assert overall_exit_code([Status.DEGRADED, Status.FAILED]) == 2
    assert overall_exit_code([Status.NOT_CONFIGURED]) == 3
