"""Restoring a backup: check the file, safety backup, replay it as one transaction."""
