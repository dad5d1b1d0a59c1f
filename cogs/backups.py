"""Placeholder until the backups cog lands."""


async def setup(bot) -> None:
    return None
