"""The report on a fiscal calendar: the forecast quarter, its quota, and the header."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from salescore import InvalidInputError
from salescore.cli import main
from salescore.fiscal import FiscalCalendar
from salescore.report import build_report, demo_inputs, render
from salescore.report.sections import forecast_section

AS_OF = pd.Timestamp("2026-05-10")

# Two won and three open deals around the quarters of 2026. With a fiscal year from
# 1 February (named by its end), 10 May 2026 is in FY2027 Q2, 1 May to 31 July 2026
# (Q1 is February to April);
# its calendar quarter is Q2 2026, 1 April to 30 June.
DEALS = pd.DataFrame(
    {
        "deal_id": ["W1", "W2", "O1", "O2", "O3"],
        "status": ["won", "won", "open", "open", "open"],
        "value": [1_000.0, 2_000.0, 4_000.0, 8_000.0, 16_000.0],
        "probability": [1.0, 1.0, 0.5, 0.5, 0.5],
        "close_date": pd.to_datetime(
            ["2026-04-20", "2026-05-02", "2026-06-30", "2026-07-31", "2026-08-01"]
        ),
    }
)


def _metrics(calendar: FiscalCalendar | None, quota: float | None = None) -> dict[str, Any]:
    section = forecast_section(DEALS, as_of=AS_OF, quota=quota, calendar=calendar)
    return {**section.metrics, "_name": section.periods["quarter"]}


def test_the_quarter_of_a_year_from_february() -> None:
    m = _metrics(FiscalCalendar.from_start_month(2))
    assert m["quarter"] == m["_name"] == "FY2027 Q2"
    # Won in the quarter before the report date: W2 (2 May); W1 (20 April) is in Q1.
    assert m["quarter_won"] == 2_000.0
    # Due by the end of the quarter (31 July): O1 and O2, not O3 (1 August).
    assert (m["quarter_deals"], m["quarter_value"]) == (2, 12_000.0)
    # The mean of the forecast: 0.5 x 4,000 + 0.5 x 8,000.
    assert m["quarter_weighted"] == pytest.approx(6_000.0)


def test_calendar_quarters_without_a_calendar() -> None:
    m = _metrics(None)
    assert (m["quarter"], m["_name"]) == ("2026Q2", "Q2 2026")
    # Q2 2026 is 1 April to 30 June: W1 and W2 won, O1 due.
    assert m["quarter_won"] == 3_000.0
    assert (m["quarter_deals"], m["quarter_value"]) == (1, 4_000.0)


def test_quota_and_coverage_follow_the_fiscal_quarter() -> None:
    # Quota 10,000: 2,000 won, 8,000 to win; the quarter's open value is 12,000, so the
    # coverage is 12,000 / 8,000 = 1.5. The forecast is 0, 4,000, 8,000 or 12,000 with
    # chances 1/4 each: P(at least 8,000) = 1/2.
    m = _metrics(FiscalCalendar.from_start_month(2), quota=10_000.0)
    assert m["coverage"] == pytest.approx(1.5)
    assert m["probability_of_quota"] == pytest.approx(0.5)
    # On calendar quarters: 3,000 won, 7,000 to win, 4,000 open due: coverage 4/7.
    calendar = _metrics(None, quota=10_000.0)
    assert calendar["coverage"] == pytest.approx(4_000.0 / 7_000.0)


def test_a_445_quarter_ends_on_its_last_saturday() -> None:
    # Years ending on the last Saturday of January (a retail year): FY2027 runs from
    # Sunday 1 February 2026 to Saturday 30 January 2027; its Q1 is 13 weeks, to
    # Saturday 2 May 2026, so Q2 (3 May to 1 August 2026) holds 10 May.
    retail = FiscalCalendar.weeks("4-4-5", end_month=1, weekday="Sat", rule="last")
    assert retail.bounds(AS_OF, kind="quarter") == (
        pd.Timestamp("2026-05-03"),
        pd.Timestamp("2026-08-01"),
    )
    m = _metrics(retail)
    assert m["quarter"] == "FY2027 Q2"
    assert m["quarter_won"] == 0.0  # W2 (2 May) closed in Q1
    # Due by 1 August inclusive: O1, O2 and O3.
    assert (m["quarter_deals"], m["quarter_value"]) == (3, 28_000.0)


def test_a_report_date_outside_an_explicit_calendar_is_refused_naming_it() -> None:
    # The periods of 2025 alone, as a CRM keeps them: the year, its quarters, its months.
    rows = [
        (kind, period.start_time, period.end_time.normalize())
        for kind, freq in (("year", "Y"), ("quarter", "Q"), ("month", "M"))
        for period in pd.period_range("2025-01", "2025-12", freq=freq)
    ]
    one_year = FiscalCalendar.from_periods(pd.DataFrame(rows, columns=["kind", "start", "end"]))
    with pytest.raises(InvalidInputError, match="2026-05-10"):
        forecast_section(DEALS, as_of=AS_OF, quota=None, calendar=one_year)


# ------------------------------------------------------------------------ the demo


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    return build_report(demo_inputs()).to_dict()


def test_the_demo_follows_the_samples_april_year(demo: dict[str, Any]) -> None:
    assert demo["fiscal_calendar"] == (
        "Fiscal year from 1 April, named by the year it ends in (FY2026: 2025-04-01 to 2026-03-31)"
    )
    assert demo["sections"]["forecast"]["metrics"]["quarter"] == "FY2026 Q4"
    # Its deals in SEK were converted with the sample's rates: every deal accepted.
    deals = next(item for item in demo["imports"] if item["table"] == "deals")
    assert deals["accepted"] == deals["rows_in"] == 5000
    assert demo["rates"] == "the sample's rates"


def test_the_demo_in_kronor(demo: dict[str, Any]) -> None:
    # The sample's rates lie between 11.0 and 11.8 kronor a euro, so every amount in
    # kronor is that many times the one in euros.
    sek = build_report(demo_inputs(currency="SEK")).to_dict()
    assert sek["currency"] == "SEK"
    euros = demo["sections"]["forecast"]["metrics"]["open_value"]
    kronor = sek["sections"]["forecast"]["metrics"]["open_value"]
    assert 11.0 * euros <= kronor <= 11.8 * euros


def test_demo_inputs_refuse_a_calendar_of_the_wrong_kind() -> None:
    with pytest.raises(InvalidInputError, match="calendar must be a FiscalCalendar"):
        demo_inputs(calendar="April")  # type: ignore[arg-type]


# ------------------------------------------------------------------------ the command


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["report", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_fiscal_year_on_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deals = tmp_path / "deals.csv"
    DEALS.to_csv(deals, index=False)
    args = ("--deals", str(deals), "--as-of", "2026-05-10", "--quota", "10000")
    status, out, _ = _run(capsys, *args, "--fiscal-year-start", "2", "--format", "json")
    assert status == 0
    data = json.loads(out)
    metrics = data["sections"]["forecast"]["metrics"]
    assert (metrics["quarter"], metrics["coverage"]) == ("FY2027 Q2", pytest.approx(1.5))
    assert data["fiscal_calendar"].startswith("Fiscal year from 1 February")
    # Named by the year it starts in, the same year is FY2026.
    status, out, _ = _run(
        capsys, *args, "--fiscal-year-start", "2", "--fiscal-year-naming", "start"
    )
    assert status == 0
    assert "Fiscal year from 1 February, named by the year it starts in (FY2026:" in out
    assert "Quota for FY2026 Q2" in out
    # Without the options: calendar quarters, and no fiscal sentence in the header.
    status, out, _ = _run(capsys, *args, "--format", "json")
    assert "fiscal_calendar" not in json.loads(out)


def test_cli_445_calendar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deals = tmp_path / "deals.csv"
    DEALS.to_csv(deals, index=False)
    status, out, _ = _run(
        capsys,
        *("--deals", str(deals), "--as-of", "2026-05-10", "--format", "json"),
        *("--fiscal-year-start", "2", "--fiscal-calendar", "4-4-5"),
        *("--fiscal-week-end", "sat", "--fiscal-year-end-rule", "last"),
    )
    assert status == 0
    data = json.loads(out)
    assert data["sections"]["forecast"]["metrics"]["quarter"] == "FY2027 Q2"
    assert data["fiscal_calendar"] == (
        "Fiscal year of 52/53 weeks in 4-4-5 quarters, ending on the last Saturday of "
        "January, named by the year it ends in (FY2027: 2026-02-01 to 2027-01-30)"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fiscal-year-start", "13"], "not a month from 1 to 12"),
        (["--fiscal-year-start", "April"], "not a month from 1 to 12"),
        (["--fiscal-calendar", "4-4-5"], "need --fiscal-year-start"),
        (["--fiscal-year-naming", "start"], "need --fiscal-year-start"),
        (["--fiscal-week-end", "Sat"], "--fiscal-week-end needs --fiscal-calendar"),
        (["--fiscal-year-start", "4", "--fiscal-calendar", "5-4-4"], "needs --fiscal-week-end"),
        (
            ["--fiscal-year-start", "4", "--fiscal-calendar", "4-5-4", "--fiscal-week-end", "x"],
            "not a weekday",
        ),
    ],
)
def test_cli_refuses_an_incomplete_calendar(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    status, out, err = _run(capsys, "--demo", *args)
    assert status == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_the_text_header_states_the_calendar_within_100_columns() -> None:
    text = render(build_report(demo_inputs()), "text")
    head = text.split("FORECAST")[0]
    assert "Fiscal year from 1 April" in head
    assert max(len(line) for line in text.splitlines()) <= 100
