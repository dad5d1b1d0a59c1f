"""`python -m bot health`: is the running bot connected? (the container's HEALTHCHECK)."""

from __future__ import annotations

import argparse

from bot.heartbeat import INTERVAL_SECONDS, STALE_AFTER_SECONDS, age_seconds
from bot.runtime import Runtime

UNHEALTHY = 2


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = commands.add_parser("health", parents=[common])
    parser.set_defaults(handler=run)


async def run(args: argparse.Namespace, runtime: Runtime) -> int:
    age = age_seconds(runtime.settings.data_dir)
    if age is None:
        print("unhealthy: no heartbeat: the bot is not running or has not connected to Discord yet")
        return UNHEALTHY
    if age > STALE_AFTER_SECONDS:
        print(f"unhealthy: last heartbeat {age:.0f} s ago (the bot beats every {INTERVAL_SECONDS} s)")
        return UNHEALTHY
    if age < -INTERVAL_SECONDS:
        print("unhealthy: the heartbeat is dated in the future: check the clock")
        return UNHEALTHY
    print(f"healthy: last heartbeat {max(age, 0):.0f} s ago")
    return 0
