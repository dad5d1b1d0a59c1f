"""Placeholder until the logs cog lands."""


async def setup(bot) -> None:
    return None
