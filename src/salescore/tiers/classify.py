"""Tiers by revenue or potential, lookalike potential, and Pareto (ABC) classes."""

from __future__ import annotations

import math
from typing import Any, Final, Literal, cast, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import (
    ArrayInput,
    Numeric,
    Scalar,
    Values,
    check_nonnegative,
    check_range,
    coerce,
    option_choice,
    option_count,
    option_flag,
    option_number,
)
from ..errors import IndexMismatchError, InvalidInputError
from .policy import (
    _DEFAULT_POLICY,
    _SHOWN,
    TIERS,
    ObjectArray,
    TierPolicy,
    _codes_from,
    _labels,
    _policy,
)

__all__ = ["classify_tiers", "pareto_classes", "segment_potential"]


@overload
def classify_tiers(
    revenue: Scalar,
    *,
    benchmark: Literal["max", "quantile"] | float = ...,
    quantile: float | None = ...,
    skipna: bool = ...,
    policy: TierPolicy = ...,
) -> str | None: ...
@overload
def classify_tiers(
    revenue: ArrayInput,
    *,
    benchmark: Literal["max", "quantile"] | float = ...,
    quantile: float | None = ...,
    skipna: bool = ...,
    policy: TierPolicy = ...,
) -> ObjectArray: ...
@overload
def classify_tiers(
    revenue: pd.Series[Any],
    *,
    benchmark: Literal["max", "quantile"] | float = ...,
    quantile: float | None = ...,
    skipna: bool = ...,
    policy: TierPolicy = ...,
) -> pd.Series[Any]: ...
def classify_tiers(
    revenue: Numeric,
    *,
    benchmark: Literal["max", "quantile"] | float = "max",
    quantile: float | None = None,
    skipna: bool = False,
    policy: TierPolicy = _DEFAULT_POLICY,
) -> str | ObjectArray | pd.Series[Any] | None:
    r"""Tier labels A–D from each account's revenue as a share of a benchmark.

    Pass realised annual revenue to tier by what accounts bring, or the potential from
    :func:`segment_potential` to tier by what they could bring (Wilson Learning's
    article: a non-buyer that resembles your best customers is an A prospect).

    Parameters
    ----------
    revenue : float, array_like or Series
        Annual revenue (or potential) per account, >= 0, in one currency.
    benchmark : {"max", "quantile"} or float, keyword-only, default "max"
        What a share of 1 means. ``"max"``: the largest revenue (the article's).
        ``"quantile"``: the ``quantile`` of the buying accounts' revenue (revenue > 0),
        for books whose top account is an outlier; accounts above it are A. A number:
        a fixed benchmark in the currency of ``revenue``, > 0.
    quantile : float, keyword-only, optional
        The quantile level in (0, 1], required with ``benchmark="quantile"`` and
        refused otherwise (so that a number is never read two ways).
    skipna : bool, keyword-only, default False
        Compute a ``"max"`` or ``"quantile"`` benchmark over the known revenues only.
        By default a NaN revenue makes that benchmark unknown, and every label missing.
    policy : TierPolicy, keyword-only, default TierPolicy()
        The cut-offs.

    Returns
    -------
    str, None, ndarray or Series
        ``"A"``, ``"B"``, ``"C"`` or ``"D"`` for a scalar (``None`` when unknown); an
        object array of labels (``None`` when unknown); for a Series, an ordered
        categorical Series on the same index with categories ``A < B < C < D``, so
        that A, the best tier, sorts first and ``tier <= "B"`` means "B or better".

    Raises
    ------
    InvalidInputError
        A negative or infinite revenue, a numeric benchmark <= 0, an unknown
        ``benchmark``, a ``quantile`` missing, out of (0, 1] or given without
        ``benchmark="quantile"``, or ``skipna`` not a bool.

    See Also
    --------
    segment_potential : potential revenue of lookalike accounts, to tier by.
    pareto_classes : the classic ABC analysis by cumulative revenue share.
    TierPolicy : levels, cut-offs and cadence.

    Notes
    -----
    With :math:`s_i = x_i / b` the share of the benchmark and the default cut-offs

    .. math::

        \text{tier}_i = \begin{cases}
            A & s_i \ge 0.8 \\ B & 0.45 \le s_i < 0.8 \\
            C & 0 < s_i < 0.45 \\ D & s_i = 0 \end{cases}

    A missing revenue gives a missing label, never D: "unknown" is not "never
    bought". With no buyer at all every account is D. D is decided by the revenue
    itself: a positive revenue whose share rounds to 0 in floating point (5e-324
    beside 1e308) is C.

    References
    ----------
    .. [1] Wilson Learning Russia (wl-r.ru), blog article on raising sales from existing
       customers (Russian). See Sources in the documentation.

    Examples
    --------
    >>> from salescore.tiers import classify_tiers
    >>> classify_tiers(54_000.0, benchmark=100_000.0)
    'B'
    >>> import pandas as pd
    >>> revenue = pd.Series([100_000.0, 62_000.0, 30_000.0, 0.0], index=["w", "x", "y", "z"])
    >>> tiers = classify_tiers(revenue)
    >>> tiers.tolist(), tiers.dtype.ordered
    (['A', 'B', 'C', 'D'], True)
    >>> tiers.sort_values(ascending=False).index.tolist()  # A ranks before D
    ['z', 'y', 'x', 'w']

    A missing revenue is not a D:

    >>> classify_tiers([100.0, float("nan"), 0.0], benchmark=100.0)
    array(['A', None, 'D'], dtype=object)
    """
    policy = _policy(policy)
    skip = option_flag("skipna", skipna)
    (x,), _ = coerce(revenue=revenue)
    check_nonnegative("revenue", x)
    codes, _ = _tier_codes(x, benchmark, quantile, skipna=skip, policy=policy)
    return _labels(codes, TIERS, revenue, "tier")  # type: ignore[no-any-return]


