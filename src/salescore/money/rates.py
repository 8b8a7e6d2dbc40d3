"""The rates table: dated exchange rates against one corporate currency.

:class:`ExchangeRates` holds what a company's finance team keeps: for each currency, the
rates it used against the corporate currency and the date from which each was in
force, as Salesforce's advanced currency management keeps them in
``DatedConversionRate`` records and HubSpot keeps exchange rates against the company
currency. It is made from arrays, a DataFrame (:meth:`ExchangeRates.from_frame`),
Salesforce records (:meth:`ExchangeRates.from_salesforce`) or a CSV file
(:func:`read_rates`), and answers one question: which rate was in force for a currency
on a date (:meth:`ExchangeRates.rate`). Converting amounts with it is the business of
:mod:`salescore.money.conversion`.
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from types import MappingProxyType
from typing import Any, NamedTuple

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import FloatArray, coerce_timestamps
from .._tables import float_column, which
from ..errors import IndexMismatchError, InvalidInputError
from ..schema import check_columns
from . import _read, _sources
from ._read import NAT, ObjectArray, Stamps

__all__ = ["ExchangeRates", "read_rates"]


def _base_field(value: object) -> str:
    return _read.code("base", value)


class _Sorted(NamedTuple):
    """The table sorted by currency, then valid_from, with each currency's slice of rows."""

    codes: ObjectArray
    starts: Stamps
    rates: FloatArray
    segments: Mapping[str, tuple[int, int]]


