"""Checking a frame against the canonical tables: validate, row_problems, check_columns.

:func:`validate` checks a frame against a table of :data:`~salescore.schema.TABLES`
and raises one :class:`~salescore.errors.SchemaError` that lists every problem at once,
so that a table is fixed in one go; :func:`row_problems` gives the value problems row
by row instead (the adapters use it to reject rows rather than whole calls); and
:func:`check_columns` is the check every table function makes of the columns it reads,
under the caller's names, before it reads them.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Mapping
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import option_flag, utc_naive
from .._tables import column_problems, which
from ..errors import InvalidInputError, SchemaError
from .tables import KINDS, TABLES, Column, Table
from .vocabularies import CURRENCIES, WITHDRAWN_CURRENCIES

__all__ = [
    "check_columns",
    "row_problems",
    "validate",
]

BoolArray = npt.NDArray[np.bool_]

# A later moment must not come before an earlier one, in the same row:
# (table, earlier, later, compare as calendar dates?)
_ORDER: Final = (
    ("deals", "created", "close_date", True),
    ("stage_history", "entered", "exited", False),
    ("leads", "created", "first_contact", False),
)


# ------------------------------------------------------------------ checks


def _lookup(table: object) -> Table:
    if isinstance(table, Table):
        return table
    if isinstance(table, str) and table in TABLES:
        return TABLES[table]
    raise SchemaError(f"table must be one of {', '.join(TABLES)}; got {table!r}")


def _frame(spec: Table, frame: object) -> None:
    """The checks of the frame itself: a DataFrame, with one row of column names."""
    # The central check: not a DataFrame, or a MultiIndex header -> SchemaError.
    column_problems(spec.name, frame, ())


def _is_text_dtype(dtype: Any) -> bool:
    return pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)


def _dtype_problem(column: Column, series: pd.Series[Any]) -> str | None:
    """Why ``series`` cannot hold ``column``, or None if its dtype fits."""
    dtype = series.dtype
    kind = column.kind
    if kind in ("id", "text", "choice", "currency"):
        fits = _is_text_dtype(dtype) or (kind == "id" and pd.api.types.is_integer_dtype(dtype))
        wanted = "object (or a pandas string dtype)"
    elif kind in ("number", "fraction"):
        fits = (
            pd.api.types.is_numeric_dtype(dtype)
            and not pd.api.types.is_bool_dtype(dtype)
            and not pd.api.types.is_complex_dtype(dtype)  # its cast to float drops a part
        )
        wanted = "float64"
    elif kind == "date":
        fits = pd.api.types.is_datetime64_dtype(dtype)  # naive only
        wanted = "datetime64[ns] without a time zone"
    elif kind == "timestamp":
        fits = pd.api.types.is_datetime64_any_dtype(dtype)
        wanted = "datetime64[ns] meaning UTC (or time-zone-aware datetime64)"
    else:  # flag
        fits = pd.api.types.is_bool_dtype(dtype)
        wanted = "bool"
    return None if fits else f"column {column.name!r} has dtype {dtype}; it must be {wanted}"


def _missing(series: pd.Series[Any]) -> BoolArray:
    return series.isna().to_numpy(dtype=bool)


def _value_masks(column: Column, series: pd.Series[Any]) -> list[tuple[BoolArray, str]]:
    """(rows, what is wrong with them) for each kind of bad value in one column."""
    missing = _missing(series)
    found: list[tuple[BoolArray, str]] = []
    if not column.nullable and missing.any():
        found.append((missing, "is missing"))
    present = ~missing
    kind = column.kind
    objects: npt.NDArray[Any] | None = None
    if kind in ("number", "fraction"):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            if kind == "fraction":
                bad = present & ~((values >= 0.0) & (values <= 1.0))
                allowed = "a fraction in [0, 1] (divide percentages by 100)"
            else:
                low = -np.inf if column.minimum is None else column.minimum
                bad = present & ~((values >= low) & np.isfinite(values))
                allowed = "finite" if column.minimum is None else f"finite and >= {low:g}"
        if bad.any():
            found.append((bad, f"must be {allowed}"))
    elif kind == "date":
        stamps = pd.DatetimeIndex(series)
        bad = present & (stamps != stamps.normalize())
        if bad.any():
            found.append((bad, "must be a date (midnight, no time of day)"))
    elif kind in ("id", "text", "choice", "currency") and series.dtype == object:
        held = _held(series)
        if held == "string":  # str values only: check blank ids, nothing else
            if kind == "id":
                blank = np.zeros(len(series), dtype=bool)
                strings = series.to_numpy(dtype=object)[present]
                blank[present] = np.asarray(strings == "", dtype=bool) | np.fromiter(
                    map(str.isspace, strings), dtype=bool, count=len(strings)
                )
                if blank.any():
                    found.append((blank, "must be a non-blank str or an int"))
        elif held != "integer" or kind != "id":
            objects = series.to_numpy(dtype=object)
    if objects is not None:
        if kind == "id":
            bad = present & ~np.fromiter(
                (_is_id(value) for value in objects), dtype=bool, count=len(objects)
            )
            rule = "must be a non-blank str or an int"
        else:
            bad = present & ~np.fromiter(
                (isinstance(value, str) for value in objects), dtype=bool, count=len(objects)
            )
            rule = "must be a str"
        if bad.any():
            found.append((bad, rule))
            present = present & ~bad
    if kind == "choice" and column.allowed is not None:
        # Values of the wrong type are masked first: a list cannot be looked up.
        bad = present & ~series.where(present).isin(column.allowed).to_numpy(dtype=bool)
        if bad.any():
            found.append((bad, f"must be one of {', '.join(column.allowed)}"))
    elif kind == "currency":
        known = series.where(present)
        codes = known.isin(CURRENCIES) | known.isin(WITHDRAWN_CURRENCIES)
        bad = present & ~codes.to_numpy(dtype=bool)
        if bad.any():
            found.append((bad, "must be an upper-case ISO 4217 code such as 'EUR'"))
    if column.unique:
        repeated = present & _repeated(series, present)
        if repeated.any():
            found.append((repeated, "must be unique; repeated"))
    return found


def _repeated(series: pd.Series[Any], rows: BoolArray) -> BoolArray:
    """Which of ``rows`` hold a value that another of ``rows`` holds too."""
    repeated = np.zeros(len(series), dtype=bool)
    positions = np.flatnonzero(rows)
    codes, _ = pd.factorize(series.to_numpy(dtype=object)[positions])
    repeated[positions] = np.bincount(codes)[codes] > 1
    return repeated


def _held(series: pd.Series[Any]) -> str:
    try:
        return str(pd.api.types.infer_dtype(series, skipna=True))
    except (TypeError, ValueError):  # pragma: no cover - defensive
        return "mixed"


def _is_id(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _order_mask(frame: pd.DataFrame, earlier: str, later: str, as_dates: bool) -> BoolArray:
    # Both on the UTC clock, as a table function reads them (the timestamp convention).
    first = utc_naive(pd.DatetimeIndex(frame[earlier]))
    second = utc_naive(pd.DatetimeIndex(frame[later]))
    if as_dates:
        first = first.normalize()
    backwards: BoolArray = np.asarray(second < first, dtype=bool)
    return backwards


def _problems(
    frame: pd.DataFrame, spec: Table, *, strict: bool
) -> tuple[list[str], list[tuple[str, BoolArray, str, pd.Series[Any]]]]:
    """The column problems, and the value problems as (column, rows, rule, values)."""
    columns: list[str] = []
    names = [str(name) for name in frame.columns]
    twice = [name for name, count in collections.Counter(names).items() if count > 1]
    if twice:
        columns.append(f"more than one column is named {', '.join(map(repr, twice))}")
    missing = [name for name in spec.required if name not in frame.columns]
    if missing:
        columns.append(
            f"missing required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(map(repr, missing))}"
        )
    if strict:
        unknown = [name for name in names if name not in spec]
        if unknown:
            columns.append(
                f"unknown column{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(map(repr, unknown))} (strict=True)"
            )
    checked: set[str] = set()
    values: list[tuple[str, BoolArray, str, pd.Series[Any]]] = []
    for column in spec:
        if column.name not in frame.columns or column.name in twice:
            continue
        series = frame[column.name]
        wrong = _dtype_problem(column, series)
        if wrong is not None:
            columns.append(wrong)
            continue
        checked.add(column.name)
        for mask, rule in _value_masks(column, series):
            values.append((column.name, mask, rule, series))
    for table, earlier, later, as_dates in _ORDER:
        if table == spec.name and earlier in checked and later in checked:
            mask = _order_mask(frame, earlier, later, as_dates)
            if mask.any():
                what = "the date of " if as_dates else ""
                values.append((later, mask, f"is before {what}{earlier}", frame[later]))
    return columns, values


def validate(frame: pd.DataFrame, table: str | Table, *, strict: bool = False) -> None:
    """Check a frame against a canonical table, listing every problem in one error.

    Parameters
    ----------
    frame : DataFrame
        The table to check. Its index labels name the offending rows.
    table : str or Table
        The canonical table: ``"deals"``, ``"stage_history"``, ``"accounts"``,
        ``"transactions"``, ``"leads"`` or ``"activities"`` (see :data:`TABLES`).
    strict : bool, keyword-only, default False
        Whether a column the table does not define is a problem. Off by default, since
        accounts carry segment columns and other tables may carry a CRM's extras.

    Returns
    -------
    None
        The frame fits the table.

    Raises
    ------
    InvalidInputError
        ``strict`` is not a bool.
    SchemaError
        ``frame`` is not a DataFrame, has more than one row of column names (a
        MultiIndex), or ``table`` is unknown; or one error listing every problem
        found: missing required columns, repeated column names,
        columns of the wrong dtype, and for each column each kind of bad value with
        how many rows and the first row labels and values (missing where not allowed,
        out of range, not an allowed value, repeated keys, a close date before the
        creation date, an exit before an entry).

    See Also
    --------
    row_problems : the value problems of each row, without raising.

    Notes
    -----
    Dtypes are checked per column first; a column of the wrong dtype is reported once
    and its values are not looked at. Text columns may be object or pandas string
    dtype and numbers any real dtype, so that a frame read by pandas 2 or 3 fits;
    the adapters produce exactly the dtypes of :attr:`Column.dtype`.

    References
    ----------
    .. [1] The canonical tables: see Conventions in the documentation (the schema section).

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.schema import validate
    >>> deals = pd.DataFrame({"deal_id": ["D-17", "D-18"], "value": [27_600.0, 34_500.0],
    ...                       "probability": [0.12, 0.83]})
    >>> validate(deals, "deals")  # Nutshell's example, two prospects: no problem

    Every problem is listed in one error:

    >>> bad = deals.assign(probability=[12.0, 83.0], status=["open", "pending"])
    >>> validate(bad.drop(columns="value"), "deals")
    Traceback (most recent call last):
    ...
    salescore.errors.SchemaError: deals: 3 problems:
    - missing required column 'value'
    - probability must be a fraction in [0, 1] (divide percentages by 100): 2 rows: 0 (12.0), 1 (83.0)
    - status must be one of open, won, lost: 1 row: 1 ('pending')
    """  # noqa: E501
    spec = _lookup(table)
    strict = option_flag("strict", strict)
    _frame(spec, frame)
    columns, values = _problems(frame, spec, strict=strict)
    labels = frame.index.to_numpy(dtype=object)
    lines = columns + [
        f"{name} {rule}: {which(labels, mask, shown.tolist())}"
        for name, mask, rule, shown in values
    ]
    if lines:
        count = "1 problem" if len(lines) == 1 else f"{len(lines)} problems"
        raise SchemaError(f"{spec.name}: {count}:\n" + "\n".join(f"- {line}" for line in lines))


def row_problems(frame: pd.DataFrame, table: str | Table) -> pd.Series[Any]:
    """What is wrong with each row of a frame, or None for a row that fits.

    Parameters
    ----------
    frame : DataFrame
        The table to check; its columns must be present with fitting dtypes.
    table : str or Table
        The canonical table (see :data:`TABLES`).

    Returns
    -------
    Series
        Object dtype on ``frame``'s index: for each row, its problems joined by
        ``"; "`` (such as ``"value must be finite and >= 0 (-5.0)"``), or ``None``.

    Raises
    ------
    SchemaError
        ``frame`` is not a DataFrame or has a MultiIndex header, ``table`` is unknown,
        or a column-level problem exists (missing column, wrong dtype): call
        :func:`validate` to see them all.

    See Also
    --------
    validate : all problems of a frame in one error.

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.schema import row_problems
    >>> deals = pd.DataFrame({"deal_id": ["D-17", "D-17", "D-19"],
    ...                       "value": [27_600.0, -1.0, 34_500.0]})
    >>> row_problems(deals, "deals").tolist()
    ['deal_id must be unique; repeated (D-17)',
     'value must be finite and >= 0 (-1.0); deal_id must be unique; repeated (D-17)',
     None]
    >>> row_problems(deals.iloc[:0], "deals").tolist()
    []
    """
    spec = _lookup(table)
    _frame(spec, frame)
    columns, values = _problems(frame, spec, strict=False)
    if columns:
        raise SchemaError(f"{spec.name}: {'; '.join(columns)}")
    out = np.full(len(frame), None, dtype=object)
    # Reported in the order of the columns, the key's repeat last.
    values.sort(key=lambda item: ("repeated" in item[2], spec.names.index(item[0])))
    for name, mask, rule, shown in values:
        for position in np.flatnonzero(mask):
            reason = f"{name} {rule} ({shown.iloc[position]})"
            out[position] = reason if out[position] is None else f"{out[position]}; {reason}"
    return pd.Series(out, index=frame.index, dtype=object)


def check_columns(
    frame: object,
    table: str | Table,
    columns: Mapping[str, str | None],
    *,
    kinds: Mapping[str, str] | None = None,
    others: Iterable[str] = (),
) -> None:
    """Check that a frame has the columns a calculation reads, each of a readable dtype.

    The check every table function makes before it reads a frame: the columns are
    looked up under the caller's names, and every problem is listed in one error, so
    that a frame with a missing column and a mistyped one is fixed in one go. Values
    are not looked at; :func:`validate` checks those against the canonical table.

    Parameters
    ----------
    frame : DataFrame
        The table to check.
    table : str or Table
        The canonical table the frame is (see :data:`TABLES`), whose columns give the
        kinds; or the name of a frame that is not a canonical table (such as
        ``"customers"``), whose columns then all take their kind from ``kinds``. The
        name starts the error message.
    columns : mapping of str to str or None
        Each column read: its canonical name (a column of ``table`` or a key of
        ``kinds``) mapped to the frame's name for it, or to None when the column is not
        read (an optional column the caller left out).
    kinds : mapping of str to str, keyword-only, optional
        The kind (one of :data:`KINDS`) of a column that ``table`` does not define, or
        a kind that replaces the table's.
    others : iterable of str, keyword-only, default ()
        Further columns read whatever their dtype, under the frame's own names, such as
        the group keys of a ``by=`` option: they need only be present.

    Returns
    -------
    None
        The frame has every column, each of a dtype the calculation can read.

    Raises
    ------
    SchemaError
        ``frame`` is not a DataFrame; or one error listing every problem: repeated
        column names, every missing column (with a reminder that the names are
        keyword arguments), and each column of a dtype that cannot be read as its kind.
    InvalidInputError
        A key of ``columns`` is neither a column of ``table`` nor a key of ``kinds``, a
        kind is unknown, or ``columns``, ``kinds`` or ``others`` is not of the kind
        described above (a column name that is not a ``str``, for example).

    See Also
    --------
    validate : the whole canonical check, values included.

    Notes
    -----
    A ``"number"`` or ``"fraction"`` column must have a real, non-boolean dtype; a
    ``"date"`` or ``"timestamp"`` column a datetime64 dtype, naive or time-zone aware.
    Identifiers, text, choices, currencies and flags may have any dtype (object,
    string, categorical, integer codes, 1 and 0 for flags): a calculation compares
    their values and checks them itself, naming the offending rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.schema import check_columns
    >>> deals = pd.DataFrame({"Id": ["D-17", "D-18"], "Amount": [27_600.0, 34_500.0],
    ...                       "Probability": [0.12, 0.83]})
    >>> check_columns(deals, "deals", {"deal_id": "Id", "value": "Amount",
    ...                                "probability": "Probability"})

    Every problem is listed under the caller's names, in one error:

    >>> check_columns(deals.assign(Amount="27,600"), "deals",
    ...               {"value": "Amount", "probability": "Probability", "status": "Status"})
    Traceback (most recent call last):
    ...
    salescore.errors.SchemaError: deals: 2 problems:
    - missing column 'Status' (it has ['Id', 'Amount', 'Probability']); pass the names
      your table uses as keyword arguments
    - column 'Amount' has dtype ...; it must be numeric (float64)
    """
    if isinstance(table, Table):
        spec: Table | None = table
        name = table.name
    elif isinstance(table, str):
        spec = TABLES.get(table)
        name = table
    else:
        raise InvalidInputError(f"table must be a str or a Table; got {table!r:.60}")
    extra = _kinds(kinds)
    if not isinstance(columns, Mapping):
        raise InvalidInputError(
            "columns must be a mapping of canonical column names to the frame's names "
            f"(or None); got {type(columns).__name__} {columns!r:.60}"
        )
    wanted: list[tuple[str, str | None]] = []
    for canonical, given in columns.items():
        if not isinstance(canonical, str):
            raise InvalidInputError(
                "columns must map canonical column names (str) to the frame's names; got "
                f"the key {type(canonical).__name__} {canonical!r:.60}"
            )
        if given is None:
            continue
        if not isinstance(given, str):
            raise InvalidInputError(
                f"columns[{canonical!r:.40}] must be a column name (str) or None; got "
                f"{type(given).__name__} {given!r:.60}"
            )
        if canonical in extra:
            kind = extra[canonical]
        elif spec is not None and canonical in spec:
            kind = spec[canonical].kind
        else:
            where = f"the {name} table" if spec is not None else f"{name!r}, not a canonical table,"
            raise InvalidInputError(
                f"{canonical!r} is not a column of {where} and kinds does not give its kind"
            )
        if kind not in KINDS:
            raise InvalidInputError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
        wanted.append((given, kind))
    listed = _others(others)
    column_problems(name, frame, [*wanted, *((other, None) for other in listed)])


def _kinds(kinds: object) -> dict[str, str]:
    """The ``kinds`` option of :func:`check_columns`, checked: column name -> kind."""
    if kinds is None:
        return {}
    if not isinstance(kinds, Mapping):
        raise InvalidInputError(
            "kinds must be a mapping of column names to kinds (one of "
            f"{', '.join(KINDS)}) or None; got {type(kinds).__name__} {kinds!r:.60}"
        )
    for key, kind in kinds.items():
        if not isinstance(key, str):
            raise InvalidInputError(
                f"kinds must map column names (str) to kinds; got the key {key!r:.60}"
            )
        if not isinstance(kind, str) or kind not in KINDS:
            raise InvalidInputError(
                f"kind must be one of {', '.join(KINDS)}; got {kind!r:.60} for {key!r}"
            )
    return dict(kinds)


def _others(others: object) -> list[str]:
    """The ``others`` option of :func:`check_columns`, checked: a list of column names."""
    if isinstance(others, str):
        return [others]
    if isinstance(others, (Mapping, bytes)) or not isinstance(others, Iterable):
        raise InvalidInputError(
            "others must be a column name or an iterable of column names; got "
            f"{type(others).__name__} {others!r:.60}"
        )
    try:
        listed = list(others)
    except TypeError:  # a 0-d array
        raise InvalidInputError(
            f"others must be a column name or an iterable of column names; got {others!r:.60}"
        ) from None
    odd = [other for other in listed if not isinstance(other, str)]
    if odd:
        raise InvalidInputError(
            f"others must hold column names (str); got {type(odd[0]).__name__} {odd[0]!r:.60}"
        )
    return listed
