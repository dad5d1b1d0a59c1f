"""The bot's HTTP face for operators' tools: `/metrics` (Prometheus), `/livez` and `/readyz`.

metrics.py holds the values (plain Python, fed by the monitor, backups and the alert outbox),
exposition.py turns them into the Prometheus text format, server.py serves the three routes on
METRICS_BIND:METRICS_PORT. Only the bot serves them; the CLI merely records into the same
object, which costs nothing.
"""
