"""Placeholder until the database cog lands."""


async def setup(bot) -> None:
    return None
