"""Several regular expressions found in one pass over a buffer, in C, by Hyperscan.

Hyperscan (Intel's multi-pattern matcher) reads a buffer once for all its patterns at several
GB/s and reports where each match ends, each end once per pattern. That is what lets the
redactor's pass and a log count keep grep's pace (bench/logs_bench.py). Its wheels exist for
x86-64 (Linux, Windows) and Apple silicon; elsewhere it is not installed, `compiled` returns
None and callers fall back to their own slower way (RE2 or ``bytes.find``), with the same results.

Patterns are bytes in the syntax Hyperscan shares with RE2; ``^`` and ``$`` match at line breaks.
"""

from __future__ import annotations

import functools
import threading
from array import array
from collections.abc import Sequence
from types import ModuleType
from typing import Any


class PatternSet:
    """Compiled patterns; `match_ends` may be called from any thread."""

    def __init__(self, database: Any, size: int, new_scratch: Any) -> None:
        self._database = database
        self._size = size
        self._new_scratch = new_scratch
        self._local = threading.local()  # Hyperscan's scratch space is per thread

    def match_ends(self, data: bytes | memoryview, base: int = 0) -> list[array[int]]:
        """For each pattern (in the order given), where its matches in ``data`` end plus ``base``,
        ascending. Compact arrays: a pattern may match on every line of a hostile file."""
        if base + len(data) >= 2**31:
            raise ValueError("a buffer of 2 GiB or more")
        ends = [array("i") for _ in range(self._size)]
        if self._size == 1:
            add = ends[0].append
            self._scan(data, lambda _id, _start, end, _flags, _context: add(base + end))
        else:
            adds = [found.append for found in ends]
            self._scan(data, lambda pattern, _start, end, _flags, _context: adds[pattern](base + end))
        return ends

    def _scan(self, data: bytes | memoryview, on_match: Any) -> None:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._new_scratch(self._database)
        self._database.scan(data, match_event_handler=on_match, scratch=scratch)


def compiled(patterns: Sequence[bytes]) -> PatternSet | None:
    """The patterns compiled together (case-sensitive: see `caseless`); None where Hyperscan is not
    installed.

    Raises ValueError for a pattern Hyperscan cannot compile.
    """
    hyperscan = _hyperscan()
    if hyperscan is None:
        return None
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        database.compile(
            expressions=list(patterns), ids=list(range(len(patterns))), flags=hyperscan.HS_FLAG_MULTILINE
        )
    except hyperscan.ArchitectureError:  # a CPU without the instructions it needs
        return None
    except hyperscan.error as error:
        raise ValueError(f"cannot compile the patterns: {error}") from None
    return PatternSet(database, len(patterns), hyperscan.Scratch)


@functools.cache
def _hyperscan() -> ModuleType | None:
    """The module, imported on first use (a command that scans no text does not pay for it)."""
    try:
        import hyperscan
    except ImportError:  # no wheel for this platform (see the module's docstring)
        return None
    return hyperscan


def escaped(text: bytes) -> bytes:
    """``text`` as a pattern that matches exactly it (every byte escaped)."""
    return b"".join(b"\\x%02x" % byte for byte in text)


def caseless(text: bytes) -> bytes:
    """``text`` as a pattern that matches it in any ASCII case, within a case-sensitive pattern."""
    return b"".join(
        b"[%s%s]" % (char.lower(), char.upper()) if char.isalpha() else escaped(char)
        for char in (bytes([byte]) for byte in text)
    )
