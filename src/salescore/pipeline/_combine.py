"""The engine behind combining forecast distributions: the revenue of independent books.

:func:`~salescore.combine_distributions` (and ``+`` between two
:class:`~salescore.ForecastDistribution` records) hands the outcomes and
probabilities of each book to this module. Books with one outcome only shift the sum;
the others are convolved exactly (every pairwise sum, sums equal up to floating-point
rounding merged) while the product of their outcome counts stays within a bound, and
otherwise on a common lattice: each book's outcomes rounded to multiples of one step,
the rounding measured, the rounded distributions convolved directly or by FFT.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt

from .._arrays import FloatArray
from ._forecast_engine import _NOISE, _fast_length, _outcomes

__all__ = ["MAX_OUTCOMES", "_sum_books"]

#: The largest ``max_outcomes`` :func:`~salescore.combine_distributions` accepts
#: (16,777,216 outcomes, as the largest forecast lattice).
MAX_OUTCOMES: Final = 1 << 24

_MERGE: Final = 2.0**-46  # sums this close (relative, 64 units in the last place) are one
_DIRECT: Final = 1 << 22  # convolve directly while the product of the lengths is this small

Book = tuple[FloatArray, FloatArray]


def _merge_close(sums: FloatArray, probs: FloatArray) -> Book:
    """Sorted distinct sums, each run of sums within 2⁻⁴⁶ of the next one outcome.

    A run keeps its smallest sum and the total of its probabilities: sums such as
    0.1 + 0.2 and 0.3 differ only by the order of the additions.
    """
    order = np.argsort(sums, kind="stable")
    ordered = sums[order]
    weights = probs[order]
    if ordered.size < 2:
        return ordered, weights
    new = np.empty(ordered.size, dtype=bool)
    new[0] = True
    new[1:] = np.diff(ordered) > _MERGE * ordered[1:]
    starts = np.flatnonzero(new)
    return ordered[starts], np.add.reduceat(weights, starts)


def _convolve_exact(books: list[Book]) -> Book:
    """The distribution of the sum, every pairwise sum kept (close sums merged)."""
    outcomes, pmf = books[0]
    with np.errstate(all="ignore"):  # products of probabilities may underflow to 0
        for values, chances in books[1:]:
            sums = np.add.outer(outcomes, values).ravel()
            probs = np.multiply.outer(pmf, chances).ravel()
            outcomes, pmf = _merge_close(sums, probs)
        pmf = pmf / pmf.sum()
    return outcomes, pmf


def _step_hint(values: FloatArray, chances: FloatArray) -> float:
    """The step of a lattice book: its smallest gap between possible outcomes.

    The last gap is left out when there are others: an outcome that rounding put
    beyond the total was moved down to it, closer to its neighbour than a step.
    """
    possible = values[chances > 0.0]
    if possible.size < 2:
        return 0.0
    gaps = np.diff(possible)
    if gaps.size > 1:
        gaps = gaps[:-1]
    return float(gaps.min())


def _grid(
    books: list[Book], hints: list[float], max_outcomes: int
) -> tuple[float, list[npt.NDArray[np.int64]]]:
    """The step h and each book's outcomes in steps above its smallest outcome.

    The step is the largest of the lattice books' steps and of the spans over
    ``max_outcomes - 1`` points, and grows until the grid holds at most
    ``max_outcomes`` points. It is chosen in units of the largest span, so that
    amounts near 5e-324 or 1e308 neither underflow nor overflow.
    """
    spans = [float(values[-1] - values[0]) for values, _ in books]
    scale = max(spans)
    units = [(values - values[0]) / scale for values, _ in books]
    width = math.fsum(float(u[-1]) for u in units)
    step = max([width / (max_outcomes - 1)] + [hint / scale for hint in hints])
    while True:
        with np.errstate(all="ignore"):
            indexes = [np.rint(u / step).astype(np.int64) for u in units]
        points = sum(int(k[-1]) for k in indexes) + 1
        if points <= max_outcomes:
            return step * scale, indexes
        step *= points / (max_outcomes - 0.5)


def _convolve_lattice(
    books: list[Book], hints: list[float], max_outcomes: int
) -> tuple[FloatArray, FloatArray, float, float]:
    """Round every book to one grid, convolve, and measure what the rounding moved.

    Returns the support above the sum of the books' smallest outcomes, its
    probabilities, that sum (the offset) and the total movement: the sum over books
    of the largest distance between a possible outcome and its grid point.
    """
    step, indexes = _grid(books, hints, max_outcomes)
    offset = 0.0
    moved = 0.0
    pmfs: list[FloatArray] = []
    with np.errstate(all="ignore"):
        for (values, chances), k in zip(books, indexes, strict=True):
            offset += float(values[0])
            shift = np.abs(values - (values[0] + k * step))
            moved += float(shift[chances > 0.0].max())
            pmfs.append(np.bincount(k, weights=chances).astype(np.float64))
        size = sum(pmf.size for pmf in pmfs) - len(pmfs) + 1
        if math.prod(pmf.size for pmf in pmfs) <= _DIRECT:
            pmf = pmfs[0]
            for other in pmfs[1:]:
                pmf = np.convolve(pmf, other)
        else:
            length = _fast_length(size)
            spectrum = np.fft.rfft(pmfs[0], length)
            for other in pmfs[1:]:
                spectrum *= np.fft.rfft(other, length)
            pmf = np.fft.irfft(spectrum, length)[:size]
            pmf[pmf < _NOISE] = 0.0  # round-off, including tiny negative values
        pmf = pmf / pmf.sum()
        positive = np.flatnonzero(pmf)
        support = positive.astype(np.float64) * step
    return support, pmf[positive], offset, moved


def _sum_books(
    books: list[Book], lattice: list[bool], total: float, max_outcomes: int
) -> tuple[FloatArray, FloatArray, bool, float]:
    """The distribution of the sum of independent books, at most ``total``.

    ``lattice`` says which books are on a lattice already. Returns the outcomes and
    probabilities (distinct, increasing, read-only), whether the books were rounded to
    a common lattice, and how far the rounding moved the sum at most.
    """
    shift = 0.0
    spread: list[Book] = []
    hints: list[float] = []
    rounded = False  # a book on a lattice puts the sum on one
    for (values, chances), on_lattice in zip(books, lattice, strict=True):
        if values.size == 1:  # one outcome: the book only shifts the others
            shift += float(values[0])
        else:
            spread.append((values, chances))
            hints.append(_step_hint(values, chances) if on_lattice else 0.0)
            rounded = rounded or on_lattice
    if not spread:
        return (*_outcomes(np.zeros(1), np.ones(1), shift, total), False, 0.0)
    if len(spread) == 1:
        return (*_outcomes(*spread[0], shift, total), False, 0.0)
    if not rounded and math.prod(values.size for values, _ in spread) <= max_outcomes:
        support, pmf = _convolve_exact(spread)
        return (*_outcomes(support, pmf, shift, total), False, 0.0)
    support, pmf, offset, moved = _convolve_lattice(spread, hints, max_outcomes)
    return (*_outcomes(support, pmf, offset + shift, total), True, moved)
