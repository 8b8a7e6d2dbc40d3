"""How far were our forecasts from what we won? Errors per period, WAPE, bias and MAPE.

:func:`forecast_accuracy` sets the forecasts of past periods beside what was actually
won in them, period by period (and group by group: per team, region or owner), and
sums the errors up into the measures a revenue-operations team tracks: the weighted
absolute percentage error (WAPE), the bias (are we optimistic?) and, for comparison
with what other tools show, the mean absolute percentage error (MAPE) over the
periods in which something was won.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import FloatArray, coerce, power_of_two_scale, safe_divide
from ..errors import IndexMismatchError, InvalidInputError
from ._fields import table_field

__all__ = ["ForecastAccuracy", "forecast_accuracy"]

BoolArray: TypeAlias = npt.NDArray[np.bool_]
_SHOWN: Final = 5  # how many offending periods an error message lists
_PERIOD_COLUMNS: Final = ("forecast", "actual", "error", "absolute_error", "percentage_error")
_SUMMARY_COLUMNS: Final = (
    "forecast",
    "actual",
    "error",
    "absolute_error",
    "wape",
    "bias",
    "mape",
    "periods",
    "mape_periods",
    "mape_skipped",
)
_COUNTS: Final = ("periods", "mape_periods", "mape_skipped")
_FLOAT_MAX: Final = float(np.finfo(np.float64).max)


@attrs.frozen(kw_only=True, eq=False)
class ForecastAccuracy:
    """Past forecasts against what was won: the errors per period and their summary.

    Made by :func:`forecast_accuracy`; see there for the definitions.

    Parameters
    ----------
    periods : DataFrame
        One row per period (and group), on the forecast's index, with float64 columns
        ``forecast``, ``actual``, ``error`` (forecast - actual), ``absolute_error`` and
        ``percentage_error`` (error / actual as a fraction, NaN where actual is 0).
    summary : DataFrame
        One row per group (indexed by the ``by`` levels), or a single row labelled
        ``"all"``, with the sums ``forecast``, ``actual``, ``error`` and
        ``absolute_error``, the ratios ``wape``, ``bias`` and ``mape`` (fractions), and
        the int64 counts ``periods``, ``mape_periods`` (periods with a non-zero actual,
        which MAPE averages) and ``mape_skipped`` (periods whose actual is 0).

    Raises
    ------
    InvalidInputError
        ``periods`` or ``summary`` not a DataFrame with the columns above, in order.

    See Also
    --------
    forecast_accuracy : builds this record.
    """

    periods: pd.DataFrame = attrs.field(validator=table_field(_PERIOD_COLUMNS))
    summary: pd.DataFrame = attrs.field(validator=table_field(_SUMMARY_COLUMNS))


def forecast_accuracy(
    forecast: pd.Series[Any],
    actual: pd.Series[Any],
    *,
    by: str | Sequence[str] | None = None,
) -> ForecastAccuracy:
    r"""Forecast against actual per period: signed and absolute errors, WAPE, bias and MAPE.

    Can we trust our forecast? Set each past period's forecast beside the revenue
    actually won in it: the error of each period, and over all periods the weighted
    absolute percentage error (how far off, relative to what was won), the bias
    (positive when the forecasts were too high) and the MAPE. With ``by``, the summary
    is given per team, region or owner.

    WAPE is the measure to read. MAPE is undefined in a period where nothing was won
    (such periods are skipped, and counted), swings wildly when little was won, and
    weighs a small period's miss as much as a large one's (Hyndman & Koehler 2006
    review these problems); and since a forecast below the actual misses by at most
    100 % while one above it can miss by any amount, it favours forecasts that are too
    low. WAPE divides the total absolute error by the total actual: the MAD/mean ratio
    that Kolassa & Schütz (2007) recommend instead.

    Parameters
    ----------
    forecast : Series
        The forecast of each period: amounts >= 0 (float or integer dtype, one
        currency), indexed by period. The index is the periods (a PeriodIndex, dates,
        or any labels), or a MultiIndex of group levels and the period (such as
        ``(region, quarter)``); each label once, none missing.
    actual : Series
        What was won in each period, >= 0, in the same currency, with the same labels
        as ``forecast`` (in any order: they are paired by label).
    by : str, or list or tuple of str, keyword-only, optional
        The names of the index levels that make a group (``"region"``); the summary
        has one row per group. They must be levels of a MultiIndex whose names both
        Series share, and leave at least one level for the periods. ``None`` gives a
        single summary row ``"all"``.

    Returns
    -------
    ForecastAccuracy
        ``periods``: one row per label, in the order of ``forecast``'s index, with
        ``forecast``, ``actual``, ``error``, ``absolute_error`` and
        ``percentage_error``. ``summary``: one row per group, in the order the groups
        first appear in ``forecast``'s index (or the single row ``"all"``), with the
        sums, ``wape``, ``bias``, ``mape`` and the counts ``periods``,
        ``mape_periods`` and ``mape_skipped``. Empty Series give an empty ``periods``
        and, without ``by``, a row ``"all"`` of NaN ratios and zero counts.

    Raises
    ------
    InvalidInputError
        ``forecast`` or ``actual`` is not a pandas Series (a DataFrame: pass one
        column), holds something other than numbers, or a value that is NaN, negative
        or infinite; a label given twice or a missing label; ``by`` not a level name
        (or a list of them), naming every level, or given while the index is not a
        MultiIndex; an actual so near 0 beside its forecast that the percentage error
        is beyond float range. The message names the periods concerned.
    IndexMismatchError
        The two Series do not hold the same labels (those missing on each side
        named), or, with ``by``, their levels have different names.

    See Also
    --------
    probability_calibration : whether the deals' probabilities were true.

    Notes
    -----
    With forecast :math:`F_t`, actual :math:`A_t \ge 0` and error
    :math:`e_t = F_t - A_t` over the periods :math:`t` of a group:

    .. math::

        \mathrm{WAPE} = \frac{\sum_t |e_t|}{\sum_t A_t},
        \qquad
        \mathrm{bias} = \frac{\sum_t e_t}{\sum_t A_t},
        \qquad
        \mathrm{MAPE} = \frac{1}{|T^+|} \sum_{t \in T^+} \frac{|e_t|}{A_t},
        \quad T^+ = \{t : A_t \neq 0\}.

    All three are fractions (0.12 is 12 %). WAPE and bias are NaN when the actuals of
    the group sum to 0: nothing was won, so no error can be stated relative to what
    was won (any forecast above 0 would be an infinite miss). MAPE is NaN when no
    period has a non-zero actual. The percentage error of a period,
    :math:`e_t / A_t`, is NaN where :math:`A_t = 0`. Multiplying forecasts and actuals
    by the same factor changes none of the ratios.

    References
    ----------
    .. [1] R. J. Hyndman and A. B. Koehler, "Another look at measures of forecast
       accuracy", International Journal of Forecasting 22(4):679-688, 2006.
    .. [2] S. Kolassa and W. Schütz, "Advantages of the MAD/MEAN ratio over the
       MAPE", Foresight: The International Journal of Applied Forecasting 6:40-43,
       2007.

    Examples
    --------
    Four quarters: the third won nothing, so MAPE averages the other three:

    >>> import pandas as pd
    >>> from salescore.forecasting.accuracy import forecast_accuracy
    >>> quarters = pd.period_range("2026Q1", periods=4, freq="Q", name="quarter")
    >>> forecast = pd.Series([100.0, 120.0, 30.0, 90.0], index=quarters)
    >>> actual = pd.Series([80.0, 120.0, 0.0, 100.0], index=quarters)
    >>> result = forecast_accuracy(forecast, actual)
    >>> result.periods
             forecast  actual  error  absolute_error  percentage_error
    quarter
    2026Q1      100.0    80.0   20.0            20.0              0.25
    2026Q2      120.0   120.0    0.0             0.0              0.00
    2026Q3       30.0     0.0   30.0            30.0               NaN
    2026Q4       90.0   100.0  -10.0            10.0             -0.10
    >>> summary = result.summary.loc["all"]
    >>> float(summary["wape"]), float(summary["bias"])  # 60 / 300 and 40 / 300
    (0.2, 0.13333333333333333)
    >>> float(summary["mape"]), int(summary["mape_skipped"])  # (0.25 + 0 + 0.1) / 3
    (0.11666666666666665, 1)

    Per region, with the region a level of the index:

    >>> index = pd.MultiIndex.from_product(
    ...     [["north", "south"], ["2026Q1", "2026Q2"]], names=["region", "quarter"]
    ... )
    >>> forecast = pd.Series([50.0, 60.0, 40.0, 40.0], index=index)
    >>> actual = pd.Series([40.0, 60.0, 50.0, 30.0], index=index)
    >>> forecast_accuracy(forecast, actual, by="region").summary[["wape", "bias"]]
            wape  bias
    region
    north    0.1   0.1
    south    0.25  0.0
    """
    f_values, f_index = _amounts("forecast", forecast)
    a_values, a_index = _amounts("actual", actual)
    order = _paired(f_index, a_index)
    if order is not None:
        a_values = a_values[order]
    levels = _levels(by, f_index, a_index)
    error = f_values - a_values
    percentage = _percentage_errors(error, a_values, f_index)
    periods = pd.DataFrame(
        {
            "forecast": f_values,
            "actual": a_values,
            "error": error,
            "absolute_error": np.abs(error),
            "percentage_error": percentage,
        },
        index=f_index.copy(),
    )
    summary = _summary(f_values, a_values, np.abs(percentage), f_index, levels)
    return ForecastAccuracy(periods=periods, summary=summary)


def _percentage_errors(error: FloatArray, actual: FloatArray, index: pd.Index[Any]) -> FloatArray:
    """``error / actual`` (NaN where actual is 0), refused where it is beyond float range."""
    ratio = np.asarray(safe_divide(error, actual), dtype=np.float64)
    beyond = np.isinf(ratio)
    if beyond.any():
        positions = np.flatnonzero(beyond)
        raise InvalidInputError(
            f"the percentage error (error / actual) of {positions.size} period(s) is beyond "
            f"float range (at most about 1.8e308): an actual almost 0 beside a larger forecast "
            f"({_named(index, positions)}); check those actuals"
        )
    return ratio


def _summary(
    forecast: FloatArray,
    actual: FloatArray,
    ape: FloatArray,
    index: pd.Index[Any],
    levels: list[str] | None,
) -> pd.DataFrame:
    """The sums, ratios and counts per group (or of all periods).

    ``ape`` is each period's absolute percentage error (NaN where the actual is 0).
    """
    # Divided by a power of two near the largest amount: the sums cannot overflow and
    # the ratios are those of the unscaled sums. The same for the percentage errors.
    scale = power_of_two_scale(forecast, actual)
    used = actual != 0.0
    ape_scale = power_of_two_scale(ape)
    with np.errstate(under="ignore"):
        f = forecast / scale
        a = actual / scale
        scaled_ape = np.where(used, ape, 0.0) / ape_scale
    e = f - a
    parts = pd.DataFrame(
        {
            "forecast": f,
            "actual": a,
            "error": e,
            "absolute_error": np.abs(e),
            "ape": scaled_ape,
            "periods": np.ones(actual.size, dtype=np.int64),
            "mape_periods": used.astype(np.int64),
        },
        index=index,
    )
    if levels is None:
        sums = parts.sum().to_frame("all").T
        sums.index = pd.Index(["all"], dtype=object)
    else:
        sums = parts.groupby(level=levels, sort=False, dropna=False).sum()
    total = sums["actual"].to_numpy(dtype=np.float64)
    count = sums["mape_periods"].to_numpy(dtype=np.int64)
    # The mean of numbers within float range is within it too (to a rounding).
    with np.errstate(over="ignore"):
        mape = np.minimum(
            safe_divide(sums["ape"].to_numpy(dtype=np.float64), count.astype(np.float64))
            * ape_scale,
            _FLOAT_MAX,
        )
    return pd.DataFrame(
        {
            "forecast": _unscaled("forecast", sums, scale),
            "actual": _unscaled("actual", sums, scale),
            "error": _unscaled("error", sums, scale),
            "absolute_error": _unscaled("absolute_error", sums, scale),
            "wape": safe_divide(sums["absolute_error"].to_numpy(dtype=np.float64), total),
            "bias": safe_divide(sums["error"].to_numpy(dtype=np.float64), total),
            "mape": mape,
            "periods": sums["periods"].to_numpy(dtype=np.int64),
            "mape_periods": count,
            "mape_skipped": sums["periods"].to_numpy(dtype=np.int64) - count,
        },
        index=sums.index,
    )


def _unscaled(column: str, sums: pd.DataFrame, scale: float) -> FloatArray:
    """A column of scaled sums times ``scale``, refused where that is beyond float range."""
    with np.errstate(over="ignore"):
        total = sums[column].to_numpy(dtype=np.float64) * scale
    beyond = np.isinf(total)
    if beyond.any():
        raise InvalidInputError(
            f"the {column} summed over the periods is beyond float range (at most about "
            f"1.8e308) for {np.count_nonzero(beyond)} group(s) "
            f"({_named(sums.index, np.flatnonzero(beyond))}); give the amounts in a larger "
            "unit (thousands, say)"
        )
    return total


# ------------------------------------------------------------------ inputs


def _named(index: pd.Index[Any], positions: npt.NDArray[np.intp]) -> str:
    shown = ", ".join(repr(index[p]) for p in positions[:_SHOWN])
    return shown + (", …" if positions.size > _SHOWN else "")


def _amounts(name: str, series: object) -> tuple[FloatArray, pd.Index[Any]]:
    """A Series' amounts as float64, refusing NaN, negatives, infinities and bad labels."""
    if not isinstance(series, pd.Series):
        advice = (
            " (pass one column, for example frame['forecast'])"
            if isinstance(series, pd.DataFrame)
            else ""
        )
        raise InvalidInputError(
            f"{name} must be a pandas Series of amounts indexed by period; got "
            f"{type(series).__name__}{advice}"
        )
    (values,), _ = coerce(**{name: series})
    amounts = np.array(values, dtype=np.float64, ndmin=1)
    index = series.index
    with np.errstate(invalid="ignore"):
        bad = ~(np.isfinite(amounts) & (amounts >= 0.0))
    if bad.any():
        positions = np.flatnonzero(bad)
        shown = ", ".join(f"{index[p]!r}: {float(amounts[p])!r}" for p in positions[:_SHOWN])
        more = ", …" if positions.size > _SHOWN else ""
        raise InvalidInputError(
            f"{name} must be a finite amount >= 0 in every period; {positions.size} of "
            f"{amounts.size} are not ({shown}{more})"
        )
    missing = _missing_labels(index)
    if missing.any():
        raise InvalidInputError(
            f"{name}'s index must name every period; {np.count_nonzero(missing)} label(s) "
            f"missing (0-based positions: "
            f"{', '.join(str(p) for p in np.flatnonzero(missing)[:_SHOWN])})"
        )
    twice = index.duplicated(keep=False)
    if twice.any():
        repeated = index[twice].unique()
        raise InvalidInputError(
            f"{name} must hold each period once; {repeated.size} label(s) appear more than "
            f"once ({_named(repeated, np.arange(repeated.size))}): sum or pick them first"
        )
    return amounts, index


