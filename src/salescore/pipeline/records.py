"""The canonical deals table as a list of deals and back.

:func:`deals_to_frame` turns :class:`~salescore.pipeline.Deal` records into the
canonical deals table the table functions read, and :func:`frame_to_deals` turns such a
table back into deals, without loss either way. The record itself lives in
:mod:`salescore.pipeline.deal`; it is re-exported here, so
``salescore.pipeline.records.Deal`` keeps working.
"""

from __future__ import annotations

import collections
import math
from collections.abc import Iterable, Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from .._tables import require_columns
from ..errors import InvalidInputError, SchemaError
from .deal import _COLUMNS, _REQUIRED, _SHOWN, Deal, _flag, _listed

__all__ = ["Deal", "deals_to_frame", "frame_to_deals"]

_TEXT_COLUMNS: Final = (
    "deal_id",
    "account_id",
    "owner",
    "stage",
    "currency",
    "status",
    "forecast_category",
    "source",
    "lost_reason",
)


# ------------------------------------------------------------------ tables


def _repeated(ids: Iterable[str | int]) -> list[str | int]:
    return [deal_id for deal_id, count in collections.Counter(ids).items() if count > 1]


def deals_to_frame(deals: Iterable[Deal]) -> pd.DataFrame:
    """The canonical deals table of a list of deals, one row per deal in order.

    Parameters
    ----------
    deals : iterable of Deal
        The deals, with distinct ``deal_id`` values.

    Returns
    -------
    DataFrame
        On a default ``RangeIndex``, with the columns ``deal_id, account_id, owner,
        stage, value, probability, currency, created, close_date, status,
        forecast_category, source, lost_reason`` in this order. ``value`` and
        ``probability`` are float64 (NaN for an unknown probability); ``created`` and
        ``close_date`` are ``datetime64[ns]`` (``close_date`` at midnight, NaT for
        ``None``); every other column has object dtype with ``None`` for a missing
        value. An empty input gives an empty table with these columns and dtypes.

    Raises
    ------
    InvalidInputError
        An item is not a :class:`Deal`, or a deal id occurs more than once (all repeated
        ids are listed).

    See Also
    --------
    frame_to_deals : the inverse.
    Deal : the record and its fields.

    Notes
    -----
    Text columns have object dtype even on pandas 3, which would otherwise infer its
    ``str`` dtype with NaN for missing values; so the table holds ``None`` and compares
    equal across pandas versions. ``frame_to_deals(deals_to_frame(deals)) == deals``.

    References
    ----------
    .. [1] The canonical tables: see Conventions in the documentation (the schema section),
       for the deals table.

    Examples
    --------
    >>> import salescore.pipeline.records as records
    >>> deals = [
    ...     records.Deal(deal_id="D-17", value=27_600, probability=0.12,
    ...                  close_date="2024-06-28"),
    ...     records.Deal(deal_id="D-18", value=34_500, probability=0.83, status="won"),
    ... ]
    >>> table = records.deals_to_frame(deals)
    >>> table[["deal_id", "value", "probability", "close_date", "status"]]
      deal_id    value  probability close_date status
    0    D-17  27600.0         0.12 2024-06-28   open
    1    D-18  34500.0         0.83        NaT    won
    >>> float((table["value"] * table["probability"]).sum())
    31947.0
    >>> records.deals_to_frame(deals + deals[:1])
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: deals: deal_id must be unique; repeated: 'D-17'
    """
    if (
        isinstance(deals, (str, bytes, Mapping, pd.DataFrame))
        or (isinstance(deals, np.ndarray) and deals.ndim != 1)
        or not isinstance(deals, Iterable)
    ):
        shape = f" of shape {deals.shape}" if isinstance(deals, np.ndarray) else ""
        raise InvalidInputError(
            f"deals must be an iterable of Deal records; got {type(deals).__name__}{shape}"
        )
    items: list[object] = list(deals)
    records = [item for item in items if isinstance(item, Deal)]
    if len(records) < len(items):
        wrong = [position for position, item in enumerate(items) if not isinstance(item, Deal)]
        shown = ", ".join(
            f"[{position}] {type(items[position]).__name__}" for position in wrong[:_SHOWN]
        )
        more = ", …" if len(wrong) > _SHOWN else ""
        raise InvalidInputError(
            f"deals must hold Deal records; {len(wrong)} of {len(items)} items are not "
            f"(0-based positions: {shown}{more}); make them with Deal or Deal.from_mapping"
        )
    repeated = _repeated(deal.deal_id for deal in records)
    if repeated:
        raise InvalidInputError(f"deals: deal_id must be unique; repeated: {_listed(repeated)}")
    not_a_time = np.datetime64("NaT", "ns")
    columns: dict[str, pd.Series[Any]] = {}
    for name in _COLUMNS:
        values = [getattr(deal, name) for deal in records]
        if name in _TEXT_COLUMNS:
            columns[name] = pd.Series(values, dtype=object)
        elif name in ("value", "probability"):
            numbers_ = [math.nan if number is None else number for number in values]
            columns[name] = pd.Series(np.array(numbers_, dtype=np.float64))
        elif name == "created":
            stamps = [not_a_time if stamp is None else stamp.to_datetime64() for stamp in values]
            columns[name] = pd.Series(np.array(stamps, dtype="datetime64[ns]"))
        else:  # close_date: days, NaT for None, then nanoseconds at midnight
            days = np.array(values, dtype="datetime64[D]")
            columns[name] = pd.Series(days.astype("datetime64[ns]"))
    return pd.DataFrame(columns)


