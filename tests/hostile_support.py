"""The engine of the hostile-input suite (``tests/test_hostile_inputs.py``).

An :class:`Entry` says how to call one public callable validly (its *baseline*). The
engine classifies each parameter from its baseline value and signature (numeric data,
timestamps, tables, column names and other text options, boolean options, counts,
numbers, objects), replaces one parameter at a time with values from a fixed pool of
hostile values for its kind, and checks every call with :func:`run`:

- only a :class:`salescore.SalescoreError` may be raised; a boolean option given a
  non-bool, a text option given a non-string and a number given a non-number must be
  refused with :class:`salescore.InvalidInputError`;
- no warning but :class:`salescore.SalescoreWarning` escapes, and the call also runs
  under ``numpy.errstate(all="raise")``;
- no ``inf`` in a numeric result unless the input held one (or the entry documents it),
  and numeric results lie in the entry's documented range (NaN allowed);
- the inputs are unchanged, and a record in the result answers all its properties;
- the call returns within :data:`HANG_SECONDS` (a hang detector, not a timing test).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import inspect
import math
import os
import signal
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from types import FrameType
from typing import Any

import attrs
import numpy as np
import pandas as pd

import salescore

#: A call on small input that has not returned after this many seconds hangs.
HANG_SECONDS = 20.0

#: Parameters never fuzzed: matplotlib axes are the caller's drawing surface.
UNFUZZED = frozenset({"ax"})

#: Keyword names that hold a timestamp even when the baseline gives it as text.
TIME_NAMES = frozenset({"today", "as_of", "end", "start", "observation_end", "calibration_end"})

KINDS = ("data", "number", "count", "flag", "text", "time", "frame", "labels", "mapping", "object")


class CallHungError(BaseException):
    """Raised by the SIGALRM handler: a BaseException, so no ``except Exception`` eats it."""


@contextlib.contextmanager
def hang_guard(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Raise :class:`CallHungError` in the block once ``seconds`` have passed."""

    def alarm(signum: int, frame: FrameType | None) -> None:
        raise CallHungError(f"no return within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@attrs.frozen(kw_only=True)
class Entry:
    """How to call one public callable validly, and what its result promises."""

    function: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = attrs.field(factory=dict)
    #: Documented range of a numeric result (scalar, array, Series, tuple); NaN allowed.
    lower: float = -math.inf
    upper: float = math.inf
    #: inf is a documented result (e.g. a payback that never comes).
    inf_ok: bool = False
    #: Parameter kinds that the automatic classification would get wrong.
    kinds: Mapping[str, str] = attrs.field(factory=dict)
    #: At most this many hostile values per parameter (0: all), for slow callables.
    limit: int = 0
    #: Parameters documented to take any value (a cell to format): never must refuse.
    lenient: tuple[str, ...] = ()
    #: Hostile labels that are documented values of a parameter (an int deal id).
    accepted: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    #: Data parameters that, scaled together by any positive factor, leave the result
    #: unchanged (a ratio of amounts, a ranking of amounts).
    invariant: tuple[str, ...] = ()

    def within(self, lower: float, upper: float) -> Entry:
        return attrs.evolve(self, lower=lower, upper=upper)

    def allowing_inf(self) -> Entry:
        return attrs.evolve(self, inf_ok=True)

    def kind(self, **kinds: str) -> Entry:
        return attrs.evolve(self, kinds={**self.kinds, **kinds})

    def limited(self, limit: int) -> Entry:
        return attrs.evolve(self, limit=limit)

    def accepting(self, **labels: tuple[str, ...]) -> Entry:
        return attrs.evolve(self, accepted={**self.accepted, **labels})

    def taking_anything(self, *names: str) -> Entry:
        return attrs.evolve(self, lenient=names)

    def scale_free(self, *names: str) -> Entry:
        return attrs.evolve(self, invariant=names)


def entry(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Entry:
    """An entry whose baseline call is ``function(*args, **kwargs)``."""
    return Entry(function=function, args=args, kwargs=kwargs)


# ------------------------------------------------------------------ hostile pools


@attrs.frozen
class Hostile:
    """One hostile value: built from the baseline value, with what the call must do."""

    label: str
    make: Callable[[Any], Any]
    #: The callable must refuse it with InvalidInputError.
    refuse: bool = False
    #: The value holds an infinity, so an infinite result may be honest.
    infinite: bool = False


def _const(value: Any) -> Callable[[Any], Any]:
    return lambda _base: value


def _length(base: Any) -> int:
    if isinstance(base, (np.ndarray, pd.Series, pd.Index, list, tuple)):
        return max(int(np.size(base)), 1) if np.ndim(base) else 1
    return 3


def _same_length(fill: Any, dtype: Any = None) -> Callable[[Any], Any]:
    return lambda base: np.array([fill] * _length(base), dtype=dtype)


def _series(values: Callable[[int], Any], **options: Any) -> Callable[[Any], Any]:
    def make(base: Any) -> Any:
        size = _length(base)
        index = base.index if isinstance(base, pd.Series) else None
        return pd.Series(values(size), index=index, **options)

    return make


def _reindexed(index: Callable[[int], list[Any]]) -> Callable[[Any], Any]:
    def make(base: Any) -> Any:
        size = _length(base)
        values = np.asarray(base, dtype=np.float64) if np.ndim(base) else np.full(size, 1.0)
        if isinstance(base, pd.Series) and base.dtype.kind in "fiub":
            values = base.to_numpy(dtype=np.float64)
        return pd.Series(values, index=index(size))

    return make


def _scaled(factor: float) -> Callable[[Any], Any]:
    def make(base: Any) -> Any:
        try:
            values = np.asarray(base, dtype=np.float64)
        except (TypeError, ValueError):
            values = np.ones(3)
        values = np.where(values == 0, 1.0, np.abs(values))
        with np.errstate(all="ignore"):
            scaled = values * factor
        return pd.Series(scaled, index=base.index) if isinstance(base, pd.Series) else scaled

    return make


#: Where long double is wider than float64 (x86 Linux), 1e400 is a finite long double.
LONG_DOUBLE_IS_WIDER = bool(np.finfo(np.longdouble).max > np.finfo(np.float64).max)


def _long_double() -> Any:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return np.longdouble("1e400")


NUMBER_SCALARS: tuple[Hostile, ...] = (
    Hostile("nan", _const(math.nan)),
    Hostile("inf", _const(math.inf), infinite=True),
    Hostile("-inf", _const(-math.inf), infinite=True),
    Hostile("-0.0", _const(-0.0)),
    Hostile("0", _const(0)),
    Hostile("-1", _const(-1)),
    Hostile("1e308", _const(1e308)),
    Hostile("-1e308", _const(-1e308)),
    Hostile("5e-324", _const(5e-324)),
    Hostile("10**400", _const(10**400), refuse=True),
    Hostile("-10**400", _const(-(10**400)), refuse=True),
    Hostile("Fraction(1, 3)", _const(Fraction(1, 3))),
    Hostile("huge Fraction", _const(Fraction(10**400, 3)), refuse=True),
    Hostile("Decimal('0.5')", _const(Decimal("0.5"))),
    Hostile("Decimal('NaN')", _const(Decimal("NaN"))),
    Hostile("complex", _const(1 + 1j), refuse=True),
    Hostile("True", _const(True)),
    Hostile("'1'", _const("1")),
    Hostile("'abc'", _const("abc"), refuse=True),
    Hostile("None", _const(None)),
    Hostile("pd.NA", _const(pd.NA)),
    Hostile("np.timedelta64", _const(np.timedelta64(1, "h"))),
    Hostile("np.datetime64", _const(np.datetime64("2024-01-01"))),
    Hostile("np.float32", _const(np.float32(0.25))),
    Hostile("np.int64", _const(np.int64(2))),
    Hostile("np.uint64 max", _const(np.uint64(2**64 - 1))),
    Hostile("np.longdouble 1e400", lambda _base: _long_double(), refuse=LONG_DOUBLE_IS_WIDER),
    Hostile("tiny Fraction", _const(Fraction(1, 10**400))),
    Hostile("Decimal('sNaN')", _const(Decimal("sNaN"))),
    Hostile("Decimal('Infinity')", _const(Decimal("Infinity")), infinite=True),
)

DATA_ARRAYS: tuple[Hostile, ...] = (
    Hostile("0-d array", _const(np.array(1.0))),
    Hostile("2-D array", lambda base: np.ones((_length(base), 2))),
    Hostile("empty array", _const(np.array([], dtype=np.float64))),
    Hostile("empty list", _const([])),
    Hostile("ragged list", _const([[1.0], [2.0, 3.0]]), refuse=True),
    Hostile("dict", _const({}), refuse=True),
    Hostile("set", _const({1.0, 2.0})),
    Hostile("object array", _same_length(1.5, dtype=object)),
    Hostile("object array with None", lambda base: np.array([None] + [1.0] * (_length(base) - 1))),
    Hostile("text array", _same_length("x")),
    Hostile("numeric text array", _same_length("1")),
    Hostile("complex array", _same_length(1 + 1j), refuse=True),
    Hostile("complex Series", _series(lambda n: [1 + 1j] * n), refuse=True),
    Hostile("bool array", _same_length(True)),
    Hostile("datetime64 array", _same_length(np.datetime64("2024-01-01", "ns"))),
    Hostile("timedelta64 array", _same_length(np.timedelta64(1, "h"))),
    Hostile("nan array", _same_length(math.nan)),
    Hostile("inf array", _same_length(math.inf), infinite=True),
    Hostile("1e308 array", _same_length(1e308)),
    Hostile("5e-324 array", _same_length(5e-324)),
    Hostile("mixed extremes", lambda base: np.array([1e308, 5e-324, 0.0, 1.0] * _length(base))),
    Hostile("baseline x 1e300", _scaled(1e300)),
    Hostile("baseline x 1e-320", _scaled(1e-320)),
    Hostile("negative array", _same_length(-1.0)),
    Hostile("Fraction list", lambda base: [Fraction(1, 3)] * _length(base)),
    Hostile("huge int list", lambda base: [10**400] * _length(base), refuse=True),
    Hostile("Decimal list", lambda base: [Decimal("0.5")] * _length(base)),
    Hostile(
        "Float64 Series with NA", _series(lambda n: [pd.NA] + [0.5] * (n - 1), dtype="Float64")
    ),
    Hostile("Int64 Series with NA", _series(lambda n: [pd.NA] + [1] * (n - 1), dtype="Int64")),
    Hostile("categorical Series", _series(lambda n: [1.0] * n, dtype="category")),
    Hostile("object Series of text", _series(lambda n: ["a"] * n, dtype=object)),
    Hostile("duplicate-index Series", _reindexed(lambda n: [0] * n)),
    Hostile("unaligned Series", _reindexed(lambda n: list(range(100, 100 + n)))),
    Hostile("one-column DataFrame", lambda base: pd.DataFrame({"x": [1.0] * _length(base)})),
    Hostile(
        "boolean Series with NA", _series(lambda n: [pd.NA] + [True] * (n - 1), dtype="boolean")
    ),
    Hostile("string Series", _series(lambda n: ["1.5"] * n, dtype="string")),
    Hostile(
        "MultiIndex Series",
        lambda base: pd.Series(
            np.ones(_length(base)),
            index=pd.MultiIndex.from_arrays([range(_length(base)), range(_length(base))]),
        ),
    ),
    Hostile("masked array", lambda base: np.ma.masked_array(np.ones(_length(base)), mask=True)),
    Hostile("range", lambda base: range(_length(base))),
    Hostile(
        "longdouble array",
        lambda base: np.full(_length(base), _long_double()),
        refuse=LONG_DOUBLE_IS_WIDER,
    ),
)

COUNTS: tuple[Hostile, ...] = (
    Hostile("-1", _const(-1), refuse=True),
    Hostile("0", _const(0)),
    Hostile("2**70", _const(2**70)),
    Hostile("10**400", _const(10**400), refuse=True),
    Hostile("1.5", _const(1.5), refuse=True),
    Hostile("True", _const(True), refuse=True),
    Hostile("'3'", _const("3"), refuse=True),
    Hostile("nan", _const(math.nan), refuse=True),
    Hostile("None", _const(None)),
    Hostile("np.int64", _const(np.int64(3))),
    Hostile("np.timedelta64", _const(np.timedelta64(3, "D")), refuse=True),
    Hostile("complex", _const(3 + 0j), refuse=True),
)

FLAGS: tuple[Hostile, ...] = (
    Hostile("'False'", _const("False"), refuse=True),
    Hostile("'no'", _const("no"), refuse=True),
    Hostile("0", _const(0), refuse=True),
    Hostile("1", _const(1), refuse=True),
    Hostile("None", _const(None), refuse=True),
    Hostile("pd.NA", _const(pd.NA), refuse=True),
    Hostile("nan", _const(math.nan), refuse=True),
    Hostile("1.0", _const(1.0), refuse=True),
    Hostile("np.bool_", _const(np.bool_(True))),
    Hostile("list", _const([True]), refuse=True),
)

TEXTS: tuple[Hostile, ...] = (
    Hostile("None", _const(None), refuse=True),
    Hostile("pd.NA", _const(pd.NA), refuse=True),
    Hostile("['value']", _const(["value"]), refuse=True),
    Hostile("3", _const(3), refuse=True),
    Hostile("nan", _const(math.nan), refuse=True),
    Hostile("True", _const(True), refuse=True),
    Hostile("b'value'", _const(b"value"), refuse=True),
    Hostile("''", _const("")),
    Hostile("'bogus'", _const("bogus")),
    Hostile("newline", _const("value\nother")),
    # Period aliases that pandas deprecates, refuses as spans, or that explode a range.
    Hostile("'B'", _const("B")),
    Hostile("'0D'", _const("0D")),
    Hostile("'-1D'", _const("-1D")),
    Hostile("'1ns'", _const("1ns")),
    Hostile("dict", _const({"value": 1}), refuse=True),
)

TIMES: tuple[Hostile, ...] = (
    Hostile("'9999-12-31'", _const("9999-12-31")),
    Hostile("'1677-09-22'", _const("1677-09-22")),
    Hostile("'2262-04-11'", _const("2262-04-11")),
    Hostile("Timestamp 1677-09-22 00:00:01", _const(pd.Timestamp("1677-09-22 00:00:01"))),
    Hostile("Timestamp 2262-04-11", _const(pd.Timestamp("2262-04-11"))),
    Hostile("aware Timestamp", _const(pd.Timestamp("2025-06-01 12:00", tz="America/New_York"))),
    Hostile("naive Timestamp", _const(pd.Timestamp("2025-06-01 12:00"))),
    Hostile("NaT", _const(pd.NaT)),
    Hostile("np.datetime64 NaT", _const(np.datetime64("NaT"))),
    Hostile("np.datetime64 9999-12-31", _const(np.datetime64("9999-12-31"))),
    Hostile("date 9999-12-31", _const(dt.date(9999, 12, 31))),
    Hostile("datetime 0001-01-01", _const(dt.datetime(1, 1, 1))),
    Hostile("None", _const(None)),
    Hostile("'1'", _const("1")),
    Hostile("'not a date'", _const("not a date")),
    Hostile("3", _const(3)),
    Hostile("1.5", _const(1.5)),
    Hostile("dict", _const({})),
    Hostile("ragged list", _const([["2024-01-01"], ["2024-01-02", "2024-01-03"]])),
    Hostile("far-date array", lambda base: np.array(["9999-12-31"] * _length(base))),
    Hostile(
        "1677 array",
        lambda base: pd.to_datetime(["1677-09-22 00:00:01"] * _length(base)).to_numpy(),
    ),
    Hostile(
        "aware/naive mix",
        lambda base: (
            [pd.Timestamp("2025-01-01", tz="UTC"), pd.Timestamp("2025-01-02")] * _length(base)
        ),
    ),
    Hostile(
        "aware Series",
        _series(lambda n: pd.date_range("2025-01-01", periods=n, tz="Asia/Tokyo")),
    ),
    Hostile("numeric text array", lambda base: np.array(["1"] * _length(base))),
    Hostile("float array", lambda base: np.ones(_length(base))),
    Hostile(
        "datetime64[s] 9999-12-31 array",
        lambda base: np.array(["9999-12-31"] * _length(base), dtype="datetime64[s]"),
    ),
    Hostile("datetime64[s] 9999-12-31", _const(np.datetime64("9999-12-31T00:00:00", "s"))),
)

OBJECTS: tuple[Hostile, ...] = (
    Hostile("None", _const(None)),
    Hostile("nan", _const(math.nan)),
    Hostile("'x'", _const("x")),
    Hostile("3", _const(3)),
    Hostile("list", _const([])),
    Hostile("dict", _const({})),
    Hostile("empty DataFrame", _const(pd.DataFrame())),
    Hostile("object()", _const(object())),
    Hostile("True", _const(True)),
    Hostile("complex", _const(1 + 1j)),
)


def _labels(make: Callable[[int], list[Any]]) -> Callable[[Any], Any]:
    def build(base: Any) -> Any:
        values = make(_length(base))
        if isinstance(base, pd.Series):
            return pd.Series(values, index=base.index, dtype=object)
        return np.array(values, dtype=object)

    return build


LABELS: tuple[Hostile, ...] = (
    Hostile("unknown label", _labels(lambda n: ["no such label"] * n)),
    Hostile("None label", _labels(lambda n: [None] * n)),
    Hostile("nan label", _labels(lambda n: [math.nan] * n)),
    Hostile("pd.NA label", _labels(lambda n: [pd.NA] * n)),
    Hostile("list label", _labels(lambda n: [["A"]] * n)),
    Hostile("dict label", _labels(lambda n: [{"A": 1}] * n)),
    Hostile("int labels", _labels(lambda n: list(range(n)))),
    Hostile("empty text labels", _labels(lambda n: [""] * n)),
    Hostile("categorical labels", lambda base: pd.Series(base, dtype="category")),
    Hostile("empty", _const(np.array([], dtype=object))),
    Hostile("ragged", _const([["A"], ["B", "C"]])),
    Hostile("2-D", lambda base: np.array([["A", "B"]] * _length(base), dtype=object)),
    Hostile("duplicate-index Series", lambda base: pd.Series(list(base), index=[0] * len(base))),
    Hostile(
        "unaligned Series",
        lambda base: pd.Series(list(base), index=range(100, 100 + len(base))),
    ),
    Hostile("scalar text", _const("A")),
    Hostile("None", _const(None)),
)


def _mapping_value(value: Any) -> Callable[[Any], Any]:
    def build(base: Any) -> Any:
        out = dict(base)
        if out:
            out[next(iter(out))] = value
        return out

    return build


def _mapping_key(key: Any) -> Callable[[Any], Any]:
    def build(base: Any) -> Any:
        items = list(dict(base).items())
        return dict([(key, items[0][1]), *items[1:]]) if items else {key: 1.0}

    return build


MAPPINGS: tuple[Hostile, ...] = (
    Hostile("empty mapping", _const({})),
    Hostile("value nan", _mapping_value(math.nan)),
    Hostile("value inf", _mapping_value(math.inf), infinite=True),
    Hostile("value -1", _mapping_value(-1.0)),
    Hostile("value 1e308", _mapping_value(1e308)),
    Hostile("value 5e-324", _mapping_value(5e-324)),
    Hostile("value 10**400", _mapping_value(10**400)),
    Hostile("value complex", _mapping_value(1 + 1j)),
    Hostile("value 'x'", _mapping_value("x")),
    Hostile("value None", _mapping_value(None)),
    Hostile("value pd.NA", _mapping_value(pd.NA)),
    Hostile("value True", _mapping_value(True)),
    Hostile("value list", _mapping_value([1.0])),
    Hostile("key 3", _mapping_key(3)),
    Hostile("key None", _mapping_key(None)),
    Hostile("key unknown", _mapping_key("no such key")),
    Hostile("a list of pairs", lambda base: list(dict(base).items())),
    Hostile("a Series", lambda base: pd.Series(dict(base), dtype=object)),
    Hostile("None", _const(None)),
    Hostile("'x'", _const("x")),
)

POOLS: dict[str, tuple[Hostile, ...]] = {
    "labels": LABELS,
    "mapping": MAPPINGS,
    "data": NUMBER_SCALARS + DATA_ARRAYS,
    "number": NUMBER_SCALARS,
    "count": COUNTS,
    "flag": FLAGS,
    "text": TEXTS,
    "time": TIMES,
    "object": OBJECTS,
}


# --------------------------------------------------------------- frame mutations


def _set_first(frame: pd.DataFrame, column: Any, value: Any, dtype: Any = object) -> pd.DataFrame:
    # Through an object array, so that a list or a dict lands in one cell on every
    # pandas version rather than being broadcast.
    out = frame.copy()
    values = out[column].to_numpy(dtype=object, copy=True)
    if len(values):
        values[0] = value
    series = pd.Series(values, index=out.index, dtype=object)
    out[column] = series if dtype is object else series.astype(dtype)
    return out


def _replace(frame: pd.DataFrame, column: Any, values: Any) -> pd.DataFrame:
    out = frame.copy()
    out[column] = values
    return out


Mutation = Callable[[Any], Any]


def _drop(column: Any) -> Mutation:
    return lambda frame: frame.drop(columns=[column])


def _cell(column: Any, value: Any, dtype: Any = object) -> Mutation:
    return lambda frame: _set_first(frame, column, value, dtype)


def _column(column: Any, values: Callable[[pd.DataFrame], Any]) -> Mutation:
    return lambda frame: _replace(frame, column, values(frame))


def _filled(value: Any) -> Callable[[pd.DataFrame], Any]:
    return lambda frame: [value] * len(frame)


def _objects(value: Any) -> Callable[[pd.DataFrame], Any]:
    # An object column: pandas 2.2 cannot hold 10**400 in a column it infers itself.
    return lambda frame: pd.Series([value] * len(frame), index=frame.index, dtype=object)


def _dates(text: str) -> Callable[[pd.DataFrame], Any]:
    return lambda frame: pd.to_datetime(pd.Series([text] * len(frame), index=frame.index))


def _localized(column: Any) -> Callable[[pd.DataFrame], Any]:
    return lambda frame: frame[column].dt.tz_localize(
        "Europe/Berlin", ambiguous="NaT", nonexistent="NaT"
    )


def _as_type(column: Any, dtype: Any) -> Callable[[pd.DataFrame], Any]:
    return lambda frame: frame[column].astype(dtype)


def _far_seconds(frame: pd.DataFrame) -> Any:
    return pd.Series(
        np.array(["9999-12-31"] * len(frame), dtype="datetime64[s]"), index=frame.index
    )


def _multiindex_rows(frame: pd.DataFrame) -> Any:
    rows = pd.MultiIndex.from_arrays([range(len(frame)), range(len(frame))])
    return frame.set_axis(rows, axis=0)


def _multiindex(frame: pd.DataFrame) -> Any:
    return frame.set_axis(pd.MultiIndex.from_tuples([(c, "x") for c in frame.columns]), axis=1)


def _numeric_name(frame: pd.DataFrame) -> Any:
    out = frame.copy()
    out[3] = 1.0
    return out


def _renamed(column: Any) -> Mutation:
    return lambda frame: frame.rename(columns={column: 3})


STRUCTURE: tuple[Hostile, ...] = (
    Hostile("empty frame", lambda f: f.iloc[:0].copy()),
    Hostile("extra column", lambda f: f.assign(extra_column=1.0)),
    Hostile("duplicated column", lambda f: pd.concat([f, f.iloc[:, :1]], axis=1)),
    Hostile("MultiIndex columns", _multiindex),
    Hostile("non-str column name", _numeric_name),
    Hostile("duplicate index labels", lambda f: f.set_axis([0] * len(f), axis=0)),
    Hostile("MultiIndex rows", _multiindex_rows),
    Hostile("reversed rows", lambda f: f.iloc[::-1].copy()),
    Hostile("not a frame (dict)", lambda f: f.to_dict(orient="list")),
    Hostile("Series", lambda f: f.iloc[:, 0].copy()),
)


def frame_mutations(frame: pd.DataFrame) -> list[Hostile]:
    """Hostile variants of a baseline frame: its structure, then each column's cells."""
    out = [*STRUCTURE, Hostile(f"{frame.columns[0]} renamed to 3", _renamed(frame.columns[0]))]
    for c in frame.columns:
        dtype = frame[c].dtype
        out += [
            Hostile(f"missing {c}", _drop(c)),
            Hostile(f"{c}: list cell", _cell(c, [1, 2])),
            Hostile(f"{c}: categorical", _column(c, _as_type(c, "category"))),
        ]
        if pd.api.types.is_bool_dtype(dtype):
            out += [
                Hostile(f"{c}: text 'False'", _column(c, _filled("False"))),
                Hostile(f"{c}: 0/1 ints", _column(c, _as_type(c, int))),
                Hostile(f"{c}: boolean NA", _cell(c, pd.NA, "boolean")),
            ]
        elif pd.api.types.is_numeric_dtype(dtype):
            out += [
                Hostile(f"{c}: nan", _column(c, _filled(math.nan))),
                Hostile(f"{c}: inf", _column(c, _filled(math.inf)), infinite=True),
                Hostile(f"{c}: 1e308", _column(c, _filled(1e308))),
                Hostile(f"{c}: -1", _column(c, _filled(-1.0))),
                Hostile(f"{c}: 5e-324", _column(c, _filled(5e-324))),
                Hostile(f"{c}: complex", _column(c, _filled(1 + 1j))),
                Hostile(f"{c}: text", _column(c, _filled("abc"))),
                Hostile(f"{c}: Float64 NA", _cell(c, pd.NA, "Float64")),
                Hostile(f"{c}: huge ints", _column(c, _objects(10**400))),
            ]
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            out += [
                Hostile(f"{c}: tz-aware", _column(c, _localized(c))),
                Hostile(f"{c}: 1677-09-22", _column(c, _dates("1677-09-22 00:00:01"))),
                Hostile(f"{c}: 2262-04-11", _column(c, _dates("2262-04-11"))),
                Hostile(f"{c}: '9999-12-31' text", _cell(c, "9999-12-31")),
                Hostile(f"{c}: 'not a date'", _cell(c, "not a date")),
                Hostile(f"{c}: NaT", _column(c, _dates("NaT"))),
                Hostile(f"{c}: numbers", _column(c, _filled(1.5))),
                Hostile(f"{c}: aware/naive mix", _cell(c, pd.Timestamp("2025-01-01", tz="UTC"))),
                Hostile(f"{c}: datetime64[s]", _column(c, _as_type(c, "datetime64[s]"))),
                Hostile(f"{c}: datetime64[s] 9999-12-31", _column(c, _far_seconds)),
            ]
        else:
            out += [
                Hostile(f"{c}: dict cell", _cell(c, {"a": 1})),
                Hostile(f"{c}: None cell", _cell(c, None)),
                Hostile(f"{c}: ints", _column(c, lambda f: list(range(len(f))))),
                Hostile(f"{c}: empty text", _column(c, _filled(""))),
                Hostile(f"{c}: nan", _column(c, _filled(math.nan))),
            ]
    return out


# -------------------------------------------------------------- classification


def is_time_like(value: Any) -> bool:
    if isinstance(value, (pd.Timestamp, dt.date, np.datetime64)):
        return True
    if isinstance(value, (pd.Series, pd.Index, np.ndarray)):
        return value.dtype.kind == "M" or isinstance(value.dtype, pd.DatetimeTZDtype)
    return False


def is_numeric_data(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, float, np.integer, np.floating, Fraction, Decimal)):
        return True
    if isinstance(value, (np.ndarray, pd.Series)):
        return value.dtype.kind in "fiub"
    if isinstance(value, (list, tuple)) and value:
        return all(
            isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in value
        )
    return False


def classify(name: str, parameter: inspect.Parameter, value: Any) -> str:
    """The hostile pool for a parameter, from its baseline value and its signature."""
    keyword_only = parameter.kind is inspect.Parameter.KEYWORD_ONLY
    if isinstance(value, pd.DataFrame):
        return "frame"
    if isinstance(value, (bool, np.bool_)):
        return "flag"
    if is_time_like(value) or (isinstance(value, str) and name in TIME_NAMES):
        return "time"
    if isinstance(value, (int, np.integer)) and keyword_only:
        return "count"
    if isinstance(value, (float, np.floating, Fraction, Decimal)) and keyword_only:
        return "number"
    if is_numeric_data(value):
        return "data"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping) and not attrs.has(type(value)):
        return "mapping"
    if isinstance(value, (pd.Series, np.ndarray)) and (
        value.dtype == object or pd.api.types.is_string_dtype(value.dtype)
    ):
        return "labels"
    return "object"


