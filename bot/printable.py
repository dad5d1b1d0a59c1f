"""Text from disk made safe to show: names are untrusted input, and a newline or escape code in one
must not break a table, fake a line or recolour a terminal."""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` with every non-printable character (newlines, ANSI escapes, bidi overrides) escaped."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escaped(char) for char in text)


def _escaped(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
