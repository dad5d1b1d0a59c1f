"""Automatic alerts: the monitor that watches Aphrodite and decides what the alert channel hears.

Discord-free: `AlertEngine` (the incident state machine), the targets it watches, the outbox
that keeps undelivered notices, and `Monitor`, which runs rounds on a timer. The cog posts.
"""
