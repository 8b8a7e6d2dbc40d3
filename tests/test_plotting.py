"""Tests of salescore.plotting: each chart drawn with Agg and read back from its Axes."""

from __future__ import annotations

import io
import math
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():
    # matplotlib 3.8, the oldest supported, calls a pyparsing method that pyparsing
    # 3.3 deprecates while it reads its default settings on import.
    warnings.simplefilter("ignore", DeprecationWarning)
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    from matplotlib.collections import QuadMesh
    from matplotlib.figure import Figure

import salescore
from salescore import InvalidInputError, SchemaError
from salescore.leads.decay import DecayCurve, ExponentialDecay
from salescore.leads.fit import fit_decay
from salescore.leads.presets import MIT2007_CONTACT, MIT2007_QUALIFY
from salescore.pipeline.forecast import forecast_distribution
from salescore.pipeline.stages import stage_funnel
from salescore.pipeline.tables import loss_reasons
from salescore.plotting import (
    cohort_heatmap,
    decay_chart,
    forecast_chart,
    funnel_chart,
    loss_reasons_chart,
    temperature_map,
)
from salescore.plotting._mpl import HINT
from salescore.retention.cohorts import cohort_retention
from salescore.tiers.tables import tier_accounts

from . import strategies as sst


@pytest.fixture(autouse=True)
def _close_figures() -> Any:
    yield
    plt.close("all")


def _axes() -> Axes:
    """Axes of a figure pyplot does not track: nothing to close, no global state."""
    return Figure().subplots()


def _legend(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [text.get_text() for text in legend.get_texts()]


def _heights(ax: Axes) -> list[float]:
    return [float(bar.get_height()) for bar in ax.patches]  # type: ignore[attr-defined]


# ------------------------------------------------------------------ hand-made inputs

# Nutshell's two prospects: 27,600 at 12 % and 34,500 at 83 %.
SEED_VALUES = [27_600.0, 34_500.0]
SEED_PROBABILITIES = [0.12, 0.83]


def _history() -> pd.DataFrame:
    """Three deals: A goes Lead → Demo → Won, B skips the demo, C stops at Lead."""
    return pd.DataFrame(
        {
            "deal_id": ["A", "A", "A", "B", "B", "C"],
            "stage": ["Lead", "Demo", "Won", "Lead", "Won", "Lead"],
            "entered": pd.to_datetime(
                ["2024-03-01", "2024-03-04", "2024-03-10", "2024-03-02", "2024-03-05", "2024-03-03"]
            ),
            "exited": np.array(
                ["2024-03-04", "2024-03-10", "NaT", "2024-03-05", "NaT", "2024-03-09"],
                dtype="datetime64[ns]",
            ),
        }
    )


def _lost_deals() -> pd.DataFrame:
    """Nutshell's competitor spike in August 2016, with a quiet September."""
    return pd.DataFrame(
        {
            "deal_id": ["D1", "D2", "D3", "D4", "D5", "D6", "D7"],
            "status": ["lost", "lost", "lost", "lost", "won", "lost", "lost"],
            "lost_reason": ["competitor", "competitor", "price", "competitor", None, None, "price"],
            "close_date": pd.to_datetime(
                [
                    "2016-08-03",
                    "2016-08-19",
                    "2016-08-30",
                    "2016-08-31",
                    "2016-09-12",
                    "2016-10-05",
                    "2016-10-20",
                ]
            ),
        }
    )


def _accounts() -> pd.DataFrame:
    """Six accounts in two segments; the benchmark (max) is a1's 120k."""
    return pd.DataFrame(
        {
            "account_id": ["a1", "a2", "a3", "a4", "a5", "a6"],
            "size": ["large", "large", "large", "small", "small", "small"],
            "annual_revenue": [120e3, 30e3, 0.0, 60e3, 45e3, 0.0],
        }
    )


def _plan() -> pd.DataFrame:
    # a1, a2, a3 look alike (large, max 120k): tier A, expected 120k, temperatures
    # 1.0, 0.25 and 0.0. a4, a5, a6 are small (max 60k, share 0.5): tier B, expected
    # 0.6 × 120k = 72k, temperatures 60/72 = 0.833, 45/72 = 0.625 and 0.
    return tier_accounts(_accounts(), segments="size", last_contact=None)


def _log() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["ann", "bo", "ann", "cy", "bo", "cy"],
            "date": pd.to_datetime(
                ["2024-01-05", "2024-01-20", "2024-02-11", "2024-02-14", "2024-03-02", "2024-03-09"]
            ),
        }
    )


# ------------------------------------------------------------------------ forecast


def test_forecast_bars_of_the_seed_prospects() -> None:
    dist = forecast_distribution(SEED_VALUES, SEED_PROBABILITIES)
    ax = forecast_chart(dist, quota=30_000, ax=_axes())
    assert ax.get_title() == "Forecast: revenue from the open pipeline"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Revenue", "Probability")
    assert len(ax.patches) == 40
    # By hand: nothing won 0.88 × 0.17 = 0.1496; only 27,600: 0.12 × 0.17 = 0.0204;
    # only 34,500: 0.88 × 0.83 = 0.7304; both (62,100): 0.12 × 0.83 = 0.0996.
    heights = np.array(_heights(ax))
    assert heights[heights > 0] == pytest.approx([0.1496, 0.0204, 0.7304, 0.0996])
    assert heights.sum() == pytest.approx(1.0)
    # Weighted forecast 3,312 + 28,635 = 31,947 (Nutshell's example); P(reach 30,000) is the
    # chance of winning the 34,500 deal, 0.83.
    assert _legend(ax) == [
        "Weighted forecast 31,947",
        "P10 0",
        "P50 34,500",
        "P90 34,500",
        "Quota 30,000: P(reach) = 83 %",
        "Probability",
    ]
    marked = [float(np.asarray(line.get_xdata())[0]) for line in ax.lines]
    assert marked == [31_947.0, 0.0, 34_500.0, 34_500.0, 30_000.0]
    assert ax.lines[-1].get_color() == "tab:red"