def _annotation(parameter: inspect.Parameter) -> set[str]:
    annotation = parameter.annotation
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return set(text.replace("|", " ").replace("[", " ").replace("]", " ").replace(",", " ").split())


def optional(parameter: inspect.Parameter) -> bool:
    """Whether None (and, for text, a sequence) is a documented value of the parameter."""
    annotation = parameter.annotation
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return "None" in text or "Any" in text or "object" in text or parameter.default is None


def accepts_sequence(parameter: inspect.Parameter) -> bool:
    annotation = parameter.annotation
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return any(word in text for word in ("Sequence", "Iterable", "Collection", "Any", "object"))


def must_refuse(hostile: Hostile, kind: str, parameter: inspect.Parameter) -> bool:
    """Whether the call must raise InvalidInputError for this hostile value."""
    if not hostile.refuse:
        return False
    if hostile.label == "None" and optional(parameter):
        return False
    if kind == "text" and hostile.label == "['value']" and accepts_sequence(parameter):
        return False
    if (
        kind == "text"
        and hostile.label in {"3", "nan"}
        and _annotation(parameter) & {"float", "int"}
    ):
        return False
    if kind in {"data", "number"} and hostile.label in {"'abc'", "dict"}:
        # Text and mappings are refused as numbers; a parameter typed Any may take them.
        return not optional(parameter)
    return True


