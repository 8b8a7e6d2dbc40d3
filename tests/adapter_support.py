"""Helpers shared by the vendor adapter tests: expected frames and the row accounting."""

from __future__ import annotations

from typing import Any

import pandas as pd

from salescore.schema import TABLES


def canonical_frame(table: str, rows: dict[str, list[Any]], index: list[int]) -> pd.DataFrame:
    """A canonical frame from lists by column, in the schema's dtypes (others missing)."""
    data = {}
    for column in TABLES[table]:
        values = rows.get(column.name, [None] * len(index))
        dtype: Any = column.dtype
        if column.kind in ("number", "fraction"):
            series = pd.Series(values, dtype="float64")
        elif column.kind == "timestamp":
            # The canonical convention: naive datetime64[ns] holding UTC wall-clock time.
            series = pd.Series(pd.to_datetime(values, utc=True, format="ISO8601"))
            series = series.dt.tz_localize(None).astype("datetime64[ns]")
        elif column.kind == "date":
            series = pd.Series(pd.to_datetime(values)).astype(dtype)
        else:
            series = pd.Series(values, dtype=object)
        data[column.name] = series.set_axis(pd.Index(index))
    return pd.DataFrame(data, index=pd.Index(index))


def assert_accounted(result: Any) -> None:
    """Every input row is in exactly one of the frame and the rejects, with a reason."""
    assert result.accepted + result.n_rejected == result.rows_in
    together = sorted([*result.frame.index.tolist(), *result.rejected.index.tolist()])
    assert together == list(range(result.rows_in))
    assert result.rejected["reason"].map(lambda text: isinstance(text, str) and text).all()