def test_forecast_cdf_steps_to_one() -> None:
    dist = forecast_distribution(SEED_VALUES, SEED_PROBABILITIES)
    ax = forecast_chart(dist, kind="cdf", ax=_axes())
    assert ax.get_ylabel() == "P(revenue ≤ amount)"
    assert len(ax.patches) == 0
    step = ax.lines[-1]
    assert np.asarray(step.get_xdata()).tolist() == [0.0, 0.0, 27_600.0, 34_500.0, 62_100.0]
    # 0.1496, + 0.0204 = 0.17, + 0.7304 = 0.9004, + 0.0996 = 1.
    assert np.asarray(step.get_ydata()) == pytest.approx([0.0, 0.1496, 0.17, 0.9004, 1.0])


def test_forecast_of_an_empty_pipeline_is_one_bar_at_zero() -> None:
    ax = forecast_chart(forecast_distribution([], []), quota=1_000, ax=_axes())
    assert _heights(ax) == [1.0]
    bar = ax.patches[0]
    assert bar.get_x() < 0.0 < bar.get_x() + bar.get_width()  # type: ignore[attr-defined]
    assert "Quota 1,000: P(reach) = 0 %" in _legend(ax)


def test_forecast_shares_never_round_a_possibility_away() -> None:
    dist = forecast_distribution([100.0, 100.0], [0.003, 0.5])
    # P(revenue >= 200) = 0.003 × 0.5 = 0.0015: shown as "< 1 %", not "0 %".
    assert "Quota 200: P(reach) = < 1 %" in _legend(forecast_chart(dist, quota=200, ax=_axes()))
    # P(revenue >= 1) = 1 − 0.997 × 0.5 = 0.5015.
    assert "Quota 1: P(reach) = 50 %" in _legend(forecast_chart(dist, quota=1, ax=_axes()))


@settings(max_examples=40)
@given(
    deals=sst.same_length(
        sst.nonnegative_money(max_value=1e6), sst.probabilities(), min_size=1, max_size=30
    ),
    bins=st.integers(1, 60),
    quota=sst.nonnegative_money(max_value=3e7),
)
def test_forecast_bars_hold_the_whole_distribution(
    deals: tuple[list[float], list[float]], bins: int, quota: float
) -> None:
    values, probabilities = deals
    dist = forecast_distribution(values, probabilities)
    ax = forecast_chart(dist, quota=quota, bins=bins, ax=_axes())
    heights = np.array(_heights(ax))
    assert heights.sum() == pytest.approx(1.0)
    assert heights.min() >= 0.0
    assert len(ax.patches) == (bins if dist.outcomes.size > 1 else 1)
    left = min(bar.get_x() for bar in ax.patches)  # type: ignore[attr-defined]
    right = max(bar.get_x() + bar.get_width() for bar in ax.patches)  # type: ignore[attr-defined]
    # A bar keeps its left edge and width; its right edge recomputed as their sum may
    # round a few units in the last place below the edge the chart drew.
    assert left <= dist.outcomes.min() + 4 * np.spacing(abs(left))
    assert dist.outcomes.max() <= right + 4 * np.spacing(abs(right))
    reach = float(dist.probability_at_least(quota))
    quota_text = _legend(ax)[4]
    if 0.005 <= reach <= 0.995:
        assert quota_text.endswith(f"= {100 * reach:.0f} %")


def test_forecast_refuses_bad_arguments() -> None:
    dist = forecast_distribution(SEED_VALUES, SEED_PROBABILITIES)
    with pytest.raises(InvalidInputError, match="ForecastDistribution"):
        forecast_chart(dist.to_frame(), ax=_axes())  # type: ignore[arg-type]
    for quota in (-1.0, math.nan, math.inf):
        with pytest.raises(InvalidInputError, match="quota"):
            forecast_chart(dist, quota=quota, ax=_axes())
    with pytest.raises(InvalidInputError, match="kind"):
        forecast_chart(dist, kind="pie", ax=_axes())  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="bins"):
        forecast_chart(dist, bins=0, ax=_axes())
    with pytest.raises(InvalidInputError, match="ax must be a matplotlib Axes"):
        forecast_chart(dist, ax=Figure())  # type: ignore[arg-type]


# -------------------------------------------------------------------------- funnel


def test_funnel_bars_are_the_deals_reaching_each_stage() -> None:
    funnel = stage_funnel(_history(), stages=["Lead", "Demo", "Won"])
    ax = funnel_chart(funnel, ax=_axes())
    assert ax.get_title() == "Stage funnel: deals reaching each stage"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Deals that reached the stage", "Stage")
    # 3 deals reached Lead; A reached Demo and B skipped it (counts as passed): 2;
    # both reached Won: 2. Lead → Demo 2/3, Demo → Won 2/2.
    assert [float(bar.get_width()) for bar in ax.patches] == [3.0, 2.0, 2.0]  # type: ignore[attr-defined]
    assert [text.get_text() for text in ax.texts] == [
        "3 · 67 % advance",
        "2 · 100 % advance",
        "2",
    ]
    assert [label.get_text() for label in ax.get_yticklabels()] == ["Lead", "Demo", "Won"]
    assert ax.yaxis_inverted()  # the first stage on top