@attrs.frozen
class Case:
    """One hostile call: an entry with one (or more) parameters replaced."""

    key: str
    changes: tuple[tuple[str, str], ...]  # (parameter, hostile label)


# Keyed by the entry's id, and holding the entry: an id is reused once its object is
# freed, so a hit counts only when it is the same entry (a test's own short-lived entry
# must not find the parameters of another function's).
_PARAMETERS: dict[int, tuple[Entry, dict[str, tuple[inspect.Parameter, Any]]]] = {}
_POOLS: dict[tuple[int, str], tuple[Entry, tuple[str, tuple[Hostile, ...]]]] = {}


def parameters(entry: Entry) -> dict[str, tuple[inspect.Parameter, Any]]:
    """Each fuzzable parameter with its baseline value (given, or the default)."""
    cached = _PARAMETERS.get(id(entry))
    if cached is None or cached[0] is not entry:
        cached = _PARAMETERS[id(entry)] = (entry, _parameters(entry))
    return cached[1]


def _parameters(entry: Entry) -> dict[str, tuple[inspect.Parameter, Any]]:
    signature = inspect.signature(entry.function)
    bound = signature.bind_partial(*entry.args, **entry.kwargs)
    out: dict[str, tuple[inspect.Parameter, Any]] = {}
    for name, parameter in signature.parameters.items():
        if parameter.kind in {inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD}:
            continue
        if name in UNFUZZED:
            continue
        if name in bound.arguments:
            out[name] = (parameter, bound.arguments[name])
        elif parameter.default is not inspect.Parameter.empty:
            out[name] = (parameter, parameter.default)
    return out


