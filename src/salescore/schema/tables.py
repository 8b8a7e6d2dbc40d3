"""The canonical tables as code: the kinds of column, the Column and Table records, TABLES.

Every table function reads one of seven canonical tables (deals, stage history,
deal changes, accounts, transactions, leads, activities). :data:`TABLES` describes each one: its
columns, their dtypes, which must be present, which may hold missing values and which
values are allowed (the vocabularies of :mod:`salescore.schema.vocabularies`).
:data:`KINDS` lists the kinds of column and :data:`TIMESTAMPS` states the one timestamp
convention of the library; checking a frame against a table is the business of
:mod:`salescore.schema.validation`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs
import pandas as pd

from .._arrays import option_flag, option_number
from ..errors import InvalidInputError
from .vocabularies import ACTIVITY_KINDS, FORECAST_CATEGORIES, STATUSES, TIERS

__all__ = [
    "KINDS",
    "TABLES",
    "TIMESTAMPS",
    "Column",
    "Table",
]

#: The kinds of column, each with its canonical dtype (see :class:`Column`).
KINDS: Final = (
    "id",
    "text",
    "choice",
    "currency",
    "number",
    "fraction",
    "date",
    "timestamp",
    "flag",
)

#: The timestamp convention of every canonical table, adapter, table function and
#: record, as text (the same rule is set out in the conventions page of the docs).
TIMESTAMPS: Final = (
    "Canonical tables hold naive datetime64[ns] timestamps, and a naive timestamp means "
    "UTC. Instants (a deal's created, a stage visit's entered and exited, a lead's "
    "created and first_contact, an activity's date and time, a change's changed_at) "
    "are the UTC wall-clock time with the zone dropped; calendar dates (close_date, a "
    "transaction's date, last_contact) are midnight of that date. The adapters produce "
    "exactly this. Table functions, formula functions and records also accept "
    "time-zone-aware timestamps: when all the timestamps a call combines are aware, "
    "they keep working on their zone's calendar and clock (periods split by that "
    "zone's calendar); when aware and naive timestamps meet in one call (two columns, "
    "two arguments, or a column and an option such as as_of or today), the aware ones "
    "are converted to UTC and their zone dropped, never refused. A record (Deal) "
    "stores a naive UTC time, converting an aware one. A date that only names a period "
    "(the start, end, observation_end or calibration_end options) is a label, not a "
    "moment: it stands for the period its own date falls in. The report's as_of is a "
    "calendar date in the same UTC calendar."
)

_DTYPES: Final = {
    "id": "object",
    "text": "object",
    "choice": "object",
    "currency": "object",
    "number": "float64",
    "fraction": "float64",
    "date": "datetime64[ns]",
    "timestamp": "datetime64[ns]",
    "flag": "bool",
}


def _kind(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or value not in KINDS:
        raise InvalidInputError(f"kind must be one of {', '.join(KINDS)}; got {value!r:.60}")


def _name(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidInputError(
            f"{attribute.name} must be a non-empty str; got {type(value).__name__} {value!r:.60}"
        )


def _text(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidInputError(
            f"{attribute.name} must be a str; got {type(value).__name__} {value!r:.60}"
        )


def _flag(value: object, field: attrs.Attribute[Any]) -> bool:
    return option_flag(field.name, value)


def _allowed(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise InvalidInputError(
        f"allowed must be None or a sequence of str; got {type(value).__name__} {value!r:.60}"
    )


def _minimum(value: object) -> float | None:
    if value is None:
        return None
    number = option_number("minimum", value)
    if not math.isfinite(number):
        raise InvalidInputError(f"minimum must be None or a finite number; got {value!r:.60}")
    return number


def _columns(value: object) -> tuple[Column, ...]:
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(column, Column) for column in value
    ):
        raise InvalidInputError(
            f"columns must be a sequence of Column; got {type(value).__name__} {value!r:.60}"
        )
    names = [column.name for column in value]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise InvalidInputError(f"columns must have distinct names; repeated: {twice!r}")
    return tuple(value)


@attrs.frozen(kw_only=True)
class Column:
    """One column of a canonical table.

    Parameters
    ----------
    name : str
        The canonical column name.
    kind : str
        What the column holds, which fixes its dtype:

        - ``"id"``: identifiers, object dtype; a non-blank ``str`` or an ``int``.
        - ``"text"``: free text, object (or pandas string) dtype; ``str`` or missing.
        - ``"choice"``: one of ``allowed``, object (or pandas string) dtype.
        - ``"currency"``: an upper-case ISO 4217 code, object (or string) dtype.
        - ``"number"``: float64 (any real dtype is accepted), finite and at least
          ``minimum``.
        - ``"fraction"``: float64 in [0, 1]; probabilities are fractions, never
          percentages.
        - ``"date"``: a calendar date as naive ``datetime64[ns]`` at midnight.
        - ``"timestamp"``: a moment as naive ``datetime64[ns]`` meaning UTC (the UTC
          wall-clock time, zone dropped: see :data:`TIMESTAMPS`), as the adapters
          give it; a time-zone-aware datetime64 is accepted too.
        - ``"flag"``: ``bool``.
    required : bool, default False
        Whether the column must be present in every frame of the table.
    nullable : bool, default True
        Whether a value may be missing (``None``, NaN, ``NaT``).
    unique : bool, default False
        Whether each value may occur in one row only (the table's key).
    allowed : tuple of str, optional
        The allowed values of a ``"choice"`` column.
    minimum : float, optional
        The smallest allowed value of a ``"number"`` column.
    description : str, default ""
        What the column means.

    Raises
    ------
    InvalidInputError
        An empty or non-str ``name``, an unknown ``kind``, a flag that is not a bool,
        ``allowed`` not a sequence of str, ``minimum`` not a finite number, or a
        ``description`` that is not a str.

    Examples
    --------
    >>> from salescore.schema import TABLES
    >>> column = TABLES["deals"]["status"]
    >>> column.kind, column.dtype, column.allowed
    ('choice', 'object', ('open', 'won', 'lost'))
    """

    name: str = attrs.field(validator=_name)
    kind: str = attrs.field(validator=_kind)
    required: bool = attrs.field(
        default=False,
        converter=attrs.Converter(_flag, takes_field=True),  # type: ignore[misc]
    )
    nullable: bool = attrs.field(
        default=True,
        converter=attrs.Converter(_flag, takes_field=True),  # type: ignore[misc]
    )
    unique: bool = attrs.field(
        default=False,
        converter=attrs.Converter(_flag, takes_field=True),  # type: ignore[misc]
    )
    allowed: tuple[str, ...] | None = attrs.field(default=None, converter=_allowed)
    minimum: float | None = attrs.field(default=None, converter=_minimum)
    description: str = attrs.field(default="", validator=_text)

    @property
    def dtype(self) -> str:
        """The canonical dtype, as a string pandas understands."""
        return _DTYPES[self.kind]


@attrs.frozen(kw_only=True)
class Table:
    """A canonical table: its name and its columns in order.

    Parameters
    ----------
    name : str
        The table's name, a key of :data:`TABLES`.
    columns : tuple of Column
        The columns, in the canonical order.
    description : str, default ""
        What one row of the table is.

    Raises
    ------
    InvalidInputError
        An empty or non-str ``name``, ``columns`` not a sequence of :class:`Column`
        with distinct names, or a ``description`` that is not a str.

    Examples
    --------
    >>> from salescore.schema import TABLES
    >>> deals = TABLES["deals"]
    >>> deals.required, deals.key
    (('deal_id', 'value'), 'deal_id')
    >>> deals.empty().dtypes["value"]
    dtype('float64')
    """

    name: str = attrs.field(validator=_name)
    columns: tuple[Column, ...] = attrs.field(converter=_columns)
    description: str = attrs.field(default="", validator=_text)

    def __getitem__(self, name: object) -> Column:
        for column in self.columns:
            # A name that is not a str (pd.NA compares as NA) names no column.
            if isinstance(name, str) and column.name == name:
                return column
        raise KeyError(name)

    def __iter__(self) -> Iterator[Column]:
        return iter(self.columns)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(column.name == name for column in self.columns)

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(column.name for column in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        """The names of the columns every frame must have."""
        return tuple(column.name for column in self.columns if column.required)

    @property
    def key(self) -> str | None:
        """The name of the column whose values are unique, or None."""
        return next((column.name for column in self.columns if column.unique), None)

    def empty(self) -> pd.DataFrame:
        """A frame with no rows and every column in its canonical dtype.

        Returns
        -------
        DataFrame
            The table's columns, in order, each of its :attr:`Column.dtype`.
        """
        return pd.DataFrame(
            {column.name: pd.Series([], dtype=column.dtype) for column in self.columns}
        )


def _table(name: str, description: str, *columns: Column) -> Table:
    return Table(name=name, columns=columns, description=description)


_C = Column
_ISO = "an ISO 4217 code such as 'EUR'"

#: The canonical tables by name: ``deals``, ``stage_history``, ``deal_changes``,
#: ``accounts``, ``transactions``, ``leads`` and ``activities``.
TABLES: Final[Mapping[str, Table]] = MappingProxyType(
    {
        "deals": _table(
            "deals",
            "one deal (opportunity)",
            _C(name="deal_id", kind="id", required=True, nullable=False, unique=True),
            _C(name="account_id", kind="id", description="the account the deal is for"),
            _C(name="owner", kind="text", description="the seller who owns the deal"),
            _C(name="stage", kind="text", description="the pipeline stage's label"),
            _C(name="value", kind="number", required=True, nullable=False, minimum=0.0),
            _C(name="probability", kind="fraction", description="the chance to win"),
            _C(name="currency", kind="currency", description=_ISO),
            _C(name="created", kind="timestamp", description="when the deal was created"),
            _C(name="close_date", kind="date", description="expected or actual close"),
            _C(name="status", kind="choice", nullable=False, allowed=STATUSES),
            _C(name="forecast_category", kind="choice", allowed=FORECAST_CATEGORIES),
            _C(name="source", kind="text", description="where the deal came from"),
            _C(name="lost_reason", kind="text", description="why a lost deal was lost"),
        ),
        "stage_history": _table(
            "stage_history",
            "one visit of a deal to a stage",
            _C(name="deal_id", kind="id", required=True, nullable=False),
            _C(name="stage", kind="text", required=True, nullable=False),
            _C(name="entered", kind="timestamp", required=True, nullable=False),
            _C(name="exited", kind="timestamp", required=True, description="NaT while open"),
        ),
        "deal_changes": _table(
            "deal_changes",
            "one change of a deal, holding the deal's whole state after the change",
            _C(name="deal_id", kind="id", required=True, nullable=False),
            _C(name="changed_at", kind="timestamp", required=True, nullable=False),
            _C(name="stage", kind="text", description="the stage after the change"),
            _C(name="value", kind="number", required=True, nullable=False, minimum=0.0),
            _C(name="probability", kind="fraction", description="the chance to win"),
            _C(name="close_date", kind="date", required=True, nullable=False),
            _C(name="forecast_category", kind="choice", allowed=FORECAST_CATEGORIES),
            _C(name="status", kind="choice", required=True, nullable=False, allowed=STATUSES),
            _C(name="currency", kind="currency", description=_ISO),
            _C(name="owner", kind="text", description="the seller who owns the deal"),
            _C(name="source", kind="text", description="where the deal came from"),
        ),
        "accounts": _table(
            "accounts",
            "one account (customer); segment columns such as size or region may be added",
            _C(name="account_id", kind="id", required=True, nullable=False, unique=True),
            _C(name="name", kind="text"),
            _C(name="annual_revenue", kind="number", minimum=0.0),
            _C(name="last_contact", kind="timestamp"),
            _C(name="tier", kind="choice", allowed=TIERS),
        ),
        "transactions": _table(
            "transactions",
            "one purchase by a customer",
            _C(name="customer_id", kind="id", required=True, nullable=False),
            _C(name="date", kind="timestamp", required=True, nullable=False),
            _C(name="amount", kind="number", required=True, nullable=False, minimum=0.0),
        ),
        "leads": _table(
            "leads",
            "one lead",
            _C(name="lead_id", kind="id", required=True, nullable=False, unique=True),
            _C(name="source", kind="text"),
            _C(name="owner", kind="text"),
            _C(name="created", kind="timestamp", required=True, nullable=False),
            _C(name="first_contact", kind="timestamp", description="NaT if never contacted"),
            _C(name="converted", kind="flag", nullable=False),
            _C(name="channel", kind="text"),
        ),
        "activities": _table(
            "activities",
            "one sales activity",
            _C(name="owner", kind="text", required=True, nullable=False),
            _C(name="date", kind="timestamp", required=True, nullable=False),
            _C(name="kind", kind="choice", required=True, nullable=False, allowed=ACTIVITY_KINDS),
            _C(name="outcome", kind="text"),
        ),
    }
)
