"""`python -m bot alerts pause --minutes N | resume | test`: a maintenance window from a script.

While the bot runs (its heartbeat is fresh) the request is queued for its monitor, which applies
it within a second exactly as `/alerts pause|resume|test` would (bot/alerts/requests.py). When it
does not run, the window is written to the state store the bot reads at start, and a test alert
waits in its outbox: it is posted when the bot connects, so `test` then exits 2.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import UTC, datetime, timedelta

from bot.alerts import outbox
from bot.alerts.notices import Notice
from bot.alerts.outbox import DeliveryFailed
from bot.alerts.requests import MAX_PAUSE_MINUTES, AlertRequest, RequestOutcome, RequestQueue, apply_request
from bot.audit import AuditAction, Outcome, OutcomeKind
from bot.audit.auditor import AuditEntry
from bot.cli.audited import audited
from bot.cli.output import fields_of, print_json
from bot.errors import OpsError
from bot.folders import ensure_writable_folder
from bot.heartbeat import STALE_AFTER_SECONDS, age_seconds
from bot.runtime import Runtime
from bot.units import human_duration

FAILED = 2
# How long the running bot may take to pick a request up (it looks every second) before it is withdrawn.
BOT_ANSWER_SECONDS = 45.0


class AlertsOffHere(OpsError):
    """No ALERT_CHANNEL_ID in this process's settings: the monitor does not run, nothing to pause."""

    exit_code = 3

    def __init__(self) -> None:
        super().__init__(
            "Automatic alerts are off: ALERT_CHANNEL_ID is not set.",
            hint="set it in the .env the bot uses (pass it with --env-file), then try again",
        )


class BotDidNotAnswer(OpsError):
    """The bot's heartbeat is fresh but it never took the request (stuck, or an older version)."""

    def __init__(self) -> None:
        super().__init__(
            f"The running bot did not take the request within {BOT_ANSWER_SECONDS:g} s; nothing was changed.",
            hint="is ALERT_CHANNEL_ID set in the bot's own settings too? Its log says more; "
            "`health` says whether it is connected",
        )


def register(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    pause = actions.add_parser(
        "pause", parents=[common], help="open a maintenance window: no alerts for a while"
    )
    pause.add_argument("--minutes", type=_minutes, required=True, help=f"how long (1 to {MAX_PAUSE_MINUTES})")
    pause.set_defaults(handler=run_action, action_name="pause")
    resume = actions.add_parser("resume", parents=[common], help="end the maintenance window now")
    resume.set_defaults(handler=run_action, action_name="resume", minutes=None)
    test = actions.add_parser(
        "test", parents=[common], help="post a test alert (channel, permissions, mention)"
    )
    test.set_defaults(handler=run_action, action_name="test", minutes=None)


def _minutes(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_PAUSE_MINUTES:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_PAUSE_MINUTES} (7 days)")
    return value


def _who() -> str:
    try:
        return f"{getpass.getuser()} on the command line"
    except (KeyError, OSError):
        return "the command line"


async def run_action(args: argparse.Namespace, runtime: Runtime) -> int:
    if runtime.settings.alert_channel_id is None:
        raise AlertsOffHere()
    await asyncio.to_thread(ensure_writable_folder, "DATA_DIR", runtime.settings.data_dir)  # the state store
    request = AlertRequest(0, args.action_name, args.minutes, _who())
    async with _audited(runtime, request) as entry:
        if _bot_is_running(runtime):
            outcome, applied_by = await _through_the_bot(runtime, request), "the running bot"
        else:
            outcome, applied_by = (
                await _directly(runtime, request),
                "the state store (the bot is not running)",
            )
        if outcome.problem and entry is not None:
            entry.outcome = Outcome(OutcomeKind.FAILED, outcome.problem)
    if args.json:
        print_json({**fields_of(outcome, runtime.redactor), "applied_by": applied_by}, runtime.redactor)
    else:
        print(runtime.redactor(render(outcome, applied_by)))
    return FAILED if outcome.problem else 0


def _audited(runtime: Runtime, request: AlertRequest) -> AbstractAsyncContextManager[AuditEntry | None]:
    """A pause or resume goes into the audit trail (a test alert changes nothing: it does not)."""
    if request.action == "pause":
        return audited(runtime, AuditAction.ALERTS_PAUSE, f"{request.minutes} minutes")
    if request.action == "resume":
        return audited(runtime, AuditAction.ALERTS_RESUME)
    return nullcontext()


def _bot_is_running(runtime: Runtime) -> bool:
    age = age_seconds(runtime.settings.data_dir)
    return age is not None and age <= STALE_AFTER_SECONDS


async def _through_the_bot(runtime: Runtime, request: AlertRequest) -> RequestOutcome:
    queue = RequestQueue(runtime.state)
    request_id = await queue.submit(request.action, request.minutes, request.by)
    outcome = await queue.wait_for(request_id, BOT_ANSWER_SECONDS)
    if outcome is None:
        raise BotDidNotAnswer()
    return outcome


async def _directly(runtime: Runtime, request: AlertRequest) -> RequestOutcome:
    """The monitor's own methods over the state store; what it announces waits for the bot's start."""
    from bot.alerts.monitor import Monitor

    async def leave_for_the_bot(notice: Notice, late: bool) -> None:
        raise DeliveryFailed("the bot is not running", "start the bot")

    monitor = Monitor.from_runtime(runtime, leave_for_the_bot)
    # The outbox's "cannot be posted" warning is meant for the bot's log; here the result says it.
    outbox_log = logging.getLogger(outbox.__name__)
    outbox_log.disabled = True
    try:
        return await apply_request(monitor, request)
    finally:
        outbox_log.disabled = False


def render(outcome: RequestOutcome, applied_by: str) -> str:
    if outcome.action == "test" and outcome.problem is not None:
        text = f"The test alert was not posted: {outcome.problem}."
        if outcome.fix:
            text += f" To fix: {outcome.fix}. It waits in the outbox and goes out once posting works."
    elif outcome.problem is not None:
        text = f"Not done: {outcome.problem}"
    elif outcome.paused_until is not None:
        left = human_duration((outcome.paused_until - datetime.now(UTC)) / timedelta(seconds=1))
        until = f"{outcome.paused_until.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
        text = f"Alerts paused until {until} (for {left}); `alerts resume` ends it."
    elif outcome.action == "resume":
        text = "Alerts are back on." if outcome.resumed else "No maintenance window was open: alerts are on."
    else:
        text = "Test alert posted to the alert channel."
    return f"{text} (applied by {applied_by})"