def _missing_labels(index: pd.Index[Any]) -> BoolArray:
    if isinstance(index, pd.MultiIndex):
        missing = np.zeros(len(index), dtype=bool)
        for codes in index.codes:
            missing |= np.asarray(codes) == -1
        return missing
    return np.asarray(index.isna(), dtype=bool)


def _paired(forecast: pd.Index[Any], actual: pd.Index[Any]) -> npt.NDArray[np.intp] | None:
    """Positions in ``actual`` of ``forecast``'s labels; None when already in order."""
    if forecast.equals(actual):
        return None
    only_forecast = forecast.difference(actual, sort=False)
    only_actual = actual.difference(forecast, sort=False)
    if only_forecast.size or only_actual.size:
        parts = [
            f"{name} lacks {extra.size} period(s) ({_named(extra, np.arange(extra.size))})"
            for name, extra in (("actual", only_forecast), ("forecast", only_actual))
            if extra.size
        ]
        raise IndexMismatchError(
            "forecast and actual must hold the same periods: "
            + "; ".join(parts)
            + "; salescore never pairs periods by position"
        )
    if forecast.nlevels != actual.nlevels:  # pragma: no cover - equal labels imply it
        raise IndexMismatchError("forecast and actual have indexes of different depths")
    return actual.get_indexer(forecast)


