"""Column checks shared by the table functions."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._arrays import align_zones
from .errors import InvalidInputError, SchemaError

#: What pandas' type inference calls a column whose values can all be hashed.
_HASHABLE_INFERRED: Final = frozenset(
    {
        "empty",
        "string",
        "bytes",
        "integer",
        "floating",
        "mixed-integer-float",
        "decimal",
        "boolean",
        "datetime64",
        "datetime",
        "date",
        "timedelta64",
        "timedelta",
        "time",
        "period",
        "categorical",
        "complex",
        "interval",
    }
)

__all__ = [
    "PERIOD",
    "SHOWN",
    "TOTAL",
    "align_columns",
    "counted",
    "float_column",
    "group_columns",
    "group_sums",
    "option_column",
    "period_dtype",
    "periods",
    "plain_sum",
    "positional_keys",
    "require_columns",
    "require_numeric",
    "row_ids",
    "which",
]

SHOWN: Final = 5  # how many rows an error message names
TOTAL: Final = "total"  # the row label of an ungrouped table
PERIOD: Final = "period"  # the name of the period key of a table by period


def counted(number: int, noun: str) -> str:
    """``"1 row"``, ``"1,234 rows"``: a count and its noun, for messages and notes."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def option_column(name: str, value: object, *, optional: bool = False) -> str | None:
    """Validate a keyword option that names a column: a string (or None when ``optional``).

    A name that is not a string (None where a column is required, ``pd.NA``, a list) is
    refused here, under the option's name, before any lookup in the frame.
    """
    if isinstance(value, str) or (optional and value is None):
        return value
    needed = "a column name (str) or None" if optional else "a column name (str)"
    raise InvalidInputError(f"{name} must be {needed}; got {type(value).__name__} {value!r:.60}")


def _frame_shape(table: str, frame: object, names: Iterable[object]) -> list[str]:
    """The checks every frame reader makes first; returns the distinct wanted names."""
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"{table} must be a pandas DataFrame; got {type(frame).__name__}")
    given = list(names)
    odd = [name for name in given if not isinstance(name, str)]
    if odd:
        raise InvalidInputError(
            f"{table}: column names must be strings; got {odd[0]!r:.60} ({type(odd[0]).__name__})"
        )
    if isinstance(frame.columns, pd.MultiIndex):
        raise SchemaError(
            f"{table}: the columns have {frame.columns.nlevels} header levels (a "
            "MultiIndex); salescore reads one row of column names: flatten them first, "
            "for example with frame.columns.map('_'.join)"
        )
    return list(dict.fromkeys(given))  # type: ignore[arg-type]


def _hashes(item: object) -> bool:
    try:
        hash(item)
    except TypeError:
        return False
    return True


def _unhashable(table: str, frame: pd.DataFrame, names: Iterable[str]) -> str | None:
    """A problem naming the first rows of an object column holding lists, dicts or sets."""
    for name in names:
        column = frame[name]
        if column.dtype != object:
            continue
        if pd.api.types.infer_dtype(column, skipna=True) in _HASHABLE_INFERRED:
            continue
        bad = np.fromiter(
            (not _hashes(item) for item in column.to_numpy()),
            dtype=bool,
            count=len(column),
        )
        if bad.any():
            rows = which(frame.index.to_numpy(dtype=object), bad, list(column.to_numpy()))
            return (
                f"column {name!r} must hold single values (text, numbers, ids), not "
                f"lists, dicts or sets; {rows}"
            )
    return None


def require_columns(table: str, frame: object, columns: Iterable[str]) -> None:
    """Raise :class:`SchemaError` listing every column of ``columns`` that is missing."""
    wanted = _frame_shape(table, frame, columns)
    assert isinstance(frame, pd.DataFrame)
    missing = [column for column in wanted if column not in frame.columns]
    if missing:
        listed = ", ".join(repr(column) for column in missing)
        plural = "s" if len(missing) > 1 else ""
        raise SchemaError(
            f"{table}: missing column{plural} {listed} (it has {list(frame.columns)!r}); "
            "pass the names your table uses as keyword arguments"
        )
    repeated = [column for column in wanted if (frame.columns == column).sum() > 1]
    if repeated:
        listed = ", ".join(repr(column) for column in repeated)
        raise SchemaError(f"{table}: more than one column is named {listed}")
    unhashable = _unhashable(table, frame, wanted)
    if unhashable is not None:
        raise SchemaError(f"{table}: {unhashable}")