def _tier_codes(
    x: Values, benchmark: object, quantile: object, *, skipna: bool, policy: TierPolicy
) -> tuple[npt.NDArray[np.intp], float]:
    """Tier codes (0 = A … 3 = D, -1 = unknown) of checked revenues, and the benchmark."""
    scale = _benchmark(x, benchmark, quantile, skipna=skipna)
    amounts = np.atleast_1d(np.asarray(x, dtype=np.float64))
    # No buyer (scale 0): every known account is D; unknown scale: every label is. A
    # share beyond float range is A (inf); one below it rounds to 0 and is C, below.
    with np.errstate(all="ignore"):
        share = amounts / scale if scale > 0.0 else amounts * (0.0 if scale == 0.0 else math.nan)
    codes = _codes_from(share, policy.cutoffs, zero_last=True)
    # D means "never bought": decided by the amount, not by a share that underflowed
    # to 0 (5e-324 against 1e308 is a buyer, so C).
    codes[(codes == len(TIERS) - 1) & (amounts > 0.0) & (scale > 0.0)] = len(TIERS) - 2
    return codes, scale


def _benchmark(x: Values, benchmark: object, quantile: object, *, skipna: bool) -> float:
    if isinstance(benchmark, str):
        kind = option_choice("benchmark", benchmark, ("max", "quantile"))
    else:
        kind = "number"
    if kind == "quantile":
        if quantile is None:
            raise InvalidInputError('benchmark="quantile" needs quantile=, a level in (0, 1]')
        level = option_number("quantile", quantile)
        check_range("quantile", level, low=0.0, high=1.0, low_open=True, allowed="in (0, 1]")
    elif quantile is not None:
        raise InvalidInputError(
            f'quantile= is only read with benchmark="quantile"; got benchmark={benchmark!r}'
        )
    if kind == "number":
        number = option_number("benchmark", benchmark)
        check_range("benchmark", number, low=0.0, low_open=True, allowed="a finite number > 0")
        return number
    array = np.atleast_1d(np.asarray(x, dtype=np.float64))
    if np.isnan(array).any():
        if not skipna:
            return math.nan
        array = array[~np.isnan(array)]
    buyers = array[array > 0.0]
    if buyers.size == 0:
        return 0.0  # no buyer: every known account is D
    if kind == "max":
        return float(buyers.max())
    # Interpolating between subnormal revenues underflows; the result stays exact
    # enough (a quantile lies between two of the revenues).
    with np.errstate(all="ignore"):
        return float(np.quantile(buyers, level))


