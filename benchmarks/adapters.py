"""Time the Salesforce adapter on an export of 1,000,000 opportunities.

Builds a Salesforce-style export as a DataFrame (the API field names as columns) with
a fixed seed, about 1 % of awkward rows (missing amounts, percentages above 100,
deleted records, dates that do not parse) and three currencies, then times
``salesforce.opportunities`` on it and reports rows per second. Two forms are timed:

- ``typed``: numbers as float64 and flags as bool, as ``pandas.read_csv`` reads an
  export by default;
- ``text``: every value a string, as ``read_csv(dtype=str)`` or a JSON feed gives it.

For scale, the bare pandas conversion of the same columns (``to_datetime`` of both
dates, the probability divided by 100, the status from two flags), without any
validation or report, is timed in the same run; the ratio is the figure to compare
across machines.

    python benchmarks/adapters.py               # 1,000,000 rows
    python benchmarks/adapters.py --rows 1e5 --repeat 5
"""

from __future__ import annotations

import argparse
import functools
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from salescore.adapters import salesforce


def _export(rows: int, *, text: bool) -> pd.DataFrame:
    rng = np.random.default_rng(20260507)
    created = pd.Timestamp("2023-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 365 * 86_400, rows), unit="s"
    )
    close = (created + pd.to_timedelta(rng.integers(0, 180, rows), unit="D")).normalize()
    amount = np.round(rng.uniform(500.0, 200_000.0, rows), 2)
    probability = rng.choice([10.0, 20.0, 40.0, 60.0, 80.0, 90.0, 100.0, 0.0], rows)
    closed = probability >= 100.0
    closed |= probability == 0.0
    won = probability >= 100.0
    frame = pd.DataFrame(
        {
            "Id": [f"006{n:015d}" for n in range(rows)],
            "AccountId": [f"001{n % 50_000:015d}" for n in range(rows)],
            "OwnerId": [f"005{n % 300:015d}" for n in range(rows)],
            "StageName": rng.choice(["Prospecting", "Proposal", "Negotiation"], rows),
            "Amount": amount,
            "Probability": probability,
            "ExpectedRevenue": np.round(amount * probability / 100.0, 2),
            "ForecastCategory": rng.choice(["Pipeline", "BestCase", "Forecast"], rows),
            "CloseDate": close.strftime("%Y-%m-%d"),
            "CreatedDate": created.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "IsClosed": closed,
            "IsWon": won,
            "IsDeleted": np.zeros(rows, dtype=bool),
            "LeadSource": rng.choice(["Web", "Phone Inquiry", "Partner Referral"], rows),
            "CurrencyIsoCode": rng.choice(["USD", "EUR", "NOK"], rows, p=[0.7, 0.2, 0.1]),
        }
    )
    awkward = rng.choice(rows, size=rows // 100, replace=False)
    quarter = len(awkward) // 4
    frame.loc[awkward[:quarter], "Amount"] = np.nan
    frame.loc[awkward[quarter : 2 * quarter], "Probability"] = 150.0
    frame.loc[awkward[2 * quarter : 3 * quarter], "IsDeleted"] = True
    frame.loc[awkward[3 * quarter :], "CloseDate"] = "31/12/2024"
    if text:
        frame = frame.astype(object)
        for name in ("Amount", "Probability", "ExpectedRevenue"):
            frame[name] = [None if pd.isna(v) else f"{v:.2f}" for v in frame[name]]
        for name in ("IsClosed", "IsWon", "IsDeleted"):
            frame[name] = ["true" if v else "false" for v in frame[name]]
    return frame


def _bare(frame: pd.DataFrame) -> pd.DataFrame:
    """The same columns converted with plain pandas, without checks or a report."""
    closed = frame["IsClosed"].astype(str).str.lower() == "true"
    won = frame["IsWon"].astype(str).str.lower() == "true"
    return pd.DataFrame(
        {
            "deal_id": frame["Id"],
            "value": pd.to_numeric(frame["Amount"], errors="coerce"),
            "probability": pd.to_numeric(frame["Probability"], errors="coerce") / 100.0,
            "created": pd.to_datetime(frame["CreatedDate"], format="ISO8601", utc=True),
            "close_date": pd.to_datetime(frame["CloseDate"], errors="coerce", format="%Y-%m-%d"),
            "status": np.where(closed, np.where(won, "won", "lost"), "open"),
        }
    )


def _best(function: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=1e6, help="opportunities in the export")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (best kept)")
    arguments = parser.parse_args()
    rows = int(arguments.rows)
    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    print(f"{rows:,} Salesforce opportunities, best of {arguments.repeat} runs")
    for form in ("typed", "text"):
        frame = _export(rows, text=form == "text")
        result = salesforce.opportunities(frame)
        assert result.accepted + result.n_rejected == rows
        adapter = _best(functools.partial(salesforce.opportunities, frame), arguments.repeat)
        bare = _best(functools.partial(_bare, frame), arguments.repeat)
        print(
            f"  {form:5}  adapter {adapter:6.2f} s = {rows / adapter:>10,.0f} rows/s   "
            f"bare pandas {bare:5.2f} s   ratio {adapter / bare:4.1f}   "
            f"({result.accepted:,} accepted, {result.n_rejected:,} rejected, "
            f"{len(result.warnings)} warnings)"
        )


if __name__ == "__main__":
    main()
