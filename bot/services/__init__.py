"""Connection checks of the external services Aphrodite depends on.

Entry point: `CheckRunner` (runner.py) → `CheckResult` (result.py); `SERVICES` (catalog.py) lists
the services in report order. One module per service holds its request and how to read the answer.
"""
