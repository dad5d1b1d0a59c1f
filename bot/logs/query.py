"""What to look for in the log: a level and a search, plain text or an RE2 regular expression.

Matching rules, the same for view, count and download:

* Level means exactly that level (ALL: every entry). WARN and FATAL are accepted for WARNING
  and CRITICAL.
* The search is case-insensitive and applies to each line of an entry: an entry matches when
  its header or any of its continuation lines matches. With a ``re:`` prefix the rest is a
  regular expression in RE2 syntax (linear time, so no pattern can hang the bot; no
  backreferences or lookaround). ``^`` and ``$`` anchor at the line's start and end; ``(?-i)``
  makes it case-sensitive.
* A search answers as on the log as shown: redacted, long lines cut (see shown.py). Searching
  for a secret finds nothing, whether or not the secret is there, and no answer (a count, a
  page, a file) depends on a secret's characters; the time a plain search takes may (it
  redacts only the lines holding its text: searchable.py). ``***`` finds masked values.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import re2

from bot.errors import OpsError
from bot.logs.entry import ALL, LEVEL_CHOICES, Level

REGEX_PREFIX = "re:"
MAX_SEARCH_CHARS = 1000
# One RE2 call looks at this much text at most (whole lines), so a deadline check is never far.
REGEX_WINDOW = 256 * 1024
# Scans with a regular expression read chunks this small: a chunk cut short by the deadline is
# not counted, and a hostile pattern can cost RE2 a second per 64 KiB.
REGEX_CHUNK = 64 * 1024

# Every way a header can spell a level, lower-cased: it stands in the header's level field.
LEVEL_SPELLINGS = {
    Level.DEBUG: (b"debug",),
    Level.INFO: (b"info",),
    Level.WARNING: (b"warning", b"warn"),
    Level.ERROR: (b"error",),
    Level.CRITICAL: (b"critical", b"fatal"),
}


class InvalidQuery(OpsError):
    """A level or search the user typed that cannot be used; the message says why."""

    exit_code = 3


@dataclass(frozen=True)
class LogQuery:
    """A level (None for ALL) and a search (None for none), validated; build it with `parse`."""

    level: Level | None = None
    search: str | None = None
    matcher: TextMatcher | None = field(default=None, compare=False, repr=False)

    @classmethod
    def parse(cls, level: str | None = ALL, search: str | None = None) -> LogQuery:
        """Validate what the user typed; raise InvalidQuery with a helpful message."""
        chosen = None
        name = (level or ALL).strip().upper()
        if name != ALL:
            chosen = Level.from_name(name)
            if chosen is Level.UNKNOWN:
                raise InvalidQuery(f"Unknown level {level!r}: use one of {', '.join(LEVEL_CHOICES)}.")
        search = search.strip() if search else None
        if not search:
            return cls(chosen)
        if len(search) > MAX_SEARCH_CHARS:
            raise InvalidQuery(
                f"The search is too long ({len(search)} characters, {MAX_SEARCH_CHARS} at most)."
            )
        if "\n" in search:
            raise InvalidQuery("The search applies to one line at a time: it cannot contain a line break.")
        return cls(chosen, search, _text_matcher(search))

    @property
    def level_spellings(self) -> tuple[bytes, ...]:
        """How a header of the wanted level spells it, lower-cased (WARN for WARNING, ...)."""
        return LEVEL_SPELLINGS[self.level] if self.level else ()

    @property
    def is_everything(self) -> bool:
        return self.level is None and self.matcher is None

    def chunk_size(self, usual: int) -> int:
        """How much of the file to scan at a time for this query."""
        return (
            min(usual, REGEX_CHUNK) if self.matcher is not None and self.matcher.regex is not None else usual
        )

    def describe(self) -> str:
        """The filter in words, for titles and notes: 'level ERROR, search "tmdb"'."""
        parts = [f"level {self.level.value if self.level else ALL}"]
        if self.search:
            parts.append(f'search "{self.search}"')
        return ", ".join(parts)


class TextMatcher:
    """The search, compiled: plain ASCII text (found in C: candidates.py) or an RE2 expression."""

    def __init__(self, needle: bytes | None, regex: Any) -> None:
        self.needle = needle  # lower-cased ASCII text, or None
        self.regex = regex  # compiled RE2 (no public type), for regular expressions and non-ASCII text

    def find(self, data: bytes, start: int, end: int) -> int:
        """Where a match of the regular expression starts in data[start:end], or -1."""
        while start < end:
            stop = data.find(b"\n", start + REGEX_WINDOW, end) + 1 or end
            match = self.regex.search(data, start, stop)
            if match:
                return int(match.start())
            start = stop
        return -1

    def matches(self, line: bytes) -> bool:
        if self.needle is not None:
            return self.needle in line.lower()
        return self.regex.search(line) is not None


def _text_matcher(search: str) -> TextMatcher:
    if search.startswith(REGEX_PREFIX):
        pattern = search[len(REGEX_PREFIX) :]
        if not pattern:
            raise InvalidQuery("The regular expression after 're:' is empty.")
        return TextMatcher(None, _compile(pattern))
    if search.isascii():
        return TextMatcher(search.lower().encode(), None)
    # Non-ASCII letters need Unicode case folding, which bytes.lower() lacks: RE2 does it.
    return TextMatcher(None, _compile(re2.escape(search)))


def _compile(pattern: str) -> Any:
    try:
        # (?m): ^ and $ at line boundaries, since candidates are searched in multi-line chunks.
        return re2.compile(b"(?m)" + pattern.encode(), _options())
    except re2.error as error:
        raise InvalidQuery(_explain(pattern, _reason(error))) from None


@functools.cache
def _options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # RE2 would print every rejected pattern to stderr
    return options


def _reason(error: re2.error) -> str:
    reason = error.args[0] if error.args else "invalid pattern"
    return reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)


def _explain(pattern: str, reason: str) -> str:
    if "invalid escape sequence: \\" in reason and reason[-1:].isdigit():
        return (
            f"Backreferences such as {reason.split(': ')[-1]} are not supported in 're:' searches "
            "(RE2 syntax, which always runs in linear time)."
        )
    if (
        "invalid perl operator: (?<" in reason
        or "invalid perl operator: (?=" in reason
        or ("invalid perl operator: (?!" in reason)
    ):
        return (
            "Lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not supported in 're:' searches "
            "(RE2 syntax, which always runs in linear time)."
        )
    if "pattern too large" in reason:
        return "That regular expression is too large to run safely; try a simpler one."
    return f"Invalid regular expression {pattern!r}: {reason}."
