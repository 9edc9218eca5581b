"""What the commands' parsers share: the table of subcommands, and number checks."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    # The table each command adds its own parser to (generic only to the type checker: import
    # it under TYPE_CHECKING too).
    Commands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]


def positive(text: str) -> int:
    """An integer of at least 1 (a count of days, people or processes)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def not_negative(text: str) -> int:
    """An integer of 0 or more (a seed)."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, not {value}")
    return value
