"""Removes secrets from any text before the bot shows, uploads or logs it.

One `Redactor` per process (the Runtime's) knows every secret the process has learned, from
the environment and from Aphrodite's database (`learn`), and masks them in raw, URL-encoded
and JSON-escaped form. It also masks anything shaped like a credential, known or not.

Masking works on spans of the original text, so a caller can redact a long line with some
text past a cut as context and keep only what lies before the cut (`redact_head`): a secret
that straddles the cut is masked whole, never half-shown.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from typing import Any, Protocol
from urllib.parse import quote, quote_plus

import re2

from bot import pattern_set

MASK = "***"
# Known secrets shorter than this are not looked for: they would mask ordinary words.
MIN_SECRET_CHARS = 3

# Every pattern below needs one of these words on its line (redact_bytes looks only at such lines).
_TRIGGERS = ("key", "token", "pass", "pwd", "secret", "credential", "authorization", "bearer", "eyj", "://")
# Words whose credential may stand on the next line.
_REACH_NEXT_LINE = ("authorization", "bearer")
_REACHES_NEXT_LINE = re.compile(b"(?i)" + b"|".join(word.encode() for word in _REACH_NEXT_LINE))
# Lines to redact closer than this are redacted together (see _add_line).
_NEARBY = 1024
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False

# A name that says its value is a secret: ``api_key``, ``SECRET_KEY``, ``aws_secret_access_key``,
# ``PGPASSWORD``, ``refresh_token``, ``api key``; not ``bypass`` or ``monkey``.
_SECRET_NAME = (
    r"(?:(?<![A-Za-z0-9])(?:api[_-]?key|apikey|access[_-]?token|token|pgpassword|password|passwd|pass|pwd"
    r"|secret|client[_-]?secret|credentials?)|[_.-]key)"
)
# Values that look like credentials wherever they appear, known to the bot or not. Values stop
# at a quote or a backslash, so a JSON line stays valid JSON once masked (its quotes are \").
_QUOTE = r"(?:\\?[\"'])?"
_PATTERNS = (
    # name=value, name: value, "name": "value", name%3Dvalue (URL-encoded), on one line
    re.compile(
        rf"(?i){_SECRET_NAME}{_QUOTE}[ \t]*(?:[=:]|%3d)[ \t]*{_QUOTE}(?P<value>[^\s&\"',;)\\]+)",
    ),
    # "API key: 8f3a…" in words: only a value that looks like a key (a digit, or long), not "Invalid"
    re.compile(
        rf"(?i)(?<![A-Za-z0-9])api key{_QUOTE}[ \t]*[=:][ \t]*{_QUOTE}"
        r"(?P<value>(?=[^\s&\"',;)\\]*\d|[^\s&\"',;)\\]{12})[^\s&\"',;)\\]+)"
    ),
    # Authorization: Bearer xyz / MediaBrowser Token="xyz" / Basic xyz: the rest of the line
    re.compile(rf"(?i)\bauthorization{_QUOTE}[ \t]*[=:][ \t]*{_QUOTE}(?P<value>[^\r\n\"\\]+)"),
    # Bearer xyz, also with the token on the next line (never a log header's timestamp)
    re.compile(r"(?i)\bbearer[ \t]*(?:\r?\n[ \t]*|[ \t])(?!\d{4}-\d\d-\d\d)(?P<value>[A-Za-z0-9._~+/=-]+)"),
    re.compile(r"(?i)\btoken=\\?\"(?P<value>[^\"\\\r\n]+)"),
    # a JWT (a TMDB v4 read token, for one), configured here or not
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}"),
    # scheme://user:password@host
    re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:(?P<value>[^@\s/]+)(?=@)"),
)

Span = tuple[int, int]


class Redactor:
    """Masks known secret values and anything shaped like a credential; safe to share between threads."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._known: frozenset[str] = frozenset()
        self._forms: tuple[str, ...] = ()
        # Built on first use (a command that redacts no file does not compile it).
        self._finder: _LineFinder | None = None
        self._finder_built = False
        self.learn(secrets)

    def learn(self, secrets: Iterable[str]) -> None:
        """Know these values from now on (e.g. keys read from Aphrodite's database)."""
        new = {s for s in secrets if s and len(s) >= MIN_SECRET_CHARS}
        with self._lock:
            if new <= self._known:
                return
            self._known = self._known | new
            forms = {form for secret in self._known for form in _encodings(secret)}
            # Longest first, so a secret that contains another is masked whole. Readers see the
            # old tuples or the new ones, never half-built ones.
            self._forms = tuple(sorted(forms, key=len, reverse=True))
            self._finder_built = False

    def redact_bytes(self, data: bytes) -> str:
        """UTF-8 ``data`` as text (invalid bytes as U+FFFD), redacted.

        Only the lines that hold a known secret or a pattern's trigger word are redacted as text:
        Hyperscan (or RE2) finds them all in one pass over the bytes, many times faster than
        searching the text for each word and secret (this is a log scan's hot path).
        """
        lines = self.lines_to_redact(data)
        if lines is None:
            return self(_decode(data))
        parts = []
        at = 0
        for start, end in lines:
            parts.append(_decode(data[at:start]))
            parts.append(self(_decode(data[start:end])))
            at = end
        parts.append(_decode(data[at:]))
        return "".join(parts)

    def lines_to_redact(self, data: bytes) -> list[Span] | None:
        """(start, end) of the lines of ``data`` that redaction may change; all others it leaves as
        they are. None when a known secret spans lines (then only whole-text redaction is right).

        The pass looks for trigger words and known secrets only, never for anything a user typed.
        """
        finder = self._line_finder()
        return None if finder is None else finder.lines(data)

    def _line_finder(self) -> _LineFinder | None:
        with self._lock:
            if not self._finder_built:
                self._finder, self._finder_built = _finder(self._forms), True
            return self._finder

    def __call__(self, text: str) -> str:
        return _apply(text, self.spans(text), len(text))

    def redact_head(self, text: str, keep: int) -> str:
        """``text[:keep]`` redacted, the rest of ``text`` serving only as context.

        A secret or credential that starts before ``keep`` is masked whole, so nothing of it shows.
        """
        return _apply(text, self.spans(text), keep)

    def spans(self, text: str) -> list[Span]:
        """Where the secrets in ``text`` are: sorted, non-overlapping (start, end) pairs."""
        found: list[Span] = []
        for form in self._forms:
            at = text.find(form)
            while at != -1:
                found.append((at, at + len(form)))
                at = text.find(form, at + len(form))
        lowered = text.lower()
        if any(trigger in lowered for trigger in _TRIGGERS):  # large texts go through redact_bytes
            for pattern in _PATTERNS:
                group = "value" if "value" in pattern.groupindex else 0
                found.extend(match.span(group) for match in pattern.finditer(text))
        return _merged(found)


