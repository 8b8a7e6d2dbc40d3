"""Pipeline tables: the weighted pipeline and the rollup by forecast category.

Table functions over the canonical deals frame (``deal_id, account_id, owner, stage,
value, probability, currency, created, close_date, status, forecast_category, source,
lost_reason``). Every column name is a keyword argument whose default is the canonical
name. Numbers come out as float64 (counts as int64) whatever the input dtypes, a missing
amount or probability propagates as NaN to the figures it enters, no deal is dropped
silently, and bad values raise :class:`~salescore.InvalidInputError` naming the deals
concerned (the first few and how many). Lost deals by reason (:func:`loss_reasons`)
live in ``salescore.pipeline.losses`` and are re-exported here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from .._arrays import FloatArray
from .._tables import option_column
from ..engines import Table, engine_name
from ..errors import InvalidInputError
from ..fiscal import FiscalFrequency
from ..fiscal._freq import Frequency, IntArray, order, period_keys, period_kind
from ..money import ExchangeRates
from . import _categories
from ._deals import (
    _PERIOD,
    BoolArray,
    ObjectArray,
    _check_amounts,
    _check_chronology,
    _check_dated,
    _check_one_currency,
    _check_probabilities,
    _conversion,
    _deal_ids,
    _floats,
    _group_columns,
    _in_one_currency,
    _keys,
    _statuses,
    _sums,
    _which,
)
from .forecast import weighted_value
from .losses import MAX_PERIODS as MAX_PERIODS
from .losses import loss_reasons

__all__ = ["forecast_rollup", "loss_reasons", "weighted_pipeline"]


# -------------------------------------------------------------- weighted pipeline


def weighted_pipeline(
    deals: Table,
    *,
    by: str | Sequence[str] | None = None,
    freq: str | FiscalFrequency | None = None,
    value: str = "value",
    probability: str = "probability",
    status: str = "status",
    close_date: str = "close_date",
    created: str | None = "created",
    currency: str | None = "currency",
    deal_id: str | None = "deal_id",
    rates: ExchangeRates | None = None,
    to: str | None = None,
) -> pd.DataFrame:
    r"""Open pipeline per group and close-date period: deals, total value, weighted value.

    Each open deal counts for its value times the probability of winning it, so a
    27,600 deal at 12 % adds 3,312 and a 34,500 deal at 83 % adds 28,635 (the example
    of Nutshell's article on the sales metrics a sales manager should track, Norwegian
    edition).
    Summed over a seller's, a region's or a month's open deals, the weighted value is
    what the pipeline is expected to bring in; set beside the total value it shows how
    much of the pipeline is long shots. Won and lost deals are left out.

    Parameters
    ----------
    deals : DataFrame or engine frame
        Canonical deals table, one row per deal. A pandas DataFrame, or a frame of
        Polars (eager or lazy), DuckDB, Dask or PySpark, reduced in its engine to one row
        per group, period, currency and close day (see :doc:`/guides/scale`); there
        ``freq`` must be D, W, M, Q or Y (anchored, as Q-MAR, but no multiple).
    by : str, list of str or None, keyword-only, default None
        Column(s) to group by (owner, source, region, ``currency`` …). A missing label
        forms its own group rather than being dropped.
    freq : str, FiscalFrequency or None, keyword-only, default None
        A pandas period alias ("W", "M", "Q", "Y" …) to split the pipeline by the
        period of each deal's expected close date, in an extra ``period`` key; or
        fiscal periods (:class:`~salescore.fiscal.FiscalFrequency`, such as
        ``FiscalCalendar.from_start_month(4).freq("quarter")``), whose ``period``
        key holds their labels (str, such as ``"FY2027 Q1"``).
    value, probability, status, close_date : str, keyword-only
        Column names: amount (numeric, >= 0), probability of winning (numeric, a
        fraction in [0, 1]), status ('open', 'won' or 'lost', any case) and expected
        close date (datetime64; read only when ``freq`` is given; a time-zone-aware
        column is split by its local calendar).
    created : str or None, keyword-only, default "created"
        Column with each deal's creation time (datetime64); when ``freq`` is given
        and the table has this column, an open deal whose close date is before the
        date it was created is an error. ``None`` skips the check. When one of
        ``created`` and ``close_date`` is time-zone aware and the other naive (as a
        CRM's creation instant beside its close dates), the aware one is read in UTC
        (:data:`salescore.schema.TIMESTAMPS`), for the check and the periods.
    currency : str or None, keyword-only, default "currency"
        Column with each deal's currency (ISO 4217 codes); ``None`` when there is none
        to check (and no conversion).
    deal_id : str or None, keyword-only, default "deal_id"
        Column naming each deal in error messages; ``None`` uses the index.
    rates : ExchangeRates or None, keyword-only, default None
        Dated exchange rates (:class:`salescore.money.ExchangeRates`). Given with
        ``to``, each open deal's value is converted to ``to`` at the rate in force on
        its close date before anything is checked or summed, so that open deals in
        several currencies add up; ``close_date`` is then read, with or without
        ``freq``. Without them, deals in several currencies are refused.
    to : str or None, keyword-only, default None
        The currency of the table, an ISO 4217 code (the corporate currency of
        ``rates``, or another of its currencies); given with ``rates`` or not at all.

    Returns
    -------
    DataFrame
        One row per group (in order of first appearance; on an engine frame, whose rows
        have no order, of the labels, a missing one last) and period (in time order),
        indexed by the ``by`` columns (an engine's categories as text) and then
        ``period`` (pandas Periods, or fiscal labels); without ``by`` or ``freq``, a
        single row labelled ``"total"`` (zeros when no deal is open). Columns ``deals``
        (int64, the number of open deals), ``value`` and ``weighted_value`` (float64). A
        missing value makes its group's ``value`` and ``weighted_value`` NaN, a missing
        probability its ``weighted_value``; the deal is still counted.
        :func:`fill_probabilities` fills probabilities from the deals' stages. With
        ``rates`` and ``to`` the amounts are in ``to``, and so is the currency key when
        ``by`` includes the currency column.

    Raises
    ------
    SchemaError
        A named column is missing, ``value`` or ``probability`` is not numeric, or
        (with ``freq``) ``close_date`` or ``created`` does not hold datetimes.
    InvalidInputError
        An unknown status; on an open deal, a negative or infinite value, a
        probability outside [0, 1] (above 1, probably a percentage), or, when
        ``freq`` is given, no close date or a close date before the creation date;
        open deals in more than one currency unless ``by`` includes the currency
        column or ``rates`` and ``to`` are given; one of ``rates`` and ``to`` without
        the other, ``to`` not an ISO 4217 code, ``rates`` not an ``ExchangeRates``,
        or ``currency`` None beside them; an open deal without a rate on its close
        date (a currency the rates lack, a date before its currency's first rate, or
        no close date), as :func:`salescore.money.convert` refuses it; an unknown
        ``freq`` (or one not positive, or pandas' deprecated ``"B"``) or ``by``; a
        column option that is not a str (``None`` only where the default may be
        None); a group whose value or weighted value exceeds the largest float
        (about 1.8e308). Each message names the deals or groups concerned (on an
        engine frame, the first rows by ``deal_id``; several currencies without a rate
        in the order of their codes). On an engine frame also: fiscal periods, a
        ``freq`` other than those above, aware ``close_date`` and ``created`` in two zones.

    See Also
    --------
    fill_probabilities : fill missing probabilities from the deals' stages.
    forecast_rollup : the pipeline by forecast category instead of probability.
    salescore.money.convert : a table's amounts in one currency.

    Notes
    -----
    For each group :math:`g` (and period) with open deals :math:`i \in g`, value
    :math:`v_i` and probability :math:`p_i`:

    .. math::

        n_g = |g|, \qquad V_g = \sum_{i \in g} v_i, \qquad
        W_g = \sum_{i \in g} v_i\, p_i, \qquad 0 \le W_g \le V_g .

    Groups are disjoint, so the groups' figures add up to the ungrouped table's.
    With ``rates`` and ``to``, :math:`v_i` is deal :math:`i`'s value converted to
    ``to`` at the rate in force on its close date (:func:`salescore.money.convert`),
    as Salesforce's advanced currency management converts an opportunity at the
    dated rate of its close date; on an engine frame, each currency's sums of a UTC day
    are converted, :math:`r \sum v_i = \sum r v_i` up to rounding.

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): prospects worth 27,600 at 12 % confidence and 34,500 at
       83 % add 3,312 and 28,635 to the pipeline forecast. See Sources in the
       documentation.

    Examples
    --------
    >>> import pandas as pd
    >>> import salescore
    >>> deals = pd.DataFrame({
    ...     "deal_id": ["D1", "D2", "D3", "D4"],
    ...     "owner": ["Ann", "Bo", "Ann", "Bo"],
    ...     "value": [27_600.0, 34_500.0, 12_000.0, 8_000.0],
    ...     "probability": [0.12, 0.83, 0.5, 1.0],
    ...     "currency": "USD",
    ...     "status": ["open", "open", "open", "won"],
    ...     "close_date": pd.to_datetime(["2024-03-28", "2024-04-15", "2024-04-02", "2024-02-01"]),
    ... })
    >>> table = salescore.weighted_pipeline(deals.iloc[:2])  # Nutshell's two prospects
    >>> float(table.loc["total", "weighted_value"])
    31947.0
    >>> salescore.weighted_pipeline(deals, by="owner", freq="M")
                   deals    value  weighted_value
    owner period
    Ann   2024-03      1  27600.0          3312.0
    Bo    2024-04      1  34500.0         28635.0
    Ann   2024-04      1  12000.0          6000.0

    A probability entered as a percentage is refused, naming the deal:

    >>> salescore.weighted_pipeline(deals.assign(probability=[12.0, 0.83, 0.5, 1.0]))
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: probability must be a fraction in [0, 1]; not so for
    1 deal: 'D1' (12.0); values above 1 look like percentages: divide by 100

    A Nordic pipeline in kronor and euros adds up in euros, each deal at the rate in
    force on its close date. The krona deal closes in May, after the rate changed on 1
    April to 11.0 kronor per euro: 110,000 SEK is 10,000 EUR, weighted 10,000 × 0.4 =
    4,000; the euro deal adds 8,000, weighted 8,000 × 0.25 = 2,000.

    >>> from salescore.money import ExchangeRates
    >>> rates = ExchangeRates(base="EUR", currencies=["SEK", "SEK"],
    ...                       valid_from=["2026-01-01", "2026-04-01"], rates=[11.5, 11.0])
    >>> nordic = pd.DataFrame({
    ...     "deal_id": ["S1", "E1"],
    ...     "value": [110_000.0, 8_000.0],
    ...     "probability": [0.4, 0.25],
    ...     "currency": ["SEK", "EUR"],
    ...     "status": "open",
    ...     "close_date": pd.to_datetime(["2026-05-15", "2026-05-20"]),
    ... })
    >>> salescore.weighted_pipeline(nordic, rates=rates, to="EUR")
           deals    value  weighted_value
    total      2  18000.0          6000.0
    >>> salescore.weighted_pipeline(nordic)
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: currency: the deals are in more than one currency: ...
    """
    for option, column in {"value": value, "probability": probability, "status": status}.items():
        option_column(option, column)
    option_column("close_date", close_date)
    for option, name in {"created": created, "currency": currency, "deal_id": deal_id}.items():
        option_column(option, name, optional=True)
    groups = _group_columns(by)
    period_dtype = None if freq is None else period_kind(freq)
    if period_dtype is not None and _PERIOD in groups:
        raise InvalidInputError(
            f"by must not include a column named {_PERIOD!r} when freq is given "
            "(the period key has that name); rename the column"
        )
    read: dict[str, str | None] = {"status": status, "value": value, "probability": probability}
    read |= {"currency": currency, "deal_id": deal_id}
    conversion = _conversion(rates, to, currency)
    engine = engine_name(deals)
    if engine is not None:
        from ._tables_engine import pipeline_sums

        found = pipeline_sums(
            deals,
            engine,
            groups=groups,
            freq=freq,
            value=value,
            probability=probability,
            status=status,
            close_date=close_date,
            created=created,
            currency=currency,
            deal_id=deal_id,
            conversion=conversion,
        )
        return _pipeline_table(found.parts, found.keys, period_dtype, found.deals)
    dated = period_dtype is not None or conversion is not None
    read["close_date"] = close_date if dated else None
    schema.check_columns(deals, "deals", read, others=groups)

    ids = _deal_ids(deals, deal_id)
    is_open = _statuses(deals, status, ids) == "open"
    values = _floats(deals, value)
    probabilities = _floats(deals, probability)
    _check_amounts(value, values, ids, is_open)
    _check_probabilities(probability, probabilities, ids, is_open)
    if conversion is not None and currency is not None:
        columns = (value, currency, close_date)
        deals, values = _in_one_currency(deals, values, ids, is_open, conversion, columns)
    if currency is not None and currency not in groups:
        _check_one_currency(deals, currency, ids, is_open)
    if period_dtype is not None:
        deals = _check_chronology(deals, created, close_date, ids, is_open)

    keys = _keys(deals, is_open, groups)
    if period_dtype is not None:
        _check_dated(deals, close_date, ids, is_open, "open deals")
        dates = deals.loc[is_open, close_date]
        keys.append(period_keys(period_dtype, dates, name=close_date, ids=ids[is_open]))
    parts = pd.DataFrame(
        {
            "value": values[is_open],
            "weighted_value": weighted_value(values[is_open], probabilities[is_open]),
        }
    )
    return _pipeline_table(parts, keys, period_dtype)


def _pipeline_table(
    parts: pd.DataFrame,
    keys: list[pd.Series[Any]],
    period_dtype: Frequency | None,
    deals: IntArray | None = None,
) -> pd.DataFrame:
    """The table of :func:`weighted_pipeline` from the value and weighted value of rows.

    A row is a deal (a pandas frame), or ``deals`` deals reduced by an engine, in the
    order of the groups' labels; ``keys`` are the rows' group keys (and period).
    """
    if deals is not None:
        parts = parts.assign(deals=deals.astype(np.float64))
    sums, sizes = _sums(parts, keys)
    table = pd.DataFrame(
        {
            "deals": (sizes if deals is None else sums["deals"]).astype("int64"),
            "value": sums["value"],
            "weighted_value": sums["weighted_value"],
        }
    )
    if period_dtype is not None:
        table = table.iloc[order(period_dtype, table.index.get_level_values(_PERIOD))]
    return table


# ---------------------------------------------------------------- forecast rollup


def _forecast_categories(
    deals: pd.DataFrame, column: str, ids: ObjectArray, is_open: BoolArray
) -> ObjectArray:
    """Canonical categories of the open deals (None elsewhere); errors name the deals."""
    raw = pd.Series(deals[column].to_numpy(dtype=object), dtype=object)
    lookup: dict[Any, str | None] = {}
    for value in pd.unique(raw[raw.notna() & is_open]):
        with contextlib.suppress(InvalidInputError):  # reported below, naming the deals
            lookup[value] = _categories.forecast_category(value)
    canonical = raw.map(lookup).where(is_open, None).to_numpy(dtype=object)
    unknown = is_open & raw.notna().to_numpy() & pd.isna(canonical)
    if unknown.any():
        accepted = ", ".join(_categories.FORECAST_CATEGORIES)
        raise InvalidInputError(
            f"{column} must be one of {accepted} (or a Salesforce or HubSpot spelling of "
            f"one); not so for {_which(ids, unknown, raw.tolist())}"
        )
    missing = is_open & raw.isna().to_numpy()
    if missing.any():
        raise InvalidInputError(
            f"{column} is missing for {_which(ids, missing)}; an open deal needs a forecast "
            "category ('omitted' leaves it out of the forecast)"
        )
    closed = is_open & (canonical == "closed")
    if closed.any():
        raise InvalidInputError(
            f"{column} is 'closed' for {_which(ids, closed)}, which are open; mark won deals "
            "as won, and give open deals the category they are forecast in"
        )
    return canonical


def forecast_rollup(
    deals: Table,
    *,
    by: str | Sequence[str] | None = None,
    value: str = "value",
    forecast_category: str = "forecast_category",
    status: str = "status",
    currency: str | None = "currency",
    deal_id: str | None = "deal_id",
    close_date: str = "close_date",
    rates: ExchangeRates | None = None,
    to: str | None = None,
) -> pd.DataFrame:
    r"""Salesforce-style cumulative forecast: closed, commit, best case and open pipeline.

    Sellers put each open deal in a forecast category — *commit* (will close),
    *best case* (could close), *pipeline* (early) or *omitted* (not forecast) —
    and the forecast adds them up cumulatively: *commit* is what is already closed plus
    what is committed, *best case* adds the deals that could close, and *open pipeline*
    is every open deal still forecast. *Most likely*, a category some teams enable
    between commit and best case, gets its own column when any deal uses it. Amounts
    are unweighted: the categories, not the probabilities, carry the judgement.

    Won deals count as closed whatever their category (in Salesforce a won deal's
    category is normally Closed); lost deals are left out, as Salesforce's Omitted
    category leaves out Closed Lost, and so are open deals in *omitted*. Every group of the frame
    gets a row, with zeros if none of its deals is forecast.

    Parameters
    ----------
    deals : DataFrame or engine frame
        Canonical deals table, one row per deal: a pandas DataFrame, or a frame of
        Polars, DuckDB, Dask or PySpark, reduced in its engine to one row per group,
        currency and close day (see :doc:`/guides/scale`).
    by : str, list of str or None, keyword-only, default None
        Column(s) to group by (owner, team, ``currency`` …); a missing label forms its
        own group.
    value, forecast_category, status : str, keyword-only
        Column names: amount (numeric, >= 0), forecast category (``omitted``,
        ``pipeline``, ``best_case``, ``most_likely``, ``commit``, or a Salesforce API
        value or label such as ``"BestCase"``, ``"Best Case"`` or ``"Forecast"``
        (Commit), or a HubSpot value such as ``"BEST_CASE"`` or ``"OMIT"``; read for
        open deals only) and status ('open', 'won' or 'lost').
    currency : str or None, keyword-only, default "currency"
        Column with each deal's currency (ISO 4217 codes); ``None`` when there is none
        to check (and no conversion).
    deal_id : str or None, keyword-only, default "deal_id"
        Column naming each deal in error messages; ``None`` uses the index.
    close_date : str, keyword-only, default "close_date"
        Column with each deal's close date (datetime64), read only with ``rates``:
        the date whose rate converts the deal.
    rates : ExchangeRates or None, keyword-only, default None
        Dated exchange rates (:class:`salescore.money.ExchangeRates`). Given with
        ``to``, the value of each deal in the forecast (won, or open and not
        omitted) is converted to ``to`` at the rate in force on its close date
        before anything is checked or summed, so that deals in several currencies
        add up. Without them, deals in several currencies are refused.
    to : str or None, keyword-only, default None
        The currency of the table, an ISO 4217 code (the corporate currency of
        ``rates``, or another of its currencies); given with ``rates`` or not at all.

    Returns
    -------
    DataFrame
        One row per group in order of first appearance (on an engine frame, of the
        labels, a missing one last, categories as text; a single row ``"total"``
        without ``by``), with float64 columns ``closed``, ``commit``,
        ``most_likely`` (only if an open deal is in that category), ``best_case`` and
        ``open_pipeline``. A missing value makes every figure it enters NaN. With
        ``rates`` and ``to`` the amounts are in ``to``, and so is the currency key
        when ``by`` includes the currency column (one group for every deal).

    Raises
    ------
    SchemaError
        A named column is missing or ``value`` is not numeric.
    InvalidInputError
        An unknown status; on an open deal, an unknown or missing forecast category,
        the category *closed*, or a negative or infinite value (also on a won deal);
        forecast deals in more than one currency unless ``by`` includes the currency
        column or ``rates`` and ``to`` are given; one of ``rates`` and ``to`` without
        the other, ``to`` not an ISO 4217 code, ``rates`` not an ``ExchangeRates``,
        or ``currency`` None beside them; a forecast deal without a rate on its close
        date, as :func:`salescore.money.convert` refuses it; an invalid ``by``; a
        column option that is not a str (``None`` only for ``currency`` and
        ``deal_id``); a group whose figure exceeds the largest float (about
        1.8e308). Each message names the deals or groups concerned (on an engine
        frame, the first rows by ``deal_id``).

    See Also
    --------
    weighted_pipeline : the open pipeline weighted by probability.
    salescore.money.convert : a table's amounts in one currency.

    Notes
    -----
    With :math:`C, K, M, B, P` the sets of won deals and of open deals in commit,
    most likely, best case and pipeline, and :math:`S(X) = \sum_{i \in X} v_i`:

    .. math::

        \text{closed} = S(C), \quad
        \text{commit} = S(K) + S(C), \quad
        \text{most likely} = S(M) + S(K) + S(C),

        \text{best case} = S(B) + S(M) + S(K) + S(C), \quad
        \text{open pipeline} = S(P) + S(B) + S(M) + S(K),

    so :math:`\text{closed} \le \text{commit} \le \text{most likely} \le
    \text{best case}`; open pipeline leaves closed deals out and may be larger or
    smaller than best case. With ``rates`` and ``to``, :math:`v_i` is deal
    :math:`i`'s value in ``to`` at the rate in force on its close date
    (:func:`salescore.money.convert`).

    References
    ----------
    .. [1] Salesforce, "ForecastingSubmissionItem", *Object Reference for the
       Salesforce Platform* (API 62.0 and later), field ForecastingItemCategory:
       cumulative rollups OpenPipeline (Pipeline, Best Case, Most Likely, Commit),
       BestCaseForecast (Best Case, Most Likely, Commit, Closed), MostLikelyForecast
       (Most Likely, Commit, Closed) and CommitForecast (Commit, Closed).
       https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_forecastingsubmissionitem.htm

    Examples
    --------
    >>> import pandas as pd
    >>> import salescore
    >>> deals = pd.DataFrame({
    ...     "deal_id": ["D1", "D2", "D3", "D4", "D5", "D6"],
    ...     "owner": ["Ann", "Ann", "Ann", "Bo", "Bo", "Bo"],
    ...     "value": [10_000.0, 20_000.0, 5_000.0, 8_000.0, 4_000.0, 7_000.0],
    ...     "forecast_category": ["Closed", "Commit", "Best Case", "Pipeline", "Omitted", None],
    ...     "status": ["won", "open", "open", "open", "open", "lost"],
    ...     "currency": "EUR",
    ... })
    >>> salescore.forecast_rollup(deals, by="owner")
            closed   commit  best_case  open_pipeline
    owner
    Ann    10000.0  30000.0    35000.0        25000.0
    Bo         0.0      0.0        0.0         8000.0
    >>> float(salescore.forecast_rollup(deals).loc["total", "best_case"])
    35000.0

    An open deal without a category is not guessed at:

    >>> salescore.forecast_rollup(deals.assign(forecast_category=None))
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: forecast_category is missing for 4 deals: 'D2', 'D3',
    'D4', 'D5'; an open deal needs a forecast category ('omitted' leaves it out of the forecast)
    """
    required = {"value": value, "forecast_category": forecast_category, "status": status}
    for option, column in required.items():
        option_column(option, column)
    option_column("close_date", close_date)
    for option, name in {"currency": currency, "deal_id": deal_id}.items():
        option_column(option, name, optional=True)
    groups = _group_columns(by)
    read: dict[str, str | None] = {
        "status": status,
        "value": value,
        "forecast_category": forecast_category,
    }
    read |= {"currency": currency, "deal_id": deal_id}
    conversion = _conversion(rates, to, currency)
    engine = engine_name(deals)
    if engine is not None:
        from ._tables_engine import rollup_sums

        found = rollup_sums(
            deals,
            engine,
            groups=groups,
            value=value,
            forecast_category=forecast_category,
            status=status,
            currency=currency,
            deal_id=deal_id,
            close_date=close_date,
            conversion=conversion,
        )
        return _rollup_table(found.parts, found.keys)
    read["close_date"] = None if conversion is None else close_date
    schema.check_columns(deals, "deals", read, others=groups)

    ids = _deal_ids(deals, deal_id)
    statuses = _statuses(deals, status, ids)
    is_open = statuses == "open"
    category = _forecast_categories(deals, forecast_category, ids, is_open)
    closed = statuses == "won"
    commit = category == "commit"
    most_likely = category == "most_likely"
    best_case = category == "best_case"
    pipeline = category == "pipeline"
    forecast = closed | commit | most_likely | best_case | pipeline
    values = _floats(deals, value)
    _check_amounts(value, values, ids, forecast)
    if conversion is not None and currency is not None:
        columns = (value, currency, close_date)
        deals, values = _in_one_currency(deals, values, ids, forecast, conversion, columns)
    if currency is not None and currency not in groups:
        _check_one_currency(deals, currency, ids, forecast)

    def total(mask: BoolArray) -> FloatArray:
        return np.where(mask, values, 0.0)  # NaN only where the deal counts

    parts = {"closed": total(closed), "commit": total(closed | commit)}
    if most_likely.any():
        parts["most_likely"] = total(closed | commit | most_likely)
    parts["best_case"] = total(closed | commit | most_likely | best_case)
    parts["open_pipeline"] = total(commit | most_likely | best_case | pipeline)
    everyone = np.ones(len(deals), dtype=bool)
    return _rollup_table(pd.DataFrame(parts), _keys(deals, everyone, groups))


def _rollup_table(parts: pd.DataFrame, keys: list[pd.Series[Any]]) -> pd.DataFrame:
    """The table of :func:`forecast_rollup` from each row's (deal's, or reduced rows') figures."""
    sums, _ = _sums(parts, keys)
    return sums.astype("float64")