# ---------------------------------------------------------------------- potential

_STATISTICS: Final = ("max", "median", "mean")
#: The largest ``min_peers``: 2**53, the last integer every float count compares exactly.
MOST_PEERS: Final = 2**53


def segment_potential(
    revenue: pd.Series[Any],
    segments: pd.DataFrame | pd.Series[Any],
    *,
    statistic: Literal["max", "median", "mean"] | float = "max",
    min_peers: int = 1,
    skipna: bool = False,
) -> pd.Series[float]:
    r"""Potential revenue of each account: what the buying accounts like it bring.

    The lookalike rule of Wilson Learning Russia's article on raising sales from
    existing customers: accounts that share every segment value (company size, region,
    industry …) are peers, and an account's potential is a statistic of its buying
    peers' revenue — so a non-buyer that resembles your best customer has that
    customer's revenue as potential.

    Parameters
    ----------
    revenue : Series
        Annual revenue per account, >= 0; buyers are accounts with revenue > 0.
    segments : DataFrame or Series
        Segment values per account, on the same index as ``revenue``; every column is
        used (select columns first, for example ``accounts[["size", "region"]]``).
    statistic : {"max", "median", "mean"} or float, keyword-only, default "max"
        Statistic of the buying peers' revenue; a number in [0, 1] is a quantile level.
    min_peers : int, keyword-only, default 1
        Fewest buying peers a segment needs for its accounts to have a potential, from
        1 to 2**53 (``MOST_PEERS``, beyond any book of accounts).
    skipna : bool, keyword-only, default False
        Ignore accounts with unknown revenue as peers. By default one NaN revenue
        makes its whole segment's potential NaN (the statistic is unknown).

    Returns
    -------
    Series
        float64 potential on the index of ``revenue``, named ``"potential"``; NaN for
        "no potential": a segment with fewer than ``min_peers`` buyers, or an account
        with a missing segment value (its peers are unknown; it is nobody's peer).
        To tier such accounts D ("no prospects"), pass ``potential.fillna(0.0)`` to
        :func:`classify_tiers`.

    Raises
    ------
    InvalidInputError
        ``revenue`` not a numeric Series, a negative revenue, ``segments`` not a
        DataFrame or Series or without columns or holding lists, dicts or sets, an
        unknown ``statistic``, ``min_peers`` not an integer from 1 to 2**53, or
        ``skipna`` not a bool.
    IndexMismatchError
        ``segments`` is not on the index of ``revenue``.

    See Also
    --------
    classify_tiers : tier the accounts by this potential.

    Notes
    -----
    With :math:`S(i)` the accounts sharing account :math:`i`'s segment values and
    :math:`x_j` their revenues,

    .. math::

        p_i = \operatorname{stat}\{x_j : j \in S(i),\ x_j > 0\},
        \qquad \text{NaN if } |\{j \in S(i) : x_j > 0\}| < \text{min\_peers}.

    Computed with one ``groupby(...).transform`` per statistic; no loop over accounts.

    References
    ----------
    .. [1] Wilson Learning Russia (wl-r.ru), blog article on raising sales from existing
       customers (Russian). See Sources in the documentation.

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.tiers import segment_potential
    >>> revenue = pd.Series([90.0, 40.0, 0.0, 0.0], index=["a", "b", "c", "d"])
    >>> size = pd.Series(["large", "large", "large", "small"], index=revenue.index)
    >>> segment_potential(revenue, size)
    a    90.0
    b    90.0
    c    90.0
    d     NaN
    Name: potential, dtype: float64
    >>> segment_potential(revenue, size, statistic="mean").tolist()
    [65.0, 65.0, 65.0, nan]
    """
    if not isinstance(revenue, pd.Series):
        raise InvalidInputError(
            f"revenue must be a pandas Series (the accounts' index matters); "
            f"got {type(revenue).__name__}"
        )
    how, level, peers_needed = _peer_options(statistic, min_peers)
    skip = option_flag("skipna", skipna)
    if isinstance(segments, pd.Series):
        frame = segments.to_frame()
    elif isinstance(segments, pd.DataFrame):
        frame = segments
    else:
        raise InvalidInputError(
            f"segments must be a DataFrame or a Series; got {type(segments).__name__}"
        )
    if frame.shape[1] == 0:
        raise InvalidInputError("segments has no columns; pass at least one segment column")
    if not frame.index.equals(revenue.index):
        raise IndexMismatchError(
            "revenue and segments have different indexes; salescore never combines them "
            "by position: align them first (for example with DataFrame.reindex)"
        )
    (x,), wrap = coerce(revenue=revenue)
    check_nonnegative("revenue", x)
    values = pd.Series(np.asarray(x, dtype=np.float64), index=revenue.index)
    # Plain arrays as keys: positional (the index check above already matched them),
    # and free of pandas 2.2's positional-key deprecation on Series keys.
    keys = [frame.iloc[:, position].to_numpy() for position in range(frame.shape[1])]
    for position, key in enumerate(keys):
        _check_labels(frame.columns[position], key, revenue.index)
    # dropna=True: an account with a missing segment value has no group, so its
    # transform result is NaN and it counts as nobody's peer.
    buyers = values.where(values > 0.0)
    grouped = buyers.groupby(keys, dropna=True, observed=True, sort=False)
    top = grouped.transform("max")
    if how == "max":
        potential = top.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        potential = _scaled_statistic(buyers, top, keys, how, level)
    enough = (grouped.transform("count") >= peers_needed).to_numpy(dtype=bool)
    result = np.where(enough, potential, np.nan)
    if not skip and values.isna().any():
        unknown = values.isna().groupby(keys, dropna=True, observed=True, sort=False)
        result[unknown.transform("any").to_numpy(dtype=bool)] = np.nan
    out = cast("pd.Series[float]", wrap(result))
    return out.rename("potential")


