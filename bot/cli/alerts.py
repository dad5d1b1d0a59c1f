"""`python -m bot alerts status|history|pause|resume|test`: the monitor's state, uptime and past incidents.

pause, resume and test are in alert_actions.py.

Works without Discord and while the bot runs (it reads the same SQLite files, and never creates
the history's). `status` exits with the worst open incident (0 none, 1 degraded, 2 failed; 3 when
alerts were never on).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from bot.alerts.history import IncidentHistory, IncidentRecord, worst_open
from bot.alerts.incident_span import incident_span
from bot.alerts.overview import MonitorOverview, TargetOverview, overview
from bot.alerts.results import TARGETS, target_name
from bot.alerts.store import AlertStore
from bot.cli import alert_actions
from bot.cli.arguments import whole_number
from bot.cli.output import print_json
from bot.history.growth import MAX_DAYS
from bot.history.uptime_summary import (
    UptimeReading,
    UptimeSummary,
    read_uptime_summaries,
    uptime_fields,
    uptime_line,
)
from bot.runtime import Runtime
from bot.units import human_duration

NOT_CONFIGURED = 3


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = commands.add_parser("alerts")
    actions = parser.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    actions.add_parser(
        "status", parents=[common], help="every target's state, since when, uptime and open incidents"
    ).set_defaults(handler=run_status)
    history = actions.add_parser(
        "history", parents=[common], help="incidents, newest first, and the mean time to recovery"
    )
    history.add_argument("--target", choices=TARGETS, help="only this target (default: all)")
    history.add_argument(
        "--days", type=whole_number(1, MAX_DAYS), default=7, help=f"how far back, 1 to {MAX_DAYS} (default 7)"
    )
    history.set_defaults(handler=run_history)
    alert_actions.register(actions, common)


async def run_status(args: argparse.Namespace, runtime: Runtime) -> int:
    store = AlertStore(runtime.state)
    engine = await store.load_engine()
    settings = runtime.settings
    now = datetime.now(UTC)
    result = overview(
        engine,
        enabled=settings.alert_channel_id is not None,
        interval_seconds=settings.check_interval_seconds,
        pending_notices=await store.pending_count(),
        delivery_problem=None,
        now=now,
    )
    uptimes = await read_uptime_summaries(runtime.history, now)
    if args.json:
        print_json(status_dict(result, uptimes), runtime.redactor)
    else:
        print(runtime.redactor(render_status(result, uptimes)))
    if not result.enabled and result.last_round_at is None:
        return NOT_CONFIGURED
    return result.worst_open.exit_code


async def run_history(args: argparse.Namespace, runtime: Runtime) -> int:
    now = datetime.now(UTC)
    history = await AlertStore(runtime.state).history(args.target, now - timedelta(days=args.days), now)
    if args.json:
        print_json(history.to_dict(), runtime.redactor)
    else:
        print(runtime.redactor(render_history(history)))
    return worst_open(history.incidents).exit_code


def _when(moment: datetime | None) -> str:
    return "—" if moment is None else f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def status_dict(result: MonitorOverview, uptimes: UptimeReading) -> dict[str, object]:
    """The overview's JSON, each target with its uptime fields (null without history), and
    ``uptime_missing``: why there is no uptime at all (null when there is)."""
    data = result.to_dict()
    summaries = uptimes.summaries or {}
    for target in data["targets"]:
        target.update(uptime_fields(summaries.get(target["target"])))
    data["uptime_missing"] = uptimes.missing
    return data


def render_status(result: MonitorOverview, uptimes: UptimeReading) -> str:
    """A header line about the monitor, a table (target, status, since, detail), each target's uptime."""
    if result.enabled:
        head = f"Monitor on: a round every {human_duration(result.interval_seconds)}"
    else:
        head = "Monitor off: set ALERT_CHANNEL_ID to turn automatic alerts on"
    head += f" · last round {_when(result.last_round_at)}"
    if result.paused:
        head += f" · paused until {_when(result.paused_until)}" + (
            f" by {result.paused_by}" if result.paused_by else ""
        )
    if result.pending_notices:
        head += f" · {result.pending_notices} alert(s) waiting to be posted"
    rows = [("Target", "Status", "Since", "Detail")]
    rows += [(t.name, _label(t), _when(t.since), _detail(t)) for t in result.targets]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = [head, ""]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[3]]).rstrip())
    lines.append("")
    if uptimes.summaries is None:
        lines.append(f"Uptime: {uptimes.missing}")
    else:
        found = uptimes.summaries
        lines += [f"{t.name.ljust(widths[0])}  {_uptime(found.get(t.target))}" for t in result.targets]
    return "\n".join(lines)


def _uptime(summary: UptimeSummary | None) -> str:
    return "Uptime: not measured yet" if summary is None else uptime_line(summary)


def _label(target: TargetOverview) -> str:
    return "—" if target.status is None else target.status.label


def _detail(target: TargetOverview) -> str:
    detail = target.detail
    if target.incident is not None:
        detail += f"  [incident #{target.incident.id} since {_when(target.incident.started_at)}]"
    if target.flapping:
        detail += "  [flapping]"
    if target.silence is not None:
        detail += f"  [silenced until {_when(target.silence.until)}]"
    return detail


def render_history(history: IncidentHistory) -> str:
    """The mean time to recovery, then one line per incident, newest first."""
    days = max(round((history.measured_at - history.since) / timedelta(days=1)), 1)
    mttr = history.mean_time_to_recovery
    scope = target_name(history.target) if history.target else "all targets"
    lines = [
        f"{len(history.incidents)} incident(s) of {scope} in the last {days} day(s) · mean time to recovery: "
        + (human_duration(mttr) if mttr is not None else "—")
    ]
    lines += [_incident_line(incident, history.measured_at) for incident in history.incidents]
    return "\n".join(lines)


def _incident_line(incident: IncidentRecord, now: datetime) -> str:
    span = incident_span(incident, now, _when)
    name = target_name(incident.target)
    return f"#{incident.id:<4} {name:<14} {incident.severity.label:<9} {span}  {incident.detail}"
