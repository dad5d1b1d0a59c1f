"""Everything the cogs send goes through here: limits, embeds, and reusable views."""
