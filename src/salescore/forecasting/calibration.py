"""Are our probabilities true? The Brier score, its decomposition and a reliability table.

:func:`probability_calibration` compares the win probabilities a CRM (or a stage
preset, or the team's learned win rates) gave deals with how those deals ended: the
Brier score and log loss say how good the probabilities were overall, the
decomposition of the Brier score says why (probabilities that do not match the win
rates they announce, or that fail to tell winners from losers), and the reliability
table, one row per probability bin, is what a reliability diagram draws.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from typing import Any, Final, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import FloatArray, check_probability, coerce, option_count, option_number
from ..errors import IndexMismatchError, InvalidInputError

__all__ = ["ProbabilityCalibration", "probability_calibration"]

BoolArray: TypeAlias = npt.NDArray[np.bool_]
#: The most bins :func:`probability_calibration` accepts: each is a row of the table.
MAX_BINS: Final = 1_000_000
_SHOWN: Final = 5  # how many offending deals an error message lists
_COLUMNS: Final = ("bin", "lower", "upper", "count", "mean_probability", "observed_rate")
_SLACK: Final = 1e-9


def _field(name: str, lower: float, upper: float) -> Any:
    """A converter for a number field in ``[lower, upper]`` or NaN."""

    def convert(value: object) -> float:
        number = option_number(name, value, allow_nan=True)
        if math.isinf(number) and isinstance(value, np.floating) and np.isfinite(value):
            # A long double beyond float range is no infinity.
            raise InvalidInputError(
                f"{name} must be a number within float range; got {value!r:.60}"
            )
        # Rounding may carry a term a few units in the last place past its bound.
        if math.isnan(number) or lower <= number <= upper + _SLACK:
            return number
        raise InvalidInputError(
            f"{name} must be a number in [{lower:g}, {upper:g}] or NaN; got {value!r:.60}"
        )

    return convert


def _count(value: object) -> int:
    return option_count("n", value, maximum=2**53)  # a count a float holds exactly


def _table(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, pd.DataFrame):
        raise InvalidInputError(f"table must be a DataFrame; got {type(value).__name__}")
    if isinstance(value.columns, pd.MultiIndex) or list(value.columns) != list(_COLUMNS):
        raise InvalidInputError(
            f"table must have the columns {list(_COLUMNS)!r}, in that order; got "
            f"{list(value.columns)!r:.200}"
        )


@attrs.frozen(kw_only=True, eq=False)
class ProbabilityCalibration:
    r"""How well win probabilities matched the outcomes of the deals they were given to.

    Made by :func:`probability_calibration`; see there for the formulas. The terms of
    the decomposition add up to the Brier score:
    ``brier == reliability - resolution + uncertainty + within_bin_variance -
    within_bin_covariance`` (up to rounding).

    Parameters
    ----------
    brier : float
        The Brier score, the mean squared difference between probability and outcome
        (1 won, 0 lost): 0 is perfect, lower is better.
    reliability : float
        How far each bin's mean probability is from its observed win rate (weighted by
        the bin's deals); 0 for perfectly calibrated probabilities, lower is better.
    resolution : float
        How far the bins' observed win rates are from the overall one; higher is
        better: the probabilities tell winners from losers.
    uncertainty : float
        ``base_rate * (1 - base_rate)``: the Brier score of always announcing the base
        rate, which depends on the outcomes only.
    within_bin_variance : float
        The variance of the probabilities around their bin's mean (0 when each bin
        holds one probability value).
    within_bin_covariance : float
        Twice the covariance of probabilities and outcomes within the bins.
    log_loss : float
        The mean of :math:`-\ln` of the probability given to what happened (natural
        logarithm); ``inf`` when a deal given probability 0 was won or one given 1 was
        lost.
    n : int
        The number of deals.
    base_rate : float
        The share of the deals that were won.
    table : DataFrame
        The reliability table: one row per non-empty bin, with columns ``bin`` (int,
        0-based number of the bin), ``lower`` and ``upper`` (its edges), ``count``
        (deals in it), ``mean_probability`` and ``observed_rate`` (the share won).

    Raises
    ------
    InvalidInputError
        A field that is not what it says above: a number that is not a real number
        within float range, or outside its range (NaN allowed): ``brier``,
        ``reliability``, ``within_bin_variance`` and ``base_rate`` in [0, 1],
        ``resolution`` and ``uncertainty`` in [0, 1/4], ``within_bin_covariance`` in
        [-2, 2], ``log_loss`` >= 0 (``inf`` allowed); ``n`` not an integer in
        [0, 2**53]; ``table`` not a DataFrame with its columns in order.

    See Also
    --------
    probability_calibration : builds this record.
    """

    brier: float = attrs.field(converter=_field("brier", 0.0, 1.0))  # type: ignore[misc]
    reliability: float = attrs.field(converter=_field("reliability", 0.0, 1.0))  # type: ignore[misc]
    resolution: float = attrs.field(converter=_field("resolution", 0.0, 0.25))  # type: ignore[misc]
    uncertainty: float = attrs.field(converter=_field("uncertainty", 0.0, 0.25))  # type: ignore[misc]
    within_bin_variance: float = attrs.field(converter=_field("within_bin_variance", 0.0, 1.0))  # type: ignore[misc]
    within_bin_covariance: float = attrs.field(converter=_field("within_bin_covariance", -2.0, 2.0))  # type: ignore[misc]
    log_loss: float = attrs.field(converter=_field("log_loss", 0.0, math.inf))  # type: ignore[misc]
    n: int = attrs.field(converter=_count)
    base_rate: float = attrs.field(converter=_field("base_rate", 0.0, 1.0))  # type: ignore[misc]
    table: pd.DataFrame = attrs.field(validator=_table, repr=False)


def probability_calibration(
    probability: Any, won: Any, *, bins: int | Sequence[float] = 10
) -> ProbabilityCalibration:
    r"""The Brier score of win probabilities, its decomposition, log loss and reliability table.

    Were the probabilities true? Of the deals given 60 %, about 60 % should have been
    won. Give the probability each closed deal had (at a snapshot before it closed)
    and whether it was won: the Brier score measures the probabilities overall, and
    its decomposition tells whether they were miscalibrated (reliability) or simply
    unable to tell winners from losers (resolution). The reliability table bins the
    probabilities and gives each bin's mean probability beside its observed win rate.

    Parameters
    ----------
    probability : array_like or Series
        The win probability of each deal, a fraction in [0, 1] (Salesforce's 60 is
        0.6: divide percentages by 100).
    won : array_like or Series
        Whether each deal was won: booleans, or the integers 0 and 1 (floats 0.0 and
        1.0 are read as 0 and 1); one per deal. Only closed deals belong here: an
        open deal has no outcome yet. Two Series are paired by label (the same
        labels, in any order); otherwise the deals are paired by position and the
        two must have equal lengths.
    bins : int or sequence of float, keyword-only, default 10
        An int: that many bins of equal width on [0, 1]. A sequence: the bins' edges,
        strictly increasing from 0 to 1 (``[0, 0.5, 0.9, 1]``). Each bin holds the
        probabilities from its lower edge up to, but not including, its upper edge;
        the last one includes 1. With an int, edge ``j`` is the float nearest
        ``j / bins``, so that a probability of 0.3 falls in the bin starting at 0.3.

    Returns
    -------
    ProbabilityCalibration
        ``brier``, ``reliability``, ``resolution``, ``uncertainty``,
        ``within_bin_variance``, ``within_bin_covariance``, ``log_loss``, ``n``,
        ``base_rate`` and the reliability ``table`` (one row per non-empty bin, with a
        fresh RangeIndex). Without deals, every number is NaN, ``n`` is 0 and the
        table is empty.

    Raises
    ------
    InvalidInputError
        A probability outside [0, 1] or NaN, an outcome that is not True/False or
        0/1 or is missing (the first few deals named: by label for a Series, by
        0-based position otherwise), arguments of different lengths, more than one
        dimension, or ``bins`` not a positive integer (at most 1,000,000) or not a
        strictly increasing sequence of edges from 0 to 1.
    IndexMismatchError
        Two Series whose labels differ (the labels missing on each side named), or
        that hold a label twice and are not in the same order. Two Series with the
        same labels in another order are aligned by label.

    See Also
    --------
    forecast_accuracy : how far past forecasts were from what was won.

    Notes
    -----
    With :math:`n` deals, probability :math:`f_i` and outcome :math:`o_i` (1 won, 0
    lost), and the deals put in bins :math:`k` of :math:`n_k` deals with mean
    probability :math:`\bar f_k`, win rate :math:`\bar o_k`, and the base rate
    :math:`\bar o`:

    .. math::

        \mathrm{BS} = \frac1n \sum_i (f_i - o_i)^2,
        \qquad
        \mathrm{LL} = -\frac1n \sum_i \bigl[o_i \ln f_i + (1 - o_i) \ln(1 - f_i)\bigr],

    with :math:`0 \ln 0 = 0` (a deal given 0 and lost, or 1 and won, adds 0). Nothing
    is clipped: a deal given 0 that was won, or 1 that was lost, makes the log loss
    ``inf``, which is what such certainty deserves. Murphy's (1973) decomposition

    .. math::

        \mathrm{REL} = \frac1n \sum_k n_k (\bar f_k - \bar o_k)^2,
        \quad
        \mathrm{RES} = \frac1n \sum_k n_k (\bar o_k - \bar o)^2,
        \quad
        \mathrm{UNC} = \bar o (1 - \bar o)

    is exact only when every deal of a bin has the same probability. Binning the
    probabilities adds the two terms of Stephenson, Coelho & Jolliffe (2008),

    .. math::

        \mathrm{WBV} = \frac1n \sum_k \sum_{i \in k} (f_i - \bar f_k)^2,
        \quad
        \mathrm{WBC} = \frac2n \sum_k \sum_{i \in k} (o_i - \bar o_k)(f_i - \bar f_k),

    so that :math:`\mathrm{BS} = \mathrm{REL} - \mathrm{RES} + \mathrm{UNC} +
    \mathrm{WBV} - \mathrm{WBC}` holds exactly. All terms but WBC are >= 0; the
    Brier score and UNC are at most 1 and 1/4.

    References
    ----------
    .. [1] G. W. Brier, "Verification of forecasts expressed in terms of
       probability", Monthly Weather Review 78(1):1-3, 1950.
    .. [2] A. H. Murphy, "A new vector partition of the probability score", Journal
       of Applied Meteorology 12(4):595-600, 1973.
    .. [3] D. B. Stephenson, C. A. S. Coelho and I. T. Jolliffe, "Two extra
       components in the Brier score decomposition", Weather and Forecasting
       23(4):752-757, 2008.

    Examples
    --------
    Five deals given 20 % (one won) and five given 80 % (four won): the
    probabilities were right, so reliability is 0:

    >>> from salescore.forecasting.calibration import probability_calibration
    >>> result = probability_calibration(
    ...     [0.2] * 5 + [0.8] * 5,
    ...     [True, False, False, False, False, True, True, True, True, False],
    ... )
    >>> round(result.brier, 10), result.reliability, round(result.resolution, 10)
    (0.16, 0.0, 0.09)
    >>> result.uncertainty, result.base_rate, result.n
    (0.25, 0.5, 10)
    >>> result.table
       bin  lower  upper  count  mean_probability  observed_rate
    0    2    0.2    0.3      5               0.2            0.2
    1    8    0.8    0.9      5               0.8            0.8

    Series are paired by label; a deal given certainty that went the other way makes
    the log loss infinite:

    >>> import pandas as pd
    >>> probability = pd.Series([1.0, 0.5], index=["D1", "D2"])
    >>> won = pd.Series([True, False], index=["D2", "D1"])
    >>> probability_calibration(probability, won, bins=[0, 0.5, 1]).log_loss
    inf
    """
    edges = _edges(bins)
    f, o = _inputs(probability, won)
    n = f.size
    if n == 0:
        nan = math.nan
        return ProbabilityCalibration(
            brier=nan,
            reliability=nan,
            resolution=nan,
            uncertainty=nan,
            within_bin_variance=nan,
            within_bin_covariance=nan,
            log_loss=nan,
            n=0,
            base_rate=nan,
            table=pd.DataFrame({column: pd.Series(dtype=_dtype(column)) for column in _COLUMNS}),
        )
    k = edges.size - 1
    # The bin of each probability: [lower, upper), the last bin closed at 1.
    index = np.minimum(np.searchsorted(edges, f, side="right") - 1, k - 1)
    outcome = o.astype(np.float64)
    counts = np.bincount(index, minlength=k)
    filled = counts > 0
    # Squares and means of probabilities near 5e-324 underflow to 0, as they should.
    with np.errstate(invalid="ignore", divide="ignore", under="ignore"):
        mean_f = np.bincount(index, weights=f, minlength=k) / counts
        mean_o = np.bincount(index, weights=outcome, minlength=k) / counts
        base = float(outcome.mean())
        brier = float(np.mean((f - outcome) ** 2))
        weights = counts[filled] / n
        reliability = float(np.sum(weights * (mean_f[filled] - mean_o[filled]) ** 2))
        resolution = float(np.sum(weights * (mean_o[filled] - base) ** 2))
        spread_f = f - mean_f[index]
        variance = float(np.mean(spread_f**2))
        covariance = 2.0 * float(np.mean((outcome - mean_o[index]) * spread_f))
        log_loss = _log_loss(f, o)
    table = pd.DataFrame(
        {
            "bin": np.flatnonzero(filled).astype(np.int64),
            "lower": edges[:-1][filled],
            "upper": edges[1:][filled],
            "count": counts[filled].astype(np.int64),
            "mean_probability": mean_f[filled],
            "observed_rate": mean_o[filled],
        }
    )
    return ProbabilityCalibration(
        brier=brier,
        reliability=reliability,
        resolution=resolution,
        uncertainty=base * (1.0 - base),
        within_bin_variance=variance,
        within_bin_covariance=covariance,
        log_loss=log_loss,
        n=n,
        base_rate=base,
        table=table,
    )


def _dtype(column: str) -> str:
    return "int64" if column in ("bin", "count") else "float64"


def _log_loss(f: FloatArray, o: BoolArray) -> float:
    """Mean negative log-likelihood with 0 ln 0 = 0; inf for a certainty proved wrong."""
    given = np.where(o, f, 1.0 - f)  # the probability given to what happened
    if np.any(given == 0.0):
        return math.inf
    # log1p keeps the precision of 1 - f for small f of a lost deal.
    terms = np.where(o, np.log(np.where(o, f, 1.0)), np.log1p(-np.where(o, 0.0, f)))
    return float(-np.mean(terms))


# ------------------------------------------------------------------ inputs


def _edges(bins: object) -> FloatArray:
    """The bin edges: ``j / bins`` for an int, else the checked sequence."""
    if isinstance(bins, (bool, np.bool_, numbers.Integral, np.integer)):
        count = option_count("bins", bins, maximum=MAX_BINS)
        if count < 1:
            raise InvalidInputError(f"bins must be a positive integer; got {count}")
        return np.arange(count + 1, dtype=np.float64) / count
    if isinstance(bins, (str, bytes)) or not isinstance(bins, (Sequence, np.ndarray)):
        raise InvalidInputError(
            "bins must be a positive integer or a sequence of edges from 0 to 1; "
            f"got {type(bins).__name__} {bins!r:.60}"
        )
    given = np.asarray(bins, dtype=object)
    if given.ndim != 1 or any(
        isinstance(edge, (bool, np.bool_, complex, np.complexfloating)) for edge in given
    ):
        raise InvalidInputError(f"bins must be a flat sequence of real numbers; got {bins!r:.60}")
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            edges = np.asarray(given.tolist(), dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInputError(
            f"bins must be a flat sequence of numbers; got {bins!r:.60}"
        ) from None
    if not bool(np.isfinite(edges).all()):
        raise InvalidInputError(f"bins must be finite edges from 0 to 1; got {bins!r:.60}")
    if (
        edges.ndim != 1
        or edges.size < 2
        or edges[0] != 0.0
        or edges[-1] != 1.0
        or not bool(np.all(np.diff(edges) > 0.0))
    ):
        raise InvalidInputError(
            "bins must be a strictly increasing sequence of edges from 0 to 1 (at least "
            f"two); got {bins!r:.60}"
        )
    edges.flags.writeable = False
    return edges


def _labels(index: pd.Index[Any] | None, positions: npt.NDArray[np.intp]) -> str:
    """The first few deals named: by label for a Series, else by 0-based position."""
    shown = positions[:_SHOWN]
    if index is None:
        named = ", ".join(f"[{p}]" for p in shown)
        kind = "0-based positions"
    else:
        named = ", ".join(repr(index[p]) for p in shown)
        kind = "labels"
    more = ", …" if positions.size > _SHOWN else ""
    return f"{kind}: {named}{more}"


def _inputs(probability: Any, won: Any) -> tuple[FloatArray, BoolArray]:
    """The checked probabilities and outcomes, paired by label when both are Series."""
    if not isinstance(probability, (pd.Series, np.ndarray, list, tuple)):
        raise InvalidInputError(
            "probability must be a 1-D array or Series of fractions, one per deal; got "
            f"{type(probability).__name__} {probability!r:.60}"
        )
    if isinstance(probability, pd.Series) and isinstance(won, pd.Series):
        won = _aligned(probability, won)
    (f,), _ = coerce(probability=probability)
    values = np.atleast_1d(np.asarray(f, dtype=np.float64))
    index = probability.index if isinstance(probability, pd.Series) else None
    missing = np.isnan(values)
    if missing.any():
        raise InvalidInputError(
            f"probability must be known for every deal; {np.count_nonzero(missing)} of "
            f"{values.size} are NaN ({_labels(index, np.flatnonzero(missing))})"
        )
    check_probability("probability", values)
    outcome = _outcomes(won)
    if outcome.size != values.size:
        raise InvalidInputError(
            f"probability has {values.size} elements but won has {outcome.size}; give "
            "one probability and one outcome per deal"
        )
    return values, outcome


def _aligned(probability: pd.Series[Any], won: pd.Series[Any]) -> pd.Series[Any]:
    """``won`` in the order of ``probability``'s labels; refused if the labels differ."""
    left, right = probability.index, won.index
    if left.equals(right):
        return won
    if not (left.is_unique and right.is_unique):
        raise IndexMismatchError(
            "probability and won are Series whose indexes differ and hold a label twice; "
            "pairing them by label would be ambiguous: give each deal one label"
        )
    only_left = left.difference(right, sort=False)
    only_right = right.difference(left, sort=False)
    if only_left.size or only_right.size:
        parts = [
            f"{name} lacks {extra.size} label(s) ({', '.join(map(repr, extra[:_SHOWN]))}"
            f"{', …' if extra.size > _SHOWN else ''})"
            for name, extra in (("won", only_left), ("probability", only_right))
            if extra.size
        ]
        raise IndexMismatchError(
            "probability and won are Series with different labels: "
            + "; ".join(parts)
            + "; salescore never pairs deals by position"
        )
    return won.reindex(left)


