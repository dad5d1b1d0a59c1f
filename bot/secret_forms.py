"""The shapes a known secret takes in a log, as patterns: what the Redactor (redact.py) looks for.

A secret of ``FULL_FORMS_CHARS`` characters or more (up to ``MAX_FULL_FORMS_CHARS``) is found:

* in any ASCII case (a key echoed upper-cased);
* with any of its characters URL-encoded (``%XX`` for each UTF-8 byte, either hex case, ``+``
  for a space) or JSON-escaped (``\\"``, ``\\/``, ``\\u0061`` for any character), in any mix,
  so partly and fully encoded forms alike;
* cut after its first ``FULL_FORMS_CHARS`` characters or more at a line end, the rest starting
  the next line, or those parts joined by a space (an excerpt of a multi-line body);
* as hex of its UTF-8 bytes (either case), and in base64 at each of the three alignments it can
  have inside a longer base64 text, standard and URL-safe.

A shorter secret found in those forms would mask ordinary words, so it is found only as
written, URL-encoded (either hex case) and JSON-escaped: the forms of `short_forms` (a longer
one too: a pattern of all its forms would outgrow RE2).

Each secret gives three patterns over UTF-8 bytes, in the syntax Hyperscan, RE2 and Python's
``re`` share (ASCII as ``\\xHH``, other characters as their UTF-8 bytes): its forms (what is
masked, found by RE2), what marks a line to redact and what marks a line whose secret may go on
on the next one (for the line finder of redact.py).
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

import re2

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False
Span = tuple[int, int]
FULL_FORMS_CHARS = 8
MAX_FULL_FORMS_CHARS = 512
# Between two characters past the first FULL_FORMS_CHARS: a line break or the space joining lines.
_CUT = b"(?:\\x0d\\x0a|\\x0a|\\x20)?"
# The end of a line (multi-line mode), after a carriage return if any.
_LINE_END = b"\\x0d?$"


@dataclass(frozen=True)
class SecretPatterns:
    """One secret's patterns over UTF-8 bytes. ``forms``: every form (what is masked); ``line``: a
    line holding a form, or the start of one cut at its end; ``continues``: a line ending with such
    a start, which may go on on the next (multi-line mode; None: the secret is never looked for cut)."""

    forms: bytes
    line: bytes
    continues: bytes | None


def patterns_of(secret: str) -> SecretPatterns:
    """The patterns that find every form of ``secret`` (see the module's docstring)."""
    if not FULL_FORMS_CHARS <= len(secret) <= MAX_FULL_FORMS_CHARS:
        exact = b"|".join(_exact_bytes(form) for form in sorted(short_forms(secret), key=len, reverse=True))
        return SecretPatterns(exact, exact, None)
    chars = [_any_of_bytes(_char_forms(char)) for char in secret]
    start = b"".join(chars[:FULL_FORMS_CHARS])
    rest = b"".join(_CUT + char for char in chars[FULL_FORMS_CHARS:])
    encoded = secret.encode()
    others = [_caseless_bytes(encoded.hex().encode())]
    others += [_exact_bytes(form) for form in sorted(_base64_forms(encoded), key=len, reverse=True)]
    cut_start = start + _nested(chars[FULL_FORMS_CHARS:]) + _LINE_END
    return SecretPatterns(b"|".join([start + rest, *others]), b"|".join([start, *others]), cut_start)


class KnownForms:
    """Finds the known secrets' forms in a text's UTF-8 bytes: RE2's set of their starts (built on
    first use) says which may be there, in one pass; then each of those is found on its own, so
    that overlapping ones all are."""

    def __init__(self, starts: tuple[bytes, ...] = (), each: tuple[Any, ...] = ()) -> None:
        self._starts = starts
        self._each = each
        self._lock = threading.Lock()
        self._any: Any = None
        self._built = False

    def with_forms(self, added: tuple[SecretPatterns, ...]) -> KnownForms:
        """These and ``added``'s forms (only those are compiled anew)."""
        compiled = tuple(re2.compile(patterns.forms, _RE2_OPTIONS) for patterns in added)
        return KnownForms(self._starts + tuple(p.line for p in added), self._each + compiled)

    def spans(self, text: str) -> list[Span]:
        if not self._each:
            return []
        data = text.encode("utf-8", errors="surrogatepass")
        found = [match.span() for index in self._present(data) for match in self._each[index].finditer(data)]
        if len(data) == len(text) or not found:
            return found
        # Not all ASCII: byte offsets to character offsets (every match starts and ends at a character).
        offsets, chars, at = {}, 0, 0
        for offset in sorted({bound for span in found for bound in span}):
            chars += len(data[at:offset].decode("utf-8", errors="surrogatepass"))
            offsets[offset], at = chars, offset
        return [(offsets[start], offsets[end]) for start, end in found]

    def _present(self, data: bytes) -> Iterable[int]:
        """The indexes of the secrets with a form in ``data`` (or of all of them, without a set)."""
        with self._lock:
            if not self._built:
                self._any, self._built = _set_of(self._starts), True
        return range(len(self._each)) if self._any is None else self._any.Match(data) or ()


def _set_of(patterns: tuple[bytes, ...]) -> Any:
    """RE2's set of ``patterns``; None when it takes more than RE2 holds in one set (long secrets)."""
    found = re2.Set.SearchSet(_RE2_OPTIONS)
    for pattern in patterns:
        found.Add(pattern)
    try:
        found.Compile()
    except re2.error:
        return None
    return found


def _nested(chars: list[bytes]) -> bytes:
    """A pattern for any first characters of ``chars`` (none too): ``(?:a(?:b(?:c)?)?)?``."""
    pattern = b""
    for char in reversed(chars):
        pattern = b"(?:" + char + pattern + b")?"
    return pattern


def short_forms(secret: str) -> set[str]:
    """A short secret's forms: as is, URL-encoded (either hex case), JSON-escaped."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret, safe="")}
    forms |= {re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), form) for form in forms}
    forms.add(json.dumps(secret)[1:-1])
    return forms


def _char_forms(char: str) -> list[str]:
    """The ways one character of a secret is written: as is, URL-encoded, JSON-escaped."""
    forms = {char, "".join(f"%{byte:02X}" for byte in char.encode()), json.dumps(char)[1:-1]}
    forms.add("".join(f"\\u{unit:04x}" for unit in _utf16_units(char)))
    if char == " ":
        forms.add("+")
    if char == "/":
        forms.add("\\/")
    return sorted(forms, key=len, reverse=True)


def _utf16_units(char: str) -> list[int]:
    data = char.encode("utf-16-be")
    return [int.from_bytes(data[at : at + 2], "big") for at in range(0, len(data), 2)]


def _base64_forms(data: bytes) -> set[str]:
    """``data`` in base64 after 0, 1 or 2 other bytes: only the characters that ``data`` alone decides."""
    forms = set()
    for before in range(3):
        encoded = base64.b64encode(bytes(before) + data).decode()
        first = -(-8 * before // 6)  # the first character holding no bit of the bytes before
        last = 8 * (before + len(data)) // 6  # past the last one holding no bit of what follows
        forms.add(encoded[first:last])
    return forms | {form.translate(str.maketrans("+/", "-_")) for form in forms}


def _any_of_bytes(forms: list[str]) -> bytes:
    return b"(?:" + b"|".join(_caseless_bytes(form.encode()) for form in forms) + b")"


def _caseless_bytes(data: bytes) -> bytes:
    """``data`` as a bytes pattern matching it in any ASCII case."""
    return b"".join(
        b"[%c%c]" % (byte | 0x20, byte & ~0x20) if _is_letter(byte) else _byte(byte) for byte in data
    )


def _is_letter(byte: int) -> bool:
    return 0x61 <= byte | 0x20 <= 0x7A  # an ASCII letter, either case


def _exact_bytes(text: str) -> bytes:
    return b"".join(_byte(byte) for byte in text.encode())


def _byte(byte: int) -> bytes:
    """One byte as a pattern: ASCII as ``\\xHH`` (the same byte for every engine), others as is."""
    return b"\\x%02x" % byte if byte < 0x80 else bytes((byte,))
