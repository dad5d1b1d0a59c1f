"""`python -m bot <command>`: the terminal adapter over the same core as the Discord cogs.

Each feature module here exposes ``register(commands, common)``, which adds its subcommands
and sets ``handler``: an ``async (args, runtime) -> exit status`` function.
"""