def test_funnel_of_a_stage_no_deal_reached() -> None:
    funnel = stage_funnel(_history(), stages=["Lead", "Demo", "Won", "Paid"])
    ax = funnel_chart(funnel, ax=_axes())
    assert [float(bar.get_width()) for bar in ax.patches] == [3.0, 2.0, 2.0, 0.0]  # type: ignore[attr-defined]
    # Won → Paid: 0 of 2 advance; Paid was reached by no one, so it has no share.
    assert [text.get_text() for text in ax.texts][-2:] == ["2 · 0 % advance", "0"]


def test_funnel_refuses_frames_that_are_not_funnels() -> None:
    funnel = stage_funnel(_history(), stages=["Lead", "Demo", "Won"])
    with pytest.raises(SchemaError, match="conversion"):
        funnel_chart(funnel.drop(columns="conversion"), ax=_axes())
    with pytest.raises(SchemaError, match="DataFrame"):
        funnel_chart(funnel["reached"], ax=_axes())  # type: ignore[arg-type]
    broken = funnel.astype({"reached": "float64"})
    broken.loc["Demo", "reached"] = -2.0
    with pytest.raises(InvalidInputError, match=r"1 stage: 'Demo' \(-2.0\)"):
        funnel_chart(broken, ax=_axes())
    broken = funnel.copy()
    broken.loc["Lead", "conversion"] = 1.5
    with pytest.raises(InvalidInputError, match=r"'Lead' \(1.5\)"):
        funnel_chart(broken, ax=_axes())


# --------------------------------------------------------------------------- decay


def test_decay_curves_are_their_multipliers_on_a_log_axis() -> None:
    curves: dict[str, DecayCurve] = {"MIT contact": MIT2007_CONTACT, "MIT qualify": MIT2007_QUALIFY}
    ax = decay_chart(curves, ax=_axes())
    assert ax.get_title() == "Lead response: how the odds fall as leads wait"
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "Response time (log scale)"
    assert ax.get_ylabel() == "Odds relative to the reference time"
    assert [line.get_label() for line in ax.lines] == ["MIT contact", "MIT qualify"]
    for line, curve in zip(ax.lines, curves.values(), strict=True):
        x = np.asarray(line.get_xdata(), dtype=np.float64)
        assert (x[0], x[-1]) == pytest.approx((1.0, 1440.0))  # a minute to a day
        assert np.asarray(line.get_ydata()) == pytest.approx(curve.multiplier(x))
    # Nutshell's figure through the MIT preset: odds 100× lower at 30 minutes than at 5.
    assert MIT2007_CONTACT.multiplier(30.0) == pytest.approx(0.01)
    labels = [label.get_text() for label in ax.get_xticklabels()]
    assert labels == ["1 min", "5 min", "10 min", "30 min", "1 h", "4 h", "1 day"]


def test_decay_observed_rates_are_drawn_as_relative_odds() -> None:
    observed = pd.Series([0.1, 0.5, 0.2], index=[240, 5, 30])  # any order
    ax = decay_chart({"MIT contact": MIT2007_CONTACT}, observed=observed, ax=_axes())
    points = ax.lines[-1]
    assert points.get_label() == "Observed (odds relative to the first band)"
    assert points.get_linestyle() == "None"
    assert points.get_marker() == "o"
    assert np.asarray(points.get_xdata()).tolist() == [5.0, 30.0, 240.0]
    # Odds: 0.5/0.5 = 1, 0.2/0.8 = 0.25, 0.1/0.9 = 1/9; over the first band's 1.
    assert np.asarray(points.get_ydata()) == pytest.approx([1.0, 0.25, 1 / 9])


def test_decay_observed_bands_may_be_timedeltas_and_times_too() -> None:
    observed = pd.Series([0.5, 0.25], index=pd.to_timedelta(["5min", "2h"]))
    times = pd.to_timedelta(["1min", "30min", "4h"])
    ax = decay_chart(
        {"halving hourly": ExponentialDecay(half_life=60)},
        observed=observed,
        times=times,
        ax=_axes(),
    )
    assert np.asarray(ax.lines[0].get_xdata()).tolist() == [1.0, 30.0, 240.0]
    assert np.asarray(ax.lines[0].get_ydata()) == pytest.approx([2 ** (-1 / 60), 2**-0.5, 1 / 16])
    assert np.asarray(ax.lines[1].get_xdata()).tolist() == [5.0, 120.0]
    assert np.asarray(ax.lines[1].get_ydata()) == pytest.approx([1.0, 1 / 3])


def test_decay_undefined_relative_odds_are_not_drawn() -> None:
    # The fastest band converted nobody: odds 0, so every ratio to it is undefined.
    ax = decay_chart({}, observed=pd.Series([0.0, 0.2], index=[5, 30]), ax=_axes())
    assert np.isnan(np.asarray(ax.lines[0].get_ydata())).all()
    # An unknown rate leaves its own point out, and only it.
    ax = decay_chart({}, observed=pd.Series([0.5, math.nan, 0.2], index=[5, 30, 60]), ax=_axes())
    assert np.isnan(np.asarray(ax.lines[0].get_ydata())).tolist() == [False, True, False]


def test_decay_draws_a_fitted_curve() -> None:
    # fit_decay's own example: 8 of 10 at 5 minutes, 4 of 10 at 30: exponent 1.
    fit = fit_decay([5] * 10 + [30] * 10, [1] * 8 + [0] * 2 + [1] * 4 + [0] * 6, reference=5)
    ax = decay_chart({"our leads": fit}, times=[5, 30], ax=_axes())
    assert np.asarray(ax.lines[0].get_ydata()) == pytest.approx([1.0, 1 / 6])


