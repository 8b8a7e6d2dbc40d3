"""The forecast distribution record: possible revenues, their probabilities, accuracy.

:class:`~salescore.ForecastDistribution` holds what
:func:`~salescore.forecast_distribution` computes, with the method used and a bound
on its error, and answers the questions a manager asks of it: the revenue at a
probability level (quantiles, a P10–P90 interval), the chance of reaching a target,
and the outcomes as a table for charts. Its fields are validated, so an invalid
distribution cannot be made by hand either. :func:`~salescore.combine_distributions`
(or ``+``) adds the distributions of independent books into that of their total.
"""

from __future__ import annotations

import math
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from .._arrays import (
    FloatArray,
    Numeric,
    check_nonnegative,
    check_range,
    coerce,
    option_choice,
    option_count,
    option_number,
)
from ..errors import InvalidInputError
from ._combine import MAX_OUTCOMES, _sum_books

__all__ = ["ForecastDistribution", "combine_distributions"]

_TIE: Final = 1e-12  # cumulative probabilities this close to a level count as reaching it

_METHODS: Final = ("exact", "lattice", "monte_carlo")
_FLOAT_MAX: Final = float(np.finfo(np.float64).max)


def _amount_field(name: str) -> Any:
    def convert(value: object) -> float:
        number = option_number(name, value)
        if not 0.0 <= number < math.inf:
            raise InvalidInputError(f"{name} must be a finite amount >= 0; got {value!r:.60}")
        return number

    return convert


def _error_field(name: str) -> Any:
    def convert(value: object) -> float:
        number = option_number(name, value, allow_nan=True)
        if not (math.isnan(number) or 0.0 <= number < math.inf):
            raise InvalidInputError(f"{name} must be a finite bound >= 0 or NaN; got {value!r:.60}")
        return number

    return convert


def _deals_field(value: object) -> int:
    return option_count("deals", value, maximum=2**53)  # a count a float holds exactly


def _method_field(value: object) -> str:
    return option_choice("method", value, _METHODS)


def _read_only(name: str, value: object) -> FloatArray:
    """A read-only float64 copy of a non-empty 1-D array of finite numbers >= 0."""
    try:
        flat = np.ndim(value) == 1 and not isinstance(value, (str, bytes))  # type: ignore[arg-type]
    except ValueError:  # a ragged sequence
        flat = False
    if not flat:
        raise InvalidInputError(
            f"{name} must be a one-dimensional array; got {type(value).__name__} {value!r:.60}"
        )
    (array,), _ = coerce(**{name: value})
    out = np.array(array, dtype=np.float64)
    if out.size == 0:
        raise InvalidInputError(f"{name} must hold at least one outcome; got an empty array")
    check_nonnegative(name, out)
    if np.isnan(out).any():
        raise InvalidInputError(f"{name} must not hold NaN")
    out.flags.writeable = False
    return out


def _outcomes_field(value: object) -> FloatArray:
    outcomes = _read_only("outcomes", value)
    if outcomes.size > 1 and not bool((np.diff(outcomes) > 0.0).all()):
        raise InvalidInputError("outcomes must be distinct and increasing")
    return outcomes


def _probabilities_field(value: object) -> FloatArray:
    probabilities = _read_only("probabilities", value)
    with np.errstate(all="ignore"):
        mass = float(probabilities.sum())
    if not abs(mass - 1.0) <= 1e-9:
        raise InvalidInputError(f"probabilities must sum to 1; they sum to {mass!r}")
    return probabilities


def _same_length(instance: Any, attribute: attrs.Attribute[Any], value: FloatArray) -> None:
    if value.shape != instance.outcomes.shape:
        raise InvalidInputError(
            f"probabilities must have one element per outcome: {instance.outcomes.size} "
            f"outcomes, {value.size} probabilities"
        )
    if instance.outcomes[-1] > instance.total:
        raise InvalidInputError(
            f"outcomes must not exceed total ({instance.total!r}); the largest is "
            f"{float(instance.outcomes[-1])!r}"
        )