def pool(entry: Entry, name: str) -> tuple[str, tuple[Hostile, ...]]:
    """The kind of a parameter and its hostile values."""
    cached = _POOLS.get((id(entry), name))
    if cached is None or cached[0] is not entry:
        cached = _POOLS[id(entry), name] = (entry, _pool(entry, name))
    return cached[1]


def _pool(entry: Entry, name: str) -> tuple[str, tuple[Hostile, ...]]:
    parameter, value = parameters(entry)[name]
    kind = entry.kinds.get(name) or classify(name, parameter, value)
    if kind == "frame":
        return kind, tuple(frame_mutations(value))
    return kind, POOLS[kind]


def sweep_cases(key: str, entry: Entry) -> list[tuple[str, Hostile]]:
    """Every (parameter, hostile value) of the deterministic sweep for an entry."""
    out: list[tuple[str, Hostile]] = []
    for name in parameters(entry):
        values = pool(entry, name)[1]
        if entry.limit and len(values) > entry.limit:
            step = math.ceil(len(values) / entry.limit)
            values = values[::step]
        out.extend((name, hostile) for hostile in values)
    return out


# ------------------------------------------------------------------ the call


def copy_value(value: Any) -> Any:
    """A copy deep enough that comparing it afterwards detects a mutation."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=True)
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [copy_value(v) for v in value]
    if isinstance(value, dict):
        return {k: copy_value(v) for k, v in value.items()}
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(copy_value(v) for v in value)
    if isinstance(value, set):
        return set(value)
    return value


def same(a: Any, b: Any) -> bool:
    """Equality that treats NaN, NaT and pd.NA as equal to themselves."""
    if type(a) is not type(b):
        return False
    if isinstance(a, pd.DataFrame):
        return (
            a.shape == b.shape
            and a.columns.equals(b.columns)
            and a.index.equals(b.index)
            and list(a.dtypes) == list(b.dtypes)
            and a.equals(b)
        )
    if isinstance(a, pd.Series):
        return a.dtype == b.dtype and a.name == b.name and a.index.equals(b.index) and a.equals(b)
    if isinstance(a, np.ndarray):
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if a.dtype.kind == "O":
            return all(same(x, y) for x, y in zip(a.ravel(), b.ravel(), strict=True))
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fcmM"))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if a is b:
        return True
    try:
        equal = a == b
        if isinstance(equal, bool | np.bool_):
            return bool(equal) or (a != a and b != b)
    except (TypeError, ValueError):
        pass
    return False


@attrs.define
class Counter:
    """How many calls the suite made (in this process)."""

    calls: int = 0


COUNTER = Counter()


def _numbers(value: Any) -> Iterator[np.ndarray]:
    """Float arrays of the numeric parts of a top-level result."""
    if isinstance(value, (bool, np.bool_, np.timedelta64, np.datetime64)):
        return
    if isinstance(value, (int, float, np.integer, np.floating)):
        try:
            yield np.array([float(value)])
        except OverflowError:  # an int beyond float range counts as infinite
            yield np.array([math.inf if value > 0 else -math.inf])
    elif (
        isinstance(value, (np.ndarray, pd.Series, pd.Index))
        and value.dtype.kind in "fiu"
        and not isinstance(value.dtype, pd.api.extensions.ExtensionDtype)
    ):
        yield np.asarray(value, dtype=np.float64).ravel()
    elif isinstance(value, pd.Series) and isinstance(value.dtype, pd.api.extensions.ExtensionDtype):
        if pd.api.types.is_numeric_dtype(value.dtype) and not pd.api.types.is_bool_dtype(
            value.dtype
        ):
            yield value.to_numpy(dtype=np.float64, na_value=np.nan)
    elif isinstance(value, tuple):
        for item in value:
            yield from _numbers(item)


def _infinite_parts(value: Any, path: str, depth: int = 0) -> Iterator[str]:
    """Where a result (or a record's fields and properties) holds ±inf."""
    if depth > 3:
        return
    for array in _numbers(value):
        if np.isinf(array).any():
            yield path
            return
    if isinstance(value, pd.DataFrame):
        for column in value.columns:
            series = value[column]
            if isinstance(series, pd.Series):
                for array in _numbers(series):
                    if np.isinf(array).any():
                        yield f"{path}[{column!r}]"
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _infinite_parts(v, f"{path}[{k!r}]", depth + 1)
    elif isinstance(value, list) and len(value) < 50:
        for i, v in enumerate(value):
            yield from _infinite_parts(v, f"{path}[{i}]", depth + 1)


def record_members(record: Any) -> Iterator[tuple[str, Callable[[], Any]]]:
    """Every field, property and argument-free method of an attrs record, to read."""
    cls = type(record)
    for field in attrs.fields(cls):
        yield field.name, functools.partial(getattr, record, field.name)
    for name in dir(cls):
        if name.startswith("_"):
            continue
        member = inspect.getattr_static(cls, name)
        if isinstance(member, property):
            yield name, functools.partial(getattr, record, name)
        elif inspect.isfunction(member):
            signature = inspect.signature(member)
            required = [
                p
                for p in list(signature.parameters.values())[1:]
                if p.default is inspect.Parameter.empty
                and p.kind not in {inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD}
            ]
            if not required and name != "flag":
                yield f"{name}()", getattr(record, name)


def close_figures() -> None:
    import sys

    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def _origin(error: BaseException) -> str:
    """Where an exception was raised: the innermost three frames, file name and line."""
    frames = traceback.extract_tb(error.__traceback__)[-3:]
    return " < ".join(
        f"{os.path.basename(frame.filename)}:{frame.lineno} {frame.name}"
        for frame in reversed(frames)
    )


def invoke(
    entry: Entry, replaced: Mapping[str, Any], *, copy_baseline: bool = True
) -> tuple[Any, dict[str, Any]]:
    """Call the entry with some parameters replaced; return (result, the arguments used)."""
    signature = inspect.signature(entry.function)
    bound = signature.bind_partial(*entry.args, **entry.kwargs)
    values = {
        name: copy_value(value) if copy_baseline else value
        for name, value in bound.arguments.items()
    }
    values.update(replaced)
    ordered = {name: values[name] for name in signature.parameters if name in values}
    arguments = inspect.BoundArguments(signature, ordered)  # type: ignore[arg-type,unused-ignore]
    return entry.function(*arguments.args, **arguments.kwargs), ordered


def describe(value: Any) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) < 120 else text[:117] + "..."