def test_decay_refuses_bad_arguments() -> None:
    with pytest.raises(InvalidInputError, match="at least one curve"):
        decay_chart({}, ax=_axes())
    with pytest.raises(InvalidInputError, match="mapping"):
        decay_chart([MIT2007_CONTACT], ax=_axes())  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"curves\['x'\]"):
        decay_chart({"x": 0.5}, ax=_axes())  # type: ignore[dict-item]
    with pytest.raises(InvalidInputError, match=r"observed\.index"):
        decay_chart({}, observed=pd.Series([0.5, 0.2], index=[0, 30]), ax=_axes())
    with pytest.raises(InvalidInputError, match="observed must be a fraction"):
        decay_chart({}, observed=pd.Series([50.0, 20.0], index=[5, 30]), ax=_axes())
    with pytest.raises(InvalidInputError, match="observed must be indexed"):
        decay_chart({}, observed=pd.Series([0.5], index=["fast"]), ax=_axes())
    with pytest.raises(InvalidInputError, match="observed must be a Series"):
        decay_chart({}, observed=[0.5, 0.2], ax=_axes())  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="times"):
        decay_chart({"x": MIT2007_CONTACT}, times=[0, 5], ax=_axes())


# --------------------------------------------------------------------- temperature


def _mesh(ax: Axes, tier: str) -> QuadMesh:
    (mesh,) = [c for c in ax.collections if c.get_label() == tier]
    assert isinstance(mesh, QuadMesh)
    return mesh


def _cell_colours(mesh: QuadMesh) -> Any:
    return mesh.to_rgba(mesh.get_array().ravel())  # type: ignore[union-attr]


def test_temperature_map_colours_hot_accounts_red_and_cold_ones_blue() -> None:
    ax = temperature_map(_plan(), ax=_axes())
    assert ax.get_title() == "Temperature map: revenue against what each tier should yield"
    assert ax.get_xlabel() == "Share of the tier's accounts, hottest first"
    assert ax.get_ylabel() == "Tier"
    assert [label.get_text() for label in ax.get_yticklabels()] == [
        "A (3)",
        "B (3)",
        "C (0)",
        "D (0)",
    ]
    assert [c.get_label() for c in ax.collections] == ["A", "B"]
    tier_a = _mesh(ax, "A")
    assert tier_a.get_array().ravel().tolist() == [1.0, 0.25, 0.0]  # type: ignore[union-attr]
    red, _, blue, _ = _cell_colours(tier_a).T
    # a1 (temperature 1, Wilson Learning's "open-hearth furnace") red; a3 (0, "freezing") blue.
    assert red[0] > 0.6 > blue[0]
    assert blue[2] > 0.6 > red[2]
    tier_b = _mesh(ax, "B")
    assert tier_b.get_array().ravel().tolist() == pytest.approx([60 / 72, 45 / 72, 0.0])  # type: ignore[union-attr]
    assert ax.yaxis_inverted()  # A on top
    assert len(ax.get_figure().axes) == 2  # type: ignore[union-attr]  # the map and its colour bar


def test_temperature_map_clips_at_one_and_greys_tier_d() -> None:
    plan = tier_accounts(
        pd.DataFrame(
            {
                "account_id": ["low", "par", "high", "none"],
                "annual_revenue": [100e3, 200e3, 300e3, 0.0],
            }
        ),
        segments=[],
        last_contact=None,
        benchmark="quantile",
        quantile=0.5,
    )
    # Benchmark = median of the buyers' 100k, 200k and 300k = 200k: "par" and "high"
    # are A, with temperatures 1.0 and 1.5 ("low", at half the benchmark, is B);
    # "none" brings nothing and is D (no temperature).
    ax = temperature_map(plan, colorbar=False, ax=_axes())
    tier_a = _mesh(ax, "A")
    assert tier_a.get_array().ravel().tolist() == pytest.approx([1.5, 1.0])  # type: ignore[union-attr]
    colours = _cell_colours(tier_a)
    assert colours[0] == pytest.approx(colours[1])  # above 1 is as red as 1
    tier_d = _mesh(ax, "D")
    assert _cell_colours(tier_d)[0][:3] == pytest.approx(matplotlib.colors.to_rgb("lightgrey"))
    assert [text.get_text() for text in ax.texts] == ["no temperature"]
    assert len(ax.get_figure().axes) == 1  # type: ignore[union-attr]


def test_temperature_map_gives_accounts_without_a_tier_their_own_row() -> None:
    accounts = _accounts()
    accounts.loc[1, "annual_revenue"] = math.nan
    plan = tier_accounts(accounts, segments="size", last_contact=None, skipna=True)
    ax = temperature_map(plan, ax=_axes())
    assert [label.get_text() for label in ax.get_yticklabels()][-1] == "no tier (1)"
    assert ax.collections[-1].get_label() == "no tier"


@settings(max_examples=30)
@given(st.lists(st.one_of(st.just(math.nan), st.floats(0.0, 3.0)), min_size=1, max_size=40))
def test_temperature_map_rows_hold_each_tier_hottest_first(temperatures: list[float]) -> None:
    tiers = ["A", "B", "C", "D"]
    plan = pd.DataFrame(
        {
            "tier": pd.Categorical(
                [tiers[i % 4] for i in range(len(temperatures))], categories=tiers, ordered=True
            ),
            "temperature": temperatures,
        }
    )
    ax = temperature_map(plan, colorbar=False, ax=_axes())
    for tier in tiers:
        given_values = plan.loc[plan["tier"] == tier, "temperature"].to_numpy()
        if not given_values.size:
            assert tier not in [c.get_label() for c in ax.collections]
            continue
        mesh = _mesh(ax, tier)
        drawn = np.ma.filled(mesh.get_array().ravel(), np.nan)  # type: ignore[union-attr]
        known = drawn[~np.isnan(drawn)]
        assert drawn.size == given_values.size
        assert sorted(known.tolist(), reverse=True) == known.tolist()  # hottest first
        assert np.isnan(drawn[known.size :]).all()  # unknown ones last
        assert sorted(known.tolist()) == sorted(given_values[~np.isnan(given_values)].tolist())
        red, _, blue, _ = _cell_colours(mesh).T
        assert np.all(red[drawn > 0.6] > blue[drawn > 0.6])
        assert np.all(blue[drawn < 0.4] > red[drawn < 0.4])


