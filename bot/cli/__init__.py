"""`python -m bot <command>`: the terminal adapter over the same core as the Discord cogs.

Each feature module here exposes ``register(commands, common)``, which adds its command (named
and described in ``bot.cli.main.FEATURES``, the one list of commands) with its subcommands, and
sets ``handler``: an ``async (args, runtime) -> exit status`` function. A feature module is
imported only when its command runs; shared behaviour lives in ``output`` (JSON, errors) and
``confirm`` (the one ``[y/N]`` question).
"""
