"""The deal record: one opportunity of a CRM, validated when it is made.

A :class:`Deal` holds the fields of one row of the canonical deals table; every field
is converted and checked when the record is made, so a record that exists is a valid
one. :meth:`Deal.from_mapping` makes one from a CRM record or a row under other key
names. Turning a list of deals into the canonical deals table and back is the business
of :mod:`salescore.pipeline.records`.
"""

from __future__ import annotations

import collections
import datetime
import math
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from .._arrays import option_flag, option_number, utc_naive
from ..errors import InvalidInputError
from ..schema.vocabularies import CURRENCIES, WITHDRAWN_CURRENCIES
from ._categories import forecast_category, status

__all__ = ["Deal"]

#: The canonical deals columns, in the order of the table (and of the record's fields).
_COLUMNS: Final = (
    "deal_id",
    "account_id",
    "owner",
    "stage",
    "value",
    "probability",
    "currency",
    "created",
    "close_date",
    "status",
    "forecast_category",
    "source",
    "lost_reason",
)
_REQUIRED: Final = ("deal_id", "value")

# The dates a datetime64[ns] column holds at midnight, so that every record fits the
# table and comes back unchanged.
_FIRST_DATE: Final = datetime.date(1677, 9, 22)
_LAST_DATE: Final = datetime.date(2262, 4, 11)
_DATE_RANGE: Final = "between 1677-09-22 and 2262-04-11 (the range of datetime64[ns])"
_DATE_KINDS: Final = (
    "a date, a datetime, a pandas Timestamp, a numpy datetime64 or an ISO 8601 string"
)
_SHOWN: Final = 5  # how many offending items an error message lists


# ------------------------------------------------------------------ conversions


