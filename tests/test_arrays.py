"""The coercion layer: what each kind of input becomes, and what is refused."""

from __future__ import annotations

import datetime
import decimal
import fractions
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore import IndexMismatchError, InvalidInputError
from salescore._arrays import (
    check_range,
    coerce,
    coerce_timestamps,
    option_choice,
    option_count,
    option_flag,
    option_number,
    safe_divide,
)

from . import strategies as sst


def test_plain_numbers_take_the_scalar_path() -> None:
    (a, b), wrap = coerce(a=3, b=2.5)
    assert (a, b) == (3.0, 2.5)
    assert type(a) is float
    assert wrap is float


def test_numpy_scalars_and_zero_d_arrays_are_scalars() -> None:
    (a, b, c), wrap = coerce(a=np.float32(1.5), b=np.int64(2), c=np.array(4.0))
    assert (a, b, c) == (1.5, 2.0, 4.0)
    assert all(type(x) is float for x in (a, b, c))
    assert type(wrap(np.float64(7.0))) is float


def test_arrays_become_float64_and_results_arrays() -> None:
    (a, b), wrap = coerce(a=np.array([1, 2, 3]), b=2.0)
    assert isinstance(a, np.ndarray)
    assert a.dtype == np.float64
    out = wrap(a * b)
    assert isinstance(out, np.ndarray)
    assert out.tolist() == [2.0, 4.0, 6.0]


def test_lists_are_arrays() -> None:
    (a,), wrap = coerce(a=[1, 2.5])
    assert isinstance(a, np.ndarray)
    assert isinstance(wrap(a), np.ndarray)


def test_float64_arrays_are_read_only_views_not_copies() -> None:
    original = np.array([1.0, 2.0])
    (a,), _ = coerce(a=original)
    assert isinstance(a, np.ndarray)
    assert np.shares_memory(a, original)
    assert not a.flags.writeable
    assert original.flags.writeable  # the caller's array is untouched


def test_constant_results_are_broadcast_to_the_common_length() -> None:
    (_,), wrap = coerce(a=np.zeros(3))
    out = wrap(5.0)
    assert isinstance(out, np.ndarray)
    assert out.tolist() == [5.0, 5.0, 5.0]
    out[0] = 1.0  # a real array, not a read-only broadcast view


def test_series_keep_their_index_and_nullable_na_becomes_nan() -> None:
    index = pd.Index(["b", "a", "c"])
    nullable = pd.Series([1, None, 3], index=index, dtype="Int64")
    (a, b), wrap = coerce(a=nullable, b=np.array([1.0, 1.0, 1.0]))
    assert isinstance(a, np.ndarray)
    assert math.isnan(a[1])
    out = wrap(a + b)
    assert isinstance(out, pd.Series)
    assert out.index.equals(index)
    assert out.dtype == np.float64


def test_equal_indexes_in_any_object_are_accepted() -> None:
    left = pd.Series([1.0, 2.0], index=["x", "y"])
    right = pd.Series([3.0, 4.0], index=pd.Index(["x", "y"]))
    (_, _), wrap = coerce(left=left, right=right)
    assert wrap(np.array([0.0, 0.0])).index.tolist() == ["x", "y"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("module", "kind", "advice"),
    [
        ("polars.series.series", "Series", r"pass its values as a NumPy array \(.to_numpy\(\)\)"),
        ("polars.dataframe.frame", "DataFrame", "pass one column's values"),
        ("duckdb", "DuckDBPyRelation", "read engine frames whole"),
        ("pyarrow.lib", "ChunkedArray", "pass its values as a NumPy array"),
    ],
)
def test_an_engines_column_or_frame_is_refused_with_what_to_pass(
    module: str, kind: str, advice: str
) -> None:
    # A stand-in of the library's type: the message needs its module and name only.
    stand_in = type(kind, (), {"__module__": module, "__repr__": lambda self: "many\nlines"})()
    library = module.partition(".")[0]
    with pytest.raises(InvalidInputError, match=f"^a must .*; got a {library} {kind}: .*{advice}"):
        coerce(a=stand_in)


