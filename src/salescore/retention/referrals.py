"""Do customers bring us customers? Referral rates and the share of business by referral.

Alexander Slotte's article on the profitability of a sale (Top of Heart) makes customers
into ambassadors: 87 % of customers are willing to recommend their seller, only 7 % of
those do, and only 8 % of sellers ask. :func:`referral_rate` and
:func:`referral_ask_rate` are element-wise formula functions over counts;
:func:`referral_report` is a table function over new customers that shows how many of
them, and how much of their revenue, came by referral.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import schema
from .._arrays import (
    ArrayInput,
    FloatArray,
    Numeric,
    Scalar,
    check_nonnegative,
    coerce,
    safe_divide,
)
from .._tables import float_column, option_column, row_ids, which
from .._tables import group_columns as _group_columns
from .._tables import group_sums as _group_sums
from .._tables import positional_keys as _keys
from ..errors import InvalidInputError
from ._checks import _check_at_most

BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]

__all__ = ["referral_ask_rate", "referral_rate", "referral_report"]

# The table of new customers is not a canonical table: the kinds of its columns.
_KINDS: Final = {"source": "text", "referred_by": "id", "revenue": "number", "customer_id": "id"}


@overload
def referral_rate(referrers: Scalar, customers: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def referral_rate(  # type: ignore[overload-overlap]
    referrers: Scalar | ArrayInput, customers: Scalar | ArrayInput
) -> FloatArray: ...
@overload
def referral_rate(referrers: Numeric, customers: Numeric) -> pd.Series[float]: ...
def referral_rate(referrers: Numeric, customers: Numeric) -> float | FloatArray | pd.Series[float]:
    r"""Referral rate: the share of customers who recommended you to a new prospect.

    Alexander Slotte's article on the profitability of a sale (Top of Heart): 87 % of
    customers are willing to recommend their seller, but only 7 % of those do. Over all
    customers that is about 0.87 × 0.07 ≈ 6 %; counted among the willing only (pass them
    as ``customers``), it is the article's 7 %.

    Parameters
    ----------
    referrers : float, array_like or Series
        Customers who referred at least one prospect in the period, >= 0.
    customers : float, array_like or Series
        Customers who could have (all active customers, or those willing to
        recommend), >= 0.

    Returns
    -------
    float, ndarray or Series
        A fraction in [0, 1]; NaN where ``customers`` is 0.

    Raises
    ------
    InvalidInputError
        A negative or infinite count, or ``referrers > customers`` (positions named).
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    referral_ask_rate : how often sellers ask for a referral.
    referral_report : the share of new customers and revenue that came by referral.

    Notes
    -----
    .. math::

        \text{referral rate} = \frac{\text{referrers}}{\text{customers}}, \qquad
        0 \le \text{referrers} \le \text{customers} .

    References
    ----------
    .. [1] A. Slotte (Top of Heart), article for sales managers on the profitability of
       a sale (Swedish): 87 % of customers want to recommend their seller, only 7 % of
       them do; customers who feel appreciated are 69 % more likely to recommend. See
       Sources in the documentation.

    Examples
    --------
    >>> from salescore.retention.referrals import referral_rate
    >>> referral_rate(7, 100)  # Slotte: 7 of every 100 willing customers refer
    0.07
    >>> referral_rate([61, 0], [1_000, 0])  # 870 willing of 1,000, 7 % of them refer
    array([0.061,   nan])
    """
    (r, c), wrap = coerce(referrers=referrers, customers=customers)
    check_nonnegative("referrers", r)
    check_nonnegative("customers", c)
    _check_at_most("referrers", r, "customers", c, "referrers are among the customers")
    return wrap(safe_divide(r, c))


@overload
def referral_ask_rate(asks: Scalar, contacts: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def referral_ask_rate(  # type: ignore[overload-overlap]
    asks: Scalar | ArrayInput, contacts: Scalar | ArrayInput
) -> FloatArray: ...
@overload
def referral_ask_rate(asks: Numeric, contacts: Numeric) -> pd.Series[float]: ...
def referral_ask_rate(asks: Numeric, contacts: Numeric) -> float | FloatArray | pd.Series[float]:
    r"""Referral ask rate: the share of customer contacts in which the seller asked for a referral.

    Slotte's article tells sales managers to have sellers ask for a recommendation at
    every customer contact (a rate of 1), and reports that only 8 % of sellers ever ask.
    Count contacts for a seller's rate, or sellers (who ask, of all sellers) for the
    team's.

    Parameters
    ----------
    asks : float, array_like or Series
        Contacts in which a referral was asked for (or sellers who ask), >= 0.
    contacts : float, array_like or Series
        Customer contacts (or sellers), >= 0.

    Returns
    -------
    float, ndarray or Series
        A fraction in [0, 1]; NaN where ``contacts`` is 0.

    Raises
    ------
    InvalidInputError
        A negative or infinite count, or ``asks > contacts`` (positions named).
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    referral_rate : how many customers do refer.

    Notes
    -----
    .. math::

        \text{ask rate} = \frac{\text{asks}}{\text{contacts}}, \qquad
        0 \le \text{asks} \le \text{contacts} .

    References
    ----------
    .. [1] A. Slotte (Top of Heart), article for sales managers on the profitability of
       a sale (Swedish): only 8 % of sellers ask their customers for a referral. See
       Sources in the documentation.

    Examples
    --------
    >>> from salescore.retention.referrals import referral_ask_rate
    >>> referral_ask_rate(8, 100)  # Slotte: 8 of 100 sellers ask
    0.08
    >>> import pandas as pd
    >>> sellers = pd.Index(["Ann", "Bo", "Cy"])
    >>> asks = pd.Series([12, 3, 0], index=sellers)
    >>> referral_ask_rate(asks, pd.Series([40, 30, 0], index=sellers))
    Ann    0.3
    Bo     0.1
    Cy     NaN
    dtype: float64
    """
    (a, c), wrap = coerce(asks=asks, contacts=contacts)
    check_nonnegative("asks", a)
    check_nonnegative("contacts", c)
    _check_at_most("asks", a, "contacts", c, "one ask per contact at most")
    return wrap(safe_divide(a, c))


# ------------------------------------------------------------------ table function


def _labels(value: object) -> frozenset[str]:
    labels = (value,) if isinstance(value, str) else value
    if (
        isinstance(labels, (list, tuple))
        and labels
        and all(isinstance(label, str) and label.strip() for label in labels)
    ):
        return frozenset(label.strip().casefold() for label in labels)
    raise InvalidInputError(
        f"referral_sources must be a non-empty label or a non-empty list of them; got {value!r:.60}"
    )


def _matches(column: pd.Series[Any], labels: frozenset[str]) -> BoolArray:
    """Rows whose label is one of ``labels``, ignoring case and surrounding spaces."""
    raw = pd.Series(column.to_numpy(dtype=object), dtype=object)
    hits = [
        value
        for value in pd.unique(raw[raw.notna()])
        if isinstance(value, str) and value.strip().casefold() in labels
    ]
    return raw.isin(hits).to_numpy(dtype=bool)


def _named(column: pd.Series[Any]) -> BoolArray:
    """Rows with a value: not missing and not a blank string."""
    raw = pd.Series(column.to_numpy(dtype=object), dtype=object)
    present = raw.notna()
    blank = [v for v in pd.unique(raw[present]) if isinstance(v, str) and not v.strip()]
    return (present & ~raw.isin(blank)).to_numpy(dtype=bool)


def _check_unique(column: str, ids: ObjectArray) -> None:
    keys = pd.Series(ids, dtype=object)
    repeated = (keys.notna() & keys.duplicated(keep=False)).to_numpy(dtype=bool)
    if repeated.any():
        raise InvalidInputError(
            f"{column} must name each customer once (one row per customer); repeated in "
            f"{which(ids, repeated)}"
        )


def referral_report(
    customers: pd.DataFrame,
    *,
    source: str | None = "source",
    referred_by: str | None = "referred_by",
    revenue: str | None = None,
    customer_id: str | None = "customer_id",
    by: str | Sequence[str] | None = None,
    referral_sources: str | Sequence[str] = ("referral",),
) -> pd.DataFrame:
    r"""How many new customers, and how much of their revenue, came by referral.

    Alexander Slotte's article on the profitability of a sale (Top of Heart) asks a
    manager to look at how the latest customers came in: customers referred by an
    ambassador skip most of the selling time, so they are among the most profitable.
    Give the table of the period's new customers, one row each.

    A customer came by referral when **either** its ``referred_by`` column names
    someone (a value that is neither missing nor a blank string) **or** its
    ``source`` is one of ``referral_sources`` (ignoring case and surrounding spaces).
    Pass ``None`` for a column your table lacks; at least one is needed.

    Parameters
    ----------
    customers : DataFrame
        One row per new customer.
    source : str or None, keyword-only, default "source"
        Column with the acquisition source; ``None`` to use ``referred_by`` only.
    referred_by : str or None, keyword-only, default "referred_by"
        Column naming the customer (or person) who made the referral; ``None`` to use
        ``source`` only.
    revenue : str or None, keyword-only, default None
        Column with each customer's revenue (numeric, >= 0); when given, the report
        adds the revenue columns.
    customer_id : str or None, keyword-only, default "customer_id"
        Column naming each customer, which must not repeat and names rows in error
        messages; ``None`` uses the index and skips the check.
    by : str, list of str or None, keyword-only, default None
        Column(s) to group by (owner, region …); a missing label forms its own group.
    referral_sources : str or list of str, keyword-only, default ("referral",)
        The ``source`` labels that mean a referral (for example
        ``["referral", "partner referral"]``).

    Returns
    -------
    DataFrame
        One row per group in order of first appearance (a single row ``"total"``
        without ``by``), with columns ``customers`` and ``referred`` (int64) and
        ``referred_share`` (float64, NaN for no customers); with ``revenue``, also
        ``revenue``, ``referred_revenue`` and ``referred_revenue_share`` (float64). A
        missing revenue makes the figures it enters NaN: the group's ``revenue`` and
        share, and ``referred_revenue`` too when the customer came by referral.

    Raises
    ------
    SchemaError
        A named column is missing, or ``revenue`` is not numeric.
    InvalidInputError
        Neither ``source`` nor ``referred_by`` given; a repeated customer id; a
        negative or infinite revenue (the customers are named); a group's revenue
        beyond float range (about 1.8e308); a column option that is not a column
        name; an invalid ``by`` or ``referral_sources``.

    See Also
    --------
    referral_rate : the share of customers who refer.
    salescore.profitability_by_source : profit per acquisition source.

    Notes
    -----
    For each group with customers :math:`i`, referral indicator :math:`\rho_i \in
    \{0, 1\}` and revenue :math:`x_i`:

    .. math::

        \text{referred share} = \frac{\sum_i \rho_i}{n}, \qquad
        \text{referred revenue share} = \frac{\sum_i \rho_i\, x_i}{\sum_i x_i} .

    References
    ----------
    .. [1] A. Slotte (Top of Heart), article for sales managers on the profitability of
       a sale (Swedish): "look at your last 10 customers" and how they came in;
       customers as ambassadors. See Sources in the documentation.

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.retention.referrals import referral_report
    >>> new = pd.DataFrame({
    ...     "customer_id": ["C1", "C2", "C3", "C4", "C5", "C6"],
    ...     "owner": ["Ann", "Ann", "Ann", "Bo", "Bo", "Bo"],
    ...     "source": ["referral", "cold call", "web", "Referral", "event", "web"],
    ...     "referred_by": [None, "C0", None, None, None, ""],
    ...     "revenue": [9_000.0, 6_000.0, 5_000.0, 8_000.0, 0.0, 2_000.0],
    ... })
    >>> referral_report(new, revenue="revenue")[["customers", "referred", "referred_revenue_share"]]
           customers  referred  referred_revenue_share
    total          6         3                0.766667
    >>> referral_report(new, by="owner")
           customers  referred  referred_share
    owner
    Ann            3         2        0.666667
    Bo             3         1        0.333333
    """
    for name, column in (
        ("source", source),
        ("referred_by", referred_by),
        ("revenue", revenue),
        ("customer_id", customer_id),
    ):
        option_column(name, column, optional=True)
    groups = _group_columns(by)
    labels = _labels(referral_sources)
    if source is None and referred_by is None:
        raise InvalidInputError(
            "give source, referred_by or both: the columns that say whether a customer "
            "came by referral"
        )
    read = {"source": source, "referred_by": referred_by, "revenue": revenue}
    read["customer_id"] = customer_id
    schema.check_columns(customers, "customers", read, kinds=_KINDS, others=groups)

    ids = row_ids(customers, customer_id)
    if customer_id is not None:
        _check_unique(customer_id, ids)
    referred = np.zeros(len(customers), dtype=bool)
    if source is not None:
        referred |= _matches(customers[source], labels)
    if referred_by is not None:
        referred |= _named(customers[referred_by])

    parts: dict[str, Any] = {"referred": referred.astype(np.float64)}
    if revenue is not None:
        values = float_column(customers, revenue).to_numpy()
        bad = np.isinf(values) | (values < 0.0)  # NaN passes: it propagates
        if bad.any():
            raise InvalidInputError(
                f"{revenue} must be a finite number >= 0; not so for "
                f"{which(ids, bad, values.tolist(), noun='customer')}"
            )
        parts["revenue"] = values
        parts["referred_revenue"] = np.where(referred, values, 0.0)  # NaN only if it counts
    everyone = np.ones(len(customers), dtype=bool)
    with np.errstate(over="ignore"):  # an overflowing sum is refused below
        sums, sizes = _group_sums(pd.DataFrame(parts), _keys(customers, everyone, groups))
    count = np.asarray(sizes, dtype=np.float64)
    table = pd.DataFrame(
        {
            "customers": sizes.astype("int64"),
            "referred": sums["referred"].astype("int64"),
            "referred_share": safe_divide(sums["referred"].to_numpy(dtype=np.float64), count),
        },
        index=sums.index,
    )
    if revenue is not None:
        total = sums["revenue"].to_numpy(dtype=np.float64)
        part = sums["referred_revenue"].to_numpy(dtype=np.float64)
        beyond = np.isinf(total)  # the amounts are finite: a group's sum overflowed
        if beyond.any():
            raise InvalidInputError(
                f"the revenue of {int(beyond.sum())} group(s) is beyond float range (about "
                "1.8e308); rescale the amounts, for example to thousands"
            )
        table["revenue"] = total
        table["referred_revenue"] = part
        # Group sums are compensated sums, which need not keep a part below its whole
        # in the last bit; the true share is at most 1.
        table["referred_revenue_share"] = np.minimum(safe_divide(part, total), 1.0)
    return table
