"""Restore drills: a backup restored into a scratch database, compared, checked, dropped (issue 19).

runner.py does one drill of a vetted backup file; scratch.py creates and drops the scratch
databases (and sweeps those a crash left); service.py runs a drill of a backup by name under
the backups' operation lock and keeps the result; schedule.py runs them on a timer.
"""