def test_temperature_map_refuses_impossible_temperatures() -> None:
    plan = _plan()
    plan.loc[2, "temperature"] = -0.5
    with pytest.raises(InvalidInputError, match=r"1 account: 'a3' \(-0.5\)"):
        temperature_map(plan, ax=_axes())
    with pytest.raises(SchemaError, match="temperature"):
        temperature_map(_plan().drop(columns="temperature"), ax=_axes())
    with pytest.raises(InvalidInputError, match="colorbar"):
        temperature_map(_plan(), colorbar="yes", ax=_axes())  # type: ignore[arg-type]


# ------------------------------------------------------------------------- cohorts


def test_cohort_heatmap_draws_known_cells_only() -> None:
    table = cohort_retention(_log())
    ax = cohort_heatmap(table, ax=_axes())
    assert ax.get_title() == "Cohort retention"
    assert ax.get_xlabel() == "Months since the first purchase"
    assert ax.get_ylabel() == "Cohort (month of the first purchase)"
    # January: ann and bo (1.0), only ann in February (0.5), only bo in March (0.5);
    # February: cy (1.0), again in March (1.0); March won no one (NaN row). The four
    # NaN cells are not drawn at all.
    (mesh,) = ax.collections
    assert len(mesh.get_paths()) == 5
    assert [text.get_text() for text in ax.texts] == ["100 %", "50 %", "50 %", "100 %", "100 %"]
    assert [(t.get_position()) for t in ax.texts][:3] == [(0.5, 0.5), (1.5, 0.5), (2.5, 0.5)]
    assert [label.get_text() for label in ax.get_yticklabels()] == ["2024-01", "2024-02", "2024-03"]
    assert ax.yaxis_inverted()  # the oldest cohort on top
    colours = mesh.to_rgba(np.array([1.0, 0.5]))
    luminance = colours[:, :3] @ [0.2126, 0.7152, 0.0722]
    assert luminance[0] < luminance[1]  # more retained is darker


def test_cohort_heatmap_of_counts_and_without_numbers() -> None:
    counts = cohort_retention(_log(), normalize=False)
    ax = cohort_heatmap(counts, ax=_axes())
    assert [text.get_text() for text in ax.texts] == ["2", "1", "1", "1", "1", "0"]
    assert len(cohort_heatmap(counts, annotate=False, ax=_axes()).texts) == 0
    # A table of one-customer cohorts looks like shares; say that it is not.
    single = pd.DataFrame({0: [1.0, 1.0], 1: [1.0, math.nan]})
    assert cohort_heatmap(single, ax=_axes()).texts[0].get_text() == "100 %"
    assert cohort_heatmap(single, shares=False, ax=_axes()).texts[0].get_text() == "1"


def test_cohort_heatmap_leaves_large_tables_unwritten() -> None:
    table = pd.DataFrame(np.full((21, 20), 0.5))  # 420 cells, more than 400
    ax = cohort_heatmap(table, ax=_axes())
    assert len(ax.texts) == 0
    assert len(ax.collections[0].get_paths()) == 420
    assert ax.get_xlabel() == "Periods since the first purchase"


@settings(max_examples=30)
@given(
    st.integers(1, 8).flatmap(
        lambda size: st.lists(
            st.lists(
                st.one_of(st.just(math.nan), st.floats(0.0, 1.0)), min_size=size, max_size=size
            ),
            min_size=1,
            max_size=8,
        )
    )
)
def test_cohort_heatmap_draws_and_writes_every_known_cell(rows: list[list[float]]) -> None:
    table = pd.DataFrame(rows)
    ax = cohort_heatmap(table, ax=_axes())
    known = int(np.isfinite(table.to_numpy()).sum())
    assert len(ax.collections[0].get_paths()) == known
    assert len(ax.texts) == known


def test_cohort_heatmap_refuses_impossible_tables() -> None:
    with pytest.raises(InvalidInputError, match=r"2 are not, the first -0\.5 in cohort 2024-01"):
        cohort_heatmap(cohort_retention(_log()).replace(0.5, -0.5), ax=_axes())
    with pytest.raises(SchemaError, match="numeric"):
        cohort_heatmap(pd.DataFrame({0: ["a"]}), ax=_axes())
    with pytest.raises(SchemaError, match="DataFrame"):
        cohort_heatmap([[1.0]], ax=_axes())  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="annotate"):
        cohort_heatmap(cohort_retention(_log()), annotate=1, ax=_axes())  # type: ignore[arg-type]


# ------------------------------------------------ hostile input (issue 14), not pipeline


def test_tier_and_cohort_charts_refuse_multiindex_and_repeated_headers() -> None:
    plan = _plan()
    two_rows = plan[["tier", "temperature"]].copy()
    two_rows.columns = pd.MultiIndex.from_tuples([("tier", "x"), ("temperature", "y")])
    with pytest.raises(SchemaError, match="MultiIndex"):
        temperature_map(two_rows, ax=_axes())
    repeated = pd.concat([plan[["tier", "temperature"]], plan[["temperature"]]], axis=1)
    with pytest.raises(SchemaError, match="more than one column is named 'temperature'"):
        temperature_map(repeated, ax=_axes())
    table = cohort_retention(_log())
    # Cohort tables have integer column names: a header of two rows, or the age 1 twice,
    # used to raise AttributeError ('DataFrame' object has no attribute 'dtype').
    stacked = table.copy()
    stacked.columns = pd.MultiIndex.from_tuples([(age, "share") for age in table.columns])
    with pytest.raises(SchemaError, match="MultiIndex"):
        cohort_heatmap(stacked, ax=_axes())
    with pytest.raises(SchemaError, match="more than one column is named 1"):
        cohort_heatmap(pd.concat([table, table[[1]]], axis=1), ax=_axes())
    with pytest.raises(SchemaError, match="numeric"):
        cohort_heatmap(table.astype(complex), ax=_axes())


