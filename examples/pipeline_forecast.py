"""Will we hit quota? salescore's pipeline metrics on built-in numbers.

Run it with ``python examples/pipeline_forecast.py`` after ``pip install .``. Apart
from seed 002's two prospects, the deals are illustrative.
"""

from __future__ import annotations

import pandas as pd

import salescore

QUOTA = 250_000.0
WON_SO_FAR = 60_000.0


def main() -> None:
    print(f"salescore {salescore.__version__}: will we hit quota?\n")
    deals = pd.DataFrame(
        {
            "deal_id": [f"D{i}" for i in range(1, 13)],
            "owner": ["Ann", "Ann", "Ann", "Ann", "Bo", "Bo", "Bo", "Bo", "Cy", "Cy", "Cy", "Cy"],
            "stage": [
                "Qualification",
                "Negotiation/Review",
                "Proposal/Price Quote",
                "Prospecting",
                "Value Proposition",
                "Negotiation/Review",
                "Proposal/Price Quote",
                "Qualification",
                "Id. Decision Makers",
                "Perception Analysis",
                "Prospecting",
                "Negotiation/Review",
            ],
            # Seed 002's prospects first: 27,600 at 12 % and 34,500 at 83 %.
            "value": [
                27600.0,
                34500.0,
                18000.0,
                40000.0,
                22000.0,
                15000.0,
                30000.0,
                12000.0,
                26000.0,
                19000.0,
                55000.0,
                21000.0,
            ],
            "probability": [0.12, 0.83, None, None, None, None, None, None, None, None, None, None],
            "status": ["open"] * 12,
            "currency": ["USD"] * 12,
            "close_date": pd.to_datetime(
                [
                    "2026-12-15",
                    "2026-12-05",
                    "2026-12-20",
                    "2027-01-31",
                    "2026-12-18",
                    "2026-12-10",
                    "2027-01-15",
                    "2027-02-28",
                    "2026-12-22",
                    "2027-01-10",
                    "2027-03-31",
                    "2026-12-12",
                ]
            ),
        }
    )
    # Deals without a probability take Salesforce's default for their stage.
    deals, filled = salescore.fill_probabilities(
        deals, salescore.pipeline.presets.SALESFORCE_STAGE_PROBABILITIES
    )
    print(f"Probabilities filled from stage defaults for {len(filled)} of {len(deals)} deals.")
    print("\nOpen pipeline by seller and close month (USD)")
    table = salescore.weighted_pipeline(deals, by="owner", freq="M")
    print(table.sort_index().round(0).to_string())

    forecast = salescore.forecast_distribution(deals["value"], deals["probability"])
    needed = QUOTA - WON_SO_FAR
    p10, p90 = forecast.interval(0.8)
    print(f"\nWeighted forecast      {forecast.mean:12,.0f}")
    print(f"P10 – P90              {p10:12,.0f} – {p90:,.0f}")
    print(f"Still needed for quota {needed:12,.0f}")
    chance = forecast.probability_at_least(needed)
    print(f"Chance of reaching it  {chance:12.0%}  ({forecast.method} method)")
    coverage = salescore.pipeline_coverage(deals["value"].sum(), QUOTA, closed=WON_SO_FAR)
    required = salescore.required_coverage(0.25)
    print(f"Coverage               {coverage:12.2f}×  (a 25 % win rate needs {required:.2f}×)")


if __name__ == "__main__":
    main()
