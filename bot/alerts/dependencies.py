"""Which targets depend on which (the one place): while a target is down, its dependents open no incident.

When Aphrodite's database is down, a failing backup is a consequence, not news: the database's
incident holds it back and says so (Alertmanager calls this inhibition).
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.alerts.engine_state import EngineState
from bot.alerts.results import TargetResult
from bot.status import Status

# dependent target → the target it cannot work without
DEPENDS_ON: dict[str, str] = {"backups": "database", "drills": "database"}


def down_dependency(state: EngineState, target: str) -> str | None:
    """The target ``target`` depends on when that one is down now (its latest result failed)."""
    dependency = DEPENDS_ON.get(target)
    if dependency is None:
        return None
    last = state.target(dependency).last
    return dependency if last is not None and last.status is Status.FAILED else None


def held_back(state: EngineState, target: str) -> list[str]:
    """The dependents of ``target`` failing now without an incident of their own: it holds them back."""
    dependents = (key for key, dependency in DEPENDS_ON.items() if dependency == target)
    held = []
    for key in dependents:
        dependent = state.targets.get(key)
        free = dependent is None or dependent.incident is not None or down_dependency(state, key) is None
        if not free and dependent is not None and dependent.last is not None and dependent.last.bad:
            held.append(key)
    return held


def dependencies_first(results: Iterable[TargetResult]) -> list[TargetResult]:
    """The round's results with every dependent after the others, so it sees its dependency's news."""
    return sorted(results, key=lambda result: result.target in DEPENDS_ON)