def _outcomes(won: Any) -> BoolArray:
    """Booleans from True/False or 0/1, refusing anything else and missing values."""
    index: pd.Index[Any] | None = None
    if isinstance(won, pd.Series):
        index = won.index
        dtype = won.dtype
        if pd.api.types.is_complex_dtype(dtype):
            raise InvalidInputError(
                f"won must hold True/False or 0/1; got complex values ({dtype})"
            )
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
            missing = won.isna().to_numpy()
            if missing.any():
                raise InvalidInputError(_missing(missing, index))
            kind = bool if pd.api.types.is_bool_dtype(dtype) else np.float64
            array: npt.NDArray[Any] = won.to_numpy(dtype=kind)
        else:
            array = won.to_numpy(dtype=object)
    elif isinstance(won, np.ma.MaskedArray):
        raise InvalidInputError(
            "won is a masked array; salescore does not read masks: pass a plain array"
        )
    elif isinstance(won, (np.ndarray, list, tuple)):
        try:
            array = np.asarray(won)
        except (TypeError, ValueError):
            raise InvalidInputError(
                f"won must be a flat sequence of True/False or 0/1; got {won!r:.60}"
            ) from None
    else:
        raise InvalidInputError(
            "won must be a 1-D array or Series of True/False or 0/1, one per deal; got "
            f"{type(won).__name__} {won!r:.60}"
        )
    if array.ndim != 1:
        raise InvalidInputError(f"won must be one-dimensional; got an array of shape {array.shape}")
    if array.dtype.kind == "b":
        return array.astype(bool, copy=True)
    if array.dtype.kind == "O":
        array = _object_outcomes(array, index)
    if array.dtype.kind not in "iuf":
        raise InvalidInputError(
            f"won must hold True/False or 0/1; got values of dtype {array.dtype}"
        )
    if array.dtype.kind == "f":
        missing = np.isnan(array)
        if missing.any():
            raise InvalidInputError(_missing(missing, index))
    bad = (array != 0) & (array != 1)
    if bad.any():
        positions = np.flatnonzero(bad)
        raise InvalidInputError(
            f"won must hold True/False or 0/1; {positions.size} of {array.size} values are "
            f"not ({_labels(index, positions)}; the first is {array[positions[0]].item()!r})"
        )
    return np.asarray(array == 1, dtype=bool)