@attrs.frozen(kw_only=True, eq=False)
class ExchangeRates:
    r"""Dated exchange rates against one corporate currency: which rate was in force when.

    Each row says that from ``valid_from`` on, one unit of ``base`` (the corporate
    currency) was worth ``rate`` units of ``currency``, until the next ``valid_from``
    of the same currency; the last rate of a currency stays in force. This is how
    Salesforce's advanced currency management keeps rates (``DatedConversionRate``:
    ``IsoCode``, ``ConversionRate``, ``StartDate``, with ``NextStartDate`` the start of
    the next range) and converts an opportunity at the rate in force on its close date.

    Parameters
    ----------
    base : str
        The corporate currency, an ISO 4217 code (any case; stored upper-case). Its rate
        is 1 at every date, whether or not the table lists it.
    currencies : sequence of str
        The currency of each rate, ISO 4217 codes (any case; stored upper-case). Codes
        withdrawn since 1999 (such as ``HRK``) are accepted for old deals.
    valid_from : sequence of dates
        The date from which each rate is in force: dates without a time of day,
        naive (meaning the UTC calendar, see :data:`salescore.schema.TIMESTAMPS`) or
        time-zone aware (converted to UTC first), as ``datetime64`` values,
        ``datetime.date`` or ISO 8601 texts.
    rates : sequence of float
        Units of the currency per one unit of ``base``, finite and > 0; 1 for ``base``
        itself if it is listed.

    Raises
    ------
    InvalidInputError
        ``base`` or a currency that is not an ISO 4217 code; a field that is not a
        one-dimensional sequence, or fields of different lengths; a missing date or one
        with a time of day; a rate that is not a finite number > 0; a (currency,
        valid_from) pair given twice; a rate of ``base`` other than 1. One error lists
        every problem, with the rows (0-based positions) it concerns.
    IndexMismatchError
        Two fields are Series with different indexes.

    See Also
    --------
    read_rates : a rates table from a CSV file.
    salescore.money.convert : a frame's amounts in one currency.

    Notes
    -----
    The rate of currency :math:`c` on date :math:`d` is the rate of the row of
    :math:`c` with the latest :math:`\mathrm{valid\_from} \le d`; before the first
    ``valid_from`` of :math:`c` there is none. An amount :math:`a` in :math:`c` is
    worth :math:`a / r_c(d)` in ``base``, and :math:`a \, r_t(d) / r_c(d)` in a third
    currency :math:`t` (a cross rate through the base).

    The fields keep the order given; :meth:`to_frame` lists the table sorted by
    currency, then date. The record is not hashable and has no ``==``: compare
    :meth:`to_frame` of two tables instead.

    References
    ----------
    Salesforce, *Object Reference: DatedConversionRate* (fields ``IsoCode``,
    ``ConversionRate``: the "conversion rate of this currency type against the
    corporate currency", ``StartDate``, ``NextStartDate``: "effectively the day after
    the end date for this exchange rate"),
    https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_datedconversionrate.htm

    Examples
    --------
    A Nordic company keeps its books in euros; the krona rate changed on 1 April:

    >>> from salescore.money import ExchangeRates
    >>> rates = ExchangeRates(
    ...     base="EUR",
    ...     currencies=["SEK", "SEK", "USD"],
    ...     valid_from=["2026-01-01", "2026-04-01", "2026-01-01"],
    ...     rates=[11.5, 11.0, 1.1],
    ... )
    >>> rates.rate("SEK", "2026-03-31"), rates.rate("SEK", "2026-04-01")
    (11.5, 11.0)
    >>> rates.rate("EUR", "2026-05-01")
    1.0
    >>> ExchangeRates(base="EUR", currencies=["SEK"], valid_from=["2026-01-01"], rates=[0.0])
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: ExchangeRates: 'rates' must be a finite number > 0 ...
    """

    base: str = attrs.field(converter=_base_field)
    currencies: ObjectArray = attrs.field(repr=False, converter=_read.currencies_field)
    valid_from: npt.NDArray[np.datetime64] = attrs.field(
        repr=False, converter=_read.valid_from_field
    )
    rates: FloatArray = attrs.field(repr=False, converter=_read.rates_field)
    _sorted: _Sorted = attrs.field(init=False, repr=False)

    def __attrs_pre_init__(
        self, *, base: object, currencies: object, valid_from: object, rates: object
    ) -> None:
        given = {"currencies": currencies, "valid_from": valid_from, "rates": rates}
        indexed = [(name, value) for name, value in given.items() if isinstance(value, pd.Series)]
        for name, value in indexed[1:]:
            first, series = indexed[0]
            if not series.index.equals(value.index):
                raise IndexMismatchError(
                    f"{first} and {name} are Series with different indexes; salescore never "
                    "combines Series by position: align them first"
                )

    @_sorted.default
    def _sort(self) -> _Sorted:
        lengths = {len(self.currencies), len(self.valid_from), len(self.rates)}
        if len(lengths) > 1:
            raise InvalidInputError(
                f"currencies, valid_from and rates must have one element per rate; they "
                f"have {len(self.currencies)}, {len(self.valid_from)} and {len(self.rates)}"
            )
        starts = self.valid_from.view(np.int64)
        codes = _read.check_rows(
            self.base,
            self.currencies,
            starts,
            self.rates,
            ids=np.arange(len(self.rates), dtype=object),
            noun="row",
            columns=("currencies", "valid_from", "rates"),
            where="ExchangeRates: ",
        )
        keys, uniques = pd.factorize(codes, sort=True)
        order = np.lexsort((starts, keys))
        ends = np.searchsorted(keys[order], np.arange(len(uniques) + 1))
        segments = MappingProxyType(
            {str(item): (int(ends[k]), int(ends[k + 1])) for k, item in enumerate(uniques)}
        )
        sorted_codes = codes[order]
        sorted_starts = starts[order]
        sorted_rates = self.rates[order]
        for array in (sorted_codes, sorted_starts, sorted_rates):
            array.flags.writeable = False
        return _Sorted(sorted_codes, sorted_starts, sorted_rates, segments)

    # ------------------------------------------------------------------ constructors

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        base: str,
        currency: str = "currency",
        valid_from: str = "valid_from",
        rate: str = "rate",
    ) -> ExchangeRates:
        """A rates table from a DataFrame with one row per rate.

        Parameters
        ----------
        frame : DataFrame
            One row per rate: its currency, the date from which it is in force and
            the rate (units of the currency per one unit of ``base``).
        base : str, keyword-only
            The corporate currency, an ISO 4217 code.
        currency, valid_from, rate : str, keyword-only
            The names of the three columns: ISO 4217 codes; datetime64 dates (naive,
            or time-zone aware and converted to UTC) without a time of day; numbers.

        Returns
        -------
        ExchangeRates

        Raises
        ------
        SchemaError
            ``frame`` is not a DataFrame, lacks a column, or a column has a dtype
            that cannot be read (dates that are text: convert them with
            ``pandas.to_datetime``).
        InvalidInputError
            A column option is not a string, two name one column, or a row is
            refused as :class:`ExchangeRates` refuses it; the message names the
            frame's row labels.

        Examples
        --------
        >>> import pandas as pd
        >>> from salescore.money import ExchangeRates
        >>> table = pd.DataFrame({
        ...     "currency": ["SEK", "SEK"],
        ...     "valid_from": pd.to_datetime(["2026-01-01", "2026-04-01"]),
        ...     "rate": [11.5, 11.0],
        ... })
        >>> ExchangeRates.from_frame(table, base="EUR").rate("SEK", "2026-06-30")
        11.0
        """
        code = _read.code("base", base)
        names = {
            "currency": _read.column("currency", currency),
            "valid_from": _read.column("valid_from", valid_from),
            "rate": _read.column("rate", rate),
        }
        if len(set(names.values())) < len(names):
            raise InvalidInputError(
                f"currency, valid_from and rate must name three different columns; got {names}"
            )
        check_columns(
            frame,
            "frame",
            names,
            kinds={"currency": "currency", "valid_from": "date", "rate": "number"},
        )
        raw = frame[names["currency"]].to_numpy(dtype=object)
        starts = _read.nanoseconds(
            names["valid_from"], pd.DatetimeIndex(frame[names["valid_from"]])
        )
        values = np.asarray(float_column(frame, names["rate"]), dtype=np.float64)
        codes = _read.check_rows(
            code,
            raw,
            starts,
            values,
            ids=frame.index.to_numpy(dtype=object),
            noun="row",
            columns=(names["currency"], names["valid_from"], names["rate"]),
            where="frame: ",
        )
        return cls(
            base=code, currencies=codes, valid_from=starts.view("datetime64[ns]"), rates=values
        )

    @classmethod
    def from_salesforce(cls, records: object, *, base: str) -> ExchangeRates:
        """A rates table from Salesforce ``DatedConversionRate`` records.

        Parameters
        ----------
        records : list of dict, query response or DataFrame
            The records of ``SELECT IsoCode, ConversionRate, StartDate, NextStartDate
            FROM DatedConversionRate`` (other fields, such as ``attributes`` and
            ``Id``, are ignored; field names in any case), the query response with
            its ``records`` (what simple-salesforce's ``query_all`` returns), or an
            export with those columns. Every record of each currency is needed: the
            ``NextStartDate`` of a record must be the ``StartDate`` of the next one.
        base : str, keyword-only
            The corporate currency (the organisation's ``CorporateCurrency``, whose
            ``ConversionRate`` is 1).

        Returns
        -------
        ExchangeRates

        Raises
        ------
        SchemaError
            ``records`` is not records, or lacks ``IsoCode``, ``ConversionRate`` or
            ``StartDate``.
        InvalidInputError
            A record is refused as :class:`ExchangeRates` refuses a row, or holds a
            date that cannot be read; or the records leave a gap: a ``NextStartDate``
            that is not the ``StartDate`` of the next record of the currency (a query
            filtered on ``StartDate``), which would stretch one rate over a range in
            which another was in force. Records are named by 0-based position.

        Notes
        -----
        Salesforce keeps each rate in force from its ``StartDate`` until the day
        before the ``NextStartDate``; the first range of a currency starts at the
        beginning of time and the last runs to the end of time. A ``StartDate`` before
        1677-09-22 (the earliest date ``datetime64[ns]`` holds, such as 0001-01-01) is
        read as that date; a ``NextStartDate`` after 2262-04-11 (such as 9999-12-31), or
        none, means the rate is the last.

        References
        ----------
        Salesforce, *Object Reference: DatedConversionRate*,
        https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_datedconversionrate.htm

        Examples
        --------
        >>> from salescore.money import ExchangeRates
        >>> records = [
        ...     {"IsoCode": "AUD", "ConversionRate": 1.39, "StartDate": "2014-01-01",
        ...      "NextStartDate": "2014-02-01"},
        ...     {"IsoCode": "AUD", "ConversionRate": 1.42, "StartDate": "2014-02-01",
        ...      "NextStartDate": "9999-12-31"},
        ... ]
        >>> rates = ExchangeRates.from_salesforce(records, base="USD")
        >>> rates.rate("AUD", ["2014-01-31", "2014-02-01"])
        array([1.39, 1.42])
        """
        code = _read.code("base", base)
        raw, starts, values, nexts = _sources.salesforce_rows(records)
        codes = _read.check_rows(
            code,
            raw,
            starts,
            values,
            ids=np.arange(len(raw), dtype=object),
            noun="record",
            columns=("IsoCode", "StartDate", "ConversionRate"),
            where="records: ",
        )
        _sources.check_ranges(codes, starts, nexts)
        return cls(
            base=code, currencies=codes, valid_from=starts.view("datetime64[ns]"), rates=values
        )

    # ------------------------------------------------------------------ answers

    def rate(self, currency: str, on: Any) -> float | FloatArray | pd.Series[float]:
        """The rate of ``currency`` in force on each date: units of it per one unit of ``base``.

        Parameters
        ----------
        currency : str
            An ISO 4217 code: ``base`` (rate 1) or a currency of the table.
        on : date or sequence of dates
            One date (``"2026-04-01"``, a ``Timestamp``, a ``datetime.date``), or an
            array, list or Series of them; a time of day counts (a rate changes at
            midnight UTC), and time-zone-aware dates are converted to UTC.

        Returns
        -------
        float, ndarray or Series
            A ``float`` for one date, a float64 ndarray for an array or list, a Series
            on the same index for a Series. A missing date (NaT) gives NaN.

        Raises
        ------
        InvalidInputError
            ``currency`` is not an ISO 4217 code or has no rate in the table, or a date
            comes before the first rate of ``currency`` (the dates are named).

        Examples
        --------
        >>> import pandas as pd
        >>> from salescore.money import ExchangeRates
        >>> rates = ExchangeRates(base="EUR", currencies=["SEK", "SEK"],
        ...                       valid_from=["2026-01-01", "2026-04-01"], rates=[11.5, 11.0])
        >>> rates.rate("SEK", pd.Series(pd.to_datetime(["2026-02-10", None]), index=["D1", "D2"]))
        D1    11.5
        D2     NaN
        dtype: float64
        >>> rates.rate("SEK", "2025-12-31")
        Traceback (most recent call last):
        ...
        salescore.errors.InvalidInputError: on: 2025-12-31 is before the first SEK rate, ...
        """
        code = _read.code("currency", currency)
        index = on.index if isinstance(on, pd.Series) else None
        stamps, single = coerce_timestamps("on", on)
        when = _read.nanoseconds("on", stamps)
        found, reasons = self._lookup(np.full(when.shape, code, dtype=object), when)
        dated = when != NAT
        if (reasons == _read.NO_RATES).any():
            raise InvalidInputError(f"currency: {self._no_rates(code)}")
        early = dated & (reasons == _read.BEFORE_FIRST)
        if early.any():
            first = f"no {code} rate is in force before {self._first(code)}, its first valid_from"
            if single:
                raise InvalidInputError(
                    f"on: {_read.day(int(when[0]))} is before the first {code} rate, in force "
                    f"from {self._first(code)}"
                )
            labels = np.arange(when.size, dtype=object) if index is None else index.to_numpy(object)
            shown = _read.days(when, early)
            raise InvalidInputError(f"on: {first}; " + which(labels, early, shown, noun="date"))
        found[~dated] = np.nan
        if single:
            return float(found[0])
        if index is not None:
            return pd.Series(found, index=index, dtype=np.float64)
        return found

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame: ``currency``, ``valid_from``, ``rate``, sorted.

        Returns
        -------
        DataFrame
            One row per rate, sorted by currency, then ``valid_from``, on a fresh
            RangeIndex; :meth:`from_frame` reads it back.

        Examples
        --------
        >>> from salescore.money import ExchangeRates
        >>> ExchangeRates(base="EUR", currencies=["usd", "SEK"],
        ...               valid_from=["2026-01-01", "2026-01-01"], rates=[1.1, 11.5]).to_frame()
          currency valid_from  rate
        0      SEK 2026-01-01  11.5
        1      USD 2026-01-01   1.1
        """
        table = self._sorted
        return pd.DataFrame(
            {
                "currency": pd.Series(table.codes, dtype=object),
                "valid_from": pd.Series(table.starts.view("datetime64[ns]")),
                "rate": pd.Series(table.rates, dtype=np.float64),
            }
        ).copy()

    # ------------------------------------------------------------------ the lookup

    def _lookup(self, codes: ObjectArray, when: Stamps) -> tuple[FloatArray, npt.NDArray[np.int8]]:
        """The rate of each known code at each time, and why a row has none (or OK).

        ``codes`` are checked, upper-case ISO 4217 codes; ``when`` int64 nanoseconds on
        the UTC clock (NaT allowed). ``base`` has rate 1 at every time, NaT included.
        One binary search per currency, not a loop over rows.
        """
        found = np.full(codes.shape, np.nan)
        reasons = np.full(codes.shape, _read.OK, dtype=np.int8)
        table = self._sorted
        keys, uniques = pd.factorize(codes)
        for key, item in enumerate(uniques):
            rows = keys == key
            if item == self.base:
                found[rows] = 1.0
                continue
            segment = table.segments.get(item)
            if segment is None:
                reasons[rows] = _read.NO_RATES
                continue
            low, high = segment
            at = when[rows]
            position = np.searchsorted(table.starts[low:high], at, side="right") - 1
            missing = at == NAT
            early = (position < 0) & ~missing
            good = ~missing & ~early
            picked = np.full(at.shape, np.nan)
            picked[good] = table.rates[low + position[good]]
            found[rows] = picked
            reasons[rows] = np.where(
                missing, _read.MISSING_DATE, np.where(early, _read.BEFORE_FIRST, _read.OK)
            )
        return found, reasons

    def _first(self, code: str) -> str:
        """The first valid_from of a currency of the table, as an ISO date."""
        low, _ = self._sorted.segments[code]
        return _read.day(int(self._sorted.starts[low]))

    def _no_rates(self, code: str) -> str:
        """Why ``code`` has no rate: the table lacks it (and what it has)."""
        held = ", ".join(self._sorted.segments) or "none"
        return f"the rates table has no rate of {code} (it has rates of {held} against {self.base})"


def read_rates(path: str | PathLike[str], *, base: str) -> ExchangeRates:
    r"""A rates table from a CSV file with the columns ``currency,valid_from,rate``.

    Parameters
    ----------
    path : str or path-like
        A UTF-8 CSV file (a byte-order mark is allowed) separated by commas, whose
        header names ``currency``, ``valid_from`` and ``rate`` (other columns are
        ignored): ISO 4217 codes, ISO 8601 dates (``2026-04-01``) and numbers with a
        decimal point, one rate per line. Blank lines are skipped.
    base : str, keyword-only
        The corporate currency the rates are against: ``rate`` is units of the
        currency per one unit of ``base``.

    Returns
    -------
    ExchangeRates

    Raises
    ------
    InvalidInputError
        The file cannot be read (missing, a directory, not UTF-8, empty, not CSV), or a
        line is refused as :class:`ExchangeRates` refuses a row; the message names the
        file and the lines (the header is line 1).
    SchemaError
        The header lacks one of the three columns.

    See Also
    --------
    ExchangeRates.from_frame : the same from a DataFrame you have read yourself (a
        spreadsheet's locale, another layout).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from salescore.money import read_rates
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "rates.csv").write_text(
    ...     "currency,valid_from,rate\nSEK,2026-01-01,11.5\nSEK,2026-04-01,11.0\n"
    ... )
    >>> read_rates(folder / "rates.csv", base="EUR").rate("SEK", "2026-04-15")
    11.0
    """
    code = _read.code("base", base)
    rows, where = _sources.read_csv_rows(path)
    raw, starts, values = _sources.csv_values(rows, where)
    codes = _read.check_rows(
        code,
        raw,
        starts,
        values,
        ids=rows.index.to_numpy(dtype=object),
        noun="line",
        columns=("currency", "valid_from", "rate"),
        where=f"{where}: ",
    )
    return ExchangeRates(
        base=code, currencies=codes, valid_from=starts.view("datetime64[ns]"), rates=values
    )
