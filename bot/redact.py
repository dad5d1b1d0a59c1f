"""Removes secrets from any text before the bot shows, uploads or logs it.

One `Redactor` per process (the Runtime's) knows every secret the process has learned, from
the environment and from Aphrodite's database (`learn`), and masks them in every form a log
shows them in (any case, URL-encoded, JSON-escaped, hex, base64, cut at a line end: see
secret_forms.py). It also masks anything shaped like a credential, known or not.

Masking works on spans of the original text, so a caller can redact a long line with some
text past a cut as context and keep only what lies before the cut (`redact_head`): a secret
that straddles the cut is masked whole, never half-shown.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence

from bot.redact_lines import NEARBY, LineFinder, line_finder
from bot.secret_forms import KnownForms, SecretPatterns, patterns_of

MASK = "***"
# Known secrets shorter than this are not looked for: they would mask ordinary words.
MIN_SECRET_CHARS = 3

# Every pattern below needs one of these words on its line (redact_bytes looks only at such lines).
_TRIGGERS = ("key", "token", "pass", "pwd", "secret", "credential", "authorization", "bearer", "eyj", "://")
# A line ending with a word whose credential may stand on the next line (multi-line mode).
_ANNOUNCES_NEXT_LINE = rb"(?i:bearer|authorization[^ \t\r\n]*)[ \t]*[:=]?[ \t]*\x0d?$"

# A name that says its value is a secret: ``api_key``, ``SECRET_KEY``, ``aws_secret_access_key``,
# ``PGPASSWORD``, ``refresh_token``, ``api key``, ``X-Api-Key``, camelCase ``tmdbApiKey`` and
# ``authToken``; not ``bypass`` or ``monkey``.
_SECRET_NAME = (
    r"(?:(?<![A-Za-z0-9])(?:api[_-]?key|apikey|access[_-]?token|token|pgpassword|password|passwd|pass|pwd"
    r"|secret|client[_-]?secret|credentials?)|[_.-]key"
    r"|(?<=[a-z0-9])(?-i:Key|Token|Secret|Password|Passwd|Pass|Pwd|Credentials?))"
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
        self._patterns: tuple[SecretPatterns, ...] = ()
        self._masked = KnownForms()
        self._reaching = re.compile(_ANNOUNCES_NEXT_LINE, re.M)
        # Built on first use (a command that redacts no file does not compile it).
        self._finder: LineFinder | None = None
        self._finder_built = False
        self.learn(secrets)

    def learn(self, secrets: Iterable[str]) -> None:
        """Know these values from now on (e.g. keys read from Aphrodite's database)."""
        new = {s for s in secrets if s and len(s) >= MIN_SECRET_CHARS}
        with self._lock:
            if new <= self._known:
                return
            # Readers see the old tuple or the new one, never a half-built one.
            added = tuple(patterns_of(secret) for secret in sorted(new - self._known))
            self._patterns = self._patterns + added
            self._masked = self._masked.with_forms(added)
            starts = [p.continues for p in self._patterns if p.continues is not None]
            self._reaching = re.compile(b"|".join([_ANNOUNCES_NEXT_LINE, *starts]), re.M)
            self._known = self._known | new
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

    def lines_to_redact(self, data: bytes, holding: Sequence[int] | None = None) -> list[Span] | None:
        """(start, end) of the lines of ``data`` that redaction may change; all others it leaves as
        they are. None when a known secret spans lines (then only whole-text redaction is right).
        With ``holding`` (where lines end, ascending), only the spans that hold one of those lines.

        The pass looks for trigger words and known secrets only, never for anything a user typed.
        """
        finder = self._line_finder()
        if finder is None:
            return None
        return finder.lines(data, NEARBY) if holding is None else finder.lines_holding(data, holding, NEARBY)

    def reaches_next_line(self, data: bytes, start: int, end: int) -> bool:
        """Whether the line data[start:end] may end with a credential's announcement or a known
        secret's start that go on on the next line (so the two must be redacted together)."""
        return self._reaching.search(data, start, end) is not None

    def _line_finder(self) -> LineFinder | None:
        with self._lock:
            if not self._finder_built:
                finder = line_finder(_TRIGGERS, _ANNOUNCES_NEXT_LINE, self._known, self._patterns)
                self._finder, self._finder_built = finder, True
            return self._finder

    def __call__(self, text: str) -> str:
        return _apply(text, self.spans(text), len(text))

    def redact_head(self, text: str, keep: int) -> str:
        """``text[:keep]`` redacted, the rest of ``text`` serving only as context.

        A secret or credential that starts before ``keep`` is masked whole, so nothing of it shows.
        """
        return _apply(text, self.spans(text), keep)

    def spans(self, text: str) -> list[Span]:
        """Where the secrets in ``text`` are: sorted, non-overlapping (start, end) pairs, none holding
        a line break (a secret cut at a line end is masked on both lines, the break kept)."""
        found = self._masked.spans(text)
        lowered = text.lower()
        if any(trigger in lowered for trigger in _TRIGGERS):  # large texts go through redact_bytes
            for pattern in _PATTERNS:
                group = "value" if "value" in pattern.groupindex else 0
                found.extend(match.span(group) for match in pattern.finditer(text))
        return _without_line_breaks(text, _merged(found))


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _merged(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _without_line_breaks(text: str, spans: list[Span]) -> list[Span]:
    """``spans`` with each line break they hold left out (a span holding one becomes two)."""
    kept: list[Span] = []
    for start, end in spans:
        at = start
        while (newline := text.find("\n", at, end)) != -1:
            stop = newline - 1 if newline > at and text[newline - 1] == "\r" else newline
            kept.append((at, stop))
            at = newline + 1
        kept.append((at, end))
    return [span for span in kept if span[1] > span[0]]


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