def test_chart_flags_refuse_values_that_are_not_bools() -> None:
    table = cohort_retention(_log())
    values: list[Any] = ["no", pd.NA, 1]
    for value in values:
        with pytest.raises(InvalidInputError, match="colorbar must be True or False"):
            temperature_map(_plan(), colorbar=value, ax=_axes())
        with pytest.raises(InvalidInputError, match="shares must be True, False or None"):
            cohort_heatmap(table, shares=value, ax=_axes())
        with pytest.raises(InvalidInputError, match="annotate must be True, False or None"):
            cohort_heatmap(table, annotate=value, ax=_axes())


def test_cohort_heatmap_of_amounts_near_the_float_limit() -> None:
    # Valid amounts; matplotlib's colour bar used to overflow padding a scale that
    # ends at 1e308. The bar now counts in units of 1e308, so it ends at 1, and the
    # cells are written in scientific notation (1e308 has 309 digits); 5e-324 rounds
    # to "0".
    table = pd.DataFrame({0: [1e308, 5e-324], 1: [0.0, 1e308]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            ax = cohort_heatmap(table, ax=_axes())
    assert [text.get_text() for text in ax.texts] == ["1e+308", "0", "0", "1e+308"]
    bar = ax.get_figure().axes[-1]  # type: ignore[union-attr]
    assert bar.get_ylabel() == "Value (× 1e308)"
    assert bar.get_ylim() == (0.0, 1.0)


def test_temperature_map_draws_a_temperature_near_the_float_limit() -> None:
    # A temperature of 1e308 is drawn as red as 1 (the colour map clips), where it used
    # to overflow matplotlib's colour lookup when the figure was drawn.
    plan = pd.DataFrame({"tier": ["A", "A", "B"], "temperature": [1e308, 5e-324, 0.0]})
    with np.errstate(all="raise"):
        ax = temperature_map(plan, ax=_axes())
    (tier_a, _) = ax.collections
    colours = tier_a.to_rgba(np.array([1e308, 1.0]))
    assert colours[0].tolist() == colours[1].tolist()
    ax.get_figure().savefig(io.BytesIO(), format="png")  # type: ignore[union-attr]


def test_decay_chart_refuses_times_a_log_axis_cannot_show() -> None:
    # 1e308 minutes used to overflow in matplotlib's autoscaling, 5e-324 to give "a
    # geometric sequence cannot include zero", 10**400 an OverflowError.
    for times in ([1e308], [5e-324, 1.0]):
        with pytest.raises(InvalidInputError, match="times must be minutes from 1e-100"):
            decay_chart({"MIT": MIT2007_CONTACT}, times=times, ax=_axes())
    with pytest.raises(InvalidInputError, match="times must be a number within float range"):
        decay_chart({"MIT": MIT2007_CONTACT}, times=10**400, ax=_axes())
    with pytest.raises(InvalidInputError, match="times must hold numbers"):
        decay_chart({"MIT": MIT2007_CONTACT}, times=[10**400], ax=_axes())
    # Complex times used to be cast to their real part with only a ComplexWarning.
    complex_times: list[Any] = [np.array([5.0 + 1j]), pd.Series([5.0 + 1j])]
    for times in complex_times:
        with pytest.raises(InvalidInputError, match="times must hold"):
            decay_chart({"MIT": MIT2007_CONTACT}, times=times, ax=_axes())
    with pytest.raises(InvalidInputError, match="observed must be indexed"):
        decay_chart({}, observed=pd.Series([0.5], index=[5.0 + 1j]), ax=_axes())
    for bounds in ([5, 1e308], [5e-324, 5]):
        with pytest.raises(InvalidInputError, match=r"observed.index must hold band bounds"):
            decay_chart({}, observed=pd.Series([0.5, 0.1], index=bounds), ax=_axes())


def test_decay_chart_of_an_empty_observed_series_draws_the_curves_alone() -> None:
    # No bands: no points (it used to fail on the minimum of an empty array).
    ax = decay_chart({"MIT": MIT2007_CONTACT}, observed=pd.Series([], dtype=float), ax=_axes())
    assert [line.get_label() for line in ax.lines] == ["MIT"]
    with pytest.raises(InvalidInputError, match="at least one curve or observed rates"):
        decay_chart({}, observed=pd.Series([], dtype=float), ax=_axes())


def test_decay_chart_of_odds_near_the_float_limits() -> None:
    # Rates 0.75, 0.5 and 1e-310 have odds 3, 1 and 1e-310 (to float precision), so
    # odds relative to the fastest band of 1, 1/3 and 1e-310 / 3 = 3.33e-311, a
    # subnormal result that used to raise FloatingPointError under errstate(all="raise").
    observed = pd.Series([0.75, 0.5, 1e-310], index=[1.0, 5.0, 30.0])
    with np.errstate(all="raise"):
        ax = decay_chart({}, observed=observed, ax=_axes())
    relative = np.asarray(ax.lines[0].get_ydata(), dtype=np.float64)
    assert relative.tolist()[:2] == [1.0, pytest.approx(1 / 3, rel=1e-15)]
    assert relative[2] == pytest.approx(1e-310 / 3, rel=1e-9)


# -------------------------------------------------------------------- loss reasons


def test_loss_reasons_stack_counts_by_month() -> None:
    table = loss_reasons(_lost_deals())
    ax = loss_reasons_chart(table, ax=_axes())
    assert ax.get_title() == "Lost deals by reason"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Month", "Lost deals")
    # 3 months × 3 reasons (competitor, price, no reason).
    assert len(ax.patches) == 9
    assert [label.get_text() for label in ax.get_xticklabels()] == ["2016-08", "2016-09", "2016-10"]
    # August: 3 competitor + 1 price; September: none; October: 1 price + 1 unknown.
    assert _heights(ax) == [3.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0]
    tops = [float(bar.get_y() + bar.get_height()) for bar in ax.patches[-3:]]  # type: ignore[attr-defined]
    assert tops == [4.0, 0.0, 2.0]
    assert _legend(ax) == ["(no reason)", "price", "competitor"]  # top of the stack first


def test_loss_reasons_shares_skip_months_without_losses() -> None:
    table = loss_reasons(_lost_deals())
    ax = loss_reasons_chart(table, measure="share", ax=_axes())
    assert ax.get_ylabel() == "Share of the month's lost deals"
    assert len(ax.patches) == 6  # September has no shares
    assert {bar.get_x() + bar.get_width() / 2 for bar in ax.patches} == {0.0, 2.0}  # type: ignore[attr-defined]
    tops = [float(bar.get_y() + bar.get_height()) for bar in ax.patches[-2:]]  # type: ignore[attr-defined]
    assert tops == pytest.approx([1.0, 1.0])


def test_loss_reasons_by_quarter_and_without_losses() -> None:
    ax = loss_reasons_chart(loss_reasons(_lost_deals(), freq="Q"), ax=_axes())
    assert ax.get_xlabel() == "Quarter"
    assert [label.get_text() for label in ax.get_xticklabels()] == ["2016Q3", "2016Q4"]
    won = _lost_deals().assign(status="won")
    ax = loss_reasons_chart(loss_reasons(won), ax=_axes())
    assert len(ax.patches) == 0
    assert ax.get_legend() is None


@settings(max_examples=30)
@given(
    st.lists(
        st.tuples(st.integers(0, 400), st.sampled_from(["price", "timing", "competitor", None])),
        min_size=1,
        max_size=60,
    )
)
def test_loss_reasons_stacks_add_up_to_the_lost_deals(losses: list[tuple[int, Any]]) -> None:
    days, reasons = zip(*losses, strict=True)
    deals = pd.DataFrame(
        {
            "deal_id": range(len(losses)),
            "status": "lost",
            "lost_reason": list(reasons),
            "close_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(list(days), unit="D"),
        }
    )
    table = loss_reasons(deals)
    ax = loss_reasons_chart(table, ax=_axes())
    periods, reasons_drawn = table["count"].shape
    assert len(ax.patches) == periods * reasons_drawn
    tops = np.zeros(periods)
    for bar in ax.patches:
        position = round(bar.get_x() + bar.get_width() / 2)  # type: ignore[attr-defined]
        tops[position] = max(tops[position], bar.get_y() + bar.get_height())  # type: ignore[attr-defined]
    per_period = deals.groupby(deals["close_date"].dt.to_period("M")).size()
    assert tops.sum() == len(losses)
    assert tops[tops > 0].tolist() == per_period.to_numpy(dtype=float).tolist()


def test_loss_reasons_chart_refuses_other_frames() -> None:
    table = loss_reasons(_lost_deals())
    with pytest.raises(SchemaError, match="loss_reasons"):
        loss_reasons_chart(table["count"], ax=_axes())  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="measure"):
        loss_reasons_chart(table, measure="total", ax=_axes())  # type: ignore[arg-type]
    broken = table.copy()
    broken.loc[broken.index[0], ("count", "price")] = -1
    with pytest.raises(InvalidInputError, match="period 2016-08, reason 'price'"):
        loss_reasons_chart(broken, ax=_axes())


# ------------------------------------------------------------------ every chart


def _charts() -> dict[str, Callable[..., Axes]]:
    dist = forecast_distribution(SEED_VALUES, SEED_PROBABILITIES)
    funnel = stage_funnel(_history(), stages=["Lead", "Demo", "Won"])
    plan, table, losses = _plan(), cohort_retention(_log()), loss_reasons(_lost_deals())
    return {
        "forecast": lambda **ax: forecast_chart(dist, quota=30_000, **ax),
        "funnel": lambda **ax: funnel_chart(funnel, **ax),
        "decay": lambda **ax: decay_chart({"MIT": MIT2007_CONTACT}, **ax),
        "temperature": lambda **ax: temperature_map(plan, **ax),
        "cohorts": lambda **ax: cohort_heatmap(table, **ax),
        "losses": lambda **ax: loss_reasons_chart(losses, **ax),
    }


@pytest.mark.parametrize("name", list(_charts()))
def test_each_chart_draws_on_the_axes_given(name: str) -> None:
    figure = Figure()
    given_ax = figure.subplots()
    assert _charts()[name](ax=given_ax) is given_ax
    assert plt.get_fignums() == []  # no pyplot figure made
    assert given_ax.get_title()
    assert given_ax.get_xlabel()
    assert given_ax.get_ylabel()
    figure.canvas.draw()  # renders without error or warning


@pytest.mark.parametrize("name", list(_charts()))
def test_each_chart_makes_a_figure_without_axes(name: str) -> None:
    ax = _charts()[name]()
    assert plt.get_fignums() == [ax.get_figure().number]  # type: ignore[union-attr]
    assert ax.get_figure().get_layout_engine() is not None  # type: ignore[union-attr]


def test_charts_render_the_sample_crm() -> None:
    # The code of docs/gallery.md, on the sample CRM when the package has it.
    datasets = pytest.importorskip("salescore.datasets")
    crm = datasets.sample()
    deals = crm.deals
    due = (deals["status"] == "open") & (deals["close_date"] < pd.Timestamp("2026-04-01"))
    dist = salescore.forecast_distribution(deals.loc[due, "value"], deals.loc[due, "probability"])
    ax = forecast_chart(dist, quota=crm.quota, ax=_axes())
    assert _legend(ax)[4].startswith(f"Quota {crm.quota:,.0f}: P(reach) = ")

    funnel = salescore.stage_funnel(crm.stage_history, stages=crm.stages, other_stages="ignore")
    assert len(funnel_chart(funnel, ax=_axes()).patches) == len(crm.stages)

    leads = crm.leads[crm.leads["first_contact"].notna()]
    minutes = (leads["first_contact"] - leads["created"]) / pd.Timedelta(minutes=1)
    bounds = [5, 10, 30, 60, 240, 1440]
    bands = pd.cut(minutes, [0, *bounds], labels=bounds, include_lowest=True)
    observed = leads["reached"].groupby(bands, observed=True).mean()
    fit = salescore.fit_decay(minutes, leads["reached"], reference=5)
    ax = decay_chart({"MIT": MIT2007_CONTACT, "ours": fit}, observed=observed, ax=_axes())
    assert len(ax.lines) == 3
    assert np.asarray(ax.lines[2].get_xdata()).tolist() == observed.index.astype(float).tolist()

    plan = salescore.tier_accounts(crm.accounts, today=crm.as_of)
    ax = temperature_map(plan, ax=_axes())
    cells = [c.get_array() for c in ax.collections]
    assert sum(0 if array is None else int(array.size) for array in cells) == len(plan)

    table = salescore.cohort_retention(crm.transactions, freq="Q")
    ax = cohort_heatmap(table, ax=_axes())
    known = int(np.isfinite(table.to_numpy()).sum())
    assert len(ax.collections[0].get_paths()) == known == len(ax.texts)

    losses = salescore.loss_reasons(crm.deals)
    ax = loss_reasons_chart(losses, ax=_axes())
    assert len(ax.patches) == losses["count"].size


# ------------------------------------------------------------- without matplotlib

_WITHOUT_MATPLOTLIB = textwrap.dedent(
    """
    import importlib.abc
    import sys

    class NoMatplotlib(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name == "matplotlib" or name.startswith("matplotlib."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NoMatplotlib())
    import salescore
    import salescore.plotting

    assert "matplotlib" not in sys.modules
    for name in salescore.plotting.__all__:
        try:
            getattr(salescore.plotting, name)(None)
        except ImportError as error:
            print(name, "|", error)
        else:
            raise SystemExit(f"{name} drew without matplotlib")
    """
)


def test_salescore_imports_without_matplotlib_and_says_how_to_install_it() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_MATPLOTLIB],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    import salescore.plotting

    assert [line.split(" | ")[0] for line in lines] == salescore.plotting.__all__
    assert all(line.endswith(f" | {HINT}") for line in lines)
    assert "pip install '.[plot]' in a clone of salescore" in HINT


