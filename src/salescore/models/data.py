"""The CDNOW sample, shipped with salescore for examples and for checking the models.

Published by Fader and Hardie and redistributed under the MIT licence inside the
``lifetimes`` package (see ``_data/README.md``): 2,357 customers of the online music
retailer CDNOW who first bought in the first quarter of 1997, followed to the end of
June 1998. The loaders read the files into canonical frames; they need no SciPy.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["load_cdnow_summary", "load_cdnow_transactions"]

_TRANSACTIONS = "CDNOW_sample.txt"
_SUMMARY = "cdnow_customers_summary_with_transactions.csv"
_TRANSACTION_DTYPES: dict[str, str] = {
    "master_id": "str",
    "customer_id": "int64",
    "date": "str",
    "quantity": "int64",
    "amount": "float64",
}
_SUMMARY_DTYPES: dict[str, str] = {
    "ID": "int64",
    "x": "int64",
    "t_x": "float64",
    "T": "float64",
    "zbar": "float64",
}


def _path(name: str) -> resources.abc.Traversable:
    return resources.files("salescore.models").joinpath("_data", name)


def load_cdnow_transactions() -> pd.DataFrame:
    """The CDNOW sample's transactions, one row per order line.

    Returns
    -------
    DataFrame
        6,919 rows in the file's order, with columns ``customer_id`` (int64, the
        sample id 1 to 2,357), ``date`` (datetime64, 1997-01-01 to 1998-06-30),
        ``quantity`` (int64, CDs bought) and ``amount`` (float64, dollars). A
        customer may have several rows on one day.

    See Also
    --------
    load_cdnow_summary : the published per-customer summary of the first 39 weeks.
    salescore.models.rfm.rfm_summary : builds that summary from these rows.

    References
    ----------
    .. [1] P. S. Fader, B. G. S. Hardie and K. L. Lee, "'Counting Your Customers' the
       Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2),
       275–284, 2005 (the data: brucehardie.com).

    Examples
    --------
    >>> from salescore.models.data import load_cdnow_transactions
    >>> transactions = load_cdnow_transactions()
    >>> transactions.head(3)
       customer_id       date  quantity  amount
    0            1 1997-01-01         2   29.33
    1            1 1997-01-18         2   29.73
    2            1 1997-08-02         1   14.96
    >>> len(transactions), transactions["customer_id"].nunique()
    (6919, 2357)
    """
    with _path(_TRANSACTIONS).open("r", encoding="ascii") as handle:
        frame = pd.read_csv(
            handle,
            sep=r"\s+",
            header=None,
            names=["master_id", "customer_id", "date", "quantity", "amount"],
            dtype=_TRANSACTION_DTYPES,
        )
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame[["customer_id", "date", "quantity", "amount"]]


def load_cdnow_summary() -> pd.DataFrame:
    """The published summary of the CDNOW sample's 39-week calibration period.

    The columns carry the names :func:`~salescore.models.rfm.rfm_summary` uses; time
    is in weeks (days / 7), rounded to two decimals as published.

    Returns
    -------
    DataFrame
        2,357 rows indexed by ``customer_id`` (1 to 2,357), with columns
        ``frequency`` (int64, repeat purchases: days with a purchase after the
        first, up to 1997-09-30), ``recency`` (weeks from the first to the last
        purchase), ``T`` (weeks from the first purchase to 1997-09-30) and
        ``monetary_value`` (mean dollars per repeat purchase; 0 without repeats).

    See Also
    --------
    load_cdnow_transactions : the transactions the summary was made from.
    salescore.models.bgnbd.fit_bgnbd : the model the summary was published for.

    References
    ----------
    .. [1] P. S. Fader, B. G. S. Hardie and K. L. Lee (2005), "'Counting Your
       Customers' the Easy Way", Marketing Science 24(2), 275–284.

    Examples
    --------
    >>> from salescore.models.data import load_cdnow_summary
    >>> load_cdnow_summary().head(3)
                 frequency  recency      T  monetary_value
    customer_id
    1                    2    30.43  38.86           22.35
    2                    1     1.71  38.86           11.77
    3                    0     0.00  38.86            0.00
    """
    with _path(_SUMMARY).open("r", encoding="ascii") as handle:
        frame = pd.read_csv(
            handle,
            dtype={
                "ID": "int64",
                "x": "int64",
                "t_x": "float64",
                "T": "float64",
                "zbar": "float64",
            },
        )
    frame = frame.rename(
        columns={
            "ID": "customer_id",
            "x": "frequency",
            "t_x": "recency",
            "zbar": "monetary_value",
        }
    )
    return frame.set_index("customer_id")
