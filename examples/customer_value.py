"""What is a customer worth? salescore's value metrics on built-in numbers.

Run it with ``python examples/customer_value.py`` after ``pip install .``. The numbers
are illustrative: a team whose selling hour costs 600 SEK, and its last ten customers.
"""

from __future__ import annotations

import pandas as pd

import salescore

HOURLY_COST = 600.0  # SEK per selling hour: salary, payroll taxes and overhead


def main() -> None:
    print(f"salescore {salescore.__version__}: what is a customer worth?\n")

    # Seed 000: profitability = time × salary × value over time.
    segment = salescore.UnitEconomics(
        margin=30_000.0,  # SEK margin per customer per year
        retention=0.8,  # 80 % of customers renew each year
        discount_rate=0.08,
        acquisition_cost=salescore.time_cost(40, HOURLY_COST),  # 40 h to win a cold prospect
        timing="begin",
    )
    print("A typical customer (margin 30,000 SEK a year, 80 % renew, 8 % discount rate)")
    print(f"  expected lifetime        {segment.expected_lifetime:10.1f} years")
    print(f"  lifetime value (CLV)     {segment.clv:10,.0f} SEK")
    print(f"  acquisition cost (CAC)   {segment.acquisition_cost:10,.0f} SEK  (40 h × 600 SEK)")
    print(f"  CLV : CAC                {segment.clv_cac_ratio:10.1f}")
    print(f"  payback                  {segment.payback:10.2f} years of margin\n")

    # Seed 000: look at your last ten customers and how each came in.
    last_ten = pd.DataFrame(
        {
            "source": ["cold"] * 4 + ["referral"] * 3 + ["existing"] * 3,
            "value": [
                *(150_000.0, 90_000.0, 120_000.0, 60_000.0),  # cold
                *(130_000.0, 110_000.0, 95_000.0),  # referral
                *(140_000.0, 80_000.0, 100_000.0),  # existing
            ],
            "hours": [55.0, 40.0, 70.0, 35.0, 8.0, 12.0, 6.0, 4.0, 5.0, 3.0],
        }
    )
    table = salescore.profitability_by_source(last_ten, hourly_cost=HOURLY_COST)
    print("Your last ten customers, by how they came in (SEK)")
    print(table[["customers", "mean_value", "mean_hours", "mean_profit"]].round(0).to_string())
    print()

    # Seed 001: winning a customer costs 5–25 times as much as keeping one.
    cac = salescore.acquisition_cost(192_000.0, 8)  # a quarter's sales spend, 8 new customers
    keep = salescore.time_cost(3, HOURLY_COST)  # 3 h of account care a year
    print(f"Winning a customer costs {cac:,.0f} SEK, keeping one for a year {keep:,.0f} SEK:")
    print(f"{cac / keep:.1f}× (seed 001 puts the ratio at 5–25×)")


if __name__ == "__main__":
    main()