# ------------------------------------------------ pipeline charts, hostile inputs (issue 14)


def test_forecast_chart_bins_are_bounded() -> None:
    # bins=2**70 reached numpy.linspace, which raised ValueError: Maximum allowed size.
    dist = forecast_distribution([1.0, 2.0], [0.5, 0.5])
    with pytest.raises(InvalidInputError, match="bins must be at most 10,000"):
        forecast_chart(dist, bins=2**70, ax=_axes())


@pytest.mark.parametrize("values", [[1e308], [1e308, 5e307], [5e-324] * 3, [5e-324] * 30])
@pytest.mark.parametrize("kind", ["bars", "cdf"])
def test_forecast_chart_of_extreme_amounts_raises_no_floating_point_error(
    values: list[float], kind: str
) -> None:
    # matplotlib's transforms underflowed (FloatingPointError under errstate(all="raise"))
    # on a revenue axis up to 1e308; subnormal ranges had fewer distinct edges than bars.
    dist = forecast_distribution(values, [0.5] * len(values))
    with np.errstate(all="raise"):
        ax = forecast_chart(dist, kind=kind, quota=values[0], ax=_axes())  # type: ignore[arg-type]
    assert ax.get_title() == "Forecast: revenue from the open pipeline"


def test_loss_reasons_chart_refuses_a_reason_listed_twice() -> None:
    # A repeated ("count", reason) header made table["count"][reason] a frame, and the
    # numeric check failed with AttributeError: 'DataFrame' object has no attribute 'dtype'.
    table = pd.DataFrame(
        [[1, 0.5, 2]],
        columns=pd.MultiIndex.from_tuples([("count", "a"), ("share", "a"), ("count", "a")]),
        index=pd.PeriodIndex(["2024-01"], freq="M"),
    )
    with pytest.raises(SchemaError, match="must list each reason once"):
        loss_reasons_chart(table, ax=_axes())


def test_funnel_chart_refuses_multiindex_headers_and_list_cells() -> None:
    funnel = pd.DataFrame({"reached": [2, 1], "conversion": [0.5, np.nan]}, index=["A", "B"])
    headed = funnel.copy()
    headed.columns = pd.MultiIndex.from_tuples([("reached", "n"), ("conversion", "p")])
    with pytest.raises(SchemaError, match="MultiIndex"):
        funnel_chart(headed, ax=_axes())
    listed = funnel.assign(reached=pd.Series([[2], [1]], index=funnel.index, dtype=object))
    with pytest.raises(SchemaError):
        funnel_chart(listed, ax=_axes())
