"""Connection checks of the external services Aphrodite depends on.

Entry point: `CheckRunner` (runner.py) → `CheckResult` (result.py). One module per service holds
its identity, settings, request and how to read the answer (the `ServiceModule` protocol in
service.py); `MODULES` (catalog.py) lists them in report order, and everything else derives from it.
"""
