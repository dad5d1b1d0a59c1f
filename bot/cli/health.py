"""`python -m bot health`: is the running bot connected? (the container's HEALTHCHECK)."""

from __future__ import annotations

import argparse

from bot.heartbeat import STALE_AFTER_SECONDS, age_seconds
from bot.runtime import Runtime


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser("health", parents=[common], help="exit 0 when the running bot is connected")
    parser.set_defaults(handler=run)


async def run(args: argparse.Namespace, runtime: Runtime) -> int:
    age = age_seconds(runtime.settings.data_dir)
    if age is None:
        print("unhealthy: the bot has not connected to Discord yet")
        return 2
    if age > STALE_AFTER_SECONDS:
        print(f"unhealthy: last heartbeat {age:.0f} s ago")
        return 2
    print(f"healthy: last heartbeat {age:.0f} s ago")
    return 0