@attrs.frozen(kw_only=True, eq=False)
class ForecastDistribution:
    r"""The distribution of pipeline revenue when each deal closes independently.

    Made by :func:`forecast_distribution`; holds the possible revenues and their
    probabilities, with the method used and how accurate it is.

    Parameters
    ----------
    mean : float
        Expected revenue, equal to :func:`weighted_forecast` of the same deals.
    std : float
        Standard deviation of the revenue, from the exact variance.
    total : float
        Revenue if every deal is won: the largest possible outcome.
    deals : int
        Number of deals.
    method : {"exact", "lattice", "monte_carlo"}
        How the distribution was computed.
    value_error : float
        A guaranteed bound, in currency, on how far :meth:`quantile` may be from the
        true quantile: 0 for ``"exact"`` (up to floating point), the rounding bound
        for ``"lattice"``, NaN for ``"monte_carlo"`` (no deterministic bound).
    probability_error : float
        A bound on the error of cumulative probabilities: 0 for ``"exact"``; NaN for
        ``"lattice"``, whose error is in values: the true :math:`P(S \ge t)` lies
        between ``probability_at_least(t + value_error)`` and
        ``probability_at_least(t - value_error)``; for ``"monte_carlo"`` the
        Dvoretzky–Kiefer–Wolfowitz bound that holds with probability 0.999.
    outcomes : ndarray
        The possible revenues, increasing.
    probabilities : ndarray
        Their probabilities, summing to 1.

    Raises
    ------
    InvalidInputError
        A field that is not what it says above: ``mean``, ``std`` or ``total`` not a
        finite amount >= 0; ``deals`` not an integer in [0, 2**53]; an error bound
        negative or infinite; an unknown ``method``; ``outcomes`` empty, not
        increasing, negative or beyond ``total``; ``probabilities`` of another
        length, negative, or not summing to 1 (within 10⁻⁹). The arrays are copied
        and made read-only.

    See Also
    --------
    forecast_distribution : builds this record.

    Notes
    -----
    Quantiles are :math:`Q(q) = \min\{x : P(S \le x) \ge q - 10^{-12}\}`: the
    small allowance makes a level equal to a cumulative probability, up to rounding,
    reach that outcome. Probabilities are held to about 10⁻¹⁵, so levels within
    10⁻¹² of 0 or 1 are not resolved: ``quantile(1.0)`` is the largest outcome with
    a probability above that, not necessarily the total of all deals. NaN levels and
    targets give NaN.

    Examples
    --------
    >>> import salescore
    >>> dist = salescore.forecast_distribution([27_600, 34_500], [0.12, 0.83])
    >>> dist.mean, dist.method
    (31947.0, 'exact')
    >>> dist.quantile(0.5), dist.probability_at_least(30_000)
    (34500.0, 0.83)

    Combining books: the distributions of independent books (two teams, two
    partitions of the deals) add with ``+`` or :func:`combine_distributions` into the
    distribution of their total revenue, and ``sum`` adds a list of them.

    >>> north = salescore.forecast_distribution([100.0], [0.5])
    >>> south = salescore.forecast_distribution([200.0], [0.25])
    >>> both = north + south
    >>> both.outcomes, both.probabilities
    (array([  0., 100., 200., 300.]), array([0.375, 0.375, 0.125, 0.125]))
    >>> sum([north, south, north]).mean
    150.0
    """

    mean: float = attrs.field(converter=_amount_field("mean"))  # type: ignore[misc]
    std: float = attrs.field(converter=_amount_field("std"))  # type: ignore[misc]
    total: float = attrs.field(converter=_amount_field("total"))  # type: ignore[misc]
    deals: int = attrs.field(converter=_deals_field)
    method: str = attrs.field(converter=_method_field)
    value_error: float = attrs.field(converter=_error_field("value_error"))  # type: ignore[misc]
    probability_error: float = attrs.field(converter=_error_field("probability_error"))  # type: ignore[misc]
    outcomes: FloatArray = attrs.field(repr=False, converter=_outcomes_field)
    probabilities: FloatArray = attrs.field(
        repr=False, converter=_probabilities_field, validator=_same_length
    )
    _cdf: FloatArray = attrs.field(repr=False, init=False)

    @_cdf.default
    def _cumulative(self) -> FloatArray:
        with np.errstate(all="ignore"):  # probabilities near 5e-324 may underflow
            cdf = np.cumsum(self.probabilities)
            cdf /= cdf[-1]
        cdf[-1] = 1.0
        cdf.flags.writeable = False
        return cdf

    def __add__(self, other: object) -> ForecastDistribution:
        """The distribution of the sum of two independent books.

        ``a + b`` is :func:`combine_distributions` ``(a, b)``; anything but a
        :class:`ForecastDistribution` gives ``NotImplemented`` (so Python raises
        :class:`TypeError`).
        """
        if not isinstance(other, ForecastDistribution):
            return NotImplemented
        return combine_distributions(self, other)

    def __radd__(self, other: object) -> ForecastDistribution:
        """``0 + a`` is ``a``, so that ``sum([a, b, c])`` adds the books."""
        if type(other) is int and other == 0:
            return self
        if not isinstance(other, ForecastDistribution):
            return NotImplemented
        return combine_distributions(other, self)

    def quantile(self, q: Numeric) -> Any:
        """Revenue not exceeded with probability ``q`` (``q`` in [0, 1]).

        Parameters
        ----------
        q : float or array_like
            Probability levels.

        Returns
        -------
        float or ndarray
            The quantiles, in the shape of ``q``.

        Examples
        --------
        >>> import salescore
        >>> dist = salescore.forecast_distribution([100.0, 100.0], [0.5, 0.5])
        >>> dist.quantile([0.1, 0.5, 0.9])
        array([  0., 100., 200.])
        """
        (level,), wrap = coerce(q=q)
        check_range("q", level, low=0.0, high=1.0, allowed="a probability level in [0, 1]")
        # A level equal to a cumulative probability up to rounding (say 0.1 against
        # 0.09999999999999998) is reached there, not at the next outcome.
        index = np.searchsorted(self._cdf, np.asarray(level) - _TIE, side="left")
        found = self.outcomes[np.minimum(index, self.outcomes.size - 1)]
        return wrap(np.where(np.isnan(level), np.nan, found))

    def interval(self, level: float = 0.8) -> tuple[float, float]:
        """The central interval holding the revenue with probability ``level``.

        Parameters
        ----------
        level : float, default 0.8
            Probability in (0, 1); 0.8 gives the P10–P90 range.

        Returns
        -------
        tuple of float
            ``(quantile((1 − level) / 2), quantile((1 + level) / 2))``.

        Examples
        --------
        >>> import salescore
        >>> salescore.forecast_distribution([100.0, 100.0], [0.5, 0.5]).interval(0.5)
        (0.0, 100.0)
        """
        width = option_number("level", level)
        if not 0.0 < width < 1.0:
            raise InvalidInputError(f"level must be in (0, 1); got {level!r}")
        low = float(self.quantile((1.0 - width) / 2.0))
        high = float(self.quantile((1.0 + width) / 2.0))
        return low, high

    def probability_at_least(self, target: Numeric) -> Any:
        r"""Probability that revenue reaches ``target`` (for example the quota).

        Outcomes below ``target`` by at most 10⁻⁹ × ``total`` (the value of all the
        deals, however small) count as reaching it, so that sums such as 0.1 + 0.2 are not lost to
        rounding.

        Parameters
        ----------
        target : float or array_like
            Revenue targets.

        Returns
        -------
        float or ndarray
            :math:`P(S \ge \text{target})`, non-increasing in ``target``.

        Examples
        --------
        >>> import salescore
        >>> dist = salescore.forecast_distribution([100.0, 100.0], [0.5, 0.5])
        >>> dist.probability_at_least([0, 100, 150, 250])
        array([1.  , 0.75, 0.25, 0.  ])
        """
        (goal,), wrap = coerce(target=target)
        check_range("target", goal)
        slack = 1e-9 * self.total
        below = np.searchsorted(self.outcomes, np.asarray(goal) - slack, side="left")
        reached = 1.0 - np.where(below > 0, self._cdf[np.maximum(below - 1, 0)], 0.0)
        return wrap(np.where(np.isnan(goal), np.nan, np.clip(reached, 0.0, 1.0)))

    def to_frame(self) -> pd.DataFrame:
        """The outcomes and their probabilities as a table (for charts).

        Returns
        -------
        DataFrame
            Columns ``revenue``, ``probability`` and ``cumulative``.

        Examples
        --------
        >>> import salescore
        >>> salescore.forecast_distribution([100.0], [0.25]).to_frame()
           revenue  probability  cumulative
        0      0.0         0.75        0.75
        1    100.0         0.25        1.00
        """
        return pd.DataFrame(
            {
                "revenue": self.outcomes,
                "probability": self.probabilities,
                "cumulative": np.asarray(self._cdf),
            }
        )


