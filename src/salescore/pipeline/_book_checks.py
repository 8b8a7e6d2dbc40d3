"""The checks of a book of open deals, worded alike for a pandas frame and an engine's."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import InvalidInputError

__all__ = ["check_book"]


def check_book(
    value: str,
    probability: str,
    *,
    bad_value: int,
    bad_chance: int,
    percent_like: int,
    unknown: int,
    rows: Callable[[str], str],
) -> None:
    """Raise for the counts of bad rows a book's check found; ``rows(kind)`` names some.

    ``kind`` is ``"value"``, ``"chance"`` or ``"unknown"``; ``percent_like`` counts the
    probabilities in (1, 100]: when they are all the bad ones, they look like percentages.
    """
    if bad_value:
        raise InvalidInputError(
            f"deals: {value} must be a finite number >= 0; not so for {rows('value')}"
        )
    if bad_chance:
        hint = (
            "; values above 1 look like percentages: divide by 100"
            if percent_like == bad_chance
            else ""
        )
        raise InvalidInputError(
            f"deals: {probability} must be a fraction in [0, 1]; not so for {rows('chance')}" + hint
        )
    if unknown:
        raise InvalidInputError(
            f"deals: {value} and {probability} must be known for every deal; not so for "
            f"{rows('unknown')}; pass skipna=True to leave out the deals with NaN"
        )
