"""Column checks shared by the table functions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from .errors import SchemaError

__all__ = ["float_column", "require_columns", "require_numeric", "row_ids", "which"]

SHOWN: Final = 5  # how many rows an error message names


def require_columns(table: str, frame: object, columns: Iterable[str]) -> None:
    """Raise :class:`SchemaError` listing every column of ``columns`` that is missing."""
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"{table} must be a pandas DataFrame; got {type(frame).__name__}")
    wanted = list(dict.fromkeys(columns))
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


def require_numeric(table: str, frame: pd.DataFrame, columns: Iterable[str]) -> None:
    """Raise :class:`SchemaError` listing every column of ``columns`` that is not numeric."""
    wrong = [
        f"{column!r} has dtype {frame[column].dtype}"
        for column in dict.fromkeys(columns)
        if pd.api.types.is_bool_dtype(frame[column].dtype)
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