def test_different_indexes_are_refused_even_with_the_same_labels() -> None:
    left = pd.Series([1.0, 2.0], index=["x", "y"])
    right = pd.Series([2.0, 1.0], index=["y", "x"])
    with pytest.raises(IndexMismatchError, match="left and right are Series with different"):
        coerce(left=left, right=right)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "a must be a number; got the boolean True"),
        (np.bool_(False), "a must be a number; got the boolean"),
        ("3", "a must be a number, a 1-D array or a pandas Series; got str"),
        (None, "got NoneType"),
        (np.array([True, False]), "a must hold numbers; got a boolean array"),
        (np.array(["1", "2"]), "a must hold numbers; got an array of dtype <U1"),
        (np.zeros((2, 2)), r"a must be one-dimensional; got an array of shape \(2, 2\)"),
        (pd.Series(["x"]), "a must hold numbers; got a Series of dtype"),
        (pd.Series([True]), "a must hold numbers; got a Series of dtype bool"),
        (pd.DataFrame({"x": [1.0]}), "pass one column"),
        ([1.0, None], "dtype object"),
        ([1.0, True], "a must hold numbers; got a boolean in"),
        (np.timedelta64(2, "h"), "a must be a plain number; got timedelta64"),
        (np.array(np.timedelta64(2, "h")), "a must be a plain number; got timedelta64"),
        (np.datetime64("2026-01-01"), "a must be a plain number; got datetime64"),
        (datetime.timedelta(hours=2), "a must be a plain number; got timedelta"),
        (np.array([1, 2], dtype="m8[h]"), "a must hold numbers; got an array of dtype timedelta64"),
        (pd.Series(pd.to_timedelta([1], unit="h")), "a must hold numbers; got a Series of dtype"),
        (np.ma.array([1.0, 2.0], mask=[False, True]), r"a is a masked array; .*a.filled\(np.nan\)"),
        (10**400, "a must be a number within float range"),
    ],
    ids=[
        "bool",
        "numpy-bool",
        "str",
        "none",
        "bool-array",
        "str-array",
        "2d",
        "str-series",
        "bool-series",
        "frame",
        "list-with-none",
        "list-with-bool",
        "timedelta64",
        "0d-timedelta64",
        "datetime64",
        "timedelta",
        "timedelta-array",
        "timedelta-series",
        "masked",
        "huge-int",
    ],
)
def test_non_numbers_are_refused_by_name(value: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        coerce(a=value)


def test_arrays_of_different_lengths_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="a has 2 elements but b has 3"):
        coerce(a=np.zeros(2), b=pd.Series([1.0, 2.0, 3.0]))


def test_empty_object_arrays_are_empty_floats() -> None:
    (a,), wrap = coerce(a=[])
    assert isinstance(a, np.ndarray)
    assert a.shape == (0,)
    assert wrap(a).shape == (0,)  # type: ignore[union-attr]


def test_check_range_accepts_nan_and_bounds() -> None:
    check_range("p", math.nan, low=0.0, high=1.0, allowed="in [0, 1]")
    check_range("p", np.array([0.0, np.nan, 1.0]), low=0.0, high=1.0, allowed="in [0, 1]")
    check_range("p", np.empty(0), low=0.0, high=1.0, allowed="in [0, 1]")
    with pytest.raises(InvalidInputError, match=r"p must be in \[0, 1\); got 1.0"):
        check_range("p", 1.0, low=0.0, high=1.0, high_open=True, allowed="in [0, 1)")
    with pytest.raises(InvalidInputError, match=r"1 of 3 values"):
        check_range("p", np.array([0.5, 0.0, 0.2]), low=0.0, low_open=True, allowed="> 0")


@given(st.lists(st.one_of(st.floats(-2.0, 3.0), st.just(math.nan)), min_size=1, max_size=40))
def test_check_range_on_arrays_agrees_with_a_loop(values: list[float]) -> None:
    bad = [i for i, v in enumerate(values) if v < 0.0 or v > 1.0]
    array = np.array(values)
    if bad:
        with pytest.raises(
            InvalidInputError, match=f"{len(bad)} of {len(values)} values"
        ) as caught:
            check_range("p", array, low=0.0, high=1.0, allowed="in [0, 1]")
        assert f"[{bad[0]}]" in str(caught.value)
    else:
        check_range("p", array, low=0.0, high=1.0, allowed="in [0, 1]")


