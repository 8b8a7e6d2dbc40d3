"""Tests of the account-plan tables: tier_accounts and the lists that follow it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import InvalidInputError, SalescoreWarning, SchemaError
from salescore.tiers import (
    TIERS,
    TierPolicy,
    classify_tiers,
    cold_accounts,
    days_overdue,
    declining_accounts,
    overdue_contacts,
    segment_potential,
    temperature,
    tier_accounts,
)

TODAY = pd.Timestamp("2026-06-30")


def _book() -> pd.DataFrame:
    """The 10-account book of tests/test_tiers.py, in the canonical accounts schema."""
    return pd.DataFrame(
        {
            "account_id": [f"a{i}" for i in range(1, 11)],
            "size": ["large"] * 5 + ["small"] * 5,
            "region": ["north"] * 3 + ["south"] * 2 + ["north"] * 2 + ["south"] * 2 + ["north"],
            "annual_revenue": [120e3, 60e3, 0.0, 90e3, 30e3, 40e3, 10e3, 0.0, 0.0, 0.0],
            "previous_revenue": [100e3, 90e3, 0.0, 95e3, 30e3, 80e3, 0.0, 5e3, 0.0, 0.0],
            "last_contact": np.array(
                [
                    "2026-06-10",
                    "2026-05-01",
                    "2026-03-01",
                    "2026-04-01",
                    "2026-01-15",
                    "2026-06-01",
                    "2025-12-31",
                    "2026-01-01",
                    "NaT",
                    "2026-02-28",
                ],
                dtype="datetime64[ns]",
            ),
        },
        index=pd.RangeIndex(100, 110),
    )


def _plan() -> pd.DataFrame:
    return tier_accounts(_book(), segments=["size", "region"], today=TODAY)


# ------------------------------------------------------------------ golden book


def test_plan_of_the_book_by_hand() -> None:
    plan = _plan()
    book = _book()
    assert plan.index.equals(book.index)
    assert plan["account_id"].tolist() == book["account_id"].tolist()
    # Potential = max(own revenue, max of the segment's buyers): large/north 120k (a1,
    # a2, a3), large/south 90k (a4, a5), small/north 40k (a6, a7, a10); small/south has
    # no buyer, so a8 and a9 keep their own revenue, 0.
    assert plan["potential"].tolist() == [120e3] * 3 + [90e3] * 2 + [40e3] * 2 + [0.0] * 2 + [40e3]
    # Benchmark 120k: shares 1 → A, 0.75 → B, 0.333 → C, 0 → D.
    assert plan["tier"].tolist() == ["A", "A", "A", "B", "B", "C", "C", "D", "D", "C"]
    assert plan["tier"].cat.ordered
    assert list(plan["tier"].cat.categories) == list(TIERS)
    # Expected = level × 120k: A 120k, B 72k, C 36k, D 0.
    assert plan["expected_revenue"].tolist() == [120e3] * 3 + [72e3] * 2 + [36e3] * 2 + [
        0.0
    ] * 2 + [36e3]
    # a1 120/120 = 1; a2 60/120 = 0.5; a3 0; a4 90/72 = 1.25; a5 30/72; a6 40/36;
    # a7 10/36; a8, a9 D: 0/0 = NaN; a10 0/36 = 0.
    np.testing.assert_allclose(
        plan["temperature"].to_numpy(),
        [1.0, 0.5, 0.0, 1.25, 30 / 72, 40 / 36, 10 / 36, math.nan, math.nan, 0.0],
    )
    assert plan["band"].astype(object).where(plan["band"].notna(), None).tolist() == [
        "red", "orange", "blue", "red", "yellow", "red", "yellow", None, None, "blue",
    ]  # fmt: skip
    assert plan["channel"].tolist() == ["call or visit"] * 3 + ["call"] * 4 + ["email"] * 2 + [
        "call"
    ]
    assert plan["cadence_days"].tolist() == [30.0] * 3 + [90.0] * 4 + [180.0] * 2 + [90.0]
    # Days overdue on 30 Jun 2026, worked in tests/test_tiers.py: a1 10 Jun + 30 → −10;
    # a2 1 May + 30 → 30; a3 1 Mar + 30 → 91; a4 1 Apr + 90 → 0; a5 15 Jan + 90 → 76;
    # a6 1 Jun + 90 → −61; a7 31 Dec + 90 → 91; a8 1 Jan + 180 → 0; a9 never → NaN;
    # a10 28 Feb + 90 → 32.
    np.testing.assert_array_equal(
        plan["days_overdue"].to_numpy(),
        [-10.0, 30.0, 91.0, 0.0, 76.0, -61.0, 91.0, 0.0, math.nan, 32.0],
    )
    assert plan["next_contact"].iloc[4] == pd.Timestamp("2026-04-15")
    assert plan["last_contact"].equals(book["last_contact"].rename("last_contact"))


def test_plan_matches_the_formula_functions() -> None:
    book = _book()
    plan = _plan()
    lookalike = segment_potential(book["annual_revenue"], book[["size", "region"]])
    potential = pd.Series(
        np.fmax(book["annual_revenue"].to_numpy(), lookalike.to_numpy()), index=book.index
    )
    np.testing.assert_array_equal(plan["potential"].to_numpy(), potential.to_numpy())
    tiers = classify_tiers(potential)
    assert plan["tier"].tolist() == tiers.tolist()
    heat = temperature(book["annual_revenue"], plan["expected_revenue"])
    np.testing.assert_array_equal(plan["temperature"].to_numpy(), heat.to_numpy())
    overdue = days_overdue(book["last_contact"], tiers, today=TODAY)
    np.testing.assert_array_equal(plan["days_overdue"].to_numpy(), overdue.to_numpy())


def test_overdue_contacts_of_the_book() -> None:
    plan = _plan()
    listed = overdue_contacts(plan, today=TODAY)
    # Overdue (> 0 days): a3 91 (A), a7 91 (C), a5 76 (B), a10 32 (C), a2 30 (A); a9
    # was never contacted, so it comes first. a3 and a7 tie at 91: A before C.
    assert listed["account_id"].tolist() == ["a9", "a3", "a7", "a5", "a10", "a2"]
    np.testing.assert_array_equal(
        listed["days_overdue"].to_numpy(), [math.nan, 91.0, 91.0, 76.0, 32.0, 30.0]
    )
    by_tier = overdue_contacts(plan, today=TODAY, order="tier")
    # A: a3 (91), a2 (30); B: a5; C: a7 (91), a10 (32); D: a9 (never).
    assert by_tier["account_id"].tolist() == ["a3", "a2", "a5", "a7", "a10", "a9"]
    assert list(by_tier.columns) == list(plan.columns)


def test_cold_accounts_of_the_book() -> None:
    plan = _plan()
    # A or B in the blue band (< 0.25): a3 (A, 0.0). a5 (B, 0.417) is yellow.
    assert cold_accounts(plan)["account_id"].tolist() == ["a3"]
    # With yellow too: a3 (A, 0), then a5 (B, 0.417).
    colder = cold_accounts(plan, bands=["blue", "yellow"])
    assert colder["account_id"].tolist() == ["a3", "a5"]
    # C accounts: a7 yellow (0.278), a10 blue (0); coldest first.
    assert cold_accounts(plan, tiers=["C"], bands=["blue", "yellow"])["account_id"].tolist() == [
        "a10",
        "a7",
    ]


def test_declining_accounts_of_the_book() -> None:
    listed = declining_accounts(_book())
    # Changes: a2 (60 − 90)/90 = −0.333; a6 (40 − 80)/80 = −0.5; a8 (0 − 5)/5 = −1;
    # a4 (90 − 95)/95 = −0.053 is above −0.2; a1 rose; previous 0 → no change.
    assert listed["account_id"].tolist() == ["a8", "a6", "a2"]
    np.testing.assert_allclose(listed["revenue_change"].to_numpy(), [-1.0, -0.5, -1 / 3])
    # Threshold 0 lists every fall, −1 nobody.
    assert declining_accounts(_book(), threshold=0.0)["account_id"].tolist() == [
        "a8",
        "a6",
        "a2",
        "a4",
    ]
    assert declining_accounts(_book(), threshold=-1.0).empty


# ------------------------------------------------------------------ options


def test_plan_without_segments_or_contacts() -> None:
    plan = tier_accounts(_book(), segments=(), last_contact=None)
    # Realised revenue alone, as test_book_tiers_by_realised_revenue in test_tiers.py.
    assert plan["tier"].tolist() == ["A", "B", "D", "B", "C", "C", "C", "D", "D", "D"]
    assert "days_overdue" not in plan.columns
    assert plan["potential"].equals(plan["revenue"].rename("potential"))


def test_plan_with_a_fixed_benchmark_and_min_peers() -> None:
    # Benchmark 150k: a1 120/150 = 0.8 → A; large/north needs 3 buyers under
    # min_peers=3 but has 2, so a3 keeps its own 0 → D.
    plan = tier_accounts(
        _book(), segments=["size", "region"], today=TODAY, benchmark=150e3, min_peers=3
    )
    assert plan["tier"].iloc[0] == "A"
    assert plan["tier"].iloc[2] == "D"
    assert plan["expected_revenue"].iloc[0] == 150e3


def test_plan_index_and_column_names_are_the_callers() -> None:
    book = _book().rename(columns={"annual_revenue": "Revenue", "last_contact": "LastSeen"})
    book.index = pd.Index(list("abcdefghij"))
    plan = tier_accounts(
        book,
        revenue="Revenue",
        last_contact="LastSeen",
        segments="size",
        account_id=None,
        today=TODAY,
    )
    assert plan.index.equals(book.index)
    assert "account_id" not in plan.columns
    assert plan["revenue"].tolist() == book["Revenue"].tolist()


def test_nan_revenue_follows_the_nan_policy() -> None:
    book = _book()
    book.loc[101, "annual_revenue"] = math.nan  # a2 unknown
    plan = tier_accounts(book, segments=["size", "region"], today=TODAY)
    # The benchmark (a max over the potentials) is unknown, so every tier is.
    assert plan["tier"].isna().all()
    plan = tier_accounts(book, segments=["size", "region"], today=TODAY, skipna=True)
    # Skipping it: a2 itself is unknown, the rest as in the book.
    assert pd.isna(plan["tier"].iloc[1])
    assert plan["tier"].drop(101).tolist() == ["A", "A", "B", "B", "C", "C", "D", "D", "C"]
    assert math.isnan(plan["temperature"].iloc[1])
    with pytest.warns(SalescoreWarning, match=r"1 account: 'a2' have no tier"):
        listed = overdue_contacts(plan, today=TODAY)
    assert "a2" not in listed["account_id"].tolist()


def test_unknown_segment_statistic_without_skipna() -> None:
    book = _book()
    book.loc[101, "annual_revenue"] = math.nan
    plan = tier_accounts(book, segments=["size", "region"], last_contact=None, skipna=True)
    strict = tier_accounts(book, segments=["size", "region"], last_contact=None, benchmark=120e3)
    # With a fixed benchmark the unknown revenue of a2 makes only its segment's
    # potentials unknown (a1, a2, a3); the others are as with skipna.
    assert strict["potential"].iloc[:3].isna().all()
    pd.testing.assert_series_equal(strict["potential"].iloc[3:], plan["potential"].iloc[3:])


def test_lists_keep_every_column_and_the_index() -> None:
    book = _book().assign(tier=["A", "B", "C", "D", "A", "B", "C", "D", "A", "B"])
    listed = overdue_contacts(book, today=TODAY)
    assert set(book.columns) <= set(listed.columns)
    assert listed.index.isin(book.index).all()
    pd.testing.assert_frame_equal(listed[book.columns], book.loc[listed.index])


def test_lists_accept_categorical_tiers() -> None:
    plan = _plan()
    as_text = plan.assign(tier=plan["tier"].astype(str))
    pd.testing.assert_frame_equal(
        overdue_contacts(plan, today=TODAY).drop(columns="tier"),
        overdue_contacts(as_text, today=TODAY).drop(columns="tier"),
    )


def test_cold_accounts_warns_about_unknown_temperatures() -> None:
    frame = pd.DataFrame(
        {"account_id": ["x", "y", "z"], "tier": ["A", "A", "D"], "temperature": [0.1, None, None]}
    )
    with pytest.warns(SalescoreWarning, match=r"1 account: 'y' have an unknown temperature"):
        listed = cold_accounts(frame)
    assert listed["account_id"].tolist() == ["x"]


def test_declining_accounts_warns_about_unknown_revenue() -> None:
    frame = pd.DataFrame(
        {"account_id": ["x", "y"], "annual_revenue": [1.0, None], "previous_revenue": [9.0, 9.0]}
    )
    with pytest.warns(SalescoreWarning, match=r"'y' have an unknown current or previous"):
        listed = declining_accounts(frame)
    assert listed["account_id"].tolist() == ["x"]


def test_custom_policy_reaches_every_column() -> None:
    policy = TierPolicy(
        cadence_days=(14, 60, 90, 365),
        channels=("visit", "call", "email", "newsletter"),
        band_names=("hot", "cold"),
        band_thresholds=(0.5,),
    )
    plan = tier_accounts(_book(), segments=["size", "region"], today=TODAY, policy=policy)
    assert plan["channel"].iloc[0] == "visit"
    assert plan["cadence_days"].iloc[0] == 14.0
    # a1 last contacted 10 Jun + 14 = 24 Jun → 6 days overdue.
    assert plan["days_overdue"].iloc[0] == 6.0
    assert list(plan["band"].cat.categories) == ["hot", "cold"]
    # Cold is below 0.5: a3 (A, 0) and a5 (B, 0.417); a2 (A, exactly 0.5) is hot.
    assert cold_accounts(plan, policy=policy)["account_id"].tolist() == ["a3", "a5"]


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("change", "options", "error", "message"),
    [
        ({"annual_revenue": -1.0}, {}, InvalidInputError, r"annual_revenue must be .* 'a1'"),
        ({"annual_revenue": math.inf}, {}, InvalidInputError, r"'a1' \(inf\)"),
        ({"size": None}, {}, InvalidInputError, r"segment column 'size' is missing .* 'a1'"),
        ({"annual_revenue": "x"}, {}, SchemaError, r"must be numeric"),
        ({"last_contact": "2026-01-01"}, {}, SchemaError, r"must hold datetimes"),
        ({}, {"today": None}, InvalidInputError, r"needs today="),
        ({}, {"today": "2026-06-01"}, InvalidInputError, r"earlier than the last contact of "),
        ({}, {"segments": ["size", "industry"]}, SchemaError, r"missing column 'industry'"),
        ({}, {"segments": 3}, InvalidInputError, r"segments must be a column name"),
        ({}, {"statistic": "mode"}, InvalidInputError, r"statistic"),
        ({}, {"min_peers": 0}, InvalidInputError, r"min_peers must be at least 1"),
        ({}, {"benchmark": -5.0}, InvalidInputError, r"benchmark"),
        ({}, {"today": [TODAY]}, InvalidInputError, r"today must be one timestamp"),
        ({}, {"policy": "strict"}, InvalidInputError, r"policy must be a TierPolicy"),
    ],
)
def test_tier_accounts_rejects(
    change: dict[str, Any], options: dict[str, Any], error: type[Exception], message: str
) -> None:
    book = _book()
    for column, value in change.items():
        if value is None or isinstance(value, str):
            book[column] = book[column].astype(object)
        book.loc[100, column] = value
        if column == "last_contact":
            book[column] = book[column].astype(str)
    arguments: dict[str, Any] = {"segments": ["size", "region"], "today": TODAY, **options}
    with pytest.raises(error, match=message):
        tier_accounts(book, **arguments)


def test_today_before_a_last_contact_names_the_accounts() -> None:
    with pytest.raises(InvalidInputError, match=r"2 accounts: 'a1' \(.*2026-06-10.*\), 'a6'"):
        tier_accounts(_book(), segments="size", today="2026-05-15")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"order": "value"}, r"order must be one of"),
        ({"today": None}, r"needs today="),
        ({"tier": "segment"}, r"missing column 'segment'"),
    ],
)
def test_overdue_contacts_rejects(options: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"today": TODAY, **options}
    with pytest.raises(InvalidInputError, match=message):
        overdue_contacts(_plan(), **arguments)


def test_overdue_contacts_rejects_unknown_tiers() -> None:
    plan = _plan().assign(tier=["A", "Gold"] + ["B"] * 8)
    with pytest.raises(InvalidInputError, match=r"unknown: 'Gold'"):
        overdue_contacts(plan, today=TODAY)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tiers": ["A", "E"]}, r"tiers must hold labels among"),
        ({"tiers": []}, r"tiers must hold labels among"),
        ({"bands": ["frozen"]}, r"bands must hold labels among"),
        ({"temperature": "revenue"}, r"missing column"),
    ],
)
def test_cold_accounts_rejects(options: dict[str, Any], message: str) -> None:
    frame = pd.DataFrame({"account_id": ["x"], "tier": ["A"], "temperature": [0.1]})
    with pytest.raises(InvalidInputError, match=message):
        cold_accounts(frame, **options)


def test_cold_accounts_rejects_negative_temperatures() -> None:
    frame = pd.DataFrame({"account_id": ["x"], "tier": ["A"], "temperature": [-0.1]})
    with pytest.raises(InvalidInputError, match=r"temperature must be .* 'x' \(-0.1\)"):
        cold_accounts(frame)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"threshold": 0.2}, r"threshold must be a relative change in \[-1, 0\]"),
        ({"threshold": -1.5}, r"threshold must be"),
        ({"threshold": "-20%"}, r"threshold"),
        ({"previous": "last_year"}, r"missing column 'last_year'"),
    ],
)
def test_declining_accounts_rejects(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        declining_accounts(_book(), **options)


def test_declining_accounts_rejects_negative_revenue() -> None:
    book = _book()
    book.loc[103, "previous_revenue"] = -5.0
    with pytest.raises(InvalidInputError, match=r"previous_revenue must be .* 'a4' \(-5.0\)"):
        declining_accounts(book)


# ------------------------------------------------------------------ properties

# Each example builds frames; cap the ci profile (dev's 50 examples are below the cap).
_MAX = settings(max_examples=min(settings().max_examples, 200))


@st.composite
def _accounts(draw: st.DrawFn) -> pd.DataFrame:
    size = draw(st.integers(1, 25))
    revenue = draw(
        st.lists(
            st.one_of(st.just(0.0), st.integers(1, 10_000_000).map(lambda c: c / 100)),
            min_size=size,
            max_size=size,
        )
    )
    segment = st.lists(st.sampled_from(["p", "q", "r"]), min_size=size, max_size=size)
    offsets = draw(
        st.lists(st.one_of(st.none(), st.integers(0, 400)), min_size=size, max_size=size)
    )
    last = pd.Series(
        [pd.NaT if d is None else TODAY - pd.Timedelta(days=d) for d in offsets],
        dtype="datetime64[ns]",
    )
    return pd.DataFrame(
        {
            "account_id": [f"x{i}" for i in range(size)],
            "size": draw(segment),
            "region": draw(segment),
            "annual_revenue": revenue,
            "previous_revenue": draw(
                st.lists(st.sampled_from([0.0, 50.0, 1000.0]), min_size=size, max_size=size)
            ),
            "last_contact": last,
        }
    )


@_MAX
@given(_accounts())
def test_potential_matches_a_python_loop(book: pd.DataFrame) -> None:
    plan = tier_accounts(book, segments=["size", "region"], today=TODAY)
    revenue: list[float] = book["annual_revenue"].tolist()
    keys = list(zip(book["size"].tolist(), book["region"].tolist(), strict=True))
    for i, potential in enumerate(plan["potential"].tolist()):
        peers = [x for x, key in zip(revenue, keys, strict=True) if key == keys[i] and x > 0]
        assert potential == max([revenue[i], *peers])


@_MAX
@given(_accounts(), st.sampled_from([0.01, 3.0, 1000.0]))
def test_scaling_revenue_changes_no_tier_or_temperature(book: pd.DataFrame, k: float) -> None:
    plan = tier_accounts(book, segments=["size", "region"], today=TODAY)
    scaled = tier_accounts(
        book.assign(annual_revenue=book["annual_revenue"] * k),
        segments=["size", "region"],
        today=TODAY,
    )
    assert plan["tier"].tolist() == scaled["tier"].tolist()
    np.testing.assert_allclose(scaled["temperature"], plan["temperature"], rtol=1e-12)


@_MAX
@given(_accounts())
def test_plan_invariants(book: pd.DataFrame) -> None:
    plan = tier_accounts(book, segments=["size", "region"], today=TODAY)
    # A potential never falls below what the account brings.
    assert (plan["potential"] >= plan["revenue"]).all()
    # D exactly when an account has neither revenue nor lookalike potential.
    assert ((plan["tier"] == "D") == (plan["potential"] == 0.0)).all()
    # The largest potential is A.
    if plan["potential"].max() > 0:
        assert plan["tier"].iloc[int(np.argmax(plan["potential"].to_numpy()))] == "A"
    # Next contact − last contact = the tier's cadence.
    gap = (plan["next_contact"] - plan["last_contact"]).dt.total_seconds() / 86_400
    known = plan["last_contact"].notna()
    np.testing.assert_array_equal(gap[known], plan["cadence_days"][known])


@_MAX
@given(_accounts(), st.sampled_from(["days", "tier"]))
def test_overdue_contacts_lists_exactly_the_overdue(book: pd.DataFrame, order: str) -> None:
    plan = tier_accounts(book, segments=["size", "region"], today=TODAY)
    listed = overdue_contacts(plan, today=TODAY, order=order)  # type: ignore[arg-type]
    due = (plan["days_overdue"] > 0) | plan["last_contact"].isna()
    assert sorted(listed.index) == sorted(plan.index[due])
    # Sorted: never contacted as +inf days; the primary key never increases.
    days = listed["days_overdue"].fillna(math.inf).to_numpy()
    codes = listed["tier"].cat.codes.to_numpy()
    keys = (
        list(zip(codes, -days, strict=True))
        if order == "tier"
        else list(zip(-days, codes, strict=True))
    )
    assert keys == sorted(keys)


@_MAX
@given(_accounts(), st.sampled_from([-0.9, -0.2, 0.0]))
def test_declining_accounts_lists_exactly_the_falls(book: pd.DataFrame, threshold: float) -> None:
    listed = declining_accounts(book, threshold=threshold)
    rows = zip(
        book.index, book["annual_revenue"].tolist(), book["previous_revenue"].tolist(), strict=True
    )
    for label, now, before in rows:
        change = math.nan if before == 0 else (now - before) / before
        assert (label in listed.index) == (change < threshold)
    assert listed["revenue_change"].is_monotonic_increasing


@_MAX
@given(_accounts())
def test_cold_accounts_are_cold_and_sorted(book: pd.DataFrame) -> None:
    plan = tier_accounts(book, segments=["size", "region"], today=TODAY)
    listed = cold_accounts(plan, bands=["blue", "yellow"])
    expected = plan["tier"].isin(["A", "B"]) & (plan["temperature"] < 0.5)
    assert sorted(listed.index) == sorted(plan.index[expected])
    keys = list(zip(listed["tier"].cat.codes, listed["temperature"], strict=True))
    assert keys == sorted(keys)


# ------------------------------------------------------------- hostile input (issue 14)


def _overdue_book() -> pd.DataFrame:
    return _book().assign(tier=["A", "B", "C", "D", "A", "B", "C", "D", "A", "B"])


_COLUMN_OPTIONS = [
    (tier_accounts, "revenue", False),
    (tier_accounts, "last_contact", True),
    (tier_accounts, "account_id", True),
    (overdue_contacts, "tier", False),
    (overdue_contacts, "last_contact", False),
    (overdue_contacts, "account_id", True),
    (cold_accounts, "tier", False),
    (cold_accounts, "temperature", False),
    (cold_accounts, "account_id", True),
    (declining_accounts, "current", False),
    (declining_accounts, "previous", False),
    (declining_accounts, "account_id", True),
]


@pytest.mark.parametrize(
    ("function", "option", "value"),
    [
        pytest.param(function, option, value, id=f"{function.__name__}-{option}-{value!r}")
        for function, option, optional in _COLUMN_OPTIONS
        # None leaves an optional column out, as documented.
        for value in ([] if optional else [None]) + [pd.NA, ["value"], 3]
    ],
)
def test_column_options_must_be_column_names(function: Any, option: str, value: Any) -> None:
    # None, pd.NA and ["value"] used to leak KeyError or "unhashable type: 'list'".
    frames = {
        tier_accounts: (_book(), {"today": TODAY, "segments": "size"}),
        overdue_contacts: (_overdue_book(), {"today": TODAY}),
        cold_accounts: (_plan(), {}),
        declining_accounts: (_book(), {}),
    }
    frame, options = frames[function]
    assert isinstance(options, dict)
    with pytest.raises(InvalidInputError, match=f"{option} must be a column name"):
        function(frame, **options, **{option: value})


@pytest.mark.parametrize("value", ["False", "no", 0, None, pd.NA], ids=repr)
def test_tier_accounts_skipna_must_be_a_bool(value: Any) -> None:
    # "False" used to be read as True; pd.NA raised TypeError.
    with pytest.raises(InvalidInputError, match="skipna must be True or False"):
        tier_accounts(_book(), today=TODAY, segments="size", skipna=value)


def test_segments_must_be_column_names() -> None:
    cases: list[Any] = [None, pd.NA, [None], [["size"]]]
    for segments in cases:
        with pytest.raises(InvalidInputError, match="segments must be a column name"):
            tier_accounts(_book(), today=TODAY, segments=segments)


def test_dates_beyond_the_timestamp_range_name_the_accounts() -> None:
    # a1 is tier D, last contacted 2262-04-01: its next contact, 180 days later, is past
    # 2262-04-11, the last nanosecond timestamp (it used to raise OutOfBoundsDatetime).
    book = _overdue_book().assign(
        tier=["D"] + ["A"] * 9, last_contact=pd.to_datetime(["2262-04-01"] + ["2026-01-01"] * 9)
    )
    with pytest.raises(InvalidInputError, match=r"last_contact: .*1 account: 'a1'"):
        overdue_contacts(
            book.assign(last_contact=book["last_contact"].dt.as_unit("ns")), today=TODAY
        )
    # a1 last contacted 1677-09-22: 584 years before 2262-04-10, too long a duration.
    old = book.assign(tier="A", last_contact=pd.to_datetime(["1677-09-22"] + ["2026-01-01"] * 9))
    with pytest.raises(InvalidInputError, match=r"today \(2262-04-10.*too far.*1 account: 'a1'"):
        overdue_contacts(old, today="2262-04-10")
    with pytest.raises(InvalidInputError, match=r"too far.*1 account: 'a1'"):
        tier_accounts(old, segments="size", today="2262-04-10")
    with pytest.raises(InvalidInputError, match="today must hold"):
        tier_accounts(_book(), segments="size", today="9999-12-31")


def test_plan_of_amounts_near_the_float_limits() -> None:
    # Revenues 1e308, 5e-324 and 0 tiered alone (no segments): the benchmark is 1e308,
    # so A (share 1), C (share 5e-632: it rounds to 0, but the account bought) and D.
    # Temperatures: 1e308 / (1.0 × 1e308) = 1; 5e-324 / (0.3 × 1e308) ≈ 1.7e-631,
    # which rounds to 0; D has none. No warning, even under errstate(all="raise").
    book = pd.DataFrame({"account_id": ["a1", "a2", "a3"], "annual_revenue": [1e308, 5e-324, 0.0]})
    with np.errstate(all="raise"):
        plan = tier_accounts(book, segments=[], last_contact=None)
    assert plan["tier"].tolist() == ["A", "C", "D"]
    assert plan["temperature"].tolist()[:2] == [1.0, 0.0]
    assert math.isnan(plan["temperature"].iloc[2])
    # A benchmark so small that revenue ÷ (level × benchmark) exceeds the float range.
    with pytest.raises(InvalidInputError, match=r"benchmark \(5e-324\) is so small.*'a1'"):
        tier_accounts(book, segments=[], last_contact=None, benchmark=5e-324)


def test_lists_of_amounts_near_the_float_limits() -> None:
    # a1 fell from 1e308 to 5e-324: a change of (5e-324 - 1e308) / 1e308 = -1 (to float
    # precision); a2 rose from 5e-324 to 1e308, a change beyond float range: not a fall.
    book = pd.DataFrame(
        {
            "account_id": ["a1", "a2"],
            "annual_revenue": [5e-324, 1e308],
            "previous_revenue": [1e308, 5e-324],
        }
    )
    with np.errstate(all="raise"):
        out = declining_accounts(book)
    assert out["account_id"].tolist() == ["a1"]
    assert out["revenue_change"].tolist() == [-1.0]


def test_tier_accounts_checks_peer_options_without_segments() -> None:
    # min_peers and statistic are checked even when no segment reads them.
    with pytest.raises(InvalidInputError, match="min_peers must be at most"):
        tier_accounts(_book(), segments=[], last_contact=None, min_peers=10**400)
    with pytest.raises(InvalidInputError, match="statistic must be one of"):
        tier_accounts(_book(), segments=[], last_contact=None, statistic="mode")  # type: ignore[arg-type]
