"""Time cohort_retention against a plain pandas groupby doing the same counting.

A synthetic transactions log (default: 10,000,000 purchases by 1,000,000 customers
over 36 months, integer customer ids) is counted twice in the same process: by
``salescore.retention.cohorts.cohort_retention`` (validation included) and by the
groupby a pandas user would write — each customer's first month by
``groupby().transform("min")``, one row per customer and month by
``drop_duplicates``, then customers per cohort and age by ``groupby().size()``. The
script checks that both give the same shares, and reports the best of several runs
and their ratio (salescore ÷ plain pandas). It also times ``retention_by_period`` and
``usage_summary`` on the same log.

    python benchmarks/cohorts.py
    python benchmarks/cohorts.py --customers 100000 --months 24 --transactions 1e6

The ratio is the figure to compare across machines; the absolute times are not.
"""

from __future__ import annotations

import argparse
import platform
import timeit
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import salescore
from salescore.retention.cohorts import cohort_retention, retention_by_period
from salescore.retention.usage import usage_summary


def make_log(customers: int, months: int, transactions: int, seed: int) -> pd.DataFrame:
    """Customers join in a random month and buy less often as they age.

    A customer's cohort is the month of the first purchase drawn, which may be later
    than the month they joined.
    """
    rng = np.random.default_rng(seed)
    joined = rng.integers(0, months, customers)
    who = rng.integers(0, customers, transactions)
    first = joined[who]
    # Ages drawn from an exponential, folded into the months left in the log.
    age = np.floor(rng.exponential(months / 4, transactions)).astype(np.int64)
    month = first + age % (months - first)
    days = (np.datetime64("2023-01", "M") + month).astype("datetime64[D]")
    days = days + rng.integers(0, 28, transactions)
    return pd.DataFrame(
        {
            "customer_id": who,
            "date": pd.to_datetime(days.astype("datetime64[ns]")),
            "amount": rng.lognormal(4.0, 1.0, transactions).round(2),
        }
    )


def plain_pandas(log: pd.DataFrame) -> pd.DataFrame:
    """Cohort × age shares of active customers with an ordinary pandas groupby."""
    dates = log["date"]
    month = dates.dt.year * 12 + dates.dt.month
    cohort = month.groupby(log["customer_id"]).transform("min")
    active = pd.DataFrame(
        {"customer": log["customer_id"], "cohort": cohort, "age": month - cohort}
    ).drop_duplicates()
    # groupby + unstack is the plain spelling being measured; pivot_table adds overhead.
    counts = active.groupby(["cohort", "age"]).size().unstack()  # noqa: PD010
    return counts.div(counts[0], axis=0)


def _best(function: Callable[[], Any], repeat: int) -> float:
    return min(timeit.repeat(function, number=1, repeat=repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=float, default=1e6, help="customers in the log")
    parser.add_argument("--months", type=int, default=36, help="months the log covers")
    parser.add_argument("--transactions", type=float, default=1e7, help="rows of the log")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (best kept)")
    parser.add_argument("--seed", type=int, default=20240117)
    arguments = parser.parse_args()
    customers = int(arguments.customers)
    transactions = int(arguments.transactions)
    months = arguments.months
    if customers < 1 or months < 1 or transactions < customers:
        parser.error("need at least one customer and month, and a row per customer")

    log = make_log(customers, months, transactions, arguments.seed)
    print(
        f"salescore {salescore.__version__}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"Python {platform.python_version()}"
    )
    print(
        f"{len(log):,} transactions, {log['customer_id'].nunique():,} customers, "
        f"{months} months; best of {arguments.repeat}"
    )

    ours = cohort_retention(log)
    theirs = plain_pandas(log)
    # The groupby leaves NaN where a cohort had no active customer; compare the rest.
    shown = theirs.to_numpy()
    mine = ours.to_numpy()[: shown.shape[0], : shown.shape[1]]
    known = ~np.isnan(shown)
    if not np.allclose(mine[known], shown[known], rtol=1e-12, atol=0.0):
        raise SystemExit("cohort_retention and the plain groupby disagree")

    t_library = _best(lambda: cohort_retention(log), arguments.repeat)
    t_plain = _best(lambda: plain_pandas(log), arguments.repeat)
    print(f"{'case':36s} {'time':>9s} {'ratio':>7s}")
    print(f"{'cohort_retention (customers)':36s} {t_library:8.2f}s {t_library / t_plain:6.2f}×")
    print(f"{'plain pandas groupby':36s} {t_plain:8.2f}s {1.0:6.2f}×")
    others: list[tuple[str, Callable[[], Any]]] = [
        (
            "cohort_retention (revenue)",
            lambda: cohort_retention(log, amount="amount", measure="revenue"),
        ),
        ("retention_by_period", lambda: retention_by_period(log)),
        ("usage_summary", lambda: usage_summary(log)),
    ]
    for name, call in others:
        elapsed = _best(call, arguments.repeat)
        print(f"{name:36s} {elapsed:8.2f}s {elapsed / t_plain:6.2f}×")


if __name__ == "__main__":
    main()
