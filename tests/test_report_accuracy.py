"""The report's Forecast accuracy section and its charts, on a change log worked by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import salescore
from salescore.errors import InvalidInputError
from salescore.fiscal import FiscalCalendar
from salescore.report import Inputs, build_report, render
from salescore.report.sections import accuracy_section

AS_OF = pd.Timestamp("2026-02-15")


def _log() -> pd.DataFrame:
    """Five deals, every change written out (calendar quarters; the report is 15 Feb 2026).

    - A: 100 at Proposal (50 %) due 15 Nov 2025, won 10 Nov 2025.
    - B: 200 at Proposal (50 %) due 1 Dec 2025, pushed on 20 Nov to 1 Feb 2026, lost
      20 Jan 2026.
    - C: 50 at Proposal (80 %), lost 20 Sep 2025: the only deal closed before Q4 began.
    - D: 70 at Proposal (30 %) created 15 Oct 2025 (after Q4 began), won 10 Dec 2025.
    - E: 40 at Proposal (20 %) created 5 Jan 2026, due 10 Mar 2026, open.
    """
    rows = [
        ("A", "2025-09-01 10:00", 100.0, 0.5, "2025-11-15", "open"),
        ("A", "2025-11-10 10:00", 100.0, 1.0, "2025-11-10", "won"),
        ("B", "2025-09-05 10:00", 200.0, 0.5, "2025-12-01", "open"),
        ("B", "2025-11-20 10:00", 200.0, 0.5, "2026-02-01", "open"),
        ("B", "2026-01-20 10:00", 200.0, 0.0, "2026-01-20", "lost"),
        ("C", "2025-09-10 10:00", 50.0, 0.8, "2025-10-30", "open"),
        ("C", "2025-09-20 10:00", 50.0, 0.0, "2025-09-20", "lost"),
        ("D", "2025-10-15 10:00", 70.0, 0.3, "2025-12-15", "open"),
        ("D", "2025-12-10 10:00", 70.0, 1.0, "2025-12-10", "won"),
        ("E", "2026-01-05 10:00", 40.0, 0.2, "2026-03-10", "open"),
    ]
    frame = pd.DataFrame(
        rows, columns=["deal_id", "changed_at", "value", "probability", "close_date", "status"]
    )
    return frame.assign(
        changed_at=pd.to_datetime(frame["changed_at"]),
        close_date=pd.to_datetime(frame["close_date"]),
        stage=np.where(frame["status"] == "open", "Proposal", frame["status"].str.title()),
    )


@pytest.fixture(scope="module")
def section() -> Any:
    return accuracy_section(_log(), as_of=AS_OF)


def test_the_replayed_quarter_is_worked_by_hand(section: Any) -> None:
    # The log begins on 1 Sep 2025, so Q4 2025 is the only complete quarter after it.
    # On 1 Oct 2025, A (100) and B (200) are open and due in Q4, each at 50 %: the
    # forecast is 0, 100, 200 or 300 with 1/4 each, mean 150, P10 0 and P90 300.
    # Won in Q4: A 100 and D 70 (created after 1 Oct) = 170; of it, 100 from the forecast
    # deals. WAPE = |150 - 170| / 170, bias = -20 / 170. 100 lies in [0, 300].
    # Brier: A (50 %) won (0.5^2) and B (50 %) lost in the end (0.5^2): 0.25.
    m = section.metrics
    assert m["accuracy_quarters"] == "Q4 2025"
    assert m["crm_wape"] == pytest.approx(20 / 170, rel=1e-12)
    assert m["crm_bias"] == pytest.approx(-20 / 170, rel=1e-12)
    assert m["crm_coverage"] == 1.0
    assert m["crm_brier"] == pytest.approx(0.25, rel=1e-12)
    # Learned: the one deal closed before 1 Oct (C) reached Proposal and was lost, so
    # the learned rate at Proposal is 0/1: forecast 0, WAPE 170/170 = 1, and the Brier
    # score (0 - 1)^2 for A and 0 for B: 0.5.
    assert m["learned_by"] == "stage"
    assert m["learned_wape"] == pytest.approx(1.0, rel=1e-12)
    assert m["learned_brier"] == pytest.approx(0.5, rel=1e-12)
    (row,) = section.tables["backtest"]["rows"]
    assert row["quarter"] == "Q4 2025"
    assert (row["deals"], row["won"], row["won_from_forecast_deals"]) == (2, 170.0, 100.0)
    assert (row["crm_forecast"], row["crm_p10"], row["crm_p90"]) == (150.0, 0.0, 300.0)
    assert (row["crm_in_range"], row["learned_forecast"]) == ("yes", 0.0)


def test_the_waterfall_of_this_quarter_so_far_is_worked_by_hand(section: Any) -> None:
    # Q1 2026 from 1 Jan to 15 Feb: on 1 Jan, B (200, due 1 Feb) is the one open deal
    # due in it; by 15 Feb B is lost and E (40, created 5 Jan, due 10 Mar) is new.
    # 200 + 40 - 200 = 40.
    m = section.metrics
    assert m["waterfall_quarter"] == "Q1 2026 so far"
    terms = ("start", "new", "pulled_in", "pushed_out", "value_up", "value_down", "won", "lost")
    assert [m[f"waterfall_{t}"] for t in terms] == [200.0, 40.0, 0, 0, 0, 0, 0, 200.0]
    assert m["waterfall_end"] == 40.0
    deals = {row["move"]: row["deals"] for row in section.tables["waterfall"]["rows"]}
    assert (deals["start"], deals["new"], deals["lost"], deals["end"]) == (1, 1, 1, 1)


def test_slippage_counts_the_open_deals_only(section: Any) -> None:
    # Open on 15 Feb: E alone, never pushed (B was pushed once, but is lost).
    m = section.metrics
    assert (m["open_deals_with_history"], m["open_deals_pushed"]) == (1, 0)
    assert m["open_deals_pushed_share"] == 0.0
    assert "slipped_deals" not in section.tables


def test_a_log_that_ends_before_the_report_date_says_so(section: Any) -> None:
    assert any("ends on 2026-01-20" in note for note in section.notes)


def test_the_section_equals_the_library(section: Any) -> None:
    replay = salescore.backtest_forecast(
        _log(), periods=[("2025-10-01", "2025-12-31")], as_of=AS_OF
    )
    assert section.metrics["crm_wape"] == replay.wape
    assert section.metrics["crm_coverage"] == replay.coverage
    flows = salescore.pipeline_waterfall(_log(), "2026-01-01", AS_OF, period="2026Q1")
    assert section.metrics["waterfall_end"] == flows.value["end"].iloc[0]


def test_no_complete_quarter_after_the_log_begins_is_said() -> None:
    late = _log()
    late = late[late["changed_at"] >= "2026-01-01"]
    section = accuracy_section(late, as_of=AS_OF)
    assert "backtest" not in section.tables
    assert any("no complete quarter" in note for note in section.notes)


def test_a_stage_nobody_closed_leaves_out_the_learned_replay_with_the_reason() -> None:
    log = _log()
    log = log[log["deal_id"] != "C"]  # no deal closed before Q4 2025 began
    section = accuracy_section(log, as_of=AS_OF)
    assert "crm_wape" in section.metrics
    assert "learned_wape" not in section.metrics
    (note,) = [n for n in section.notes if n.startswith("The replay with learned")]
    assert "'Proposal'" in note
    assert "backtest later periods" not in note  # the library's advice is not the report's


def test_a_fiscal_calendar_names_the_quarters() -> None:
    calendar = FiscalCalendar(start_month=4)
    section = accuracy_section(_log(), as_of=AS_OF, calendar=calendar)
    assert section.metrics["accuracy_quarters"] == "FY2026 Q3"  # Oct-Dec 2025


def test_the_report_shows_the_section_from_the_change_log_alone() -> None:
    inputs = Inputs(as_of=AS_OF, source="csv", deal_changes=_log())
    report = build_report(inputs)
    assert list(report.sections) == ["accuracy"]
    text = render(report, "text")
    assert "FORECAST ACCURACY" in text
    assert "CRM probabilities: forecast error (WAPE) against won" in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_an_empty_log_before_the_report_date_is_a_note() -> None:
    section = accuracy_section(_log(), as_of=pd.Timestamp("2025-08-01"))
    assert section.metrics == {}
    assert section.notes


# ------------------------------------------------------------------ charts


def test_the_charts_draw_the_records() -> None:
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from salescore.plotting import backtest_chart, reliability_chart

    crm = salescore.backtest_forecast(_log(), periods=[("2025-10-01", "2025-12-31")], as_of=AS_OF)
    ax = backtest_chart({"CRM": crm}, ax=Figure().subplots())
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [
        "CRM: forecast",
        "CRM: P10-P90",
        "Won by the forecast deals",
        "Won in all",
    ]
    (line,) = ax.get_lines()
    assert np.asarray(line.get_ydata()).tolist() == [150.0]  # the forecast mean worked above
    # Two deals, both at 50 %: one band, at 0.5, with half of them won.
    ax = reliability_chart(crm.calibration(), ax=Figure().subplots())
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [
        "True probabilities",
        "Brier 0.250",
    ]
    points = ax.collections[0].get_offsets()
    assert np.allclose(points, [[0.5, 0.5]])


def test_the_charts_refuse_other_things() -> None:
    pytest.importorskip("matplotlib")
    from salescore.plotting import backtest_chart, reliability_chart

    with pytest.raises(InvalidInputError, match="backtest must be a Backtest"):
        backtest_chart(pd.DataFrame())  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="calibration must map names"):
        reliability_chart({"CRM": 0.25})  # type: ignore[dict-item]
    one = salescore.backtest_forecast(_log(), periods=[("2025-10-01", "2025-12-31")], as_of=AS_OF)
    two = salescore.backtest_forecast(_log(), periods=["2025-11"], as_of=AS_OF)
    with pytest.raises(InvalidInputError, match="same periods"):
        backtest_chart({"a": one, "b": two})


# ------------------------------------------------------------------ command line


def test_salesforce_history_feeds_the_section_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from salescore.cli import main

    from .test_adapter_tables import SALESFORCE_CHANGES, SALESFORCE_OPPORTUNITIES

    deals, changes = tmp_path / "opportunities.json", tmp_path / "history.json"
    deals.write_text(json.dumps(SALESFORCE_OPPORTUNITIES), encoding="utf-8")
    changes.write_text(json.dumps(SALESFORCE_CHANGES), encoding="utf-8")
    args = ["report", "--crm", "salesforce", "--deals", str(deals), "--format", "json"]
    code = main([*args, "--deal-changes", str(changes), "--as-of", "2024-09-01"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    imports = {item["table"]: item for item in report["imports"]}
    assert imports["deal_changes"]["accepted"] == len(SALESFORCE_CHANGES)
    # The history begins on 20 Feb 2024: Q2 2024 is the one quarter replayed. On 1 Apr
    # 006A1 (27,600 at 12 %, due 28 Jun) is its one open deal; nothing was won in it.
    metrics = report["sections"]["accuracy"]["metrics"]
    assert metrics["accuracy_quarters"] == "Q2 2024"
    (row,) = report["sections"]["accuracy"]["tables"]["backtest"]["rows"]
    assert (row["deals"], row["crm_forecast"], row["won"]) == (1, 0.12 * 27_600, 0.0)


def test_rejected_changes_are_flagged_beside_every_figure() -> None:
    from salescore.report import Import

    inputs = Inputs(
        as_of=AS_OF,
        source="csv",
        deal_changes=_log(),
        imports=(
            Import(
                table="deal_changes",
                source="csv",
                file="changes.csv",
                rows_in=11,
                accepted=10,
                reasons={"value: not a number": 1},
            ),
        ),
    )
    section = build_report(inputs).sections["accuracy"]
    assert set(section.caveats) == set(section.metrics)
    assert all("1 change of the change history rejected" in c for c in section.caveats.values())
