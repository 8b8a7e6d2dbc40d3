"""Tests of salescore.forecasting.win_rates: Wilson intervals, hand-worked rates, properties."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import salescore
from salescore import InvalidInputError, SchemaError
from salescore.forecasting._win_rates import wilson_interval
from salescore.forecasting.win_rates import stage_win_rates

COLUMNS = ["reached", "won", "lost", "win_rate", "lower", "upper", "open"]
LABELS = ["Lead", "Demo", "Proposal", "Contract"]
BASE = pd.Timestamp("2024-01-01")


def _history(rows: list[tuple[Any, Any, str, str | None]]) -> pd.DataFrame:
    """A canonical stage history; dates as "YYYY-MM-DD" strings, None for NaT."""
    return pd.DataFrame(
        {
            "deal_id": pd.Series([r[0] for r in rows], dtype=object),
            "stage": pd.Series([r[1] for r in rows], dtype=object),
            "entered": pd.Series([r[2] for r in rows], dtype="datetime64[ns]"),
            "exited": pd.Series([r[3] for r in rows], dtype="datetime64[ns]"),
        }
    )


def _deals(rows: list[tuple[Any, Any, str]], **extra: list[Any]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "deal_id": pd.Series([r[0] for r in rows], dtype=object),
            "stage": pd.Series([r[1] for r in rows], dtype=object),
            "status": pd.Series([r[2] for r in rows], dtype=object),
            **{name: pd.Series(values, dtype=object) for name, values in extra.items()},
        }
    )


_NO_HISTORY = _history([])


def _counts(won: int, closed: int, confidence: float = 0.95) -> dict[Any, Any]:
    """The row of one stage reached by ``closed`` closed deals, ``won`` of them won."""
    deals = _deals([(f"D{i}", "Proposal", "won" if i < won else "lost") for i in range(closed)])
    rates = stage_win_rates(_NO_HISTORY, deals, confidence=confidence)
    assert rates.index.tolist() == ["Proposal"]
    return _rows(rates)["Proposal"]


def _rows(rates: pd.DataFrame) -> dict[Any, dict[Any, Any]]:
    """The table's rows as dicts, by index label."""
    return rates.to_dict("index")


def _group(rates: pd.DataFrame, group: Any, column: str) -> list[Any]:
    """One column of one group of a table by group and stage, in stage order."""
    return rates[column].xs(group, level=0).tolist()


# ------------------------------------------------------------- golden intervals


def test_wilson_eight_of_ten_by_hand() -> None:
    # z = Phi^-1(0.975) = 1.959964, z^2 = 3.841459; x = 8, n = 10:
    # centre     = (8 + 3.841459/2) / (10 + 3.841459) = 9.920729 / 13.841459 = 0.716740
    # half-width = 1.959964 / 13.841459 * sqrt(8*2/10 + 3.841459/4)
    #            = 0.141601 * sqrt(1.6 + 0.960365) = 0.141601 * 1.600114 = 0.226578
    # interval   = [0.716740 - 0.226578, 0.716740 + 0.226578] = [0.490162, 0.943318]
    row = _counts(8, 10)
    assert [row["reached"], row["won"], row["lost"]] == [10, 8, 2]
    assert row["win_rate"] == 0.8
    assert (row["lower"] + row["upper"]) / 2 == pytest.approx(0.716740, abs=2e-6)
    assert (row["upper"] - row["lower"]) / 2 == pytest.approx(0.226578, abs=2e-6)
    assert row["lower"] == pytest.approx(0.490162, abs=2e-6)
    assert row["upper"] == pytest.approx(0.943318, abs=2e-6)


