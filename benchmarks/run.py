"""Time salescore's formula functions against the bare NumPy expression.

Each array case runs the library call and the plain NumPy expression of the same
formula on the same data in the same process, interleaved, and reports the best of
several runs and their ratio (library ÷ bare). Each scalar case reports the time of
one call with Python floats, as a CRM adapter makes it once per record.

    python benchmarks/run.py            # 10,000,000 elements
    python benchmarks/run.py --size 1e6 --repeat 9

It also times ``forecast_distribution`` on pipelines of 1,000 and 10,000 deals and
measures its quantile error against a reference computed with a 5× finer guaranteed
error bound, as a share of the pipeline's total value; and ``classify_tiers`` and
``segment_potential`` on a book of 1,000,000 accounts with three segment columns, and
``tier_accounts``, the whole account plan, on the same book; and, on 1,000,000
leads, ``contact_probability`` and ``response_times`` (elapsed, and in business hours,
against the nearest bare NumPy expression: ``np.busday_count`` of whole days).

The ratio is the figure to compare across machines; the absolute times are not.
Validation is included: the library checks ranges, the bare expression does not.
"""

from __future__ import annotations

import argparse
import platform
import time
import timeit
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import salescore


def _best(function: Callable[[], Any], repeat: int) -> float:
    return min(timeit.repeat(function, number=1, repeat=repeat))


def _per_call(function: Callable[[], Any], calls: int = 100_000) -> float:
    return min(timeit.repeat(function, number=calls, repeat=5)) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=1e7, help="elements per array")
    parser.add_argument("--repeat", type=int, default=7, help="runs per case (best kept)")
    arguments = parser.parse_args()
    size = int(arguments.size)
    rng = np.random.default_rng(20261122)
    margin = rng.uniform(-100.0, 1_000.0, size)
    retention = rng.uniform(0.0, 0.99, size)
    lifetime = rng.uniform(0.0, 10.0, size)
    spend = rng.uniform(0.0, 1e5, size)
    customers = rng.integers(0, 20, size).astype(np.float64)
    d = 0.01
    periods = 36
    q = retention / (1 + d)

    def bare_cac() -> Any:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(customers != 0, spend / customers, np.nan)

    probability = rng.uniform(0.0, 1.0, size)
    cases: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        (
            "weighted_forecast(v, p)",
            lambda: salescore.weighted_forecast(spend, probability),
            lambda: np.dot(spend, probability),
        ),
        (
            "customer_value(m, L)",
            lambda: salescore.customer_value(margin, lifetime),
            lambda: margin * lifetime,
        ),
        (
            "clv(m, r, d)",
            lambda: salescore.clv(margin, retention, d),
            lambda: margin * retention / (1 + d - retention),
        ),
        (
            "clv(m, r, d, periods=36)",
            lambda: salescore.clv(margin, retention, d, periods=periods),
            lambda: margin * q * (1 - q**periods) / (1 - q),
        ),
        (
            "acquisition_cost(s, n)",
            lambda: salescore.acquisition_cost(spend, customers),
            bare_cac,
        ),
    ]
    print(
        f"salescore {salescore.__version__}, numpy {np.__version__}, "
        f"Python {platform.python_version()}, {size:,} elements, best of {arguments.repeat}"
    )
    print(f"{'case':28s} {'salescore':>11s} {'bare numpy':>11s} {'ratio':>7s}")
    for name, library, bare in cases:
        library()  # warm up, and fail early on an error
        bare()
        t_library = _best(library, arguments.repeat)
        t_bare = _best(bare, arguments.repeat)
        print(
            f"{name:28s} {t_library * 1e3:9.1f}ms {t_bare * 1e3:9.1f}ms {t_library / t_bare:6.2f}×"
        )
    print()
    print(f"{'scalar call':40s} {'per call':>9s}")
    scalar_cases: list[tuple[str, Callable[[], Any]]] = [
        ("customer_value(120.0, 3.5)", lambda: salescore.customer_value(120.0, 3.5)),
        ("clv(100.0, 0.9, 0.01)", lambda: salescore.clv(100.0, 0.9, 0.01)),
        ("clv(100, 0.9, 0.01, periods=36)", lambda: salescore.clv(100, 0.9, 0.01, periods=36)),
        ("acquisition_cost(12000.0, 8)", lambda: salescore.acquisition_cost(12_000.0, 8)),
    ]
    for name, call in scalar_cases:
        print(f"{name:40s} {_per_call(call) * 1e6:7.2f}µs")
    print()
    _distribution(rng)
    print()
    _tiers(rng)
    print()
    _leads(rng, arguments.repeat)