def require_numeric(table: str, frame: pd.DataFrame, columns: Iterable[str]) -> None:
    """Raise :class:`SchemaError` listing every column of ``columns`` that is not numeric."""
    wrong = [
        f"{column!r} has dtype {frame[column].dtype}"
        for column in dict.fromkeys(columns)
        if pd.api.types.is_bool_dtype(frame[column].dtype)
        or pd.api.types.is_complex_dtype(frame[column].dtype)
        or not pd.api.types.is_numeric_dtype(frame[column].dtype)
    ]
    if wrong:
        raise SchemaError(f"{table}: columns must be numeric: {'; '.join(wrong)}")


def float_column(frame: pd.DataFrame, column: str) -> pd.Series[float]:
    """A numeric column as float64 on the frame's index, missing values as NaN."""
    return pd.Series(
        frame[column].to_numpy(dtype=np.float64, na_value=np.nan),
        index=frame.index,
        name=column,
    )


def row_ids(frame: pd.DataFrame, column: str | None) -> npt.NDArray[np.object_]:
    """Each row's id as a Python object: the ``column`` values, or the index when None."""
    if column is None:
        return frame.index.to_numpy(dtype=object)
    return frame[column].to_numpy(dtype=object)


def which(
    ids: npt.NDArray[np.object_],
    mask: npt.NDArray[np.bool_],
    shown: Sequence[object] | None = None,
    *,
    noun: str = "row",
    plural: str | None = None,
) -> str:
    """How many rows ``mask`` flags, and the first few: ``2 leads: 'L3' (-5.0), 'L7' (inf)``.

    ``shown`` gives a value per row to print beside each id; ``plural`` is the plural
    of ``noun`` (default: ``noun`` + "s").
    """
    positions = np.flatnonzero(mask)
    items = []
    for position in positions[:SHOWN]:
        item = repr(ids[position])
        if shown is not None:
            item += f" ({shown[position]!r})"
        items.append(item)
    more = ", …" if positions.size > SHOWN else ""
    many = plural if plural is not None else f"{noun}s"
    count = f"1 {noun}" if positions.size == 1 else f"{positions.size} {many}"
    return f"{count}: {', '.join(items)}{more}"


def group_columns(by: str | Sequence[str] | None) -> list[str]:
    """The ``by`` option of a grouped table as a list of distinct column names."""
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    if isinstance(by, (list, tuple)) and all(isinstance(column, str) for column in by):
        return list(dict.fromkeys(by))
    raise InvalidInputError(
        f"by must be None, a column name or a list of column names; got {by!r:.60}"
    )


def period_dtype(freq: object) -> pd.PeriodDtype:
    """The period dtype of a pandas alias such as "M".

    Refused: an unknown alias, a span that is not positive ("0D", "-1M"), and an alias
    pandas deprecates (such as "B"), whose warning would otherwise reach the caller.
    """
    reason = ""
    if isinstance(freq, str):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                dtype = pd.PeriodDtype(freq)
        except Warning as warning:
            reason = f" (pandas: {str(warning).splitlines()[0]:.120})"
        except (ValueError, TypeError, AttributeError):  # pandas 2.2: "cbh" AttributeError
            pass
        else:
            if dtype.freq.n > 0:
                return dtype
            reason = " (a period must span a positive length)"
    raise InvalidInputError(
        f"freq must be a pandas period alias such as 'M', 'Q', 'W' or 'Y'; got {freq!r:.60}{reason}"
    )


def periods(dates: pd.Series[Any], dtype: pd.PeriodDtype) -> pd.Series[Any]:
    """The period of each date, named ``period``, on a fresh positional index."""
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        # Periods of the local calendar; to_period would warn and drop the zone anyway.
        dates = dates.dt.tz_localize(None)
    labels: pd.Series[Any] = dates.dt.to_period(dtype.freq)
    return labels.rename(PERIOD).reset_index(drop=True)


def align_columns(frame: pd.DataFrame, columns: Iterable[str | None]) -> pd.DataFrame:
    """``frame`` with the timestamp ``columns`` it combines on one clock (:func:`align_zones`).

    When the named columns mix time-zone-aware and naive timestamps, the aware ones are
    converted to UTC and their zone dropped, in a shallow copy; otherwise ``frame`` is
    returned as it is. None and names the frame lacks are skipped (a missing column is
    reported by the column checks).
    """
    names = [name for name in dict.fromkeys(columns) if name is not None and name in frame]
    before = [frame[name] for name in names]
    after = align_zones(*before)
    if all(old is new for old, new in zip(before, after, strict=True)):
        return frame
    out = frame.copy(deep=False)
    for name, old, new in zip(names, before, after, strict=True):
        if new is not old:
            out[name] = new
    return out


def plain_sum(values: pd.Series[Any]) -> float:
    """A sum that overflows to ±inf (pandas 2.2's grouped sum gives NaN)."""
    return float(np.sum(values.to_numpy(dtype=np.float64, na_value=np.nan)))