def _levels(by: object, forecast: pd.Index[Any], actual: pd.Index[Any]) -> list[str] | None:
    """The checked group level names, or None for a single group."""
    if by is None:
        return None
    names = [by] if isinstance(by, str) else by
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise InvalidInputError(f"by must be a level name or a list of level names; got {by!r:.60}")
    if not names or len(set(names)) != len(names):
        raise InvalidInputError(f"by must name one or more distinct levels; got {by!r:.60}")
    if not isinstance(forecast, pd.MultiIndex):
        raise InvalidInputError(
            f"by={by!r:.60} needs a MultiIndex of group levels and the period; forecast "
            f"has a single-level index named {forecast.name!r}"
        )
    if list(forecast.names) != list(actual.names):
        raise IndexMismatchError(
            f"forecast and actual must name their index levels alike to group by {by!r:.60}; "
            f"got {list(forecast.names)!r} and {list(actual.names)!r}"
        )
    unknown = [n for n in names if n not in forecast.names]
    if unknown:
        raise InvalidInputError(
            f"by names no level of the index: {unknown!r}; the levels are {list(forecast.names)!r}"
        )
    if len(names) >= forecast.nlevels:
        raise InvalidInputError(
            f"by must leave at least one level of the index for the periods; it names all "
            f"of {list(forecast.names)!r}"
        )
    return list(names)