@pytest.mark.parametrize(
    ("won", "closed", "lower", "upper"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (the
        # Wilson score interval without continuity correction), 95 %, 4 decimals.
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_table(won: int, closed: int, lower: float, upper: float) -> None:
    row = _counts(won, closed)
    assert row["lower"] == pytest.approx(lower, abs=5e-5)
    assert row["upper"] == pytest.approx(upper, abs=5e-5)


@pytest.mark.parametrize(
    ("won", "closed", "confidence", "lower", "upper"),
    [
        # R's prop.test(x, n, correct = FALSE), as recorded in the test snapshots of
        # the R package cards (insightsengineering/cards,
        # tests/testthat/_snaps/proportion_ci.md, proportion_ci_wilson).
        (5, 10, 0.90, 0.2692718, 0.7307282),
        (32, 32, 0.95, 0.8928208, 1.0),
        (0, 32, 0.95, 0.0, 0.1071792),
    ],
)
def test_wilson_matches_r_prop_test(
    won: int, closed: int, confidence: float, lower: float, upper: float
) -> None:
    row = _counts(won, closed, confidence)
    assert row["lower"] == pytest.approx(lower, abs=5e-8)
    assert row["upper"] == pytest.approx(upper, abs=5e-8)


def test_all_won_or_none_won_hits_the_bound_exactly() -> None:
    # At x = n the upper bound is 1 in exact arithmetic (1.0000000000000002 in floats).
    assert _counts(32, 32)["upper"] == 1.0
    assert _counts(0, 32)["lower"] == 0.0


def test_stage_without_closed_deals_has_nan_rate_and_whole_interval() -> None:
    deals = _deals([("D1", "Lead", "open")])
    rates = stage_win_rates(_NO_HISTORY, deals, stages=["Lead", "Demo"])
    for label in ("Lead", "Demo"):
        row = _rows(rates)[label]
        assert row["reached"] == 0
        assert math.isnan(row["win_rate"])
        assert (row["lower"], row["upper"]) == (0.0, 1.0)
    assert rates["open"].tolist() == [1, 0]


# ------------------------------------------------------------ hand-worked tables


def _small() -> tuple[pd.DataFrame, pd.DataFrame]:
    history = _history(
        [
            # A: Lead -> Demo -> Lead -> Demo (came back), now at Proposal; won.
            ("A", "Lead", "2024-01-02", "2024-01-05"),
            ("A", "Demo", "2024-01-05", "2024-01-08"),
            ("A", "Lead", "2024-01-08", "2024-01-09"),
            ("A", "Demo", "2024-01-09", "2024-01-12"),
            # B: Lead -> Proposal (skipped the demo), now at Proposal; lost.
            ("B", "Lead", "2024-01-03", "2024-01-06"),
            # C: Lead -> Demo, lost at the demo.
            ("C", "Lead", "2024-01-04", "2024-01-07"),
            ("C", "Demo", "2024-01-07", "2024-01-10"),
            # D: open, in Demo; its current stage in deals is unknown.
            ("D", "Lead", "2024-01-01", "2024-01-04"),
            ("D", "Demo", "2024-01-04", None),
        ]
    )
    deals = _deals(
        [
            ("A", "Proposal", "won"),
            ("B", "Proposal", "lost"),
            ("C", "Demo", "lost"),
            ("D", None, "open"),
            ("E", "Contract", "Won"),  # no history: counts at its current stage only
        ],
        owner=["Ann", "Bo", "Ann", "Bo", "Ann"],
    )
    return history, deals


def test_small_history_by_hand() -> None:
    history, deals = _small()
    rates = stage_win_rates(history, deals)
    # Order by first entry: Lead (D, 01-01), Demo (D, 01-04); Proposal and Contract
    # are only current stages in deals, in their order there.
    assert rates.index.tolist() == ["Lead", "Demo", "Proposal", "Contract"]
    assert rates.index.name == "stage"
    assert list(rates.columns) == COLUMNS
    # Reached, closed deals only:  Lead: A won, B lost, C lost      -> 3, 1 won
    #                              Demo: A won (once), C lost       -> 2, 1 won
    #                              Proposal: A won, B lost          -> 2, 1 won
    #                              Contract: E won                  -> 1, 1 won
    # Open deals that reached it:  D reached Lead and Demo.
    assert rates["reached"].tolist() == [3, 2, 2, 1]
    assert rates["won"].tolist() == [1, 1, 1, 1]
    assert rates["lost"].tolist() == [2, 1, 1, 0]
    assert rates["open"].tolist() == [1, 1, 0, 0]
    assert rates["win_rate"].tolist() == pytest.approx([1 / 3, 0.5, 0.5, 1.0])
    # 1 of 3: centre (1 + 1.920729) / 6.841459 = 0.426916,
    # half 1.959964 / 6.841459 * sqrt(2/3 + 0.960365) = 0.286483 * 1.275551 = 0.365424,
    # so [0.061492, 0.792340].
    assert rates.loc["Lead", "lower"] == pytest.approx(0.061492, abs=2e-6)
    assert rates.loc["Lead", "upper"] == pytest.approx(0.792340, abs=2e-6)
    for column in ("reached", "won", "lost", "open"):
        assert rates[column].dtype == np.int64
    for column in ("win_rate", "lower", "upper"):
        assert rates[column].dtype == np.float64


def test_small_history_by_owner() -> None:
    history, deals = _small()
    rates = stage_win_rates(history, deals, by="owner", stages=LABELS)
    assert rates.index.names == ["owner", "stage"]
    assert rates.index.tolist() == [(o, s) for o in ("Ann", "Bo") for s in LABELS]
    # Ann: A (won) and C (lost) reached Lead and Demo, A Proposal, E Contract.
    assert _group(rates, "Ann", "reached") == [2, 2, 1, 1]
    assert _group(rates, "Ann", "won") == [1, 1, 1, 1]
    # Bo: B (lost) reached Lead and Proposal; D (open) Lead and Demo.
    assert _group(rates, "Bo", "reached") == [1, 0, 1, 0]
    assert _group(rates, "Bo", "won") == [0, 0, 0, 0]
    assert _group(rates, "Bo", "open") == [1, 1, 0, 0]
    assert math.isnan(_rows(rates)[("Bo", "Demo")]["win_rate"])


def test_missing_group_label_forms_its_own_group() -> None:
    history, deals = _small()
    deals["owner"] = ["Ann", None, "Ann", None, "Ann"]
    rates = stage_win_rates(history, deals, by="owner", stages=LABELS)
    missing = rates.xs(rates.index.get_level_values("owner")[-1], level="owner")
    assert pd.isna(rates.index.get_level_values("owner")[-1])
    assert missing["reached"].tolist() == [1, 0, 1, 0]
    assert missing["open"].tolist() == [1, 1, 0, 0]


def test_deal_with_neither_visits_nor_stage_reaches_nothing() -> None:
    history, deals = _small()
    extra = pd.concat([deals, _deals([("F", None, "won")], owner=["Ann"])], ignore_index=True)
    pd.testing.assert_frame_equal(stage_win_rates(history, extra), stage_win_rates(history, deals))


def test_stages_order_the_table_and_unreached_stages_get_zeros() -> None:
    history, deals = _small()
    listed = ["Contract", "Proposal", "Demo", "Lead", "Signed"]
    rates = stage_win_rates(history, deals, stages=listed)
    assert rates.index.tolist() == listed
    default = stage_win_rates(history, deals)
    pd.testing.assert_frame_equal(rates.loc[LABELS], default.loc[LABELS])
    signed = _rows(rates)["Signed"]
    assert [signed[column] for column in ("reached", "won", "lost", "open")] == [0, 0, 0, 0]


def test_order_by_first_entry_whatever_the_row_order() -> None:
    history = _history(
        [
            ("B", "Demo", "2024-02-05", "2024-02-09"),
            ("B", "Lead", "2024-02-01", "2024-02-05"),
            ("A", "Proposal", "2024-03-01", None),
            ("A", "Demo", "2024-01-20", "2024-03-01"),
            ("A", "Lead", "2024-01-10", "2024-01-20"),
        ]
    )
    deals = _deals([("A", "Proposal", "open"), ("B", "Demo", "lost")])
    assert stage_win_rates(history, deals).index.tolist() == ["Lead", "Demo", "Proposal"]
    aware = history.assign(
        entered=history["entered"].dt.tz_localize("Europe/Oslo"),
        exited=history["exited"].dt.tz_localize("Europe/Oslo"),
    )
    assert stage_win_rates(aware, deals).index.tolist() == ["Lead", "Demo", "Proposal"]


def test_other_column_names_and_integer_ids() -> None:
    history = _history([(1, "Lead", "2024-01-01", "2024-01-02")]).rename(
        columns={"deal_id": "Id", "stage": "StageName", "entered": "From", "exited": "To"}
    )
    history["Id"] = history["Id"].astype("int64")
    deals = pd.DataFrame({"Id": [1, 2], "StageName": ["Demo", "Lead"], "State": ["won", "lost"]})
    rates = stage_win_rates(
        history,
        deals,
        deal_id="Id",
        stage="StageName",
        status="State",
        entered="From",
        exited="To",
    )
    assert rates.index.name == "StageName"
    assert rates["reached"].to_dict() == {"Lead": 2, "Demo": 1}


def test_inputs_are_not_mutated() -> None:
    history, deals = _small()
    before = history.copy(), deals.copy()
    stage_win_rates(history, deals, by="owner")
    pd.testing.assert_frame_equal(history, before[0])
    pd.testing.assert_frame_equal(deals, before[1])


# ------------------------------------------------------- feeding the forecast


def test_win_rates_feed_fill_probabilities() -> None:
    history, deals = _small()
    rates = stage_win_rates(history, deals)
    pipeline = pd.DataFrame(
        {
            "deal_id": ["N1", "N2", "N3"],
            "stage": ["Lead", "Proposal", "Contract"],
            "probability": [math.nan, math.nan, 0.9],
        }
    )
    filled, report = salescore.fill_probabilities(pipeline, rates["win_rate"])
    assert filled["probability"].tolist() == pytest.approx([1 / 3, 0.5, 0.9])
    assert report["deal_id"].tolist() == ["N1", "N2"]


def test_nan_rates_are_refused_by_fill_probabilities_until_dropped() -> None:
    history, deals = _small()
    rates = stage_win_rates(history, deals, stages=[*LABELS, "Signed"])
    pipeline = pd.DataFrame({"deal_id": ["N1"], "stage": ["Demo"], "probability": [math.nan]})
    with pytest.raises(InvalidInputError, match="'Signed': nan"):
        salescore.fill_probabilities(pipeline, rates["win_rate"])
    filled, _ = salescore.fill_probabilities(pipeline, rates["win_rate"].dropna())
    assert filled["probability"].tolist() == [0.5]
    # A deal in a stage without a rate is an error, not a guess.
    late = pipeline.assign(stage="Signed")
    with pytest.raises(InvalidInputError, match="'Signed'"):
        salescore.fill_probabilities(late, rates["win_rate"].dropna())


def test_rates_of_one_group_feed_fill_probabilities() -> None:
    history, deals = _small()
    rates = stage_win_rates(history, deals, by="owner", stages=LABELS)
    pipeline = pd.DataFrame({"deal_id": ["N1"], "stage": ["Demo"], "probability": [math.nan]})
    filled, _ = salescore.fill_probabilities(
        pipeline, rates["win_rate"].xs("Ann", level="owner").dropna()
    )
    assert filled["probability"].tolist() == [0.5]


# ------------------------------------------------------------------ properties


def _oracle_interval(won: int, closed: int, confidence: float) -> tuple[float, float, float]:
    """The Wilson interval of one count, written out plainly with the math module."""
    if closed == 0:
        return math.nan, 0.0, 1.0
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    centre = (won + z * z / 2) / (closed + z * z)
    half = z / (closed + z * z) * math.sqrt(won * (closed - won) / closed + z * z / 4)
    return won / closed, max(centre - half, 0.0), min(centre + half, 1.0)


counts = st.integers(0, 5_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))
confidences = st.floats(0.5, 0.999)


@given(st.lists(counts, min_size=1, max_size=20), confidences)
def test_wilson_bounds_and_oracle(pairs: list[tuple[int, int]], confidence: float) -> None:
    won = np.array([w for w, _ in pairs], dtype=np.int64)
    closed = np.array([n for _, n in pairs], dtype=np.int64)
    rate, lower, upper = wilson_interval(won, closed, confidence)
    some = closed > 0
    assert np.all((lower >= 0.0) & (upper <= 1.0))
    assert np.all(lower[some] <= rate[some])
    assert np.all(rate[some] <= upper[some])
    assert np.all(lower[some] < upper[some])
    for i, (w, n) in enumerate(pairs):
        expected = _oracle_interval(w, n, confidence)
        assert (rate[i], lower[i], upper[i]) == pytest.approx(expected, abs=1e-12, nan_ok=True)


@given(counts.filter(lambda c: c[1] > 0), confidences)
def test_wilson_bounds_are_where_the_score_test_rejects(
    count: tuple[int, int], confidence: float
) -> None:
    # The interval is the set of p whose score statistic |x/n - p| / sqrt(p(1-p)/n)
    # is at most z: at an inner bound the statistic equals z.
    won, closed = count
    _, lower, upper = wilson_interval(np.array([won]), np.array([closed]), confidence)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    for bound in (float(lower[0]), float(upper[0])):
        if 0.0 < bound < 1.0:
            score = abs(won / closed - bound) / math.sqrt(bound * (1 - bound) / closed)
            assert score == pytest.approx(z, rel=1e-6)


@given(counts.filter(lambda c: c[1] > 0), confidences)
def test_wilson_is_symmetric_in_won_and_lost(count: tuple[int, int], confidence: float) -> None:
    won, closed = count
    _, lower, upper = wilson_interval(
        np.array([won, closed - won]), np.array([closed] * 2), confidence
    )
    assert lower[0] == pytest.approx(1.0 - upper[1], abs=1e-12)
    assert upper[0] == pytest.approx(1.0 - lower[1], abs=1e-12)


@given(st.integers(1, 200).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_interval_narrows_as_counts_scale_up(count: tuple[int, int]) -> None:
    won, closed = count
    scale = np.array([1, 2, 4, 10, 100], dtype=np.int64)
    rate, lower, upper = wilson_interval(won * scale, closed * scale, 0.95)
    assert np.allclose(rate, won / closed)
    assert np.all(np.diff(upper - lower) < 0.0)


@given(st.integers(0, 100), st.floats(0.5, 0.98))
def test_higher_confidence_widens_the_interval(closed: int, confidence: float) -> None:
    won = np.array([closed // 3], dtype=np.int64)
    n = np.array([closed], dtype=np.int64)
    _, low_a, up_a = wilson_interval(won, n, confidence)
    _, low_b, up_b = wilson_interval(won, n, confidence + 0.01)
    assert low_b[0] <= low_a[0]
    assert up_a[0] <= up_b[0]


@st.composite
def pipelines(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A small history and its deals table: any visits, statuses, current stages."""
    size = draw(st.integers(0, 12))
    visits: list[tuple[Any, Any, str, str | None]] = []
    rows: list[tuple[Any, Any, str]] = []
    owners = []
    for number in range(size):
        deal = f"D{number}"
        path = draw(st.lists(st.sampled_from(LABELS), max_size=4))
        for step, label in enumerate(path):
            start = BASE + pd.Timedelta(hours=7 * number) + pd.Timedelta(days=step)
            visits.append((deal, label, str(start), str(start + pd.Timedelta(days=1))))
        current = draw(st.one_of(st.none(), st.sampled_from(LABELS)))
        rows.append((deal, current, draw(st.sampled_from(["open", "won", "lost"]))))
        owners.append(draw(st.sampled_from(["Ann", "Bo", None])))
    return _history(visits), _deals(rows, owner=owners)


def _loop_counts(history: pd.DataFrame, deals: pd.DataFrame) -> dict[str, list[int]]:
    """reached, won, lost and open per stage, by a plain loop over the deals."""
    out = {label: [0, 0, 0, 0] for label in LABELS}
    for deal, current, status in deals[["deal_id", "stage", "status"]].itertuples(index=False):
        reached = set(history.loc[history["deal_id"] == deal, "stage"])
        if current is not None:
            reached.add(current)
        for label in reached:
            if status == "open":
                out[label][3] += 1
            else:
                out[label][0] += 1
                out[label][1 if status == "won" else 2] += 1
    return out


@given(pipelines())
def test_counts_match_a_plain_loop(tables: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    history, deals = tables
    rates = stage_win_rates(history, deals, stages=LABELS)
    expected = _loop_counts(history, deals)
    rows = _rows(rates)
    for label in LABELS:
        found = [rows[label][column] for column in ("reached", "won", "lost", "open")]
        assert found == expected[label]
    closed = rates["reached"] > 0
    assert (rates.loc[closed, "lower"] <= rates.loc[closed, "win_rate"]).all()
    assert (rates.loc[closed, "win_rate"] <= rates.loc[closed, "upper"]).all()
    assert rates.loc[~closed, "win_rate"].isna().all()


@given(pipelines(), st.randoms(use_true_random=False))
def test_row_and_stage_order_do_not_matter(
    tables: tuple[pd.DataFrame, pd.DataFrame], rng: Any
) -> None:
    history, deals = tables
    rates = stage_win_rates(history, deals, stages=LABELS)
    shuffled_history = history.iloc[rng.sample(range(len(history)), len(history))]
    shuffled_deals = deals.iloc[rng.sample(range(len(deals)), len(deals))]
    listed = rng.sample(LABELS, len(LABELS))
    again = stage_win_rates(shuffled_history, shuffled_deals, stages=listed)
    assert again.index.tolist() == listed
    pd.testing.assert_frame_equal(again.loc[LABELS], rates)
    found = stage_win_rates(shuffled_history, shuffled_deals)
    pd.testing.assert_frame_equal(found, rates.loc[found.index])


@given(pipelines())
def test_groups_add_up_to_the_whole(tables: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    history, deals = tables
    whole = stage_win_rates(history, deals, stages=LABELS)
    grouped = stage_win_rates(history, deals, stages=LABELS, by="owner")
    counted = ["reached", "won", "lost", "open"]
    summed = grouped[counted].groupby(level="stage", sort=False).sum()
    pd.testing.assert_frame_equal(
        summed.reindex(LABELS, fill_value=0),
        whole[counted],
        check_names=False,
        check_index_type=False,
    )


# ------------------------------------------------------------------ simulation


def _simulate(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[tuple[int, str], float]]:
    """Ten teams, 300 deals each, on four stages with known chances of advancing.

    At stage k a deal advances with the team's probability a_k (from the last stage,
    advancing is winning), else it is lost there; so P(win | reached k) is the product
    of a_j for j >= k. One deal in five, drawn independently of its outcome, is still
    open, cut at a random stage of its path: the closed deals remain a random sample.
    """
    rng = np.random.default_rng(seed)
    visits: list[tuple[Any, Any, str, str | None]] = []
    rows: list[tuple[Any, Any, str]] = []
    teams: list[int] = []
    truth: dict[tuple[int, str], float] = {}
    for team in range(10):
        advance = rng.uniform(0.3, 0.9, size=len(LABELS))
        for k, label in enumerate(LABELS):
            truth[(team, label)] = float(np.prod(advance[k:]))
        for number in range(300):
            deal = f"T{team}-{number}"
            path = 1
            while path < len(LABELS) and rng.random() < advance[path - 1]:
                path += 1
            won = path == len(LABELS) and rng.random() < advance[-1]
            status = "won" if won else "lost"
            if rng.random() < 0.2:
                path = int(rng.integers(1, path + 1))
                status = "open"
            start = BASE + pd.Timedelta(hours=number)
            for k in range(path):
                entered = start + pd.Timedelta(days=k)
                last = k == path - 1 and status == "open"
                exited = None if last else str(entered + pd.Timedelta(days=1))
                visits.append((deal, LABELS[k], str(entered), exited))
            rows.append((deal, LABELS[path - 1], status))
            teams.append(team)
    return _history(visits), _deals(rows, team=teams), truth


def test_learned_rates_recover_known_win_probabilities() -> None:
    history, deals, truth = _simulate(seed=20261204)
    rates = stage_win_rates(history, deals, by="team", stages=LABELS)
    rows = _rows(rates)
    inside = [rows[key]["lower"] <= p <= rows[key]["upper"] for key, p in truth.items()]
    # 40 intervals at 95 %: about 2 misses expected. The intervals of one team share
    # deals (a deal that reached Proposal reached Lead too), so misses come in
    # clusters, and the Wilson interval's coverage dips a little below 95 % for the
    # few deals of a late stage: over seeds 0 to 29 of this simulation the misses
    # ranged from 0 to 8. Asserted: at most 10 (this seed gives 1).
    assert sum(not ok for ok in inside) <= 10
    # Every deal reached the first stage; the open ones are counted, not rated.
    assert rates["open"].sum() > 0
    assert (rates["reached"] + rates["open"]).groupby(level="team").max().tolist() == [300] * 10


# -------------------------------------------------------------------- refusals


def test_deal_in_history_but_not_in_deals_is_refused() -> None:
    history, deals = _small()
    with pytest.raises(InvalidInputError, match=r"history: 2 deals not in deals: 'A', 'B'"):
        stage_win_rates(history, deals.iloc[2:])


def test_ids_of_another_type_are_not_matched() -> None:
    history = _history([(1, "Lead", "2024-01-01", "2024-01-02")])
    deals = _deals([("1", "Lead", "won")])
    with pytest.raises(InvalidInputError, match="1 deal not in deals: 1;"):
        stage_win_rates(history, deals)


def test_repeated_and_missing_deal_ids_are_refused() -> None:
    history, deals = _small()
    with pytest.raises(InvalidInputError, match=r"must name each deal once; repeated: 'A'"):
        stage_win_rates(history, pd.concat([deals, deals.iloc[:1]]))
    ids: list[Any] = ["A", "B", "C", "D", None]
    with pytest.raises(
        InvalidInputError, match=r"'deal_id' is missing in 1 row \(0-based positions: 4\)"
    ):
        stage_win_rates(history, deals.assign(deal_id=ids))


def test_unknown_status_is_refused() -> None:
    history, deals = _small()
    with pytest.raises(InvalidInputError, match=r"status must be one of .* 'C' \('pending'\)"):
        stage_win_rates(history, deals.assign(status=["won", "lost", "pending", "open", "won"]))


def test_stage_not_listed_is_refused() -> None:
    history, deals = _small()
    with pytest.raises(
        InvalidInputError, match=r"stages: 2 stages reached but not listed: 'Proposal', 'Contract'"
    ):
        stage_win_rates(history, deals, stages=["Lead", "Demo"])


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        ("Lead", "must be a list"),
        ({"Lead", "Demo"}, "must be ordered"),
        ([], "at least one stage"),
        (["Lead", "Lead"], "repeated: 'Lead'"),
    ],
)
def test_bad_stages_are_refused(stages: Any, message: str) -> None:
    history, deals = _small()
    with pytest.raises(InvalidInputError, match=message):
        stage_win_rates(history, deals, stages=stages)


@pytest.mark.parametrize(
    ("confidence", "message"),
    [
        (0.0, "strictly between 0 and 1"),
        (1.0, "strictly between 0 and 1"),
        (95, "look like percentages"),
        (math.nan, "must be a number"),
        ("0.95", "must be a number"),
        (True, "must be a number"),
    ],
)
def test_bad_confidence_is_refused(confidence: Any, message: str) -> None:
    history, deals = _small()
    with pytest.raises(InvalidInputError, match=message):
        stage_win_rates(history, deals, confidence=confidence)


def test_bad_by_is_refused() -> None:
    history, deals = _small()
    with pytest.raises(InvalidInputError, match="must not include the stage column"):
        stage_win_rates(history, deals, by="stage")
    with pytest.raises(SchemaError, match="region"):
        stage_win_rates(history, deals, by="region")
    with pytest.raises(InvalidInputError, match="by must be None"):
        stage_win_rates(history, deals, by=3)  # type: ignore[arg-type]


def test_missing_columns_and_bad_history_are_refused() -> None:
    history, deals = _small()
    with pytest.raises(SchemaError, match="status"):
        stage_win_rates(history, deals.drop(columns="status"))
    with pytest.raises(SchemaError, match="entered"):
        stage_win_rates(history.drop(columns="entered"), deals)
    with pytest.raises(SchemaError, match="must be a pandas DataFrame"):
        stage_win_rates(history, deals.to_dict())  # type: ignore[arg-type]
    backwards = history.assign(exited=history["entered"] - pd.Timedelta(days=1))
    with pytest.raises(InvalidInputError, match="is before 'entered'"):
        stage_win_rates(backwards, deals)
    with pytest.raises(InvalidInputError, match="status must be a column name"):
        stage_win_rates(history, deals, status=None)  # type: ignore[arg-type]
