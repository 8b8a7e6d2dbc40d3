"""The column checks every table function makes first, on hostile frames and options."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from salescore import InvalidInputError, SchemaError
from salescore._tables import (
    column_problems,
    option_column,
    period_dtype,
    require_columns,
    require_numeric,
)

FRAME = pd.DataFrame({"deal_id": ["D1", "D2", "D3"], "value": [1.0, 2.0, 3.0]})


def _wanted() -> list[tuple[str, str | None]]:
    return [("deal_id", "id"), ("value", "number")]


def test_a_multiindex_header_is_a_schema_error_not_an_attribute_error() -> None:
    frame = FRAME.copy()
    frame.columns = pd.MultiIndex.from_tuples([("deal_id", "a"), ("value", "b")])
    with pytest.raises(SchemaError, match=r"2 header levels .*flatten them"):
        column_problems("deals", frame, _wanted())
    with pytest.raises(SchemaError, match=r"2 header levels .*flatten them"):
        require_columns("deals", frame, ["value"])


@pytest.mark.parametrize("name", [None, pd.NA, ["value"], 3])
def test_column_names_that_are_not_strings_are_refused(name: object) -> None:
    with pytest.raises(InvalidInputError, match="deals: column names must be strings"):
        column_problems("deals", FRAME, [(name, "number")])  # type: ignore[list-item]
    with pytest.raises(InvalidInputError, match="value must be a column name"):
        option_column("value", name)


def test_option_column_allows_none_only_when_optional() -> None:
    assert option_column("owner", "owner") == "owner"
    assert option_column("owner", None, optional=True) is None
    with pytest.raises(
        InvalidInputError, match=r"owner must be a column name \(str\); got NoneType"
    ):
        option_column("owner", None)


def test_lists_and_dicts_in_an_id_column_are_named_by_row() -> None:
    frame = FRAME.assign(deal_id=pd.Series(["D1", ["D2"], {"id": "D3"}], dtype=object))
    with pytest.raises(SchemaError, match=r"'deal_id' must hold single values.*2 rows: 1 .*, 2 "):
        column_problems("deals", frame, _wanted())
    with pytest.raises(SchemaError, match="'deal_id' must hold single values"):
        require_columns("deals", frame, ["deal_id"])


def test_a_tuple_holding_a_list_is_not_hashable_either() -> None:
    frame = FRAME.assign(deal_id=pd.Series(["D1", ("D2", ["x"]), "D3"], dtype=object))
    with pytest.raises(SchemaError, match="1 row: 1 "):
        column_problems("deals", frame, _wanted())


def test_plain_mixed_ids_pass() -> None:
    column_problems(
        "deals", FRAME.assign(deal_id=pd.Series(["D1", 2, ("D", 3)], dtype=object)), _wanted()
    )


def test_complex_columns_are_not_numeric() -> None:
    frame = FRAME.assign(value=[1 + 0j, 2 + 0j, 3 + 0j])
    with pytest.raises(SchemaError, match="'value' has dtype complex128; it must be numeric"):
        column_problems("deals", frame, _wanted())
    with pytest.raises(SchemaError, match="'value' has dtype complex128"):
        require_numeric("deals", frame, ["value"])


@pytest.mark.parametrize(
    ("freq", "reason"),
    [
        ("0D", "a period must span a positive length"),
        ("-1M", "a period must span a positive length"),
        ("cbh", ""),
        (3, ""),
        (None, ""),
    ],
)
def test_period_aliases_pandas_cannot_use_are_refused_by_name(freq: object, reason: str) -> None:
    # "0D" and "-1D" leaked pandas' ValueError from the table functions' period code.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(
            InvalidInputError, match=rf"freq must be a pandas period alias.*{reason}"
        ):
            period_dtype(freq)


def test_a_deprecated_period_alias_is_refused_not_warned_about() -> None:
    # pandas deprecates business-day periods; its FutureWarning escaped (pandas 3).
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            pd.PeriodDtype("B")
        except Warning:
            deprecated = True
        else:
            deprecated = False
        if not deprecated:
            pytest.skip("this pandas does not deprecate business-day periods")
        with pytest.raises(InvalidInputError, match=r"got 'B' \(pandas: "):
            period_dtype("B")


def test_usual_period_aliases_pass() -> None:
    assert [str(period_dtype(freq)) for freq in ("M", "2M", "Q-MAR", "W")] == [
        "period[M]",
        "period[2M]",
        "period[Q-MAR]",
        "period[W-SUN]",
    ]
