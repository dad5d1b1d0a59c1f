"""`python -m bot health`: is the running bot alive? (the container's HEALTHCHECK).

With METRICS_PORT set it asks the bot's `/livez`; otherwise it reads the heartbeat file the
bot rewrites while connected to Discord (bot/heartbeat.py).
"""

from __future__ import annotations

import argparse

from bot.heartbeat import INTERVAL_SECONDS, STALE_AFTER_SECONDS, age_seconds
from bot.runtime import Runtime

UNHEALTHY = 2
LIVEZ_TIMEOUT_SECONDS = 5.0  # well inside the HEALTHCHECK's own 10 s
# Where to reach a server listening on every address: this machine's loopback.
_LOOPBACK = {"0.0.0.0": "127.0.0.1", "::": "::1"}


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = commands.add_parser("health", parents=[common])
    parser.set_defaults(handler=run)


async def run(args: argparse.Namespace, runtime: Runtime) -> int:
    if runtime.settings.metrics_port:
        return await _ask_livez(runtime)
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


async def _ask_livez(runtime: Runtime) -> int:
    import aiohttp
    import yarl

    settings = runtime.settings
    host = _LOOPBACK.get(settings.metrics_bind, settings.metrics_bind)
    url = yarl.URL.build(scheme="http", host=host, port=settings.metrics_port, path="/livez")
    try:
        async with runtime.http.get(
            url, timeout=aiohttp.ClientTimeout(total=LIVEZ_TIMEOUT_SECONDS)
        ) as answer:
            status = answer.status
    except TimeoutError:
        print(f"unhealthy: {url} did not answer within {LIVEZ_TIMEOUT_SECONDS:g} s (METRICS_PORT)")
        return UNHEALTHY
    except aiohttp.ClientError as error:
        print(
            f"unhealthy: {url} cannot be reached ({type(error).__name__}): is the bot running? (METRICS_PORT)"
        )
        return UNHEALTHY
    if status != 200:
        print(f"unhealthy: {url} answered {status}")
        return UNHEALTHY
    print(f"healthy: {url} answered")
    return 0