@given(
    sst.same_length(sst.money(), st.sampled_from([0.0, 1.0, -2.5, 1e-3, math.nan])),
)
def test_safe_divide_gives_nan_for_zero_denominators(columns: tuple[list[float], ...]) -> None:
    numerators, denominators = columns
    out = safe_divide(np.array(numerators), np.array(denominators))
    assert isinstance(out, np.ndarray)
    for n, d, o in zip(numerators, denominators, out.tolist(), strict=True):
        scalar = safe_divide(n, d)
        if d == 0.0 or math.isnan(d):
            assert math.isnan(o)
            assert math.isnan(scalar)
        else:
            assert o == n / d == scalar


def test_safe_divide_scalar_zero_with_array_numerator() -> None:
    out = safe_divide(np.array([1.0, 2.0]), 0.0)
    assert isinstance(out, np.ndarray)
    assert np.isnan(out).all()


def test_options() -> None:
    assert option_choice("timing", "end", ("end", "begin")) == "end"
    assert option_count("periods", np.int64(3)) == 3
    with pytest.raises(InvalidInputError, match=r"periods must be a non-negative integer; got -2"):
        option_count("periods", -2)
    with pytest.raises(InvalidInputError, match=r"got float 2\.0"):
        option_count("periods", 2.0)
    bad: Any = 3
    with pytest.raises(InvalidInputError, match=r"timing must be one of 'end', 'begin'; got 3"):
        option_choice("timing", bad, ("end", "begin"))


def test_pandas_missing_scalar_is_nan_like_inside_a_series() -> None:
    (a,), wrap = coerce(a=pd.NA)
    assert isinstance(a, float)
    assert math.isnan(a)
    assert wrap is float


def test_empty_series_of_any_dtype_is_an_empty_result() -> None:
    (a,), wrap = coerce(a=pd.Series([], dtype=object))
    assert isinstance(a, np.ndarray)
    out = wrap(a)
    assert isinstance(out, pd.Series)
    assert out.empty
    assert out.dtype == np.float64


def test_infinities_are_refused_and_located() -> None:
    with pytest.raises(InvalidInputError, match=r"m must be finite; got inf"):
        check_range("m", math.inf)
    with pytest.raises(InvalidInputError, match=r"2 of 3 values .*\[0\] -inf, \[2\] inf"):
        check_range("m", np.array([-math.inf, 1.0, math.inf]))
    with pytest.raises(InvalidInputError, match=r"1 of 2 values"):
        check_range("d", np.array([0.1, math.inf]), low=0.0, allowed="a finite number >= 0")


def test_iso_to_utc_reads_texts_with_and_without_offsets_apart() -> None:
    # pandas 2.2 read "2025-12-31 14:00" as 14:00+01:00 when the batch's first text had
    # that offset; a text without an offset is UTC (salescore.schema.TIMESTAMPS).
    from salescore._arrays import iso_to_utc

    texts = pd.Series(["2025-12-31T14:00:00+01:00", "2025-12-31 14:00", "2025-12-31", "x"])
    stamps = iso_to_utc(texts).dt.tz_localize(None).tolist()
    assert stamps[:3] == [
        pd.Timestamp("2025-12-31 13:00"),  # 14:00 at +01:00
        pd.Timestamp("2025-12-31 14:00"),
        pd.Timestamp("2025-12-31"),
    ]
    assert pd.isna(stamps[3])


# ------------------------------------------------------------- hostile values


@pytest.mark.parametrize(
    "value",
    [
        pd.Series([1 + 2j, 3 + 0j]),
        np.array([1 + 2j]),
        [1 + 2j, 2.0],
        1 + 2j,
        np.complex128(1 + 0j),
    ],
    ids=["series", "array", "list", "scalar", "numpy-scalar"],
)
def test_complex_numbers_are_refused_not_cast_to_their_real_part(value: object) -> None:
    # Before, a complex Series became its real part with only numpy's ComplexWarning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InvalidInputError, match=r"a must (hold|be a) (real )?numbers?"):
            coerce(a=value)


def test_ragged_sequences_are_refused_by_name() -> None:
    with pytest.raises(InvalidInputError, match="a must be a flat sequence of numbers"):
        coerce(a=[[1.0], [2.0, 3.0]])


@pytest.mark.parametrize("value", ["False", "no", "", 0, 1, None, pd.NA, np.float64(1.0)])
def test_option_flag_refuses_every_non_bool(value: object) -> None:
    # A truthy non-bool read as True turned skipna="False" into skipna=True.
    with pytest.raises(InvalidInputError, match="skipna must be True or False; got"):
        option_flag("skipna", value)