def _check_labels(column: object, key: npt.NDArray[Any], index: pd.Index[Any]) -> None:
    """Refuse segment values that cannot be grouped on: lists, dicts, sets."""
    if key.dtype != object:
        return
    bad = np.fromiter((not _hashable(value) for value in key), dtype=bool, count=key.size)
    if bad.any():
        positions = np.flatnonzero(bad)
        labels = ", ".join(repr(label) for label in index[positions[:_SHOWN]])
        more = ", …" if positions.size > _SHOWN else ""
        raise InvalidInputError(
            f"segments column {column!r} must hold single values (labels such as "
            f"'large'), not lists, dicts or sets; {positions.size} accounts do: "
            f"{labels}{more}"
        )


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _peer_options(statistic: object, min_peers: object) -> tuple[str, float, int]:
    """``statistic`` and ``min_peers`` checked: the statistic, its quantile level, the count."""
    if isinstance(statistic, str):
        how: str = option_choice("statistic", statistic, _STATISTICS)
        level = math.nan
    else:
        how = "quantile"
        level = option_number("statistic", statistic)
        check_range("statistic", level, low=0.0, high=1.0, allowed="a quantile level in [0, 1]")
    peers_needed = option_count("min_peers", min_peers, maximum=MOST_PEERS)
    if peers_needed < 1:
        raise InvalidInputError(f"min_peers must be at least 1; got {peers_needed}")
    return how, level, peers_needed


