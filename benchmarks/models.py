"""Time salescore.models: rfm_summary against plain pandas, and the BG/NBD fit.

``rfm_summary`` turns a synthetic log (default: 1,000,000 transactions by 200,000
customers over two years) into each customer's repeat purchases, recency, age and
mean repeat value, in weeks of 7 days with purchases collapsed per day. The same
summary is computed by the groupby a pandas user would write — one row per customer
and day by ``groupby().sum()``, first and last day by ``groupby().agg()``, the mean of
the repeat days by a second groupby — and the script checks that both agree, then
reports the best of several runs and their ratio (salescore ÷ plain pandas).

It also times ``fit_bgnbd`` on the CDNOW sample (2,357 customers), and on 1,000,000
customers simulated from the CDNOW parameters in whole weeks, compressed with
``compress`` first (the compression is timed too).

    python benchmarks/models.py
    python benchmarks/models.py --transactions 1e5 --customers 2e4

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
from salescore.models.bgnbd import BetaGeoModel, fit_bgnbd
from salescore.models.data import load_cdnow_summary
from salescore.models.rfm import compress, rfm_summary

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

START = pd.Timestamp("2024-01-01")
DAYS = 730


def _best(function: Callable[[], Any], repeat: int) -> float:
    return min(timeit.repeat(function, number=1, repeat=repeat))


def make_log(customers: int, transactions: int, seed: int) -> pd.DataFrame:
    """Customers with a random first day and random later purchases, some on one day."""
    rng = np.random.default_rng(seed)
    who = rng.integers(0, customers, transactions)
    first = rng.integers(0, DAYS, customers)
    offset = (rng.random(transactions) * (DAYS - first[who])).astype(np.int64)
    seconds = rng.integers(0, 86_400, transactions)
    dates = (
        START + pd.to_timedelta(first[who] + offset, unit="D") + pd.to_timedelta(seconds, unit="s")
    )
    return pd.DataFrame(
        {
            "customer_id": who,
            "date": dates,
            "amount": np.round(rng.gamma(2.0, 20.0, transactions), 2),
        }
    )


def plain_pandas(log: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """The same summary by ordinary pandas groupbys."""
    days = (
        log.assign(day=log["date"].dt.floor("D"))
        .groupby(["customer_id", "day"], sort=True)["amount"]
        .sum()
        .reset_index()
    )
    per_customer = days.groupby("customer_id").agg(
        first=("day", "min"), last=("day", "max"), count=("day", "size")
    )
    first_day = days["customer_id"].map(per_customer["first"])
    repeat_mean = days[days["day"] > first_day].groupby("customer_id")["amount"].mean()
    return pd.DataFrame(
        {
            "frequency": per_customer["count"] - 1,
            "recency": (per_customer["last"] - per_customer["first"]).dt.days / 7.0,
            "T": (end.floor("D") - per_customer["first"]).dt.days / 7.0,
            "monetary_value": repeat_mean.reindex(per_customer.index, fill_value=0.0),
        }
    )


def simulate(
    n: int, model: BetaGeoModel, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """BG/NBD histories in whole weeks (ages of 1 to 78 weeks)."""
    age = rng.integers(1, 79, n).astype(np.float64)
    rate = rng.gamma(model.r, 1.0 / model.alpha, n)
    leaves_after = rng.geometric(rng.beta(model.a, model.b, n))
    events = rng.poisson(rate * age)
    x = np.minimum(leaves_after, events)
    t_x = np.zeros(n)
    some = x > 0
    t_x[some] = np.floor(age[some] * rng.beta(x[some], events[some] - x[some] + 1))
    return x.astype(np.float64), t_x, age


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=float, default=1e6)
    parser.add_argument("--customers", type=float, default=2e5)
    parser.add_argument("--simulated", type=float, default=1e6, help="customers to fit")
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (best kept)")
    arguments = parser.parse_args()
    print(
        f"salescore {salescore.__version__}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"Python {platform.python_version()}"
    )

    log = make_log(int(arguments.customers), int(arguments.transactions), seed=20261122)
    end = pd.Timestamp(log["date"].max())
    ours = rfm_summary(log, amount="amount", freq="D", time_unit="W", observation_end=end)
    theirs = plain_pandas(log, end)
    pd.testing.assert_frame_equal(ours, theirs, check_dtype=False, check_names=False)
    library = _best(
        lambda: rfm_summary(log, amount="amount", freq="D", time_unit="W", observation_end=end),
        arguments.repeat,
    )
    bare = _best(lambda: plain_pandas(log, end), arguments.repeat)
    print(
        f"rfm_summary, {len(log):,} transactions by {len(ours):,} customers: "
        f"{library * 1e3:8.1f} ms; plain pandas {bare * 1e3:8.1f} ms; "
        f"ratio {library / bare:.2f}"
    )

    cdnow = load_cdnow_summary()
    x, t_x, age = (cdnow[c].to_numpy(dtype=np.float64) for c in ("frequency", "recency", "T"))
    fit_bgnbd(x, t_x, age)  # imports SciPy outside the timing
    times = timeit.repeat(lambda: fit_bgnbd(x, t_x, age), number=1, repeat=4 * arguments.repeat)
    print(
        f"fit_bgnbd on CDNOW (2,357 customers): best {min(times) * 1e3:.1f} ms, "
        f"median {float(np.median(times)) * 1e3:.1f} ms"
    )

    cdnow_model = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
    rng = np.random.default_rng(2005)
    sx, st_x, s_age = simulate(int(arguments.simulated), cdnow_model, rng)
    squeeze = _best(lambda: compress(sx, st_x, s_age), arguments.repeat)
    rows = compress(sx, st_x, s_age)
    weights = rows["weight"]
    fit_time = _best(
        lambda: fit_bgnbd(rows["frequency"], rows["recency"], rows["T"], weights=weights),
        arguments.repeat,
    )
    print(
        f"fit_bgnbd on {len(sx):,} simulated customers compressed to {len(rows):,} rows: "
        f"compress {squeeze * 1e3:.1f} ms + fit {fit_time * 1e3:.1f} ms"
    )


if __name__ == "__main__":
    main()
