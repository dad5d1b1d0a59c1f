"""Argument types shared by the commands: a bad value is a usage error naming the range (exit 3)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse ``type``: ASCII digits within [low, high], or a usage error saying so."""

    def parse(text: str) -> int:
        if not re.fullmatch(r"[+-]?[0-9]{1,20}", text.strip()):
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, got {value}")
        return value

    return parse