def test_option_flag_accepts_python_and_numpy_bools() -> None:
    assert option_flag("skipna", True) is True
    assert option_flag("skipna", np.bool_(False)) is False


def test_option_count_has_an_optional_bound() -> None:
    assert option_count("bins", 500, maximum=500) == 500
    with pytest.raises(
        InvalidInputError, match="bins must be at most 500; got 1180591620717411303424"
    ):
        option_count("bins", 2**70, maximum=500)
    with pytest.raises(InvalidInputError, match="bins must be a non-negative integer"):
        option_count("bins", np.timedelta64(3, "h"))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (10**400, "must be a number within float range"),
        (fractions.Fraction(10**400, 3), "must be a number within float range"),
        (np.timedelta64(1, "h"), "must be a number; got timedelta64"),
        (np.datetime64("2026-01-01"), "must be a number; got datetime64"),
        (1 + 0j, "must be a number; got complex"),
        (decimal.Decimal("1.5"), "must be a number; got Decimal"),
        ("1.5", "must be a number; got str"),
        (None, "must be a number; got NoneType"),
        (pd.NA, "must be a number; got NAType"),
        (True, "must be a number; got bool"),
        (math.nan, "must be a number; got nan"),
    ],
)
def test_option_number_refuses_what_is_not_one_real_number(value: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=f"margin {message}"):
        option_number("margin", value)


def test_option_number_keeps_real_numbers_and_nan_when_allowed() -> None:
    assert option_number("margin", fractions.Fraction(1, 4)) == 0.25
    assert option_number("margin", np.int64(3)) == 3.0
    assert math.isnan(option_number("margin", math.nan, allow_nan=True))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["1", "2"], "ISO 8601"),  # dateutil read "1" as a day of the current month
        ([[1.0], [2.0, 3.0]], "one-dimensional sequence"),
        ({}, "one-dimensional sequence"),
        ("9999-12-31", "Out of bounds"),
        (np.array([1, 2], dtype="m8[h]"), "not numbers or durations"),
    ],
    ids=["bare-number-texts", "ragged", "dict", "far-date", "durations"],
)
def test_timestamps_refuse_hostile_input_by_name_without_a_pandas_warning(
    value: object, message: str
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Could not infer format" escaped before
        with pytest.raises(InvalidInputError, match=f"when .*{message}"):
            coerce_timestamps("when", value)


def test_timestamps_read_iso_texts_and_date_objects() -> None:
    index, single = coerce_timestamps("when", ["2026-01-15", "2026-01-16T09:30:00"])
    assert not single
    assert list(index) == [pd.Timestamp("2026-01-15"), pd.Timestamp("2026-01-16 09:30")]
    index, single = coerce_timestamps("when", datetime.date(2026, 1, 15))
    assert single
    assert index[0] == pd.Timestamp("2026-01-15")


def test_long_doubles_beyond_float_range_are_refused_not_cast_to_inf() -> None:
    # 1e400 is finite as an x86 long double and beyond float64: the cast gave inf with a
    # RuntimeWarning (FloatingPointError under errstate(all="raise")).
    huge = np.longdouble("1e400")
    if not np.isfinite(huge):
        pytest.skip("long double is float64 on this platform")
    with np.errstate(all="raise"):
        with pytest.raises(InvalidInputError, match=r"a must be within float range.*\[1\] 1e\+400"):
            coerce(a=np.array([1.0, huge], dtype=np.longdouble))
        with pytest.raises(InvalidInputError, match="a must be a number within float range"):
            coerce(a=huge)
        (value,), _ = coerce(a=np.array([2.5], dtype=np.longdouble))
        assert isinstance(value, np.ndarray)
        assert value.tolist() == [2.5]


def test_timestamps_mixing_texts_and_datetime64_read_the_texts_as_iso() -> None:
    # Texts beside np.datetime64 values went to pandas' format inference, whose
    # "Could not infer format" UserWarning escaped.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        index, _ = coerce_timestamps(
            "when", ["2024-01-01T10:00", np.datetime64("2024-02-01T10:00"), None]
        )
        assert list(index[:2]) == [
            pd.Timestamp("2024-01-01 10:00"),
            pd.Timestamp("2024-02-01 10:00"),
        ]
        assert index.isna().tolist() == [False, False, True]
        with pytest.raises(InvalidInputError, match="when must hold ISO 8601"):
            coerce_timestamps("when", ["0293-06-10T14:51:04", np.datetime64("2024-02-01")])
