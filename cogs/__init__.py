"""Thin Discord adapters over the core in `bot/`: one cog per concern."""