def _distribution(rng: np.random.Generator) -> None:
    print(
        f"{'forecast_distribution':24s} {'time':>8s} {'bound':>8s} {'error':>9s} {'reference':>10s}"
    )
    levels = np.linspace(0.01, 0.99, 99)
    for deals in (1_000, 10_000):
        values = rng.lognormal(10.0, 1.0, deals).round(2)
        chances = rng.uniform(0.05, 0.95, deals)
        start = time.perf_counter()
        dist = salescore.forecast_distribution(values, chances)
        elapsed = time.perf_counter() - start
        start = time.perf_counter()
        reference = salescore.forecast_distribution(
            values, chances, tolerance=0.0002, max_bins=1 << 24
        )
        reference_time = time.perf_counter() - start
        total = values.sum()
        error = np.max(np.abs(dist.quantile(levels) - reference.quantile(levels)))
        print(
            f"{deals:>7,} deals ({dist.method:7s}) {elapsed:7.3f}s "
            f"{dist.value_error / total:8.4%} {error / total:9.5%} "
            f"{reference_time:8.1f}s (bound {reference.value_error / total:.4%})"
        )


def _tiers(rng: np.random.Generator) -> None:
    accounts = 1_000_000
    revenue = pd.Series(np.where(rng.random(accounts) < 0.6, rng.lognormal(10, 1.2, accounts), 0.0))
    segments = pd.DataFrame(
        {
            "size": rng.choice(["small", "medium", "large"], accounts),
            "region": rng.choice([f"region {i}" for i in range(12)], accounts),
            "industry": rng.choice([f"industry {i}" for i in range(20)], accounts),
        }
    )
    book = segments.assign(
        account_id=np.arange(accounts),
        annual_revenue=revenue,
        last_contact=pd.Timestamp("2026-01-01")
        + pd.to_timedelta(rng.integers(0, 365, accounts), unit="D"),
    )
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("classify_tiers", lambda: salescore.classify_tiers(revenue)),
        ("segment_potential (3 columns)", lambda: salescore.segment_potential(revenue, segments)),
        (
            "tier_accounts (the whole plan)",
            lambda: salescore.tier_accounts(book, today="2027-01-01"),
        ),
    ]
    for name, call in cases:
        call()
        elapsed = min(timeit.repeat(call, number=1, repeat=3))
        print(f"{name:32s} {accounts:,} accounts {elapsed:7.3f}s")


def _leads(rng: np.random.Generator, repeat: int) -> None:
    leads = 1_000_000
    minutes = rng.exponential(60.0, leads)
    curve = salescore.PowerLawDecay(exponent=0.8, reference=5.0, floor=1.0)
    base = 0.3

    def bare_probability() -> Any:
        multiplier = (np.maximum(minutes, 1.0) / 5.0) ** -0.8
        return base / (base + (1.0 - base) / multiplier)

    created = pd.Timestamp("2026-01-05 08:00") + pd.to_timedelta(
        rng.integers(0, 300 * 24 * 60, leads), unit="min"
    )
    contacted = created + pd.to_timedelta(rng.exponential(600.0, leads).round(), unit="min")
    created_array, contacted_array = created.to_numpy(), contacted.to_numpy()
    office = salescore.BusinessHours(opens="09:00", closes="17:00")
    day_from, day_to = created_array.astype("M8[D]"), contacted_array.astype("M8[D]")
    cases: list[tuple[str, Callable[[], Any], Callable[[], Any], str]] = [
        (
            "contact_probability",
            lambda: salescore.contact_probability(minutes, base_rate=base, curve=curve),
            bare_probability,
            "the power law and odds in NumPy",
        ),
        (
            "response_times (elapsed)",
            lambda: salescore.response_times(created_array, contacted_array),
            lambda: contacted_array - created_array,
            "datetime64 subtraction",
        ),
        (
            "response_times (9-17 Mon-Fri)",
            lambda: salescore.response_times(created_array, contacted_array, business_hours=office),
            lambda: np.busday_count(day_from, day_to),
            "np.busday_count of whole days only",
        ),
    ]
    print(f"{'1,000,000 leads':32s} {'salescore':>11s} {'bare numpy':>11s} {'ratio':>7s}")
    for name, library, bare, what in cases:
        library()
        bare()
        t_library = _best(library, repeat)
        t_bare = _best(bare, repeat)
        print(
            f"{name:32s} {t_library * 1e3:9.1f}ms {t_bare * 1e3:9.1f}ms "
            f"{t_library / t_bare:6.2f}×  (bare: {what})"
        )


if __name__ == "__main__":
    main()