def group_sums(
    parts: pd.DataFrame, keys: list[pd.Series[Any]]
) -> tuple[pd.DataFrame, pd.Series[int]]:
    """Group sums in which a NaN reaches its group's figure, and the group sizes."""
    whole = not keys
    if whole:  # one group for the whole table, present even when it is empty
        keys = [pd.Series(TOTAL, index=parts.index, dtype=object)]
    # observed=True: unused categories of a categorical key have no deals.
    grouped = parts.groupby(keys, sort=False, dropna=False, observed=True)
    # GroupBy sums skip NaN; the NaN policy wants it to reach the group's figures.
    has_nan = parts.isna().groupby(keys, sort=False, dropna=False, observed=True).any()
    sums = grouped.sum().where(~has_nan)
    # pandas 2.2 adds with Kahan summation, which turns a sum that overflows into
    # inf - inf = NaN: such a sum is redone plainly, so that it is ±inf and the caller
    # can refuse it, rather than a NaN that would read as "unknown".
    overflowed = sums.isna() & ~has_nan
    if overflowed.to_numpy().any():
        with np.errstate(over="ignore", invalid="ignore"):
            plain = grouped.agg(plain_sum)
        sums = sums.where(~overflowed, plain)
    sizes = grouped.size()
    if whole and sums.empty:
        sums = sums.reindex([TOTAL], fill_value=0.0)
        sizes = sizes.reindex([TOTAL], fill_value=0)
    elif not whole:  # an empty grouping loses the key names
        names = [key.name for key in keys]
        sums.index = sums.index.set_names(names)
        sizes.index = sizes.index.set_names(names)
    return sums, sizes


def positional_keys(
    frame: pd.DataFrame, rows: npt.NDArray[np.bool_], columns: list[str]
) -> list[pd.Series[Any]]:
    """The selected rows' values of ``columns`` as group keys on a positional index.

    A frame with repeated index labels must not be aligned on them.
    """
    return [frame.loc[rows, column].reset_index(drop=True) for column in columns]


def column_problems(table: str, frame: object, wanted: Iterable[tuple[str, str | None]]) -> None:
    """Raise one :class:`SchemaError` listing every column problem of ``frame``.

    ``wanted`` gives each column the calculation reads as (name, kind), the kind one of
    :data:`salescore.schema.KINDS` or None for a column of any dtype. Reported at once:
    repeated column names, all missing columns, and each present column whose dtype
    the calculation cannot read.
    """
    wanted = list(wanted)
    _frame_shape(table, frame, (name for name, _ in wanted))
    assert isinstance(frame, pd.DataFrame)
    kinds: dict[str, str | None] = {}
    for name, kind in wanted:
        if kinds.get(name) is None:  # a name wanted twice keeps the kind it was given
            kinds[name] = kind
    problems: list[str] = []
    repeated = [name for name in kinds if (frame.columns == name).sum() > 1]
    if repeated:
        problems.append(f"more than one column is named {', '.join(map(repr, repeated))}")
    missing = [name for name in kinds if name not in frame.columns]
    if missing:
        problems.append(
            f"missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(map(repr, missing))} (it has {list(frame.columns)!r}); "
            "pass the names your table uses as keyword arguments"
        )
    for name, kind in kinds.items():
        if kind is not None and name not in missing and name not in repeated:
            wrong = _dtype_misfit(name, kind, frame[name].dtype)
            if wrong is not None:
                problems.append(wrong)
    readable = [
        name
        for name, kind in kinds.items()
        if kind not in ("number", "fraction", "date", "timestamp")
        and name not in missing
        and name not in repeated
    ]
    unhashable = _unhashable(table, frame, readable)
    if unhashable is not None:
        problems.append(unhashable)
    if len(problems) == 1:
        raise SchemaError(f"{table}: {problems[0]}")
    if problems:
        listed = "\n".join(f"- {problem}" for problem in problems)
        raise SchemaError(f"{table}: {len(problems)} problems:\n{listed}")


def _dtype_misfit(name: str, kind: str, dtype: Any) -> str | None:
    """Why a column of ``dtype`` cannot be read as ``kind``, or None if it can."""
    if kind in ("number", "fraction"):
        if (
            pd.api.types.is_numeric_dtype(dtype)
            and not pd.api.types.is_bool_dtype(dtype)
            and not pd.api.types.is_complex_dtype(dtype)
        ):
            return None
        return f"column {name!r} has dtype {dtype}; it must be numeric (float64)"
    if kind in ("date", "timestamp"):
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return None
        return (
            f"column {name!r} must hold datetimes (datetime64, naive or tz-aware); "
            f"it has dtype {dtype} (convert it with pandas.to_datetime)"
        )
    return None  # labels, ids and flags: the calculation checks their values