def _finder(forms: tuple[str, ...]) -> _LineFinder | None:
    """What finds every trigger word (any case) and every known form (exact); None when a form
    spans lines, which line-by-line redaction could cut."""
    if any("\n" in form for form in forms):
        return None
    encoded = [form.encode() for form in forms]
    triggers = [trigger.encode() for trigger in _TRIGGERS]
    words = [pattern_set.caseless(trigger) for trigger in triggers] + [
        pattern_set.escaped(f) for f in encoded
    ]
    try:
        patterns = pattern_set.compiled([b"(?:" + b"|".join(words) + b")[^\\n]*$"])  # once per line
    except ValueError:  # more than Hyperscan takes (many long secrets): RE2 does it
        patterns = None
    if patterns is not None:
        return _EveryLine(patterns)
    alternatives = [
        b"(?i:" + b"|".join(re2.escape(trigger) for trigger in triggers) + b")",
        *(re2.escape(form) for form in encoded),
    ]
    return _FirstMatchFrom(re2.compile(b"|".join(alternatives), _RE2_OPTIONS))


class _LineFinder(Protocol):
    def lines(self, data: bytes) -> list[Span]: ...


class _EveryLine:
    """Hyperscan: the end of every line holding a match, in one pass."""

    def __init__(self, patterns: pattern_set.PatternSet) -> None:
        self._patterns = patterns

    def lines(self, data: bytes) -> list[Span]:
        found: list[Span] = []
        covered = -1
        for end in self._patterns.match_ends(data)[0]:
            if end > covered:  # not a line an Authorization already took in
                covered = _add_line(found, _line_span(data, end))
        return found


class _FirstMatchFrom:
    """RE2, where Hyperscan is not installed: the next match from the end of the last line taken."""

    def __init__(self, pattern: Any) -> None:
        self._pattern = pattern

    def lines(self, data: bytes) -> list[Span]:
        found: list[Span] = []
        match = self._pattern.search(data)
        while match:
            end = _add_line(found, _line_span(data, match.end()))
            match = self._pattern.search(data, end) if end < len(data) else None
        return found


def _add_line(lines: list[Span], span: Span) -> int:
    """Add the span of whole lines to ``lines``, joined to the last one when it starts within
    `_NEARBY` bytes of its end; its end. Redacting the lines between too changes nothing (every
    pattern needs a trigger word on the line it masks), and a log with a trigger word on every
    other line keeps a few spans, redacted a piece at a time, not one per line."""
    if lines and span[0] <= lines[-1][1] + _NEARBY:
        lines[-1] = (lines[-1][0], span[1])
    else:
        lines.append(span)
    return span[1]


def _line_span(data: bytes, after: int) -> Span:
    """The line holding the match ending at ``after`` (or the line ending there), with the lines
    an Authorization announces."""
    start = data.rfind(b"\n", 0, after - 1) + 1
    end = data.find(b"\n", after - 1)
    line = start
    while end != -1 and _REACHES_NEXT_LINE.search(data, line, end):  # that line announces the next
        line, end = end + 1, data.find(b"\n", end + 1)
    return (start, len(data) if end == -1 else end)


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _encodings(secret: str) -> set[str]:
    """The ways a secret appears in logs: as is, URL-encoded (either hex case), JSON-escaped."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret, safe="")}
    forms |= {re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), form) for form in forms}
    forms.add(json.dumps(secret)[1:-1])
    return forms


def _merged(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _apply(text: str, spans: list[Span], keep: int) -> str:
    """``text`` up to ``keep`` with each span replaced by MASK; a span crossing ``keep`` ends it."""
    if not spans and keep >= len(text):
        return text
    parts = []
    at = 0
    for start, end in spans:
        if start >= keep:
            break
        if text[start:end] != MASK:
            parts.append(text[at:start])
            parts.append(MASK)
            at = end
        if end >= keep:
            return "".join(parts) + (text[at:end] if at < end else "")
    parts.append(text[at:keep])
    return "".join(parts)