def _is_missing(value: object) -> bool:
    """Whether ``value`` is one of the markers pandas and NumPy use for a missing value."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return False


def _where(instance: Any) -> str:
    # deal_id is the first field, so it is set before any other field is converted.
    return f" (deal {instance.deal_id!r})"


def _listed(items: Iterable[object]) -> str:
    shown = list(items)
    more = ", …" if len(shown) > _SHOWN else ""
    return ", ".join(repr(item) for item in shown[:_SHOWN]) + more


#: Integer ids must fit a 64-bit integer column (as CRMs' numeric ids do).
_INT_IDS: Final = range(-(2**63), 2**63)


def _deal_id(value: Any, attribute: attrs.Attribute[Any]) -> str | int:
    if isinstance(value, str):
        if value.strip():
            return str(value)
    elif isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.timedelta64)):
        if int(value) in _INT_IDS:
            return int(value)
        raise InvalidInputError(f"{attribute.name} must fit a 64-bit integer; got {value!r:.60}")
    raise InvalidInputError(
        f"{attribute.name} must be a non-empty str or an int; got {type(value).__name__} {value!r}"
    )


def _optional_id(value: Any, instance: Any, attribute: attrs.Attribute[Any]) -> str | int | None:
    if _is_missing(value):
        return None
    if isinstance(value, str):
        return str(value)  # a plain str for a subclass such as np.str_
    if isinstance(value, (int, np.integer)) and not isinstance(
        value, (bool, np.bool_, np.timedelta64)
    ):
        if int(value) in _INT_IDS:
            return int(value)
        raise InvalidInputError(
            f"{attribute.name}{_where(instance)} must fit a 64-bit integer; got {value!r:.60}"
        )
    raise InvalidInputError(
        f"{attribute.name}{_where(instance)} must be a str, an int or None; "
        f"got {type(value).__name__} {value!r}"
    )


def _number(value: Any, instance: Any, attribute: attrs.Attribute[Any]) -> float:
    # option_number refuses booleans, strings, durations (np.timedelta64 is a NumPy
    # integer) and numbers beyond float range (10**400, a huge Fraction); NaN passes
    # here and the validators say what the field allows.
    return option_number(f"{attribute.name}{_where(instance)}", value, allow_nan=True)


def _optional_number(value: Any, instance: Any, attribute: attrs.Attribute[Any]) -> float | None:
    return None if _is_missing(value) else _number(value, instance, attribute)


def _text(value: Any, instance: Any, attribute: attrs.Attribute[Any]) -> str | None:
    if _is_missing(value):
        return None
    if isinstance(value, str):
        return str(value)  # a plain str for a subclass such as np.str_
    raise InvalidInputError(
        f"{attribute.name}{_where(instance)} must be a str or None; "
        f"got {type(value).__name__} {value!r}"
    )


def _status(value: Any, instance: Any, attribute: attrs.Attribute[Any]) -> str:
    return status(value, deal_id=instance.deal_id)


def _forecast_category(value: Any, instance: Any, attribute: attrs.Attribute[Any]) -> str | None:
    if _is_missing(value):
        return None
    return forecast_category(value, deal_id=instance.deal_id)


def _currency(value: Any, instance: Any, attribute: attrs.Attribute[Any]) -> str | None:
    if _is_missing(value):
        return None
    if isinstance(value, str) and (
        value.upper() in CURRENCIES or value.upper() in WITHDRAWN_CURRENCIES
    ):
        return str(value.upper())
    raise InvalidInputError(
        f"{attribute.name}{_where(instance)} must be an ISO 4217 code, three letters "
        f"such as 'EUR' or 'USD'; got {type(value).__name__} {value!r}"
    )


def _moment(value: Any, instance: Any, attribute: attrs.Attribute[Any]) -> datetime.datetime:
    """Read a date or time of any accepted kind as a datetime (a Timestamp for numpy)."""
    if isinstance(value, datetime.datetime):  # includes pandas.Timestamp
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            pass
    elif isinstance(value, np.datetime64):
        try:
            return pd.Timestamp(value)
        except (ValueError, OverflowError):  # OutOfBoundsDatetime is a ValueError
            raise InvalidInputError(
                f"{attribute.name}{_where(instance)} must be {_DATE_RANGE}; got {value!r}"
            ) from None
    raise InvalidInputError(
        f"{attribute.name}{_where(instance)} must be {_DATE_KINDS}, or None; "
        f"got {type(value).__name__} {value!r}"
    )


def _close_date(value: Any, instance: Any, attribute: attrs.Attribute[Any]) -> datetime.date | None:
    if _is_missing(value):
        return None
    moment = _moment(value, instance, attribute)
    if moment.tzinfo is not None:  # a moment with a zone: its date in UTC
        moment = moment.astimezone(datetime.UTC)
    day = moment.date()
    if not _FIRST_DATE <= day <= _LAST_DATE:
        raise InvalidInputError(
            f"{attribute.name}{_where(instance)} must be {_DATE_RANGE}; got {value!r}"
        )
    return datetime.date(day.year, day.month, day.day)


def _created(value: Any, instance: Any, attribute: attrs.Attribute[Any]) -> pd.Timestamp | None:
    if _is_missing(value):
        return None
    moment = _moment(value, instance, attribute)
    try:
        # An aware moment is kept as its UTC wall-clock time (the timestamp convention).
        return utc_naive(pd.Timestamp(moment)).as_unit("ns")
    except (ValueError, OverflowError):  # OutOfBoundsDatetime is a ValueError
        raise InvalidInputError(
            f"{attribute.name}{_where(instance)} must be {_DATE_RANGE}; got {value!r}"
        ) from None


# ------------------------------------------------------------------ validators


def _nonnegative(instance: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value < math.inf:
        raise InvalidInputError(
            f"{attribute.name}{_where(instance)} must be a finite number >= 0; got {value!r}"
        )


def _fraction(instance: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is None or 0.0 <= value <= 1.0:
        return
    hint = ", which looks like a percentage: divide by 100" if 1.0 < value <= 100.0 else ""
    raise InvalidInputError(
        f"{attribute.name}{_where(instance)} must be a fraction in [0, 1] or None; "
        f"got {value!r}{hint}"
    )


def _not_before_created(
    instance: Any, attribute: attrs.Attribute[Any], value: datetime.date | None
) -> None:
    # Validators run once every field is set, so created is available here.
    created = instance.created
    if value is not None and created is not None and value < created.date():
        raise InvalidInputError(
            f"{attribute.name}{_where(instance)} must not be before the day the deal was "
            f"created; got close_date {value.isoformat()} and created {created}"
        )


# Every converter but deal_id's takes the instance too, to name the deal in its errors;
# deal_id is the first field, so it is set before the others are converted.
_DEAL_ID: Final = attrs.Converter(_deal_id, takes_field=True)
_TEXT: Final = attrs.Converter(_text, takes_self=True, takes_field=True)
_OPTIONAL_ID: Final = attrs.Converter(_optional_id, takes_self=True, takes_field=True)
_VALUE: Final = attrs.Converter(_number, takes_self=True, takes_field=True)
_PROBABILITY: Final = attrs.Converter(_optional_number, takes_self=True, takes_field=True)
_CURRENCY: Final = attrs.Converter(_currency, takes_self=True, takes_field=True)
_CREATED: Final = attrs.Converter(_created, takes_self=True, takes_field=True)
_CLOSE_DATE: Final = attrs.Converter(_close_date, takes_self=True, takes_field=True)
_STATUS: Final = attrs.Converter(_status, takes_self=True, takes_field=True)
_CATEGORY: Final = attrs.Converter(_forecast_category, takes_self=True, takes_field=True)


# ------------------------------------------------------------------ the record


@attrs.frozen(kw_only=True)
class Deal:
    r"""One deal (opportunity) of a pipeline, with its value, confidence and status.

    The fields are the columns of the canonical deals table. Every field is converted
    and checked when the record is made, so an invalid deal cannot exist; change a
    field with ``attrs.evolve``, which checks again. Records are immutable, hashable and
    equal when all their fields are equal.

    Parameters
    ----------
    deal_id : str or int
        The deal's identifier: a non-blank str or an int that fits 64 bits (as the
        numeric ids of CRMs do), kept as given (a NumPy integer becomes ``int``).
    account_id : str, int or None, default None
        The account the deal is for, an identifier like ``deal_id`` (CRMs such as
        Pipedrive number their organisations); ``None`` when unknown.
    owner, stage : str or None, default None
        The deal's owner and the pipeline stage; ``None`` when unknown.
    value : float
        The deal's amount, a finite number >= 0, in ``currency``.
    probability : float or None, default None
        Confidence that the deal is won, a fraction in [0, 1]; ``None`` when unknown
        (to be filled, for example, from a stage → probability table).
    currency : str or None, default None
        The ISO 4217 code of ``value``, such as ``"EUR"``; lower case is accepted and
        upper-cased. Codes withdrawn since 1999 (``"HRK"``, ``"DEM"`` …) are accepted
        for historical deals. ``None`` means unspecified.
    created : Timestamp or None, default None
        When the deal was created, to the nanosecond. A date, datetime, pandas
        Timestamp, NumPy datetime64 or ISO 8601 string is accepted and stored as a
        timezone-naive ``pandas.Timestamp`` meaning UTC: a time-zone-aware one is
        converted to UTC and its zone dropped.
    close_date : datetime.date or None, default None
        The (expected or actual) close date. The same kinds as ``created`` are accepted;
        the date is kept and any time of day is dropped (a time-zone-aware moment gives
        its date in UTC).
    status : {"open", "won", "lost"}, default "open"
        Any letter case is accepted and stored in lower case.
    forecast_category : str or None, default None
        One of ``"omitted"``, ``"pipeline"``, ``"best_case"``, ``"most_likely"``,
        ``"commit"``, ``"closed"``; Salesforce's and HubSpot's spellings (such as
        ``"BestCase"``, ``"Forecast"`` or ``"OMIT"``) are accepted and stored as these.
    source, lost_reason : str or None, default None
        The lead or acquisition source, and why the deal was lost; ``None`` when
        unknown.

    Attributes
    ----------
    weighted_value : float
        ``value × probability``; NaN when the probability is unknown.

    Raises
    ------
    InvalidInputError
        A field of the wrong type or out of its range (the message names the field, the
        value and the deal id); a probability above 1 and at most 100 gets a hint that
        it looks like a percentage; a ``close_date`` before the day of ``created``.

    See Also
    --------
    deals_to_frame : a list of deals as the canonical deals table.
    frame_to_deals : the canonical deals table as a list of deals.

    Notes
    -----
    The optional fields take ``None`` for a missing value; NaN, ``NaT`` and ``pd.NA``
    are read as ``None`` too, so a row read from pandas needs no cleaning. ``deal_id``,
    ``value`` and ``status`` cannot be missing.

    Dates must lie between 1677-09-22 and 2262-04-11, the range of a
    ``datetime64[ns]`` column, so that every deal fits the canonical table. Times follow
    the timestamp convention of :data:`salescore.schema.TIMESTAMPS`: a naive time means
    UTC, and a time-zone-aware ``created`` (a CRM's ``CreatedDate`` with its offset, or a
    zoned column from an adapter) is converted to UTC and its zone dropped, so
    ``2024-03-04T10:30:00+01:00`` is stored as ``2024-03-04 09:30``. Naive values are
    kept exactly, so a table of naive timestamps goes to deals and back without loss.

    A ``lost_reason`` on a deal that is not lost is kept: CRMs let users fill it in at
    any stage, and a reopened deal keeps the reason it was once lost for. Nor does the
    status constrain the probability or the forecast category: a CRM's won deal with a
    probability of 0.9 is recorded as it is.

    With :math:`v` the value and :math:`p` the probability,

    .. math::

        \text{weighted value} = v \, p .

    References
    ----------
    .. [1] ISO 4217, *Codes for the representation of currencies*, List One as
       maintained by SIX on behalf of ISO, through amendment 179 (May 2025).
    .. [2] The canonical tables: see Conventions in the documentation (the schema section),
       for the deals table.

    Examples
    --------
    >>> import salescore.pipeline.records as records
    >>> deal = records.Deal(
    ...     deal_id="D-17", value=27_600, probability=0.12, currency="eur",
    ...     status="Open", created="2024-03-04T09:30", close_date="2024-06-28",
    ... )
    >>> deal.weighted_value  # Nutshell's example: 27,600 at 12 %
    3312.0
    >>> deal.currency, deal.status, deal.close_date, deal.created
    ('EUR', 'open', datetime.date(2024, 6, 28), Timestamp('2024-03-04 09:30:00'))

    A creation time with a zone is kept as its UTC time:

    >>> records.Deal(deal_id="D-17", value=27_600, created="2024-03-04T10:30:00+01:00").created
    Timestamp('2024-03-04 09:30:00')

    A probability written as a percentage is refused:

    >>> records.Deal(deal_id="D-18", value=34_500, probability=83)
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: probability (deal 'D-18') must be a fraction in [0, 1] or None; got 83.0, which looks like a percentage: divide by 100
    """  # noqa: E501

    deal_id: str | int = attrs.field(converter=_DEAL_ID)  # type: ignore[misc]
    account_id: str | int | None = attrs.field(default=None, converter=_OPTIONAL_ID)  # type: ignore[misc]
    owner: str | None = attrs.field(default=None, converter=_TEXT)  # type: ignore[misc]
    stage: str | None = attrs.field(default=None, converter=_TEXT)  # type: ignore[misc]
    value: float = attrs.field(converter=_VALUE, validator=_nonnegative)  # type: ignore[misc]
    probability: float | None = attrs.field(
        default=None,
        converter=_PROBABILITY,  # type: ignore[misc]
        validator=_fraction,
    )
    currency: str | None = attrs.field(default=None, converter=_CURRENCY)  # type: ignore[misc]
    created: pd.Timestamp | None = attrs.field(default=None, converter=_CREATED)  # type: ignore[misc]
    close_date: datetime.date | None = attrs.field(
        default=None,
        converter=_CLOSE_DATE,  # type: ignore[misc]
        validator=_not_before_created,
    )
    status: str = attrs.field(default="open", converter=_STATUS)  # type: ignore[misc]
    forecast_category: str | None = attrs.field(default=None, converter=_CATEGORY)  # type: ignore[misc]
    source: str | None = attrs.field(default=None, converter=_TEXT)  # type: ignore[misc]
    lost_reason: str | None = attrs.field(default=None, converter=_TEXT)  # type: ignore[misc]

    @property
    def weighted_value(self) -> float:
        """The value weighted by its probability, ``value × probability`` (NaN if unknown)."""
        if self.probability is None:
            return math.nan
        return self.value * self.probability

    @classmethod
    def from_mapping(
        cls,
        mapping: Mapping[Any, Any],
        *,
        fields: Mapping[str, Any] | None = None,
        strict: bool = True,
    ) -> Deal:
        """Make a deal from a dict, such as a CRM record or a row of a table.

        Parameters
        ----------
        mapping : Mapping
            The deal's fields. Keys are the canonical field names, unless ``fields``
            says otherwise; an absent optional field takes its default.
        fields : Mapping of str to key, keyword-only, optional
            For each canonical field read under another key, that key: with
            ``fields={"value": "Amount"}`` the value is ``mapping["Amount"]``.
        strict : bool, keyword-only, default True
            Whether a key that names no field is an error (``True``) or is ignored.

        Returns
        -------
        Deal
            The validated deal.

        Raises
        ------
        InvalidInputError
            ``mapping`` lacks the key of ``deal_id`` or ``value``; it has keys that
            name no field while ``strict`` is true (all are listed); ``fields`` names
            something that is not a field or maps two fields to one key; or a field's
            value is invalid (see :class:`Deal`).

        See Also
        --------
        frame_to_deals : every row of a canonical deals table as a deal.

        Notes
        -----
        Missing values (``None``, NaN, ``NaT``, ``pd.NA``) of optional fields become
        ``None``, so a row of ``DataFrame.to_dict("records")`` can be passed as it is.
        Vendor spellings of the status and forecast category are read as in
        :class:`Deal`; a probability in percent must be divided by 100 first.

        Examples
        --------
        >>> import salescore.pipeline.records as records
        >>> row = {"Id": "006A1", "Amount": 34_500.0, "Probability": 0.83,
        ...        "StageName": "Negotiation", "ForecastCategory": "BestCase"}
        >>> names = {"deal_id": "Id", "value": "Amount", "probability": "Probability",
        ...          "stage": "StageName", "forecast_category": "ForecastCategory"}
        >>> deal = records.Deal.from_mapping(row, fields=names)
        >>> deal.weighted_value  # Nutshell's example: 34,500 at 83 %
        28635.0
        >>> deal.forecast_category
        'best_case'
        >>> records.Deal.from_mapping(row | {"Owner": "ana"}, fields=names)
        Traceback (most recent call last):
        ...
        salescore.errors.InvalidInputError: Deal.from_mapping (deal '006A1'): unknown key 'Owner' ...
        """  # noqa: E501
        if not isinstance(mapping, Mapping):
            raise InvalidInputError(
                f"mapping must be a mapping of field names to values; got {type(mapping).__name__}"
            )
        strict = _flag("strict", strict)
        keys = _keys_of_fields(fields)
        known = set(keys.values())
        where = f" (deal {mapping[keys['deal_id']]!r})" if keys["deal_id"] in mapping else ""
        missing = [
            f"{keys[name]!r} for {name}" if keys[name] != name else repr(name)
            for name in _REQUIRED
            if keys[name] not in mapping
        ]
        if missing:
            raise InvalidInputError(
                f"Deal.from_mapping{where}: missing key{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} (it has {_listed(mapping)})"
            )
        unknown = [key for key in mapping if key not in known]
        if unknown and strict:
            plural = "s" if len(unknown) > 1 else ""
            raise InvalidInputError(
                f"Deal.from_mapping{where}: unknown key{plural} {_listed(unknown)} "
                f"(values {_listed(mapping[key] for key in unknown)}); map them to fields "
                "with fields=, or pass strict=False to ignore them"
            )
        arguments = {name: mapping[key] for name, key in keys.items() if key in mapping}
        return cls(**arguments)


def _flag(name: str, value: object) -> bool:
    return option_flag(name, value)


def _keys_of_fields(fields: Mapping[str, Any] | None) -> dict[str, Any]:
    """The key under which each canonical field is read."""
    if fields is None:
        return {name: name for name in _COLUMNS}
    if not isinstance(fields, Mapping):
        raise InvalidInputError(
            f"fields must be a mapping of field names to keys; got {type(fields).__name__}"
        )
    unknown = [name for name in fields if name not in _COLUMNS]
    if unknown:
        verb = "are not fields" if len(unknown) > 1 else "is not a field"
        raise InvalidInputError(
            f"fields: {_listed(unknown)} {verb} of Deal; the fields are {', '.join(_COLUMNS)}"
        )
    keys = {name: fields.get(name, name) for name in _COLUMNS}
    shared = [key for key, count in collections.Counter(keys.values()).items() if count > 1]
    if shared:
        names = [name for name, key in keys.items() if key in shared]
        raise InvalidInputError(
            f"fields: more than one field is read from key {_listed(shared)} "
            f"(fields {', '.join(names)})"
        )
    return keys
