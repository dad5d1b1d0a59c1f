"""Backups of Aphrodite's database: dump, verify, inventory, lock, schedule, retention, restore."""
