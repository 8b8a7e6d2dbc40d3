"""The check the forecasting records share: a field that is a table of known columns."""

from __future__ import annotations

from typing import Any

import attrs
import pandas as pd

from ..errors import InvalidInputError

__all__ = ["table_field"]


def table_field(columns: tuple[str, ...]) -> Any:
    """An attrs validator: a DataFrame whose columns are ``columns``, in that order."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, pd.DataFrame):
            raise InvalidInputError(
                f"{attribute.name} must be a DataFrame; got {type(value).__name__}"
            )
        if isinstance(value.columns, pd.MultiIndex) or list(value.columns) != list(columns):
            raise InvalidInputError(
                f"{attribute.name} must have the columns {list(columns)!r}, in that order; "
                f"got {list(value.columns)!r:.200}"
            )

    return check