def frame_to_deals(frame: pd.DataFrame, *, strict: bool = True) -> list[Deal]:
    """The deals of a canonical deals table, one per row in order.

    Parameters
    ----------
    frame : DataFrame
        A table with at least the columns ``deal_id`` and ``value``; any other
        canonical column (see :func:`deals_to_frame`) may be left out, and its field is
        then ``None`` (``status`` is then ``"open"``). Columns of any dtype are read
        value by value through :class:`Deal`.
    strict : bool, keyword-only, default True
        Whether a column that is not a canonical deals column is an error (``True``)
        or is ignored.

    Returns
    -------
    list of Deal
        One deal per row, in the order of the rows; missing values (NaN, ``NaT``,
        ``pd.NA``, ``None``) become ``None``.

    Raises
    ------
    SchemaError
        ``frame`` is not a DataFrame, lacks ``deal_id`` or ``value``, has a column name
        twice, or has columns that are not canonical while ``strict`` is true (all are
        listed).
    InvalidInputError
        A row is not a valid deal (the message gives the row label, the field, the
        value and the deal id), or a deal id occurs in more than one row.

    See Also
    --------
    deals_to_frame : the inverse.
    Deal.from_mapping : one deal from a dict with other key names.

    Notes
    -----
    ``deals_to_frame(frame_to_deals(table))`` equals ``table`` for every table made by
    :func:`deals_to_frame`. Other tables come back in the canonical form: columns in
    canonical order, a ``RangeIndex``, times of day dropped from ``close_date``, and a
    time-zone-aware ``created`` (as the adapters may give it) converted to UTC with its
    zone dropped, following :data:`salescore.schema.TIMESTAMPS`.

    References
    ----------
    .. [1] The canonical tables: see Conventions in the documentation (the schema section),
       for the deals table.

    Examples
    --------
    >>> import pandas as pd
    >>> import salescore.pipeline.records as records
    >>> table = pd.DataFrame({
    ...     "deal_id": [101, 102],
    ...     "value": [27_600.0, 34_500.0],
    ...     "probability": [0.12, None],
    ...     "status": ["open", "Won"],
    ... })
    >>> deals = records.frame_to_deals(table)
    >>> [(deal.deal_id, deal.probability, deal.status) for deal in deals]
    [(101, 0.12, 'open'), (102, None, 'won')]
    >>> records.frame_to_deals(table.assign(probability=[12.0, 0.5]))
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: deals row 0: probability (deal 101) must be a fraction in [0, 1] or None; got 12.0, which looks like a percentage: divide by 100
    """  # noqa: E501
    strict = _flag("strict", strict)
    require_columns("deals", frame, _REQUIRED)
    names = list(frame.columns)
    twice = [name for name, count in collections.Counter(names).items() if count > 1]
    if twice:
        raise SchemaError(f"deals: more than one column is named {_listed(twice)}")
    unknown = [name for name in names if name not in _COLUMNS]
    if unknown and strict:
        plural = "s" if len(unknown) > 1 else ""
        raise SchemaError(
            f"deals: unknown column{plural} {_listed(unknown)}; the canonical deals columns "
            f"are {', '.join(_COLUMNS)}: rename or drop the others, or pass strict=False "
            "to ignore them"
        )
    present = [name for name in _COLUMNS if name in names]
    columns = [frame[name].tolist() for name in present]
    deals: list[Deal] = []
    for label, row in zip(frame.index, zip(*columns, strict=True), strict=True):
        try:
            deals.append(Deal(**dict(zip(present, row, strict=True))))
        except InvalidInputError as error:
            raise InvalidInputError(f"deals row {label!r}: {error}") from error
    repeated = _repeated(deal.deal_id for deal in deals)
    if repeated:
        rows = [
            label
            for label, deal in zip(frame.index, deals, strict=True)
            if deal.deal_id in repeated
        ]
        raise InvalidInputError(
            f"deals: deal_id must be unique; repeated: {_listed(repeated)} (rows {_listed(rows)})"
        )
    return deals