def _scaled_statistic(
    buyers: pd.Series[float], top: pd.Series[float], keys: list[Any], how: str, level: float
) -> npt.NDArray[np.float64]:
    """The median, mean or quantile of each account's segment, safe near the float limit.

    Each segment's revenues are scaled by the power of two that brings its largest into
    [0.5, 1): exact (short of revenues below 2**-1074 of the largest, which round to 0
    and change no statistic), so the result is that of the revenues themselves, but a
    sum of amounts near 1.8e308 (a mean, the middle pair of a median) cannot overflow.
    """
    largest = top.to_numpy(dtype=np.float64, na_value=np.nan)
    exponents = np.where(np.isfinite(largest), np.frexp(np.nan_to_num(largest))[1], 0)
    with np.errstate(all="ignore"):
        scaled = pd.Series(np.ldexp(buyers.to_numpy(), -exponents), index=buyers.index)
    grouped = scaled.groupby(keys, dropna=True, observed=True, sort=False)
    if how == "quantile":
        statistic = grouped.transform("quantile", level)
    elif how == "median":
        statistic = grouped.transform("median")
    else:
        statistic = grouped.transform("mean")
    with np.errstate(all="ignore"):  # back to the revenues' scale: never beyond the largest
        out: npt.NDArray[np.float64] = np.ldexp(
            statistic.to_numpy(dtype=np.float64, na_value=np.nan), exponents
        )
    return out


def _exponent(amounts: npt.NDArray[np.float64]) -> int:
    """The power of two that brings the largest finite amount into [0.5, 1) (0 if none).

    Multiplying by a power of two is exact (short of subnormal results), so sums and
    shares of the scaled amounts round exactly as those of the amounts would, without
    the amounts' overflow near the float limit.
    """
    finite = amounts[np.isfinite(amounts)]
    if finite.size == 0:
        return 0
    largest = float(np.max(np.abs(finite)))
    return 0 if largest == 0.0 else math.frexp(largest)[1]


# --------------------------------------------------------------------- temperature