def run(
    key: str,
    entry: Entry,
    changes: Mapping[str, Hostile],
    refusals: Sequence[str] = (),
    *,
    base_has_inf: bool = False,
    check_all: bool = True,
    check: Callable[[Any, Mapping[str, Any]], list[str]] | None = None,
    seconds: float = HANG_SECONDS,
) -> list[str]:
    """Make one hostile call and return what broke (empty when every promise held).

    ``changes`` maps parameter names to hostile values; ``refusals`` names those of them
    that must be refused with InvalidInputError. With ``check_all`` the baseline
    arguments are copied and checked for mutation too; without it (the sweep, where the
    baseline test has checked them) they are passed as they are, which is faster.
    """
    COUNTER.calls += 1
    what = ", ".join(f"{name}={hostile.label}" for name, hostile in changes.items()) or "baseline"
    where = f"{key}({what})"
    baseline = parameters(entry)
    replaced: dict[str, Any] = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas' own deprecations while building
            for name, hostile in changes.items():
                replaced[name] = hostile.make(baseline[name][1])
    except Exception as error:
        return [f"{where}: the suite could not build the value: {error!r}"]
    before = {name: copy_value(value) for name, value in replaced.items()}
    problems: list[str] = []
    result: Any = None
    raised: BaseException | None = None
    used: dict[str, Any] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with hang_guard(seconds), np.errstate(all="raise"):
                try:
                    result, used = invoke(entry, replaced, copy_baseline=check_all)
                except salescore.SalescoreError as error:
                    raised = error
                members = []
                if raised is None and attrs.has(type(result)):
                    for member, read in record_members(result):
                        try:
                            members.append((member, read()))
                        except Exception as error:
                            # A method may refuse (an infinite lifetime); a field or a
                            # property of a valid record must answer.
                            refused = isinstance(error, salescore.SalescoreError)
                            if refused and member.endswith("()"):
                                continue
                            first = str(error).splitlines()[0] if str(error) else ""
                            problems.append(
                                f"{where}: returned a record whose {member} raises "
                                f"{type(error).__name__}: {first}"
                            )
        except CallHungError as error:
            problems.append(f"{where}: hang: {error}")
            raised = error
            members = []
        except Exception as error:
            first = str(error).splitlines()[0] if str(error) else ""
            problems.append(
                f"{where}: raised {type(error).__name__}: {first} (at {_origin(error)})"
            )
            raised = error
            members = []
        finally:
            close_figures()
    for warning in caught:
        if not issubclass(warning.category, salescore.SalescoreWarning):
            text = str(warning.message).splitlines()[0] if str(warning.message) else ""
            problems.append(f"{where}: warning {warning.category.__name__}: {text}")
    for name, original in before.items():
        current = replaced[name]
        if not same(current, original):
            problems.append(f"{where}: mutated its argument {name}")
    if check_all:
        for name, (_, original) in baseline.items():
            if name in used and name not in replaced and not same(used[name], original):
                problems.append(f"{where}: mutated its argument {name}")
    if isinstance(raised, salescore.SalescoreError):
        if not str(raised).strip():
            problems.append(f"{where}: {type(raised).__name__} with an empty message")
        return problems
    if raised is not None:
        return problems
    for name in refusals:
        problems.append(
            f"{where}: accepted {name}={changes[name].label} "
            f"(must raise InvalidInputError), returned {describe(result)}"
        )
    infinite_input = base_has_inf or any(h.infinite for h in changes.values())
    if not (entry.inf_ok or infinite_input):
        parts = list(_infinite_parts(result, "result"))
        for member, value in members:
            parts.extend(_infinite_parts(value, f"result.{member}"))
        if parts:
            problems.append(
                f"{where}: inf (or an int beyond float range) in {', '.join(parts[:3])}"
            )
    if check is not None:
        problems.extend(f"{where}: {problem}" for problem in check(result, used))
    for array in _numbers(result):
        finite = array[~np.isnan(array)]
        if finite.size and (finite.min() < entry.lower or finite.max() > entry.upper):
            problems.append(
                f"{where}: result outside the documented range "
                f"[{entry.lower:g}, {entry.upper:g}]: {describe(result)}"
            )
            break
    return problems


def contains_inf(value: Any, depth: int = 0) -> bool:
    """Whether a baseline argument already holds an infinity."""
    if depth > 2:
        return False
    if isinstance(value, pd.DataFrame):
        return any(contains_inf(value[c], depth + 1) for c in value.columns)
    for array in _numbers(value):
        if np.isinf(array).any():
            return True
    if isinstance(value, (list, dict)):
        items = value.values() if isinstance(value, dict) else value
        return any(contains_inf(v, depth + 1) for v in items)
    if attrs.has(type(value)):
        return any(
            contains_inf(getattr(value, f.name), depth + 1) for f in attrs.fields(type(value))
        )
    return False


def baseline_has_inf(entry: Entry) -> bool:
    return any(contains_inf(value) for _, value in parameters(entry).values())