def combine_distributions(
    *distributions: ForecastDistribution, max_outcomes: int = 1 << 20
) -> ForecastDistribution:
    r"""The distribution of the total revenue of independent books.

    Two teams, two regions or two partitions of the deals each have a
    :class:`ForecastDistribution`; when their deals close independently of each
    other, their total revenue has the distribution of the sum, computed here by
    convolution. ``a + b`` and ``sum([a, b, c])`` call this function.

    Parameters
    ----------
    *distributions : ForecastDistribution
        One or more distributions, from :func:`forecast_distribution` with
        ``method="exact"`` or ``"lattice"`` (or made by hand).
    max_outcomes : int, keyword-only, default 1,048,576
        The largest number of outcomes the sum may hold, from 64 to ``MAX_OUTCOMES``
        (16,777,216): exact while the product of the books' numbers of outcomes stays
        within it, on a lattice of at most this many points beyond. Books of one
        outcome only shift the others, so a single book of more outcomes keeps them
        all: the result never holds more than ``max_outcomes`` or the largest book's
        number of outcomes.

    Returns
    -------
    ForecastDistribution
        The distribution of the sum, with ``method="exact"`` when every book was
        exact and the convolution kept every outcome, ``"lattice"`` otherwise, and
        the error bounds carried (see Notes).

    Raises
    ------
    InvalidInputError
        No distribution; an argument that is not a :class:`ForecastDistribution`
        (named by its position, ``distributions[1]``); a distribution made by
        ``method="monte_carlo"`` (see Notes); ``max_outcomes`` not an integer in
        [64, 16,777,216]; books whose total value or number of deals exceeds what a
        float holds.

    See Also
    --------
    forecast_distribution : the distribution of one book.

    Notes
    -----
    With independent book revenues :math:`S_1, \dots, S_m`, the total
    :math:`S = \sum_j S_j` has mean :math:`\sum_j \mu_j`, variance
    :math:`\sum_j \sigma_j^2` (so ``std`` is :math:`\sqrt{\sum_j \sigma_j^2}`),
    ``total`` and ``deals`` the sums of the books'. Its distribution is the
    convolution :math:`P(S = s) = \sum_{s_1 + \dots + s_m = s} \prod_j P(S_j = s_j)`.
    A book with a single outcome (no uncertain deal) only shifts the others.

    *Exact.* When every book is exact and the product of their numbers of outcomes
    is at most ``max_outcomes``, every sum of outcomes is kept. Sorted, a sum within
    :math:`2^{-46}` of its size (64 units in the last place) above the previous one
    joins its run, and a run is one outcome, its smallest sum, with the probabilities
    added: 0.1 + 0.2 and 0.3 differ only by rounding. ``value_error`` and
    ``probability_error`` are the sums of the books' (0 for exact books).

    *Lattice.* Otherwise each book :math:`j` is put on one grid of step :math:`h`:
    its outcomes :math:`x` become :math:`a_j + h\,\mathrm{round}((x - a_j)/h)`, with
    :math:`a_j` its smallest outcome. The step is the largest of the lattice books'
    own steps (their smallest gap between possible outcomes) and of the sum of the books'
    ranges over ``max_outcomes − 1``, enlarged until the grid holds at most
    ``max_outcomes`` points. The rounding moves every outcome of book :math:`j` by at
    most :math:`r_j` (measured: the largest distance between an outcome of positive
    probability and its grid point, at most :math:`h/2`). The rounded distributions
    are convolved directly, or by FFT when long (probabilities below 10⁻¹⁵ are then
    round-off, set to 0, and the rest renormalised). The result's ``value_error`` is

    .. math::

        \varepsilon = \sum_j (e_j + r_j),

    where :math:`e_j` is book :math:`j`'s ``value_error``; ``probability_error`` is
    NaN, as for any lattice distribution.

    *The bound holds.* Each book's record is the law of a variable :math:`X_j` with
    :math:`|S_j - X_j| \le e_j` always (for a lattice book, :math:`X_j` is the sum of
    the deals' rounded values, a function of the same wins), and the rounded
    :math:`R_j` is a function of :math:`X_j` with :math:`|X_j - R_j| \le r_j`.
    The books are independent, so the pairs :math:`(S_j, R_j)` are too, and the
    convolution computed is the law of :math:`R = \sum_j R_j`. Then
    :math:`|S - R| \le \sum_j |S_j - X_j| + |X_j - R_j| \le \varepsilon` always:
    for two books, variables within :math:`e_1` and :math:`e_2` of their lattice
    versions have a sum within :math:`e_1 + e_2` of the lattice sum. Whenever
    :math:`|S - R| \le \varepsilon`, :math:`P(R \le x - \varepsilon) \le P(S \le x)
    \le P(R \le x + \varepsilon)`, so every quantile of :math:`R` is within
    :math:`\varepsilon` of the true one, and :math:`P(S \ge t)` lies between
    ``probability_at_least(t + ε)`` and ``probability_at_least(t − ε)``, as the
    record promises.

    *Monte Carlo books are refused.* Their ``probability_error`` is a
    Dvoretzky–Kiefer–Wolfowitz bound that holds with probability 0.999 for each book;
    convolving keeps a sup-norm bound on the distribution function (the errors add)
    but the confidence falls with every book (0.998 for two), which the record cannot
    state, and a sampled book has no value bound to carry to a lattice. Build each
    book with ``"exact"`` or ``"lattice"``, or sample the deals of all books together.

    Examples
    --------
    Two books of one deal each: 100 at 50 % and 200 at 25 %.

    >>> import salescore
    >>> north = salescore.forecast_distribution([100.0], [0.5])
    >>> south = salescore.forecast_distribution([200.0], [0.25])
    >>> both = salescore.combine_distributions(north, south)
    >>> both.to_frame()
       revenue  probability  cumulative
    0      0.0        0.375       0.375
    1    100.0        0.375       0.750
    2    200.0        0.125       0.875
    3    300.0        0.125       1.000
    >>> both.mean, both.method
    (100.0, 'exact')

    Many deals per book: the books are put on a common lattice, with a bound.

    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> books = [
    ...     salescore.forecast_distribution(
    ...         rng.uniform(1_000, 50_000, 300).round(), rng.uniform(0.05, 0.9, 300)
    ...     )
    ...     for _ in range(3)
    ... ]
    >>> company = sum(books)
    >>> company.method, company.deals
    ('lattice', 900)
    >>> bool(company.value_error <= sum(book.value_error for book in books) + 0.001 * company.total)
    True
    """
    if not distributions:
        raise InvalidInputError("combine_distributions needs at least one distribution; got none")
    for position, book in enumerate(distributions):
        if not isinstance(book, ForecastDistribution):
            raise InvalidInputError(
                f"distributions[{position}] must be a ForecastDistribution; "
                f"got {type(book).__name__} {book!r:.60}"
            )
        if book.method == "monte_carlo":
            raise InvalidInputError(
                f"distributions[{position}] was sampled (method='monte_carlo'): its error "
                "bound holds with probability 0.999, a confidence that does not carry to a "
                "sum; build each book with method='exact' or 'lattice'"
            )
    points = option_count("max_outcomes", max_outcomes, maximum=MAX_OUTCOMES)
    if points < 64:
        raise InvalidInputError(f"max_outcomes must be at least 64; got {points}")
    if len(distributions) == 1:
        return distributions[0]
    total = sum(book.total for book in distributions)  # in this order: outcomes <= total
    if math.isinf(total):
        raise InvalidInputError(
            f"the total value of the books exceeds the largest float ({_FLOAT_MAX:.4g}); "
            "express the values in a larger unit (thousands, millions)"
        )
    on_lattice = [book.method == "lattice" for book in distributions]
    outcomes, probabilities, rounded, moved = _sum_books(
        [(book.outcomes, book.probabilities) for book in distributions],
        on_lattice,
        total,
        points,
    )
    lattice = rounded or any(on_lattice)
    return ForecastDistribution(
        mean=sum(book.mean for book in distributions),
        std=math.hypot(*(book.std for book in distributions)),
        total=total,
        deals=sum(book.deals for book in distributions),
        method="lattice" if lattice else "exact",
        value_error=sum(book.value_error for book in distributions) + moved,
        probability_error=(
            math.nan if lattice else sum(book.probability_error for book in distributions)
        ),
        outcomes=outcomes,
        probabilities=probabilities,
    )