@overload
def pareto_classes(
    revenue: Scalar, *, cuts: tuple[float, float] = ..., skipna: bool = ...
) -> str | None: ...
@overload
def pareto_classes(
    revenue: ArrayInput, *, cuts: tuple[float, float] = ..., skipna: bool = ...
) -> ObjectArray: ...
@overload
def pareto_classes(
    revenue: pd.Series[Any], *, cuts: tuple[float, float] = ..., skipna: bool = ...
) -> pd.Series[Any]: ...
def pareto_classes(
    revenue: Numeric, *, cuts: tuple[float, float] = (0.8, 0.95), skipna: bool = False
) -> str | ObjectArray | pd.Series[Any] | None:
    r"""Classic ABC analysis: classes by cumulative share of total revenue.

    Sort accounts by revenue, largest first: A is the smallest set of top accounts
    that together bring at least ``cuts[0]`` of the total, B the next ones up to
    ``cuts[1]``, and C the rest.

    Parameters
    ----------
    revenue : float, array_like or Series
        Revenue per account, >= 0.
    cuts : tuple of 2 floats, keyword-only, default (0.8, 0.95)
        Cumulative shares closing classes A and B, increasing, in (0, 1].
    skipna : bool, keyword-only, default False
        Classify the known revenues and leave NaN ones unlabelled. By default a NaN
        makes the total unknown and every label missing.

    Returns
    -------
    str, None, ndarray or Series
        ``"A"``, ``"B"`` or ``"C"``, in the kinds of :func:`classify_tiers` (an
        ordered categorical ``A < B < C`` for a Series). All missing when the total
        revenue is 0 (shares are undefined).

    Raises
    ------
    InvalidInputError
        A negative or infinite revenue, ``cuts`` not two increasing numbers in
        (0, 1], or ``skipna`` not a bool.

    See Also
    --------
    classify_tiers : Wilson Learning's tiers relative to the best account.

    Notes
    -----
    With accounts sorted so that :math:`x_{(1)} \ge x_{(2)} \ge \dots` and the share
    of the total brought by the accounts *before* account :math:`k`

    .. math::

        S_{k} = \frac{\sum_{j<k} x_{(j)}}{\sum_j x_{(j)}},

    account :math:`k` is A if :math:`S_k < c_A`, B if :math:`c_A \le S_k < c_B` and
    C otherwise: the account that crosses a cut belongs to the class it starts in, so
    the largest account is always A. Tied revenues get the class of the first of them
    (the best), so the result does not depend on the order of the input. Accounts
    with zero revenue are C. The shares are computed on the revenues scaled by a
    power of two (exactly), so amounts near the float limit, whose total would
    overflow, get the classes of the same amounts scaled down.

    References
    ----------
    .. [1] J. R. Stock and D. M. Lambert, *Strategic Logistics Management*, 4th ed.,
       McGraw-Hill, 2001 (ABC analysis of customers and products).
    .. [2] Wilson Learning Russia (wl-r.ru), blog article on raising sales from existing
       customers (Russian), for the tiers this complements. See Sources in the
       documentation.

    Examples
    --------
    >>> from salescore.tiers import pareto_classes
    >>> pareto_classes([500.0, 300.0, 100.0, 60.0, 40.0])  # shares before: 0, .5, .8, .9, .96
    array(['A', 'A', 'B', 'B', 'C'], dtype=object)
    >>> pareto_classes(250.0)
    'A'
    >>> pareto_classes([0.0, 0.0])  # no revenue: no shares
    array([None, None], dtype=object)
    """
    (x,), _ = coerce(revenue=revenue)
    check_nonnegative("revenue", x)
    low, high = _cuts(cuts)
    skip = option_flag("skipna", skipna)
    array = np.atleast_1d(np.asarray(x, dtype=np.float64))
    known = ~np.isnan(array)
    codes = np.full(array.shape, -1, dtype=np.intp)
    if skip or known.all():
        raw = array[known]
        # Shares are scale invariant: scaled by a power of two (exact), the total of
        # amounts near the float limit does not overflow.
        with np.errstate(all="ignore"):
            values = np.ldexp(raw, -_exponent(raw))
        total = values.sum()
        if total > 0.0:
            order = np.argsort(-raw, kind="stable")
            ranked = values[order]
            # The sum of the accounts before each one (a running sum, not a difference,
            # which would cancel).
            before = np.r_[0.0, np.cumsum(ranked)[:-1]]
            # Ties share the "before" of their first member: the best class among them.
            tied = raw[order]
            starts = np.flatnonzero(np.r_[True, tied[1:] != tied[:-1]])
            run_start = np.repeat(starts, np.diff(np.r_[starts, ranked.size]))
            with np.errstate(all="ignore"):  # a subnormal share underflows to 0
                share = before[run_start] / total
            ranked_codes = np.where(share < low, 0, np.where(share < high, 1, 2))
            known_codes = np.empty(values.size, dtype=np.intp)
            known_codes[order] = ranked_codes
            codes[known] = known_codes
    return _labels(codes, TIERS[:3], revenue, "pareto_class")  # type: ignore[no-any-return]


def _cuts(cuts: object) -> tuple[float, float]:
    if not isinstance(cuts, (tuple, list)) or len(cuts) != 2:
        raise InvalidInputError(f"cuts must be two numbers (A, B); got {cuts!r}")
    low = option_number("cuts", cuts[0])
    high = option_number("cuts", cuts[1])
    if not 0.0 < low < high <= 1.0:
        raise InvalidInputError(
            f"cuts must be increasing shares in (0, 1], such as (0.8, 0.95); got {cuts!r}"
        )
    return low, high