def _object_outcomes(array: npt.NDArray[Any], index: pd.Index[Any] | None) -> FloatArray:
    """An object array of booleans, numbers or missing values as floats (NaN missing)."""
    missing = np.fromiter(
        (
            item is None or item is pd.NA or (isinstance(item, float) and item != item)
            for item in array
        ),
        dtype=bool,
        count=array.size,
    )
    if missing.any():
        raise InvalidInputError(_missing(missing, index))
    out = np.empty(array.size, dtype=np.float64)
    odd: list[int] = []
    for position, item in enumerate(array):
        if isinstance(item, (bool, np.bool_)) or (
            isinstance(item, numbers.Real) and (item == 0 or item == 1)
        ):
            out[position] = float(item)  # 0 or 1: no int beyond float range reaches here
        elif isinstance(item, numbers.Real):
            odd.append(position)
        else:
            raise InvalidInputError(
                f"won must hold True/False or 0/1; got {item!r:.60} "
                f"({_labels(index, np.array([position]))})"
            )
    if odd:
        raise InvalidInputError(
            f"won must hold True/False or 0/1; {len(odd)} of {array.size} values are not "
            f"({_labels(index, np.array(odd))}; the first is {array[odd[0]]!r:.60})"
        )
    return out


def _missing(missing: BoolArray, index: pd.Index[Any] | None) -> str:
    positions = np.flatnonzero(missing)
    return (
        f"won must be known (True/False or 0/1) for every deal; {positions.size} of "
        f"{missing.size} are missing ({_labels(index, positions)})"
    )
